// security.md 26 and 33 under load: concurrent creates through REST and both MCP eras store
// exactly what was acknowledged, and racing writes on one todo end at the last acknowledged one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { todoSchema } from '../../src/api/openapi-schemas.ts';
import type { Todo } from '../../src/repositories/types.ts';
import type { Engine } from '../engines.ts';
import { by, createEngineContext, type EngineTestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, type Era, textOf } from '../mcp/mcp-helpers.ts';
import { asTodo, invariantViolations, snapshot } from './invariants.ts';
import { recordFaultCounts } from './summary.ts';

const USERS = 10;
const CREATES_PER_USER = 20;
const RACE_ROUNDS = 12;

type Channel = 'rest' | Era;
const CHANNELS: Channel[] = ['rest', 'modern', 'legacy'];

/** One write as its caller saw it: the HTTP status (or its MCP equivalent) and the todo returned. */
interface Acknowledgement {
  label: string;
  status: number;
  todo?: Todo;
  /** The version a conditional write asked for. */
  expected?: number;
  text: string;
}

/** The suite, on one engine: each engine has its own test file, so that they run in parallel. */
export const concurrencySuite = (engine: Engine) =>
  describe(`concurrent writes through REST and MCP together, on ${engine}`, () => {
    let ctx: EngineTestContext;
    let base: string;
    let users: TestUser[];
    let clients: Map<string, Record<Era, Connected>>;

    beforeEach(async () => {
      ctx = await createEngineContext(engine);
      base = await ctx.listen();
      users = await Promise.all(Array.from({ length: USERS }, () => ctx.signUp()));
      clients = new Map();
      await Promise.all(
        users.map(async (user) => {
          const [modern, legacy] = await Promise.all([
            connect(base, user, 'modern', { elicitation: false }),
            connect(base, user, 'legacy', { elicitation: false }),
          ]);
          clients.set(user.id, { modern, legacy });
        }),
      );
    });
    afterEach(async () => {
      await Promise.all(
        [...clients.values()].flatMap(({ modern, legacy }) => [modern.client.close(), legacy.client.close()]),
      );
      await ctx.close();
    });

    const mcpOf = (user: TestUser, era: Era) => {
      const pair = clients.get(user.id);
      if (!pair) throw new Error('no MCP clients for this user');
      return pair[era].client;
    };

    const rest = async (user: TestUser, method: string, path: string, body?: unknown, ifMatch?: string) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${user.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, text: await res.text() };
    };

    /** A tool call answered as REST would: 200 or 204 on success, 404 or 412 for those refusals. */
    const tool = async (user: TestUser, era: Era, name: string, args: Record<string, unknown>) => {
      try {
        const result = await mcpOf(user, era).callTool({ name, arguments: args });
        const text = textOf(result);
        if (!result.isError) {
          const data = result.structuredContent as { deleted?: boolean } & Record<string, unknown>;
          return name === 'delete_todo'
            ? { status: data.deleted ? 204 : 0, text }
            : { status: 200, text, todo: todoSchema.parse(data) as Todo };
        }
        if (/was not found/.test(text)) return { status: 404, text };
        if (/has changed since you read it/.test(text)) return { status: 412, text };
        return { status: 0, text };
      } catch (error) {
        return { status: 0, text: String(error) };
      }
    };

    it('stores exactly 200 todos from 200 concurrent creates by 10 users over REST and both MCP eras', async () => {
      const creates = users.flatMap((user, u) =>
        Array.from({ length: CREATES_PER_USER }, async (_, k) => {
          const channel = CHANNELS[(u + k) % CHANNELS.length] ?? 'rest';
          const title = `user ${u} todo ${k} via ${channel}`;
          if (channel === 'rest') {
            const { status, text } = await rest(user, 'POST', '/api/todos', { title, priority: 1 + (k % 5) });
            return {
              user,
              title,
              status,
              text,
              todo: status === 201 ? (todoSchema.parse(JSON.parse(text)) as Todo) : undefined,
            };
          }
          const answer = await tool(user, channel, 'create_todo', { title, priority: 1 + (k % 5) });
          return { user, title, ...answer, status: answer.status === 200 ? 201 : answer.status };
        }),
      );
      const results = await Promise.all(creates);

      expect(results.filter((result) => result.status !== 201).map((result) => result.text)).toEqual([]);
      expect(results.map((result) => result.text).join('\n')).not.toMatch(
        /SQLITE_BUSY|database is locked|deadlock|serialize/i,
      );
      const stored = await snapshot(ctx.data);
      expect(stored.size).toBe(USERS * CREATES_PER_USER);
      for (const user of users) {
        const own = [...stored.values()].filter((row) => row.user_id === user.id);
        expect(own).toHaveLength(CREATES_PER_USER);
        const mine = results.filter((result) => result.user === user);
        expect(own.map((row) => row.title).sort()).toEqual(mine.map((result) => result.title).sort());
      }
      let checked = 0;
      for (const { todo, user } of results) {
        const row = todo && stored.get(todo.id);
        expect(row?.user_id).toBe(user.id);
        expect(row && asTodo(row)).toEqual(todo);
        checked++;
      }
      expect(await invariantViolations(ctx.data)).toEqual([]);
      expect(ctx.rawLogs()).not.toMatch(/SQLITE_BUSY|database is locked/i);
      expect(ctx.logs().filter((line) => Number(line.level) >= 50)).toEqual([]);
      recordFaultCounts({ writesChecked: checked });
    });

    it('answers racing PATCH, PUT and DELETE on one todo with 200, 204, 404 or 412 only, ending at the last acknowledged write', async () => {
      const [alice] = users;
      if (!alice) throw new Error('no user');
      let checked = 0;
      for (let round = 0; round < RACE_ROUNDS; round++) {
        const { id } = await ctx.services.todos.create(by(alice), { title: `race ${round}` });
        // Round kinds: updates only; plus a DELETE that may win once version 4 is reached; plus unconditional DELETEs.
        const deletes = round % 3;
        const racers: (() => Promise<Acknowledgement>)[] = [];
        for (let i = 0; i < 24; i++) {
          const label = `round ${round} op ${i}`;
          const expected = i % 4 === 0 ? 1 + (i % 3) : undefined;
          const ifMatch = expected === undefined ? undefined : `"${expected}"`;
          const era: Era = i % 2 === 0 ? 'modern' : 'legacy';
          const withExpected = expected === undefined ? {} : { expectedVersion: expected };
          const kind = i % 6;
          racers.push(async () => {
            if (kind === 0 || kind === 3) {
              const res = await rest(
                alice,
                'PATCH',
                `/api/todos/${id}`,
                { title: `${label} patch`, priority: 1 + (i % 5) },
                ifMatch,
              );
              return { label, ...res, ...(expected ? { expected } : {}), ...parsedTodo(res) };
            }
            if (kind === 1) {
              const res = await rest(
                alice,
                'PUT',
                `/api/todos/${id}`,
                { title: `${label} put`, completed: i % 2 === 0 },
                ifMatch,
              );
              return { label, ...res, ...(expected ? { expected } : {}), ...parsedTodo(res) };
            }
            if (kind === 2 || kind === 4) {
              const answer = await tool(alice, era, 'update_todo', {
                id,
                title: `${label} mcp`,
                ...withExpected,
              });
              return { label, ...answer, ...(expected ? { expected } : {}) };
            }
            // kind 5: a delete in the rounds that have them, another update otherwise.
            if (deletes === 0) {
              const answer = await tool(alice, era, 'update_todo', {
                id,
                description: `${label} mcp description`,
              });
              return { label, ...answer };
            }
            const version = deletes === 1 ? 4 : undefined;
            if (i % 12 === 5) {
              const res = await rest(
                alice,
                'DELETE',
                `/api/todos/${id}`,
                undefined,
                version ? `"${version}"` : undefined,
              );
              return { label, ...res, ...(version ? { expected: version } : {}) };
            }
            const answer = await tool(alice, era, 'delete_todo', {
              id,
              ...(version ? { expectedVersion: version } : {}),
            });
            return { label, ...answer, ...(version ? { expected: version } : {}) };
          });
        }
        const acks = await Promise.all(racers.map((racer) => racer()));

        const story = acks.map((ack) => `${ack.label}: ${ack.status} ${ack.text.slice(0, 120)}`).join('\n');
        for (const ack of acks) expect([200, 204, 404, 412], story).toContain(ack.status);
        const updates = acks.filter((ack) => ack.status === 200);
        const deleted = acks.filter((ack) => ack.status === 204);
        expect(deleted.length, story).toBeLessThanOrEqual(1);
        // Every acknowledged update made its own version: none was lost to another.
        const versions = updates.map((ack) => ack.todo?.version ?? 0).sort((a, b) => a - b);
        expect(versions, story).toEqual(updates.map((_, index) => index + 2));
        for (const ack of updates) {
          if (ack.expected !== undefined) expect(ack.todo?.version, ack.label).toBe(ack.expected + 1);
        }
        for (const ack of acks.filter((ack) => ack.status === 412))
          expect(ack.expected, ack.label).toBeDefined();
        // A todo that was never deleted is never reported missing.
        if (deleted.length === 0)
          expect(
            acks.filter((ack) => ack.status === 404),
            story,
          ).toEqual([]);

        const row = (await snapshot(ctx.data)).get(id);
        if (deleted.length) {
          expect(row, story).toBeUndefined();
        } else {
          const last = updates.reduce<Acknowledgement | undefined>(
            (latest, ack) => ((ack.todo?.version ?? 0) > (latest?.todo?.version ?? 0) ? ack : latest),
            undefined,
          );
          expect(row && asTodo(row), story).toEqual(last?.todo);
        }
        checked += updates.length + deleted.length;
      }
      expect(await invariantViolations(ctx.data)).toEqual([]);
      expect(ctx.logs().filter((line) => Number(line.level) >= 50)).toEqual([]);
      recordFaultCounts({ writesChecked: checked });
    });
  });

function parsedTodo(res: { status: number; text: string }): { todo?: Todo } {
  return res.status === 200 ? { todo: todoSchema.parse(JSON.parse(res.text)) as Todo } : {};
}
