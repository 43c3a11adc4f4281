// The real service in its own process, for the tests that need one: the entry point's own
// test, and the clients we did not write (MCP Inspector, conformance suite).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
const START_DEADLINE_MS = 15_000;
const STOP_DEADLINE_MS = 10_000;

export interface ServiceProcess {
  child: ChildProcess;
  base: string;
  stdout: () => string;
  stderr: () => string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/**
 * Starts the service with only PATH, HOME and `env` in its environment (and no shutdown delay
 * unless `env` sets SHUTDOWN_DELAY: only the drain's own tests wait for it), either as production
 * runs it (`node src/start.js`) or as the README's quick start does (`npm start`, in its own
 * process group, since npm does not pass SIGTERM on to node).
 */
export function startService(options: {
  cwd: string;
  port: number;
  env?: Record<string, string>;
  via?: 'node' | 'npm';
}): ServiceProcess {
  const viaNpm = options.via === 'npm';
  const child = spawn(
    viaNpm ? 'npm' : process.execPath,
    viaNpm ? ['start', '--silent', '--prefix', ROOT] : [resolve(ROOT, 'src/start.js')],
    {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? options.cwd,
        PORT: String(options.port),
        SHUTDOWN_DELAY: '0',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: viaNpm,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return { child, base: `http://127.0.0.1:${options.port}`, stdout: () => stdout, stderr: () => stderr };
}

export async function waitForHealth(service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(`the service exited with ${service.child.exitCode}: ${service.stderr()}`);
    }
    try {
      const response = await fetch(`${service.base}/health`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`no healthy /health within ${START_DEADLINE_MS} ms: ${service.stderr()}`);
}

/** SIGTERM (to the whole group when started through npm), then the exit code and signal. */
export async function stopService(
  service: ServiceProcess,
): Promise<{ code: number | null; signal: string | null }> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null)
    return { code: child.exitCode, signal: child.signalCode };
  const exited = once(child, 'exit');
  if (child.spawnargs[0] === 'npm' && child.pid) process.kill(-child.pid, 'SIGTERM');
  else child.kill('SIGTERM');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('the service did not exit after SIGTERM')), STOP_DEADLINE_MS).unref(),
  );
  const [code, signal] = await Promise.race([exited, timeout]);
  return { code, signal };
}

/** Kills whatever is left, for afterEach: a failed test must not leave a server behind. */
export function killService(service: ServiceProcess): void {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  if (child.spawnargs[0] === 'npm') process.kill(-child.pid, 'SIGKILL');
  else child.kill('SIGKILL');
}

export const jsonHeaders = (token?: string) => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

/** Registers a user through REST and returns an access token for it. */
export async function signIn(base: string, username: string, scope?: string): Promise<string> {
  const credentials = { username, password: 'correct horse battery staple' };
  const registered = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: jsonHeaders(),
    body: JSON.stringify(credentials),
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const issued = await fetch(`${base}/api/auth/token`, {
    method: 'POST',
    headers: jsonHeaders(),
    body: JSON.stringify({ ...credentials, ...(scope ? { scope } : {}) }),
  });
  if (issued.status !== 200) throw new Error(`token: ${issued.status}`);
  return ((await issued.json()) as { access_token: string }).access_token;
}
