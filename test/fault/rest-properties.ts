// Property-based tests of /api: generated bodies, query strings, path ids, media types,
// If-Match values and credentials, valid and hostile mixed. Whatever is sent: no 5xx, every
// error is problem+json, each answer agrees with what the database holds, and the stored
// data keeps its invariants.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { todoPageSchema, todoSchema } from '../../src/api/openapi-schemas.ts';
import type { Todo } from '../../src/repositories/types.ts';
import type { Engine } from '../engines.ts';
import { by, createEngineContext, type EngineTestContext, type TestUser } from '../helpers.ts';
import { jsonText, percentEncode } from './arbitraries.ts';
import { idsOwnedBy, invariantViolations, snapshot } from './invariants.ts';
import { problemViolations } from './responses.ts';
import { type Body, type RestCase, restCase } from './rest-arbitraries.ts';
import { recordFaultCounts } from './summary.ts';
import { modelViolations, type Outcome } from './write-model.ts';

const NUM_RUNS = 300;
// Node refuses request heads over 16 kB with a bare 431 before Express sees them; stay below.
const MAX_URL_LENGTH = 8_000;

/** The suite, on one engine: each engine has its own test file, so that they run in parallel. */
export const restPropertiesSuite = (engine: Engine) =>
  describe(`/api under generated requests, on ${engine}`, () => {
    let ctx: EngineTestContext;
    let alice: TestUser;
    let bob: TestUser;
    let base: string;

    beforeEach(async () => {
      ctx = await createEngineContext(engine);
      [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
      for (const user of [alice, bob]) {
        for (const title of ['first', 'second', 'third'])
          await ctx.services.todos.create(by(user), { title });
      }
      base = await ctx.listen();
    });
    afterEach(() => ctx.close());

    const ownedBy = (userId: string) => idsOwnedBy(ctx.data, userId);

    /** Resolves the generated case against the current data: the path, the target id, the headers. */
    async function resolve(c: RestCase) {
      const caller = c.caller === 'alice' ? alice : c.caller === 'bob' ? bob : undefined;
      const other = caller === bob ? alice : bob;
      let path = '/api/todos';
      let targetId: string | undefined;
      if (c.route.kind === 'item') {
        const { target, pick } = c.route;
        const pool =
          target === 'own'
            ? await ownedBy((caller ?? alice).id)
            : target === 'foreign'
              ? await ownedBy(other.id)
              : [];
        targetId = target === 'missing' ? randomUUID() : pool.length ? pool[pick % pool.length] : undefined;
        path += `/${targetId ?? c.route.hostileId}`;
      } else if (c.route.kind === 'other') {
        path = c.route.path;
      }
      const query = c.query.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');
      const headers: Record<string, string> = {};
      if (caller) headers.authorization = `Bearer ${caller.token}`;
      if (c.caller === 'garbage') headers.authorization = 'Bearer not.a.token';
      if (c.contentType) headers['content-type'] = c.contentType;
      const current = targetId ? (await snapshot(ctx.data)).get(targetId)?.version : undefined;
      const ifMatch = c.ifMatch === 'current' ? `"${current ?? 1}"` : c.ifMatch;
      if (ifMatch !== undefined) headers['if-match'] = ifMatch;
      return { caller, path: query ? `${path}?${query}` : path, targetId, headers, ifMatch };
    }

    function bodyBytes(b: Body): Uint8Array | undefined {
      if (b.kind === 'none') return undefined;
      if (b.kind === 'bytes') return b.bytes;
      return Buffer.from(b.kind === 'text' ? b.text : jsonText(b.entries));
    }

    /** The outcome a 2xx answer claims, parsed with the documented response schemas. */
    function outcomeOf(
      c: RestCase,
      url: string,
      status: number,
      json: unknown,
      targetId: string | undefined,
      ifMatch: string | undefined,
    ): Outcome {
      const method = c.route.method;
      const input = c.body.kind === 'entries' ? Object.fromEntries(c.body.entries) : {};
      const versioned = ifMatch === undefined ? undefined : /^"(\d+)"$/.exec(ifMatch.trim())?.[1];
      if (status === 204) return { kind: 'deleted', targetId: targetId ?? '(no target)' };
      // /api and /api/ are signposts (where to go next): a GET there reads no todo. The path is
      // the one fetch sent, which resolves dot segments (`/api/todos/%2e%2e` is `/api/`).
      if (method === 'GET' && /^\/api\/?$/.test(new URL(url).pathname)) return { kind: 'read', todos: [] };
      // A list answers a page (also at /api/todos/ and /api/todos//), an item a todo.
      if (method === 'GET' && typeof json === 'object' && json !== null && 'items' in json)
        return { kind: 'read', todos: todoPageSchema.parse(json).items as Todo[] };
      const todo = todoSchema.parse(json) as Todo;
      if (method === 'GET') return { kind: 'read', todos: [todo] };
      if (status === 201) return { kind: 'created', todo, input };
      return {
        kind: 'updated',
        todo,
        targetId: targetId ?? '(no target)',
        input,
        replace: method === 'PUT',
        expectedVersion: ifMatch === '*' || ifMatch === undefined ? undefined : Number(versioned ?? 0),
      };
    }

    it('never answers 5xx, answers errors as problem+json, and writes exactly what it acknowledges', async () => {
      let runs = 0;
      const statuses = new Map<number, number>();
      const property = fc.asyncProperty(restCase, async (c) => {
        const { caller, path, targetId, headers, ifMatch } = await resolve(c);
        fc.pre(base.length + path.length <= MAX_URL_LENGTH);
        runs++;
        const before = await snapshot(ctx.data);
        const payload = c.route.method === 'GET' ? undefined : bodyBytes(c.body);
        const url = `${base}${path}`;
        const res = await fetch(url, {
          method: c.route.method,
          headers,
          ...(payload ? { body: payload } : {}),
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, text).toBeLessThan(500);

        let outcome: Outcome = { kind: 'refused' };
        if (res.status >= 400) {
          expect(problemViolations(res.status, res.headers.get('content-type'), text)).toEqual([]);
        } else {
          expect(res.headers.get('content-type') ?? 'application/json').toMatch(/^application\/json/);
          outcome = outcomeOf(
            c,
            url,
            res.status,
            res.status === 204 ? undefined : JSON.parse(text),
            targetId,
            ifMatch,
          );
        }
        expect(modelViolations(before, await snapshot(ctx.data), caller?.id, outcome)).toEqual([]);
        expect(await invariantViolations(ctx.data)).toEqual([]);
      });
      try {
        await fc.assert(property, { numRuns: NUM_RUNS });
      } finally {
        recordFaultCounts({ cases: runs });
      }
      // The generator reaches both sides: real writes and each kind of refusal.
      for (const status of [200, 201, 204, 400, 401, 404, 412, 413, 415]) {
        expect(
          statuses.get(status) ?? 0,
          `no ${status} among ${JSON.stringify([...statuses])}`,
        ).toBeGreaterThan(0);
      }
      expect(ctx.logs().filter((line) => Number(line.level) >= 50)).toEqual([]);
    }, 60_000);
  });
