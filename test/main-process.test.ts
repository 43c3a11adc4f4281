// Starts the real entry point as `node src/start.js` would run in production: its own process,
// no configuration but a port, a fresh working directory. Proves the defaults work, that
// SIGTERM stops it cleanly, and that data and the generated JWT secret survive a restart.
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  freePort,
  jsonHeaders as json,
  killService,
  type ServiceProcess,
  startService,
  stopService as stop,
  waitForHealth,
} from './service-process.ts';

type Started = ServiceProcess;
const start = (cwd: string, port: number) => startService({ cwd, port });

/** Every stdout line is a pino JSON record; none may be an error (level 50) or worse. */
function expectCleanOutput(started: Started): void {
  expect(started.stderr()).toBe('');
  const records = started
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg?: string });
  expect(records.length).toBeGreaterThan(0);
  expect(records.filter((record) => record.level >= 50)).toEqual([]);
  expect(records.map((record) => record.msg)).toEqual(
    expect.arrayContaining([
      'todos is listening',
      'shutting down: /health answers 503',
      'draining requests: no longer accepting connections',
      'stopped',
    ]),
  );
}

describe('node src/start.js', () => {
  let directory: string;
  let running: Started[] = [];

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'todos-main-'));
    running = [];
  });

  afterEach(() => {
    for (const service of running) killService(service);
    rmSync(directory, { recursive: true, force: true });
  });

  it('serves on its defaults, stops on SIGTERM with exit code 0, and keeps data and tokens across a restart', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;

    const first = start(directory, port);
    running.push(first);
    await waitForHealth(first);

    const credentials = { username: 'process_test', password: 'correct horse battery staple' };
    const registered = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: json(),
      body: JSON.stringify(credentials),
    });
    expect(registered.status).toBe(201);
    const issued = await fetch(`${base}/api/auth/token`, {
      method: 'POST',
      headers: json(),
      body: JSON.stringify(credentials),
    });
    expect(issued.status).toBe(200);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const created = await fetch(`${base}/api/todos`, {
      method: 'POST',
      headers: json(token),
      body: JSON.stringify({ title: 'Survive a restart' }),
    });
    expect(created.status).toBe(201);
    const todo = (await created.json()) as { id: string; title: string };
    const listed = await fetch(`${base}/api/todos`, { headers: json(token) });
    expect(((await listed.json()) as { items: unknown[] }).items).toEqual([todo]);

    expect(await stop(first)).toEqual({ code: 0, signal: null });
    expectCleanOutput(first);

    // The generated secret is kept beside the default database, readable by its owner only.
    expect(statSync(join(directory, 'data', 'todos.db')).isFile()).toBe(true);
    expect(statSync(join(directory, 'data', 'jwt-secret')).mode & 0o777).toBe(0o600);

    const second = start(directory, port);
    running.push(second);
    await waitForHealth(second);
    const relisted = await fetch(`${base}/api/todos`, { headers: json(token) });
    expect(relisted.status).toBe(200);
    expect(((await relisted.json()) as { items: unknown[] }).items).toEqual([todo]);

    expect(await stop(second)).toEqual({ code: 0, signal: null });
    expectCleanOutput(second);
  });

  it('exits 1 with one log line, naming no password, when PostgreSQL cannot be reached', async () => {
    const service = startService({
      cwd: directory,
      port: await freePort(),
      env: { DATABASE_URL: 'postgres://todos:hunter2hunter2@127.0.0.1:1/todos', JWT_SECRET: 'x'.repeat(40) },
    });
    running.push(service);
    const [code] = await once(service.child, 'exit');
    expect(code).toBe(1);
    expect(service.stdout()).toMatch(/"msg":"could not open the database"/);
    expect(`${service.stdout()}${service.stderr()}`).not.toContain('hunter2');
  });

  it('says in one line that the port is in use and which variable changes it, and exits 1', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const service = start(directory, port);
      running.push(service);
      const [code] = await once(service.child, 'exit');
      expect(code).toBe(1);
      expect(service.stderr()).toBe(
        `127.0.0.1:${port} is already in use: stop the process that holds it, or set PORT to another port.\n`,
      );
      expect(service.stdout()).not.toMatch(/EADDRINUSE|\bat /);
    } finally {
      holder.close();
    }
  });
  it('writes one readable line per request with LOG_FORMAT=pretty', async () => {
    const service = startService({ cwd: directory, port: await freePort(), env: { LOG_FORMAT: 'pretty' } });
    running.push(service);
    await waitForHealth(service);
    expect(await stop(service)).toEqual({ code: 0, signal: null });
    const lines = service.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}todos is listening url=http:\/\/localhost:\d+ /);
    expect(lines).toContainEqual(expect.stringMatching(/ INFO {2}GET \/health 200 \d+\.\dms reqId=/));
    expect(lines.at(-1)).toMatch(/ INFO {2}stopped$/);
    expect(service.stdout()).not.toContain('{"level"');
  });
});
