// Constant load through the balancer while processes die or restart: each worker creates
// todos (over REST or MCP) and reads back ones it created, and every answer is kept with the
// time it arrived, so that a test can say which requests failed, when, and what was acknowledged.
import { todoSchema } from '../../src/api/openapi-schemas.ts';
import type { Todo } from '../../src/repositories/types.ts';
import { rest, toolCaller } from '../fault/process-client.ts';

export interface Outcome {
  label: string;
  at: number;
  ok: boolean;
  detail: string;
}

export interface Load {
  outcomes: Outcome[];
  /** Every todo whose create was acknowledged, as acknowledged. */
  acknowledged: Map<string, Todo>;
  /** Stops the workers and waits for their last requests. */
  stop(): Promise<void>;
}

export function startLoad(base: string, tokens: string[], workersPerToken = 2): Load {
  const outcomes: Outcome[] = [];
  const acknowledged = new Map<string, Todo>();
  let running = true;
  const record = (label: string, ok: boolean, detail: string) =>
    outcomes.push({ label, at: Date.now(), ok, detail });

  const worker = async (token: string, index: number) => {
    const channel = index % 2 === 0 ? 'rest' : 'mcp';
    const caller = channel === 'mcp' ? await toolCaller(base, 'modern', token) : undefined;
    const mine: string[] = [];
    for (let n = 0; running; n++) {
      const label = `${channel}-${index}-${n}`;
      try {
        if (n % 3 === 2 && mine.length) {
          const id = mine[n % mine.length];
          const res = await rest(base, 'GET', `/api/todos/${id}`, { token });
          record(`${label} read`, res.status === 200, `${res.status} ${res.text.slice(0, 120)}`);
          continue;
        }
        const title = `load ${label}`;
        if (caller) {
          const answer = await caller.call('create_todo', { title });
          const created =
            answer.result && !answer.result.isError ? answer.result.structuredContent : undefined;
          if (created) {
            const todo = todoSchema.parse(created) as Todo;
            acknowledged.set(todo.id, todo);
            mine.push(todo.id);
          }
          record(`${label} create`, created !== undefined, `${answer.status} ${answer.text.slice(0, 120)}`);
        } else {
          const res = await rest(base, 'POST', '/api/todos', { token, body: { title } });
          if (res.status === 201) {
            const todo = todoSchema.parse(JSON.parse(res.text)) as Todo;
            acknowledged.set(todo.id, todo);
            mine.push(todo.id);
          }
          record(`${label} create`, res.status === 201, `${res.status} ${res.text.slice(0, 120)}`);
        }
      } catch (error) {
        record(label, false, String(error));
      }
    }
  };
  const all = tokens.flatMap((token, t) =>
    Array.from({ length: workersPerToken }, (_, w) => worker(token, t * workersPerToken + w)),
  );
  return {
    outcomes,
    acknowledged,
    stop: async () => {
      running = false;
      await Promise.all(all);
    },
  };
}
