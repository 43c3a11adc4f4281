// The load and the checks of the crash test (crash.test.ts): workers that create and update
// todos one request at a time and remember what was acknowledged, and the comparisons of the
// database and the API with what they remember.
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { todoPageSchema, todoSchema } from '../../src/api/openapi-schemas.ts';
import type { Todo } from '../../src/repositories/types.ts';
import { sqliteData } from '../engines.ts';
import { asTodo, invariantViolations, snapshot, type TodoRow } from './invariants.ts';
import { type Answer, rest, type ToolCaller } from './process-client.ts';

const MAX_OPS_PER_CYCLE = 400;

export type Channel = 'rest' | 'modern' | 'legacy';
type Fields = Pick<Todo, 'title' | 'priority' | 'completed'>;

/** A todo whose creation was acknowledged, as its one writer last saw it acknowledged. */
interface Tracked {
  acked: Todo;
  /** An update sent but not answered when the process died: it is either stored whole or not at all. */
  pending?: { fields: Fields; version: number };
}

export interface Worker {
  name: string;
  channel: Channel;
  user: { id: string; token: string };
  todos: Tracked[];
  /** Acknowledged writes since the last check. */
  acks: number;
  /** Complete answers that were not the success expected: the test fails on any. */
  unexpected: string[];
}

const FIELDS: (keyof Fields)[] = ['title', 'priority', 'completed'];

export function newWorker(name: string, channel: Channel, user: Worker['user']): Worker {
  return { name, channel, user, todos: [], acks: 0, unexpected: [] };
}

/** Creates and updates todos one at a time until the process dies under a request. */
export async function runWorker(
  base: string,
  w: Worker,
  caller: ToolCaller | undefined,
  cycle: number,
  random: () => number,
): Promise<void> {
  for (let op = 0; op < MAX_OPS_PER_CYCLE; op++) {
    const target =
      w.todos.length > 0 && random() < 0.6 ? w.todos[Math.floor(random() * w.todos.length)] : undefined;
    const fields: Fields = {
      title: `${w.name} cycle ${cycle} op ${op}`,
      priority: 1 + Math.floor(random() * 5),
      completed: random() < 0.5,
    };
    let answer: Answer & { todo?: Todo };
    try {
      if (target) {
        const version = target.acked.version;
        target.pending = { fields, version: version + 1 };
        answer = caller
          ? await toolAnswer(caller, 'update_todo', {
              id: target.acked.id,
              expectedVersion: version,
              ...fields,
            })
          : await restAnswer(base, w, 'PATCH', `/api/todos/${target.acked.id}`, fields, `"${version}"`, 200);
      } else {
        answer = caller
          ? await toolAnswer(caller, 'create_todo', { title: fields.title, priority: fields.priority })
          : await restAnswer(
              base,
              w,
              'POST',
              '/api/todos',
              { title: fields.title, priority: fields.priority },
              undefined,
              201,
            );
      }
    } catch {
      return; // the process died under this request: its write is unacknowledged
    }
    if (!answer.todo) {
      w.unexpected.push(`${w.name}: ${answer.status} ${answer.text.slice(0, 200)}`);
      return;
    }
    if (target) {
      target.acked = answer.todo;
      delete target.pending;
    } else {
      w.todos.push({ acked: answer.todo });
    }
    w.acks++;
  }
}

async function restAnswer(
  base: string,
  w: Worker,
  method: string,
  path: string,
  body: unknown,
  ifMatch: string | undefined,
  success: number,
): Promise<Answer & { todo?: Todo }> {
  const headers: Record<string, string> = ifMatch ? { 'if-match': ifMatch } : {};
  const answer = await rest(base, method, path, { token: w.user.token, body, headers });
  return answer.status === success
    ? { ...answer, todo: todoSchema.parse(JSON.parse(answer.text)) as Todo }
    : answer;
}

async function toolAnswer(
  caller: ToolCaller,
  name: string,
  args: Record<string, unknown>,
): Promise<Answer & { todo?: Todo }> {
  const answer = await caller.call(name, args);
  const data = answer.result?.isError ? undefined : answer.result?.structuredContent;
  return data ? { ...answer, todo: todoSchema.parse(data) as Todo } : answer;
}

/**
 * Opens the file of the dead process read-only and compares it with what was acknowledged.
 * An update that was in flight is adopted when it was stored whole, so later writes build on it.
 */
export async function checkDatabase(
  path: string,
  workers: Worker[],
): Promise<{ checked: number; interrupted: number; lost: string[]; damage: string[] }> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const lost: string[] = [];
  const damage: string[] = [];
  let interrupted = 0;
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') damage.push(`integrity_check: ${String(integrity)}`);
    const data = sqliteData(db);
    damage.push(...(await invariantViolations(data)));
    const rows = await snapshot(data);
    for (const w of workers) {
      // A lost todo is reported once and no longer tracked (nor updated by its worker).
      w.todos = w.todos.filter((tracked) => {
        const problem = compare(tracked, rows.get(tracked.acked.id), w.user.id);
        if (tracked.pending) interrupted++;
        delete tracked.pending;
        if (problem) lost.push(`${w.name}: ${problem}`);
        return problem === undefined;
      });
    }
  } finally {
    db.close();
  }
  const checked = workers.reduce((sum, w) => sum + w.acks, 0);
  for (const w of workers) w.acks = 0;
  return { checked, interrupted, lost, damage };
}

/**
 * Why the stored row is not what was acknowledged, or undefined when it is: the acknowledged
 * version, or the update in flight at the crash stored whole (then adopted as acknowledged).
 */
function compare(tracked: Tracked, row: TodoRow | undefined, owner: string): string | undefined {
  if (!row) return `todo ${tracked.acked.id} is missing`;
  if (row.user_id !== owner) return `todo ${row.id} changed owner`;
  const stored = asTodo(row);
  if (isDeepStrictEqual(stored, tracked.acked)) return undefined;
  const { pending } = tracked;
  if (pending && stored.version === pending.version && FIELDS.every((f) => stored[f] === pending.fields[f])) {
    tracked.acked = stored;
    return undefined;
  }
  return `acknowledged ${JSON.stringify(tracked.acked)}, stored ${JSON.stringify(stored)}`;
}

/** After a restart, a few acknowledged todos read back through REST as acknowledged. */
export async function spotCheck(base: string, workers: Worker[], random: () => number): Promise<string[]> {
  const problems: string[] = [];
  for (const w of workers) {
    for (let i = 0; i < Math.min(3, w.todos.length); i++) {
      const tracked = w.todos[Math.floor(random() * w.todos.length)];
      if (!tracked) continue;
      const res = await rest(base, 'GET', `/api/todos/${tracked.acked.id}`, { token: w.user.token });
      if (res.status !== 200 || !isDeepStrictEqual(JSON.parse(res.text), tracked.acked))
        problems.push(`after restart, ${tracked.acked.id} read ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  return problems;
}

/** Every acknowledged todo, listed page by page through REST, as acknowledged. */
export async function fullCheck(base: string, workers: Worker[]): Promise<string[]> {
  const problems: string[] = [];
  for (const token of new Set(workers.map((w) => w.user.token))) {
    const served = new Map<string, Todo>();
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const query: string = cursor ? `limit=100&cursor=${cursor}` : 'limit=100';
      const res = await rest(base, 'GET', `/api/todos?${query}`, { token });
      const body = todoPageSchema.parse(JSON.parse(res.text));
      for (const todo of body.items) served.set(todo.id, todo as Todo);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    for (const w of workers.filter((each) => each.user.token === token)) {
      for (const { acked } of w.todos) {
        if (!isDeepStrictEqual(served.get(acked.id), acked))
          problems.push(`at the end, ${acked.id} is not served as acknowledged`);
      }
    }
  }
  return problems;
}
