// The processes a benchmark run starts (the real service, the floors, the in-process
// measurement child) and the two things the harness reads from them: CPU time from /proc,
// and answers to commands sent over the IPC channel.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = new URL('..', import.meta.url).pathname;

export const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU time a process has used so far, in seconds (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** The last 8 kB the child wrote to stderr, for error reports. */
  stderr(): string;
  /** Sends a command and waits for the child's answer (see `answerCommands`). */
  ask<T extends object>(command: string, args?: Record<string, unknown>): Promise<T>;
  /** Waits for the child's first IPC message (children without a port to poll send one when ready). */
  ready<T extends object>(): Promise<T>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `node <args>` from the project root with an IPC channel. */
export function startChild(args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  let nextId = 0;
  const exited = once(child, 'exit');
  return {
    process: child,
    pid: child.pid,
    stderr: () => stderr,
    // IPC messages are untyped JSON: the child's handler for the command defines their shape.
    ask: <T extends object>(command: string, args: Record<string, unknown> = {}) => {
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        const onMessage = (message: { id?: number; error?: string }) => {
          if (message?.id !== id) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (message.error) reject(new Error(`${command}: ${message.error}`));
          else resolve(message as T);
        };
        const onExit = () => reject(new Error(`${command}: the child exited\n${stderr}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ ...args, id, command });
      });
    },
    ready: <T extends object>() =>
      new Promise<T>((resolve, reject) => {
        const onExit = () =>
          reject(new Error(`node ${args.join(' ')} exited before it was ready\n${stderr}`));
        child.once('exit', onExit);
        child.once('message', (message) => {
          child.off('exit', onExit);
          resolve(message as T);
        });
      }),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls a URL until it answers 200, or fails with the child's stderr. */
export async function waitForOk(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`the service exited:\n${child.stderr()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child.stderr()}`);
}

type Handler = (args: Record<string, unknown>) => object | Promise<object>;

/** The child side of `Child.ask`: runs the named handler and sends back its result. */
export function answerCommands(handlers: Record<string, Handler>): void {
  process.on('message', (message: { id: number; command: string } & Record<string, unknown>) => {
    const handler = handlers[message.command];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.command}`);
        return handler(message);
      })
      .then(
        (result) => process.send?.({ ...result, id: message.id }),
        (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
      );
  });
}
