// SQLite against PostgreSQL, and one PostgreSQL process against two, measured in one run on
// the same data: REST GET by id and POST, the first page of a 100,000-todo list, and MCP
// get_todo_by_id in both eras. The PostgreSQL server is the embedded one the tests use; its
// data is the SQLite seed copied with `npm run db:copy` (timed too). Two processes share the
// load from the client side (half the connections each), so the figures are the service's,
// not a balancer's. CPU per request counts the service processes and, apart, the database.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, startEmbeddedPostgres } from '../test/postgres/embedded-postgres.ts';
import { timeWrites, type WriteTiming } from './live.ts';
import { type LoadRequest, load } from './load.ts';
import {
  type Child,
  cpuSeconds,
  freePort,
  ROOT,
  startChild,
  TICKS_PER_SECOND,
  waitForOk,
} from './process.ts';
import { openSession, rest, signIn, toolCall } from './requests.ts';
import { PASSWORD, seed } from './seed.ts';

export type EngineSetup = 'SQLite, 1 process' | 'PostgreSQL, 1 process' | 'PostgreSQL, 2 processes';
const SETUPS: EngineSetup[] = ['SQLite, 1 process', 'PostgreSQL, 1 process', 'PostgreSQL, 2 processes'];

export interface EngineRow {
  scenario: string;
  setup: EngineSetup;
  rps: number;
  /** The slower process's, when two share the load. */
  p50: number;
  p99: number;
  /** Service processes' CPU per request, µs. */
  cpuUs: number;
  /** The PostgreSQL server's CPU per request (all its processes), µs; 0 for SQLite. */
  databaseCpuUs: number;
  failures: number;
}

export interface EngineResults {
  listSize: number;
  copy: { todos: number; ms: number };
  rows: EngineRow[];
  /**
   * MCP writes timed to their SSE event and listen notification on PostgreSQL: streams on the
   * process that wrote, and streams on the other process (the change crosses LISTEN/NOTIFY).
   */
  live: { sameProcess: WriteTiming; otherProcess: WriteTiming } | undefined;
}

interface Options {
  directory: string;
  secret: string;
  listSize: number;
  connections: number;
  seconds: number;
  warmup: number;
  /** Sequential writes timed to their events, per placement of the streams. */
  liveSamples: number;
  log: (line: string) => void;
}

/** Per process: its base URL and its own 2025-era session. */
interface Target {
  base: string;
  sessionId: string;
}

type Build = (token: string, listToken: string, todoId: string, target: Target) => LoadRequest;

const scenarios = (listSize: number): { name: string; build: Build }[] => [
  { name: 'REST GET /api/todos/{id}', build: (token, _l, id) => rest(token, 'GET', `/api/todos/${id}`) },
  {
    name: 'MCP get_todo_by_id, 2026-07-28',
    build: (token, _l, id) => toolCall({ era: 'modern', token }, 'get_todo_by_id', { id }),
  },
  {
    name: 'MCP get_todo_by_id, 2025 session',
    build: (token, _l, id, target) =>
      toolCall({ era: 'legacy', token, sessionId: target.sessionId }, 'get_todo_by_id', { id }),
  },
  {
    name: `REST first page, ${listSize.toLocaleString('en')} todos`,
    build: (_t, listToken) => rest(listToken, 'GET', '/api/todos'),
  },
  // Last: the rows it adds must not change what the reads measure.
  {
    name: 'REST POST /api/todos',
    build: (token) => rest(token, 'POST', '/api/todos', { title: 'Benchmark todo', priority: 4 }),
  },
];

export async function compareEngines(options: Options): Promise<EngineResults> {
  const { log } = options;
  const databasePath = join(options.directory, 'engines.db');
  const publicUrl = 'http://localhost:3000';
  const seeded = await seed({
    databasePath,
    jwtSecret: options.secret,
    publicUrl,
    listSizes: [options.listSize],
  });
  const list = seeded.lists[0];
  if (!list) throw new Error('no list user');
  // Durable, as a deployment runs it (the tests' server skips fsync): writes pay what they cost.
  const postgres = await startEmbeddedPostgres({ durable: true });
  const rows: EngineRow[] = [];
  let live: EngineResults['live'];
  try {
    const databaseUrl = await createDatabase(postgres.adminUrl, 'todos_bench');
    const copyStarted = performance.now();
    execFileSync(
      process.execPath,
      ['scripts/db-copy.ts', '--from', `sqlite:${databasePath}`, '--to', databaseUrl],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
    const copy = { todos: options.listSize + seeded.main.todos, ms: performance.now() - copyStarted };
    log(`engines: copied ${copy.todos} todos to PostgreSQL in ${copy.ms.toFixed(0)} ms`);
    // Every setup runs from the start; each scenario then measures them back to back, so that
    // the machine's load (shared, and noisy) changes as little as possible between the three.
    const children: Child[] = [];
    try {
      const running = new Map<EngineSetup, { targets: Target[]; children: Child[] }>();
      for (const setup of SETUPS) {
        const count = setup.endsWith('2 processes') ? 2 : 1;
        const engineEnv = setup.startsWith('SQLite')
          ? { DATABASE_PATH: databasePath }
          : { DATABASE_URL: databaseUrl };
        const own: Child[] = [];
        const targets: Target[] = [];
        for (let i = 0; i < count; i++) {
          const port = await freePort();
          const child = startChild(['src/main.ts'], {
            PATH: process.env.PATH,
            NODE_ENV: 'production',
            HOST: '127.0.0.1',
            PORT: String(port),
            PUBLIC_URL: publicUrl,
            JWT_SECRET: options.secret,
            LOG_LEVEL: 'warn',
            MCP_LEGACY_SESSIONS: 'on',
            MCP_CALLS_PER_MINUTE: '1000000000',
            MAX_TODOS_PER_USER: '1000000',
            SHUTDOWN_DELAY: '0',
            ...engineEnv,
          });
          children.push(child);
          own.push(child);
          const base = `http://127.0.0.1:${port}`;
          await waitForOk(`${base}/health`, child);
          targets.push({ base, sessionId: '' });
        }
        running.set(setup, { targets, children: own });
      }
      const first = running.get('SQLite, 1 process')?.targets[0]?.base ?? '';
      const token = await signIn(first, seeded.main.username, PASSWORD);
      const listToken = await signIn(first, list.username, PASSWORD);
      for (const { targets } of running.values())
        for (const target of targets) target.sessionId = await openSession(target.base, token);
      for (const scenario of scenarios(options.listSize)) {
        for (const [setup, { targets, children: own }] of running) {
          const row = await measure(scenario.name, setup, targets, own, postgres.pid(), options, (target) =>
            scenario.build(token, listToken, seeded.todoId, target),
          );
          rows.push(row);
          log(
            `engines: ${setup.padEnd(24)} ${scenario.name.padEnd(34)} ${row.rps.toFixed(0).padStart(6)} req/s  ${row.cpuUs.toFixed(0)} µs + db ${row.databaseCpuUs.toFixed(0)} µs CPU/req`,
          );
        }
      }
      const [one, other] = running.get('PostgreSQL, 2 processes')?.targets ?? [];
      if (one && other) {
        const user = { token, todoId: seeded.todoId };
        const bases = (stream: Target) => ({ write: one.base, stream: stream.base });
        live = {
          sameProcess: await timeWrites(bases(one), user, options.liveSamples),
          otherProcess: await timeWrites(bases(other), user, options.liveSamples),
        };
        log(
          `engines: MCP write → SSE event p99 ${live.sameProcess.mcpWriteToEvent.p99Ms.toFixed(2)} ms on the same process, ${live.otherProcess.mcpWriteToEvent.p99Ms.toFixed(2)} ms on the other`,
        );
      }
    } finally {
      await Promise.all(children.map((child) => child.stop()));
    }
    return { listSize: options.listSize, copy, rows, live };
  } finally {
    await postgres.stop();
  }
}

async function measure(
  scenario: string,
  setup: EngineSetup,
  targets: Target[],
  children: Child[],
  databasePid: number | undefined,
  options: Options,
  request: (target: Target) => LoadRequest,
): Promise<EngineRow> {
  const perTarget = Math.max(1, Math.round(options.connections / targets.length));
  const run = (seconds: number) =>
    Promise.all(
      targets.map((target) => load(target.base, request(target), { connections: perTarget, seconds })),
    );
  if (options.warmup > 0) await run(options.warmup);
  const database = setup.startsWith('PostgreSQL') && databasePid !== undefined ? databasePid : undefined;
  const serviceBefore = children.reduce((sum, child) => sum + cpuSeconds(child.pid), 0);
  const databaseBefore = database === undefined ? 0 : treeCpuSeconds(database);
  const results = await run(options.seconds);
  const serviceCpu = children.reduce((sum, child) => sum + cpuSeconds(child.pid), 0) - serviceBefore;
  const databaseCpu = database === undefined ? 0 : treeCpuSeconds(database) - databaseBefore;
  const requests = results.reduce((sum, result) => sum + result.requests, 0);
  return {
    scenario,
    setup,
    rps: results.reduce((sum, result) => sum + result.rps, 0),
    p50: Math.max(...results.map((result) => result.p50)),
    p99: Math.max(...results.map((result) => result.p99)),
    cpuUs: requests ? (serviceCpu * 1e6) / requests : Number.NaN,
    databaseCpuUs: requests ? (databaseCpu * 1e6) / requests : Number.NaN,
    failures: results.reduce((sum, result) => sum + result.failures, 0),
  };
}

/**
 * CPU seconds of PostgreSQL: its main process, the children it has reaped (a backend that ended
 * leaves its time in the parent's cutime and cstime), and the children still running.
 */
function treeCpuSeconds(root: number): number {
  const fields = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const ticks = (values: string[], from: number, to: number) =>
    values.slice(from, to + 1).reduce((sum, value) => sum + Number(value), 0);
  // After the command name: ppid is field 1, utime 11, stime 12, cutime 13, cstime 14.
  let total = ticks(fields(root), 11, 14);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === root) continue;
    try {
      const child = fields(Number(entry));
      if (Number(child[1]) === root) total += ticks(child, 11, 14);
    } catch {
      // it ended meanwhile: its time is now in the parent's cutime
    }
  }
  return total / TICKS_PER_SECOND;
}
