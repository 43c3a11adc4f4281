// The database failing underneath the running service (its files made unwritable, or deleted)
// and at start (unwritable, or not a database). A write that cannot be kept is never
// acknowledged: REST answers 503 with Retry-After, MCP an isError result that says to retry,
// /health answers 503, and the service recovers by itself once the files can be written again.
// A service that cannot use its database at all does not start: exit 1 and one line saying why.
import { once } from 'node:events';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/repositories/sqlite/database.ts';
import { makeImmutable, makeWritable, releaseDirectory } from '../immutable-files.ts';
import { type Connected, connect, ERAS, textOf } from '../mcp/mcp-helpers.ts';
import {
  freePort,
  killService,
  type ServiceProcess,
  signIn,
  startService,
  waitForHealth,
} from '../service-process.ts';
import { type Answer, rest, serviceEnv } from './process-client.ts';
import { problemViolations } from './responses.ts';

const UNAVAILABLE = 'urn:todos:problem:temporarily-unavailable';

describe('the database failing under a running service', () => {
  let directory: string;
  let databasePath: string;
  let service: ServiceProcess;
  let token: string;
  let clients: Connected[];

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'todos-storage-'));
    databasePath = join(directory, 'todos.db');
    service = startService({ cwd: directory, port: await freePort(), env: serviceEnv(databasePath) });
    await waitForHealth(service);
    token = await signIn(service.base, 'storage_user');
    clients = await Promise.all(ERAS.map((era) => connect(service.base, { token }, era)));
  });
  afterEach(async () => {
    await Promise.all(clients.map(({ client }) => client.close()));
    killService(service);
    releaseDirectory(directory);
    rmSync(directory, { recursive: true, force: true });
  });

  const health = () => rest(service.base, 'GET', '/health');
  const create = (title: string) => rest(service.base, 'POST', '/api/todos', { token, body: { title } });
  const idOf = (answer: Answer): string => (JSON.parse(answer.text) as { id: string }).id;

  /** What a write that cannot be kept must get on every surface, and what /health must say meanwhile. */
  async function expectWritesRefused(existingId: string): Promise<void> {
    const writes = [
      await create('refused over REST'),
      await rest(service.base, 'PATCH', `/api/todos/${existingId}`, { token, body: { completed: true } }),
      await rest(service.base, 'DELETE', `/api/todos/${existingId}`, { token }),
      await rest(service.base, 'POST', '/api/auth/register', {
        body: { username: 'storage_newcomer', password: 'correct horse battery staple' },
      }),
    ];
    for (const answer of writes) {
      expect(answer.status, answer.text).toBe(503);
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(JSON.parse(answer.text)).toMatchObject({ type: UNAVAILABLE, status: 503 });
      expect(problemViolations(503, answer.headers.get('content-type'), answer.text)).toEqual([]);
    }
    // The authorization server answers in its own protocol (RFC 6749 §5.2): temporarily_unavailable.
    const registration = await rest(service.base, 'POST', '/oauth/register', {
      body: { client_name: 'during the outage', redirect_uris: ['http://127.0.0.1:9/callback'] },
    });
    expect(registration.status, registration.text).toBe(503);
    expect(registration.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(registration.text)).toMatchObject({ error: 'temporarily_unavailable' });
    for (const { client } of clients) {
      const result = await client.callTool({ name: 'create_todo', arguments: { title: 'refused over MCP' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/temporarily unable to store changes.*try again/i);
      expect(result.structuredContent).toBeUndefined();
    }
    expect(await health()).toMatchObject({ status: 503, text: '{"status":"unavailable"}' });
  }

  it('refuses writes with 503 while its files cannot be written, keeps serving reads, and recovers once they can', async () => {
    const kept = await create('written before');
    expect(kept.status).toBe(201);
    const files = [databasePath, `${databasePath}-wal`];
    // Minted now and first used during the outage: its "last used" write must not fail its reads.
    const minted = await rest(service.base, 'POST', '/api/auth/tokens', {
      token,
      body: { name: 'reader', scopes: ['todos:read'], audience: 'both' },
    });
    const agentToken = (JSON.parse(minted.text) as { token: string }).token;

    makeImmutable(...files);
    await expectWritesRefused(idOf(kept));
    for (const reader of [token, agentToken]) {
      const read = await rest(service.base, 'GET', `/api/todos/${idOf(kept)}`, { token: reader });
      expect(read.status, read.text).toBe(200);
      expect(JSON.parse(read.text)).toMatchObject({ title: 'written before', completed: false, version: 1 });
    }

    makeWritable(...files);
    expect(await health()).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    expect((await create('written after')).status).toBe(201);
    for (const { client } of clients) {
      const result = await client.callTool({ name: 'create_todo', arguments: { title: 'written after' } });
      expect(result.isError).toBeFalsy();
    }

    killService(service);
    await once(service.child, 'exit');
    const db = new Database(databasePath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT title, completed, version FROM todos ORDER BY title').all();
    expect(rows).toEqual([
      ...Array.from({ length: 3 }, () => ({ title: 'written after', completed: 0, version: 1 })),
      { title: 'written before', completed: 0, version: 1 },
    ]);
    db.close();
  });

  it.each([
    ['the database file', ['todos.db']],
    ['its write-ahead log', ['todos.db-wal']],
    ['every one of its files', ['todos.db', 'todos.db-wal', 'todos.db-shm']],
  ])(
    'refuses writes with 503 once %s is deleted, instead of acknowledging writes no restart would see',
    async (_what, names) => {
      const kept = await create('written before');
      expect(kept.status).toBe(201);
      for (const name of names) unlinkSync(join(directory, name));
      await expectWritesRefused(idOf(kept));
    },
  );
});

describe('starting on a database that cannot be used', () => {
  let directory: string;
  let databasePath: string;
  let service: ServiceProcess | undefined;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'todos-storage-start-'));
    databasePath = join(directory, 'todos.db');
  });
  afterEach(() => {
    if (service) killService(service);
    releaseDirectory(directory);
    rmSync(directory, { recursive: true, force: true });
  });

  /** Starts the service, waits for it to exit, and returns its exit code and stderr. */
  async function startAndExit(): Promise<{ code: number | null; stderr: string }> {
    service = startService({ cwd: directory, port: await freePort(), env: serviceEnv(databasePath) });
    const [code] = await once(service.child, 'exit');
    return { code, stderr: service.stderr() };
  }

  it('exits 1 with one line naming DATABASE_PATH when the database cannot be written', async () => {
    openDatabase(databasePath).close();
    makeImmutable(databasePath);
    expect(await startAndExit()).toEqual({
      code: 1,
      stderr: `DATABASE_PATH ${databasePath} cannot be used: the database is read-only (SQLITE_READONLY)\n`,
    });
  });

  it('exits 1 with one line naming DATABASE_PATH when the file is not a database', async () => {
    writeFileSync(databasePath, Buffer.alloc(64 * 1024, 0x5a));
    expect(await startAndExit()).toEqual({
      code: 1,
      stderr: `DATABASE_PATH ${databasePath} cannot be used: the database is not a SQLite database (SQLITE_NOTADB)\n`,
    });
  });
});
