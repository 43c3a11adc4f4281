// Three processes on one PostgreSQL database behind nginx (round-robin, no stickiness): one
// user's requests land on different processes and see one another's writes, in REST and in
// both MCP eras (2025-era sessions are off with DATABASE_URL, so that era is served
// statelessly); the rate limits count across processes; and where 2025-era sessions are
// turned on, a session id reaching a process that does not hold it gets the protocol's 404.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { todoSchema } from '../../src/api/openapi-schemas.ts';
import type { Era } from '../mcp/mcp-helpers.ts';
import { initializeRequest, LEGACY_VERSION, post } from '../mcp/raw-mcp.ts';
import { createDatabase, dropDatabase } from '../postgres/embedded-postgres.ts';
import { type Cluster, startCluster } from './cluster.ts';

const PASSWORD = 'correct horse battery staple';
const CALLS_PER_MINUTE = 20;
let sequence = 0;

describe('three processes behind nginx on one PostgreSQL database', () => {
  const adminUrl = inject('postgresAdminUrl');
  let databaseUrl: string;
  let cluster: Cluster;

  beforeAll(async () => {
    databaseUrl = await createDatabase(adminUrl);
    cluster = await startCluster({ databaseUrl, env: { MCP_CALLS_PER_MINUTE: String(CALLS_PER_MINUTE) } });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await dropDatabase(adminUrl, databaseUrl);
  });

  /** A REST call through the balancer, tagged so that the process that served it can be found. */
  const rest = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; from?: string } = {},
  ) => {
    const requestId = `req-${++sequence}`;
    const res = await fetch(`${cluster.base}${path}`, {
      method,
      headers: {
        'x-request-id': requestId,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        // The client's address as nginx forwards it: each limit test comes from its own.
        ...(options.from ? { 'x-forwarded-for': options.from } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: res.status, text: await res.text(), requestId, headers: res.headers };
  };

  const signUp = async (): Promise<{ id: string; token: string }> => {
    const credentials = { username: `cluster_${++sequence}`, password: PASSWORD };
    const registered = await rest('POST', '/api/auth/register', { body: credentials });
    expect(registered.status, registered.text).toBe(201);
    const issued = await rest('POST', '/api/auth/token', { body: credentials });
    return { id: JSON.parse(registered.text).id, token: JSON.parse(issued.text).access_token };
  };

  /** An MCP SDK client through the balancer whose every request carries its own request id. */
  async function mcpClient(era: Era, token: string): Promise<{ client: Client; requestIds: string[] }> {
    const requestIds: string[] = [];
    const client = new Client(
      { name: 'cluster-test', version: '1.0.0' },
      era === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {},
    );
    const transport = new StreamableHTTPClientTransport(new URL(`${cluster.base}/mcp`), {
      authProvider: { token: async () => token },
      fetch: (url, init) => {
        const requestId = `mcp-${++sequence}`;
        requestIds.push(requestId);
        const headers = new Headers(init?.headers);
        headers.set('x-request-id', requestId);
        return fetch(url, { ...init, headers });
      },
    });
    await client.connect(transport);
    return { client, requestIds };
  }

  it("serves one REST client through different processes, each seeing the others' writes", async () => {
    const { token } = await signUp();
    const created = await rest('POST', '/api/todos', { token, body: { title: 'made on one process' } });
    expect(created.status).toBe(201);
    const { id } = todoSchema.parse(JSON.parse(created.text));
    const read = await rest('GET', `/api/todos/${id}`, { token });
    const patched = await rest('PATCH', `/api/todos/${id}`, { token, body: { completed: true } });
    const reread = await rest('GET', `/api/todos/${id}`, { token });
    const deleted = await rest('DELETE', `/api/todos/${id}`, { token });
    const gone = await rest('GET', `/api/todos/${id}`, { token });
    expect([read, patched, reread, deleted, gone].map((answer) => answer.status)).toEqual([
      200, 200, 200, 204, 404,
    ]);
    expect(JSON.parse(reread.text)).toMatchObject({
      title: 'made on one process',
      completed: true,
      version: 2,
    });
    const served = [created, read, patched, reread, deleted, gone].flatMap((answer) =>
      cluster.servedBy(answer.requestId),
    );
    expect(new Set(served)).toEqual(new Set([0, 1, 2]));
  });

  it.each(['modern', 'legacy'] as const)(
    'serves an MCP client of the %s era through different processes with no stickiness',
    async (era) => {
      const { token } = await signUp();
      const { client, requestIds } = await mcpClient(era, token);
      try {
        const created = await client.callTool({ name: 'create_todo', arguments: { title: `via ${era}` } });
        const { id } = todoSchema.parse(created.structuredContent);
        const got = await client.callTool({ name: 'get_todo_by_id', arguments: { id } });
        const updated = await client.callTool({
          name: 'update_todo',
          arguments: { id, priority: 5, expectedVersion: 1 },
        });
        const deleted = await client.callTool({ name: 'delete_todo', arguments: { id } });
        const after = await client.callTool({ name: 'get_todo_by_id', arguments: { id } });
        expect([created, got, updated, deleted].map((result) => result.isError ?? false)).toEqual([
          false,
          false,
          false,
          false,
        ]);
        expect(updated.structuredContent).toMatchObject({ priority: 5, version: 2 });
        expect(after.isError).toBe(true);
        // And REST, through yet other processes, agrees.
        expect((await rest('GET', `/api/todos/${id}`, { token })).status).toBe(404);
      } finally {
        await client.close();
      }
      const served = new Set(requestIds.flatMap((requestId) => cluster.servedBy(requestId)));
      expect(served.size).toBeGreaterThanOrEqual(2);
    },
  );

  it('serves a 2025-era request that carries a session id from elsewhere: sessions are off, nothing to lose', async () => {
    const { token } = await signUp();
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} };
    const headers = { 'Mcp-Session-Id': 'opened-before-a-restart', 'MCP-Protocol-Version': LEGACY_VERSION };
    const answer = await post(cluster.base, call, { token, headers });
    expect(answer.status).toBe(200);
    expect(answer.message?.result?.tools).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'get_todo_by_id' })]),
    );
  });

  it('counts one MCP call budget per user across every process', async () => {
    const { token } = await signUp();
    const { client } = await mcpClient('modern', token);
    const results = [];
    try {
      for (let i = 0; i < CALLS_PER_MINUTE + 6; i++)
        results.push(await client.callTool({ name: 'get_all_todos', arguments: {} }));
    } finally {
      await client.close();
    }
    expect(results.filter((result) => !result.isError)).toHaveLength(CALLS_PER_MINUTE);
    expect(JSON.stringify(results.at(-1)?.content)).toMatch(/too fast/);
  });

  it('counts failed sign-ins for one name from one address across every process', async () => {
    const username = `target_${++sequence}`;
    expect(
      (await rest('POST', '/api/auth/register', { body: { username, password: PASSWORD } })).status,
    ).toBe(201);
    const statuses = [];
    for (let i = 0; i < 13; i++) {
      const answer = await rest('POST', '/api/auth/token', {
        body: { username, password: `wrong password ${i}` },
        from: '203.0.113.10',
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429, 429]);
    // The owner, from an address with no failure, still signs in.
    const owner = await rest('POST', '/api/auth/token', {
      body: { username, password: PASSWORD },
      from: '198.51.100.1',
    });
    expect(owner.status).toBe(200);
  });

  it('counts registrations from one address across every process', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 56 }, (_, i) =>
        rest('POST', '/api/auth/register', {
          body: { username: `flood_${sequence}_${i}`, password: PASSWORD },
          from: '203.0.113.20',
        }).then((answer) => answer.status),
      ),
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(50);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
  });
});

describe('2025-era sessions turned on with several processes', () => {
  const adminUrl = inject('postgresAdminUrl');
  let databaseUrl: string;
  let cluster: Cluster;

  beforeAll(async () => {
    databaseUrl = await createDatabase(adminUrl);
    cluster = await startCluster({ databaseUrl, processes: 2, env: { MCP_LEGACY_SESSIONS: 'on' } });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await dropDatabase(adminUrl, databaseUrl);
  });

  it('answers a session id that reaches a process not holding it with 404, so the client starts again', async () => {
    const credentials = { username: 'sticky_user', password: PASSWORD };
    const [one, two] = cluster.direct;
    if (!one || !two) throw new Error('two processes expected');
    await fetch(`${one}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    const issued = await fetch(`${one}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const opened = await post(one, initializeRequest(), { token });
    const sessionId = opened.headers.get('mcp-session-id') ?? '';
    expect(sessionId).not.toBe('');
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} };
    const headers = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': LEGACY_VERSION };
    const elsewhere = await post(two, call, { token, headers });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.message?.error?.code).toBe(-32001);
    const home = await post(one, call, { token, headers });
    expect(home.status).toBe(200);
  });
});
