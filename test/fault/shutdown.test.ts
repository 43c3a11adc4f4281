// security.md 34: SIGTERM while 50 requests are in flight over REST and both MCP eras, with
// 2025-era sessions and their GET streams open. /health answers 503 at once while new
// requests are still served for SHUTDOWN_DELAY (so a balancer can move away), then new
// connections are refused; requests the service had begun complete normally, none is
// half-done, sessions and streams close (a tool call waiting for a person's answer ends with a
// tool error), the process exits 0 within 10 s, and the database reopens intact with every
// acknowledged write.
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { todoPageSchema, todoSchema } from '../../src/api/openapi-schemas.ts';
import { createServices } from '../../src/compose.ts';
import { openDatabase } from '../../src/repositories/sqlite/database.ts';
import { sqliteStore } from '../../src/repositories/sqlite/sqlite-store.ts';
import { sqliteData } from '../engines.ts';
import { by } from '../helpers.ts';
import { type Connected, connect, textOf } from '../mcp/mcp-helpers.ts';
import { openGetStream, rawCaller, streamOutcome } from '../mcp/raw-mcp.ts';
import {
  freePort,
  killService,
  type ServiceProcess,
  startService,
  waitForHealth,
} from '../service-process.ts';
import { openEvents } from '../sse-client.ts';
import { httpReply, type Reply, slowUpload, toolReply, viaAgent } from './drain-load.ts';
import { asTodo, invariantViolations, snapshot } from './invariants.ts';
import { JWT_SECRET, rest, serviceEnv, toolCaller } from './process-client.ts';
import { recordFaultCounts } from './summary.ts';

const PASSWORD = 'correct horse battery staple';
// Four accounts: more than ten parallel logins for one name would meet its login throttle.
const USERS = ['drain_a', 'drain_b', 'drain_c', 'drain_d'];
const SEEDED_TODOS = 3_000;
const EXIT_DEADLINE_MS = 10_000;
// Well inside main.ts's 8 s grace period: a stream left to the end of it would cost all 8 s.
const QUICK_EXIT_MS = 3_000;
const NORMAL = new Set([200, 201, 202, 204]);
// Long enough to check that requests are still served meanwhile, short enough for a test.
const SHUTDOWN_DELAY_MS = 3_000;

describe('SIGTERM with requests in flight', () => {
  let directory: string;
  let service: ServiceProcess | undefined;
  let clients: Connected[];
  let agent: http.Agent;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'todos-drain-'));
    clients = [];
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  });
  afterEach(async () => {
    await Promise.all(clients.map((each) => each.client.close()));
    agent.destroy();
    if (service) killService(service);
    rmSync(directory, { recursive: true, force: true });
  });

  /** Accounts and a long list, written before the start so that searching it takes a moment. */
  async function seed(databasePath: string): Promise<void> {
    const db = openDatabase(databasePath);
    const services = createServices(sqliteStore(db), {
      publicUrl: 'http://localhost',
      tokenTtlSeconds: 3600,
      maxTodosPerUser: 10_000,
      jwtSecret: JWT_SECRET,
    });
    const users = await Promise.all(
      USERS.map((username) => services.auth.register({ username, password: PASSWORD }, 'seed')),
    );
    const description = 'lorem ipsum dolor sit amet '.repeat(10);
    for (let i = 0; i < SEEDED_TODOS; i++) {
      const owner = users[i % users.length];
      if (owner) await services.todos.create(by(owner), { title: `seeded ${i}`, description });
    }
    db.close();
  }

  it('completes what it began, answers /health 503 meanwhile, closes MCP sessions, exits 0 and leaves the database intact', async () => {
    const databasePath = join(directory, 'todos.db');
    await seed(databasePath);
    const port = await freePort();
    const running = startService({
      cwd: directory,
      port,
      env: { ...serviceEnv(databasePath), SHUTDOWN_DELAY: `${SHUTDOWN_DELAY_MS}ms` },
    });
    service = running;
    const { base, child } = running;
    await waitForHealth(running);

    const login = (username: string, requestId?: string) =>
      rest(base, 'POST', '/api/auth/token', {
        body: { username, password: PASSWORD },
        ...(requestId ? { headers: { 'x-request-id': requestId } } : {}),
      });
    const tokens = await Promise.all(
      USERS.map(
        async (name) => (JSON.parse((await login(name)).text) as { access_token: string }).access_token,
      ),
    );
    const tokenOf = (i: number) => tokens[i % tokens.length] ?? '';

    // MCP sessions of the 2025 era (each SDK client opens its GET stream) and stateless 2026 clients,
    // warmed up so that each tool call below is exactly one request.
    clients = await Promise.all(
      (['legacy', 'legacy', 'modern', 'modern'] as const).map((era, i) =>
        connect(base, { token: tokenOf(i) }, era, { elicitation: false }),
      ),
    );
    await Promise.all(clients.map((each) => each.client.listTools()));
    const raw = await toolCaller(base, 'legacy', tokenOf(0));
    const session = await rawCaller(base, 'legacy', tokenOf(1));
    const stream = await openGetStream(base, tokenOf(1), session.sessionId ?? '');
    expect(stream.status).toBe(200);
    const streamEnd = streamOutcome(stream.body);
    expect((await viaAgent(agent, base, 'GET', '/health')).status).toBe(200);

    // Two creates the service has begun (their headers are read) but whose bodies are still
    // coming: one on the agent's connection, which therefore stays open through SIGTERM so that
    // the /health queued behind it is answered while draining, and one that keeps the drain busy.
    const onAgent = slowUpload(agent, base, '/api/todos', tokenOf(0), { title: 'drained upload a' });
    const alone = slowUpload(false, base, '/api/todos', tokenOf(1), { title: 'drained upload b' });
    await sleep(50);
    const client = (i: number) => clients[i % clients.length]?.client;
    const restReply = (
      label: string,
      method: string,
      path: string,
      token: string,
      body?: unknown,
      title?: string,
    ) =>
      httpReply(
        label,
        () =>
          rest(base, method, path, { token, body, headers: { 'x-request-id': label.replaceAll(' ', '-') } }),
        method === 'POST' ? 201 : 200,
        title,
      );
    const inFlight: Promise<Reply>[] = [
      ...Array.from({ length: 16 }, (_, i) =>
        httpReply(`login ${i}`, () => login(USERS[i % USERS.length] ?? '', `login-${i}`), 200),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        restReply(`list ${i}`, 'GET', `/api/todos?limit=100&q=nothing-${i}`, tokenOf(i)),
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        restReply(
          `create rest ${i}`,
          'POST',
          '/api/todos',
          tokenOf(i),
          { title: `drained rest ${i}` },
          `drained rest ${i}`,
        ),
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        toolReply(
          `create mcp ${i}`,
          async () =>
            (await client(i)?.callTool({ name: 'create_todo', arguments: { title: `drained mcp ${i}` } })) ??
            {},
          `drained mcp ${i}`,
        ),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        toolReply(
          `list mcp ${i}`,
          async () =>
            (await client(i)?.callTool({ name: 'get_all_todos', arguments: { q: 'nothing', limit: 100 } })) ??
            {},
        ),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        toolReply(
          `create raw ${i}`,
          async () =>
            (await raw.call('create_todo', { title: `drained raw ${i}` })).result ?? { isError: true },
          `drained raw ${i}`,
        ),
      ),
    ];
    expect(inFlight).toHaveLength(50);

    await sleep(150);
    const exited = once(child, 'exit');
    const sigterm = Date.now();
    child.kill('SIGTERM');
    const untilLogged = async (message: string) => {
      while (!running.stdout().includes(message) && Date.now() - sigterm < EXIT_DEADLINE_MS) await sleep(5);
    };
    const onFreshConnection = (method: string, path: string, body?: unknown) =>
      viaAgent(false, base, method, path, body, tokenOf(2)).then(
        (res) => `answered ${res.status}`,
        (error: NodeJS.ErrnoException) => error.code,
      );
    // During the delay: /health fails, so a balancer moves away, while new requests are served.
    await untilLogged('shutting down: /health answers 503');
    const healthWhileDelayed = await onFreshConnection('GET', '/health');
    const createWhileDelayed = await onFreshConnection('POST', '/api/todos', {
      title: 'created while delayed',
    });
    const uploadA = await onAgent.finish();
    const health = await viaAgent(agent, base, 'GET', '/health');
    // After it: the listener is closed (the log line is written in the step that closes it).
    await untilLogged('draining requests');
    const delayed = Date.now() - sigterm;
    const fresh = await onFreshConnection('GET', '/health');
    const uploadB = await alone.finish();
    const replies = await Promise.all(inFlight);
    const streamEnded = await Promise.race([streamEnd, sleep(EXIT_DEADLINE_MS).then(() => 'still open')]);
    const exit = await Promise.race([exited, sleep(EXIT_DEADLINE_MS).then(() => 'no exit')]);
    const elapsed = Date.now() - sigterm;

    expect([uploadA.status, uploadB.status]).toEqual([201, 201]);
    expect(healthWhileDelayed).toBe('answered 503');
    expect(createWhileDelayed).toBe('answered 201');
    expect(health).toEqual({ status: 503, text: '{"status":"draining"}' });
    expect(delayed).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
    expect(fresh).toBe('ECONNREFUSED');
    expect(streamEnded).toBe('ended by the server');
    expect(exit).toEqual([0, null]);
    expect(elapsed).toBeLessThan(EXIT_DEADLINE_MS);

    // Every request completed normally, or its connection failed before the service read it.
    const story = replies.map((reply) => `${reply.label}: ${reply.detail}`).join('\n');
    expect(
      replies.filter((reply) => !reply.ok && !reply.reset).map((reply) => reply.label),
      story,
    ).toEqual([]);
    const lines = running
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const logged = new Set(lines.map((line) => line.reqId));
    const readButLost = replies.filter(
      (reply) => reply.reset && logged.has(reply.label.replaceAll(' ', '-')),
    );
    expect(readButLost.map((reply) => reply.label)).toEqual([]);
    // The log: the shutdown, requests that began before SIGTERM and finished normally after it.
    const shutdown = Number(lines.find((line) => line.msg === 'shutting down: /health answers 503')?.time);
    const spanning = lines.filter(
      (line) =>
        typeof line.ms === 'number' &&
        Number(line.time) - line.ms < shutdown &&
        Number(line.time) >= shutdown,
    );
    expect(spanning.length, `requests in progress at SIGTERM\n${story}`).toBeGreaterThanOrEqual(5);
    const afterwards = lines.filter(
      (line) => typeof line.status === 'number' && Number(line.time) >= shutdown,
    );
    expect(afterwards.filter((line) => !NORMAL.has(Number(line.status)) && line.path !== '/health')).toEqual(
      [],
    );
    expect(lines.at(-1)?.msg).toBe('stopped');
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(running.stderr()).toBe('');

    // Closed cleanly: its WAL was checkpointed and removed. Acknowledged creates are stored as
    // acknowledged; a create whose connection failed is not stored at all.
    expect(existsSync(`${databasePath}-wal`)).toBe(false);
    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const data = sqliteData(db);
      expect(await invariantViolations(data)).toEqual([]);
      const rows = [...(await snapshot(data)).values()];
      const storedAs = (title: string | undefined) => rows.filter((row) => row.title === title).map(asTodo);
      const creates = replies.filter((reply) => reply.title !== undefined);
      for (const reply of creates)
        expect(storedAs(reply.title), reply.label).toEqual(reply.todo ? [reply.todo] : []);
      for (const upload of [uploadA, uploadB]) {
        const todo = todoSchema.parse(JSON.parse(upload.text));
        expect(storedAs(todo.title)).toEqual([todo]);
      }
      expect(storedAs('created while delayed')).toHaveLength(1);
      const acknowledged = creates.filter((reply) => reply.todo).length + 3;
      expect(rows).toHaveLength(SEEDED_TODOS + acknowledged);
      recordFaultCounts({ writesChecked: acknowledged });
    } finally {
      db.close();
    }

    // And it serves them again after a restart.
    service = startService({ cwd: directory, port, env: serviceEnv(databasePath) });
    const restarted = service;
    await waitForHealth(restarted);
    const page = await rest(base, 'GET', '/api/todos?q=drained&limit=100', { token: tokenOf(0) });
    expect(todoPageSchema.parse(JSON.parse(page.text)).items.length).toBeGreaterThan(0);
    restarted.child.kill('SIGTERM');
    expect(await once(restarted.child, 'exit')).toEqual([0, null]);
  }, 60_000);
  it('ends listen, GET and event streams and waits for a person at the start of the drain, completes the request in progress, and exits at once', async () => {
    const databasePath = join(directory, 'todos.db');
    const port = await freePort();
    const running = startService({ cwd: directory, port, env: serviceEnv(databasePath) });
    service = running;
    const { base, child } = running;
    await waitForHealth(running);
    const credentials = { username: 'streamer', password: PASSWORD };
    expect((await rest(base, 'POST', '/api/auth/register', { body: credentials })).status).toBe(201);
    const issued = await rest(base, 'POST', '/api/auth/token', { body: credentials });
    const { access_token: token } = JSON.parse(issued.text) as { access_token: string };

    const modern = await connect(base, { token }, 'modern', { elicitation: false });
    clients.push(modern);
    const subscription = await modern.client.listen({ toolsListChanged: true });
    const session = await rawCaller(base, 'legacy', token);
    const stream = await openGetStream(base, token, session.sessionId ?? '');
    expect(stream.status).toBe(200);
    const streamEnd = streamOutcome(stream.body);
    // A 2025-era session whose user never answers the delete confirmation: the tool call waits.
    const asker = await connect(base, { token }, 'legacy', { elicitation: true });
    clients.push(asker);
    let asked!: () => void;
    const question = new Promise<void>((resolve) => {
      asked = resolve;
    });
    asker.client.setRequestHandler('elicitation/create', () => {
      asked();
      return new Promise<never>(() => {});
    });
    const keep = JSON.parse(
      (await rest(base, 'POST', '/api/todos', { token, body: { title: 'not deleted' } })).text,
    ) as { id: string };
    const deletion = asker.client.callTool({ name: 'delete_todo', arguments: { id: keep.id } });
    await question;
    const events = await openEvents(base, { token });
    expect(events.status).toBe(200);
    await events.until((received) => received.some((event) => event.event === 'ready'));
    // Begun (its headers read) but not finished: the drain must wait for it, and only for it.
    const upload = slowUpload(false, base, '/api/todos', token, { title: 'finished while draining' });
    await sleep(50);

    const exited = once(child, 'exit');
    const sigterm = Date.now();
    child.kill('SIGTERM');
    const still = (ms: number) => sleep(ms).then(() => 'still open');
    // Both streams end while the upload is still unfinished, so at the start of the drain.
    const listenEnded = await Promise.race([subscription.closed, still(EXIT_DEADLINE_MS)]);
    const getEnded = await Promise.race([streamEnd, still(EXIT_DEADLINE_MS)]);
    const deleted = await Promise.race([deletion, still(EXIT_DEADLINE_MS)]);
    const eventsEnded = await Promise.race([events.ended.then(() => 'ended'), still(EXIT_DEADLINE_MS)]);
    const uploaded = await upload.finish();
    const exit = await Promise.race([exited, sleep(EXIT_DEADLINE_MS).then(() => 'no exit')]);
    const elapsed = Date.now() - sigterm;

    expect(listenEnded).toBe('remote');
    expect(getEnded).toBe('ended by the server');
    expect(deleted).toMatchObject({ isError: true });
    expect(typeof deleted === 'string' ? deleted : textOf(deleted)).toMatch(
      /server is restarting.*changed nothing/,
    );
    expect(eventsEnded).toBe('ended');
    expect(uploaded.status).toBe(201);
    expect(exit).toEqual([0, null]);
    expect(elapsed).toBeLessThan(QUICK_EXIT_MS);
    expect(running.stderr()).toBe('');
    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare('SELECT count(*) FROM todos WHERE id = ?').pluck().get(keep.id)).toBe(1);
    } finally {
      db.close();
    }
  }, 30_000);
});
