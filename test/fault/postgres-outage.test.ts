// PostgreSQL failing underneath the running service, as it does in production: the network to
// it cut (connections dropped, new ones refused), a failover leaving it read-only, the server
// ending connections, too many connections. As on SQLite (storage.test.ts): no 500 anywhere,
// REST answers 503 with Retry-After, MCP a 503 or an isError result that says to retry, the
// OAuth endpoints temporarily_unavailable, /health 503 while /health/live stays 200, and the
// service recovers by itself, with every invariant intact.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { EngineTestContext, TestUser } from '../helpers.ts';
import { createEngineContext } from '../helpers.ts';
import { type Connected, connect, textOf } from '../mcp/mcp-helpers.ts';
import { startTcpProxy, type TcpProxy } from '../postgres/tcp-proxy.ts';
import { invariantViolations } from './invariants.ts';
import { type RestAnswer, rest } from './process-client.ts';
import { problemViolations } from './responses.ts';

const UNAVAILABLE = 'urn:todos:problem:temporarily-unavailable';

describe('PostgreSQL failing under a running service', () => {
  let proxy: TcpProxy | undefined;
  let ctx: EngineTestContext;
  let base: string;
  let user: TestUser;
  let mcp: Connected;

  beforeEach(async () => {
    ctx = await createEngineContext(
      'postgres',
      {},
      {
        connectVia: async (url) => {
          proxy = await startTcpProxy(url);
          return proxy.url;
        },
      },
    );
    base = await ctx.listen();
    user = await ctx.signUp();
    mcp = await connect(base, user, 'modern');
  });
  afterEach(async () => {
    await mcp.client.close();
    await proxy?.restore();
    await ctx.close();
    await proxy?.close();
  });

  const create = (title: string) => rest(base, 'POST', '/api/todos', { token: user.token, body: { title } });
  const health = () => rest(base, 'GET', '/health');
  const expect503 = (answer: RestAnswer) => {
    expect(answer.status, answer.text).toBe(503);
    expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  };
  const expectProblem503 = (answer: RestAnswer) => {
    expect503(answer);
    expect(JSON.parse(answer.text)).toMatchObject({ type: UNAVAILABLE, status: 503 });
    expect(problemViolations(503, answer.headers.get('content-type'), answer.text)).toEqual([]);
  };
  /** Cut and restored: every pooled connection is a new session (which picks up new settings). */
  const reconnect = async () => {
    await proxy?.cut();
    await proxy?.restore();
  };
  const asAdmin = (sql: string) => ctx.data.run(sql);
  const databaseName = async () =>
    (await ctx.data.all<{ name: string }>('SELECT current_database() AS name'))[0]?.name ?? '';

  it('answers 503 on every surface while the database cannot be reached, and recovers by itself', async () => {
    const kept = await create('written before');
    expect(kept.status).toBe(201);
    const id = (JSON.parse(kept.text) as { id: string }).id;
    await proxy?.cut();

    for (const answer of [
      await create('refused'),
      await rest(base, 'GET', `/api/todos/${id}`, { token: user.token }),
      await rest(base, 'POST', '/api/auth/token', { body: { username: user.username, password: 'wrong' } }),
    ]) {
      expectProblem503(answer);
    }
    const registration = await rest(base, 'POST', '/oauth/register', {
      body: { client_name: 'during the outage', redirect_uris: ['http://127.0.0.1:9/callback'] },
    });
    expect503(registration);
    expect(JSON.parse(registration.text)).toMatchObject({ error: 'temporarily_unavailable' });
    const call = await rest(base, 'POST', '/mcp', {
      token: user.token,
      headers: { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
    });
    expect503(call);
    expect(JSON.parse(call.text)).toMatchObject({
      error: { message: expect.stringMatching(/temporarily unable/) },
    });
    expect(await health()).toMatchObject({ status: 503, text: '{"status":"unavailable"}' });
    expect((await rest(base, 'GET', '/health/live')).status).toBe(200);

    await proxy?.restore();
    expect(await health()).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    expect((await create('written after')).status).toBe(201);
    const result = await mcp.client.callTool({ name: 'create_todo', arguments: { title: 'written after' } });
    expect(result.isError).toBeFalsy();
    expect(await invariantViolations(ctx.data)).toEqual([]);
    // Errors logged: the failed health checks (an operator's signal), nothing unexpected.
    const errors = ctx.logs().filter((line) => Number(line.level) >= 50);
    expect(errors.filter((line) => line.msg !== 'health check: database unavailable')).toEqual([]);
    expect(errors.map((line) => line.reason)).toEqual(['PostgreSQL unreachable: ECONNREFUSED']);
    expect(ctx.rawLogs()).not.toContain('embedded-test-password');
  });

  it('refuses writes with 503 while the database is read-only, keeps serving REST reads, and recovers', async () => {
    const kept = await create('written before');
    const id = (JSON.parse(kept.text) as { id: string }).id;
    const name = await databaseName();
    await asAdmin(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await reconnect();

    for (const answer of [
      await create('refused'),
      await rest(base, 'PATCH', `/api/todos/${id}`, { token: user.token, body: { completed: true } }),
      await rest(base, 'DELETE', `/api/todos/${id}`, { token: user.token }),
    ]) {
      expectProblem503(answer);
    }
    const read = await rest(base, 'GET', `/api/todos/${id}`, { token: user.token });
    expect(read.status, read.text).toBe(200);
    // A tool call spends the shared rate budget, a write: refused too, as a result to retry.
    const result = await mcp.client.callTool({ name: 'create_todo', arguments: { title: 'refused' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/temporarily unable.*try again/is);
    expect(await health()).toMatchObject({ status: 503 });

    await asAdmin(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
    await reconnect();
    expect(await health()).toMatchObject({ status: 200 });
    expect((await create('written after')).status).toBe(201);
    expect(await invariantViolations(ctx.data)).toEqual([]);
  });

  it('answers 2xx or 503, never a 500, while the server ends every connection under load', async () => {
    await create('seed');
    const burst = Array.from({ length: 40 }, (_, i) =>
      i % 2 ? create(`burst ${i}`) : rest(base, 'GET', '/api/todos', { token: user.token }),
    );
    // What a server restart or an operator's pg_terminate_backend does: FATAL 57P01 on each.
    await asAdmin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'todos' AND datname = current_database()",
    );
    const answers = await Promise.all(burst);
    expect(answers.filter((answer) => answer.status >= 300 && answer.status !== 503)).toEqual([]);
    for (const answer of answers.filter(({ status }) => status === 503)) expectProblem503(answer);
    expect((await create('after the restart')).status).toBe(201);
    expect(await invariantViolations(ctx.data)).toEqual([]);
  });
});

describe('PostgreSQL refusing connections beyond its limit', () => {
  const adminUrl = inject('postgresAdminUrl');
  const role = `todos_limited_${randomBytes(4).toString('hex')}`;
  let ctx: EngineTestContext | undefined;

  afterEach(async () => {
    await ctx?.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('answers 503 to the requests that got no connection (too many connections), never a 500', async () => {
    // The service connects as a role of its own allowed two connections (superusers have no
    // limit), owning the database so that it can migrate it.
    ctx = await createEngineContext(
      'postgres',
      {},
      {
        connectVia: async (url) => {
          const admin = new pg.Client({ connectionString: url });
          await admin.connect();
          await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'limited-role-secret' CONNECTION LIMIT 2`);
          await admin.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} OWNER TO ${role}`);
          await admin.query(`ALTER SCHEMA public OWNER TO ${role}`);
          await admin.end();
          const limited = new URL(url);
          limited.username = role;
          limited.password = 'limited-role-secret';
          return limited.href;
        },
      },
    );
    const base = await ctx.listen();
    const user = await ctx.signUp();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => rest(base, 'GET', '/api/todos', { token: user.token })),
    );
    expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 503)).toEqual([]);
    expect(answers.filter((answer) => answer.status === 503).length).toBeGreaterThan(0);
    for (const answer of answers.filter(({ status }) => status === 503)) {
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    }
    expect((await rest(base, 'GET', '/api/todos', { token: user.token })).status).toBe(200);
    expect(ctx.rawLogs()).not.toContain('limited-role-secret');
  });
});
