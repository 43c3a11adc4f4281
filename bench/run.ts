// `npm run bench [-- --check] [--quick] [--only <regexp>] [--seconds <n>] [--profile]`
// Starts the real service (`node src/main.ts`) on a temporary database and a loopback port,
// seeds it, runs every scenario with 10 connections after a warm-up, measures memory in a
// separate in-process child, prints a table and the budgets, and writes JSON to .bench/.
// --check exits 1 when a budget fails; --quick (CI smoke) runs each scenario for about a
// second and checks no budget; any failed request fails every mode.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareEngines, type EngineResults } from './engines.ts';
import { engineBudgets, engineFailures, formatEngines } from './engines-report.ts';
import { measureLive } from './live.ts';
import { formatLive } from './live-report.ts';
import { type LoadRequest, type LoadRun, load, once, run, summarize } from './load.ts';
import { measureMemory } from './memory.ts';
import { type Child, freePort, ROOT, startChild, waitForOk } from './process.ts';
import { summarizeProfiles } from './profile-summary.ts';
import {
  budgets,
  formatBudgets,
  formatMemory,
  formatRatios,
  formatTable,
  type RunResults,
  ratios,
} from './report.ts';
import { onSession, openSession, rpcMessage, signIn } from './requests.ts';
import { type Scenario, scenarios, type Target } from './scenarios.ts';
import { PASSWORD, type Seeded, seed } from './seed.ts';
import { loginStorm } from './storm.ts';

const { values: flags } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    seconds: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const quick = flags.quick;
const CONNECTIONS = 10;
const SECONDS = quick ? 1 : Number(flags.seconds ?? 5);
// autocannon runs for whole seconds; the smoke skips the warm-up, which only steadies numbers.
const WARMUP = quick ? 0 : 1;
// The smoke seeds smaller lists: it checks that every scenario runs, not how lists scale.
const LIST_SIZES = quick ? [100, 1_000, 10_000] : [100, 10_000, 100_000];
const only = flags.only === undefined ? undefined : new RegExp(flags.only);
const wanted = (name: string) => !only || only.test(name);
// A fresh secret per run: nothing signed here should verify anywhere else.
const SECRET = randomBytes(32).toString('base64url');
const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}\n`);

const directory = mkdtempSync(join(tmpdir(), 'todos-bench-'));
const profileDirectory = join(ROOT, '.bench', 'profiles');
const failures: string[] = [];
let service: Child | undefined;

try {
  const databasePath = join(directory, 'todos.db');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const publicUrl = `http://localhost:${port}`;
  log(`seeding ${LIST_SIZES.join(', ')} todos in ${databasePath}`);
  const seeded = await seed({ databasePath, jwtSecret: SECRET, publicUrl, listSizes: LIST_SIZES });

  if (flags.profile) mkdirSync(profileDirectory, { recursive: true });
  service = startChild(
    [
      ...(flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : []),
      '--import',
      './bench/loop-probe.ts',
      'src/main.ts',
    ],
    {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      DATABASE_PATH: databasePath,
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      MCP_CALLS_PER_MINUTE: '1000000000',
      MAX_TODOS_PER_USER: '200000',
    },
  );
  await waitForOk(`${base}/health`, service);
  const results = await runScenarios(base, service, seeded, databasePath);
  await service.stop();
  service = undefined;

  if (wanted('memory')) {
    results.memory = await measureMemory({
      directory,
      connections: CONNECTIONS,
      calls: quick ? 1_000 : 20_000,
      sessions: quick ? 100 : 1_000,
      tokenChecks: quick ? 1_000 : 20_000,
      steadyWarmUp: !quick,
      log,
    });
  }
  if (wanted('live')) {
    results.live = await measureLive({
      directory,
      streams: quick ? 100 : 1_000,
      steps: 4,
      samples: quick ? 50 : 500,
      log,
    });
  }
  // SQLite against PostgreSQL, one and two processes, on a seed of its own.
  const engines = wanted('engines')
    ? await compareEngines({
        directory,
        secret: SECRET,
        listSize: Math.max(...LIST_SIZES),
        connections: CONNECTIONS,
        seconds: SECONDS,
        warmup: WARMUP,
        liveSamples: quick ? 20 : 200,
        log,
      })
    : undefined;
  if (engines) failures.push(...engineFailures(engines));
  report(results, engines);
  if (flags.profile) summarizeProfiles(profileDirectory, log);
} catch (error) {
  failures.push(`the run failed: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  await service?.stop();
  rmSync(directory, { recursive: true, force: true });
}

if (failures.length) {
  log(`\n${failures.join('\n')}`);
  process.exit(1);
}

async function runScenarios(
  base: string,
  server: Child,
  seeded: Seeded,
  databasePath: string,
): Promise<RunResults> {
  const token = await signIn(base, seeded.main.username, PASSWORD);
  const listTokens = new Map<number, string>();
  for (const user of seeded.lists) listTokens.set(user.todos, await signIn(base, user.username, PASSWORD));
  const deepSize = Math.max(...LIST_SIZES);
  const deepToken = listTokens.get(deepSize) ?? '';
  const deep = {
    size: deepSize,
    cursor:
      wanted('scale.rest.deep') || wanted('scale.mcp.deep')
        ? await cursorAt(base, deepToken, deepSize - 100)
        : '',
  };
  const all = scenarios({ token, todoId: seeded.todoId, listTokens, deep });

  const results: RunResults = { scenarios: [], storm: undefined, memory: undefined };
  for (const unit of pairUp(all.filter((s) => wanted(s.name)))) {
    const prepared: Prepared[] = [];
    try {
      for (const scenario of unit)
        prepared.push(await prepare(scenario, base, server, databasePath, seeded, token));
      if (WARMUP > 0)
        for (const p of prepared)
          await load(p.target, p.request, { connections: CONNECTIONS, seconds: WARMUP });
      // A pair alternates one-second rounds (autocannon runs whole seconds); a single
      // scenario runs in one piece.
      const rounds = unit.length > 1 ? Math.max(1, Math.round(SECONDS)) : 1;
      const runs = prepared.map((): LoadRun[] => []);
      for (let round = 0; round < rounds; round++) {
        for (const [i, p] of prepared.entries()) {
          runs[i]?.push(
            await run(p.target, p.request, {
              connections: CONNECTIONS,
              seconds: unit.length > 1 ? 1 : SECONDS,
              serverPid: p.pid,
            }),
          );
        }
      }
      for (const [i, { scenario }] of prepared.entries()) {
        const result = summarize(runs[i] ?? []);
        if (result.failures)
          failures.push(`${scenario.name}: ${result.failures} of ${result.requests} requests failed`);
        results.scenarios.push({ name: scenario.name, label: scenario.label, ...result });
        log(
          `${scenario.name.padEnd(20)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  ${result.cpuUs?.toFixed(0)} µs CPU/req`,
        );
      }
    } finally {
      for (const p of prepared) await p.floor?.stop();
    }
  }
  if (wanted('auth.storm')) {
    const storm = await loginStorm(base, server, seeded, token, {
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
    const failed = storm.logins.failures + storm.gets.failures;
    if (failed) failures.push(`auth.storm: ${failed} requests failed`);
    log(
      `auth.storm: ${storm.logins.rps.toFixed(1)} sign-ins/s, GET p99 ${storm.gets.p99.toFixed(2)} ms, event-loop delay p99 ${storm.eventLoopDelayMs.p99.toFixed(1)} ms`,
    );
    results.storm = storm;
  }
  return results;
}

/** A scenario ready to load: its target (the service or its own floor process) and request. */
interface Prepared {
  scenario: Scenario;
  target: string;
  request: LoadRequest;
  pid: number;
  floor: Child | undefined;
}

async function prepare(
  scenario: Scenario,
  base: string,
  server: Child,
  databasePath: string,
  seeded: Seeded,
  token: string,
): Promise<Prepared> {
  const floor = scenario.target === 'service' ? undefined : startFloor(scenario.target, databasePath, seeded);
  try {
    const target = floor ? `http://127.0.0.1:${(await floor.ready<{ port: number }>()).port}` : base;
    // Every 2025-era scenario opens its own session on its target, the floor's as the service's.
    const request = scenario.session
      ? onSession(scenario.request, await openSession(target, token))
      : scenario.request;
    await check(target, scenario, request);
    return { scenario, target, request, pid: (floor ?? server).pid, floor };
  } catch (error) {
    await floor?.stop();
    throw error;
  }
}

/** The scenarios in order, each budgeted one together with its floor when both are wanted. */
function pairUp(list: Scenario[]): Scenario[][] {
  const units: Scenario[][] = [];
  for (const scenario of list) {
    const previous = units.at(-1);
    if (scenario.floor !== undefined && previous?.length === 1 && previous[0]?.name === scenario.floor)
      previous.push(scenario);
    else units.push([scenario]);
  }
  return units;
}

/** A floor process for the scenario's target: bench/floor-server.ts or bench/floor-mcp-server.ts. */
function startFloor(target: Exclude<Target, 'service'>, databasePath: string, seeded: Seeded): Child {
  const [script, mode] = target.startsWith('floor-mcp-')
    ? ['bench/floor-mcp-server.ts', target.slice('floor-mcp-'.length)]
    : ['bench/floor-server.ts', target.slice('floor-'.length)];
  return startChild([script, mode, databasePath, seeded.main.id]);
}

/** One request before timing: a misbuilt scenario must fail the run, not measure error pages. */
async function check(target: string, scenario: Scenario, request: LoadRequest): Promise<void> {
  const { status, text } = await once(target, request);
  const message = scenario.mcp ? rpcMessage(text) : undefined;
  if (status >= 300 || (scenario.mcp && (!message?.result || message.result.isError))) {
    throw new Error(`${scenario.name}: the check request got ${status} ${text.slice(0, 300)}`);
  }
}

/** A cursor whose page starts after `rows` rows, found by paging as a client would. */
async function cursorAt(base: string, token: string, rows: number): Promise<string> {
  let cursor = '';
  for (let seen = 0; seen < rows; seen += 100) {
    const res = await fetch(
      `${base}/api/todos?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    const page = (await res.json()) as { nextCursor?: string | null };
    if (!page.nextCursor) throw new Error(`no cursor after ${seen} rows: ${res.status}`);
    cursor = page.nextCursor;
  }
  return cursor;
}

function report(results: RunResults, engines: EngineResults | undefined): void {
  const budgetList = [...budgets(results), ...engineBudgets(engines)];
  const output = [
    `\n## Results (${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}, ${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARMUP} s warm-up)\n`,
    formatTable(results),
    results.memory ? `\n${formatMemory(results.memory)}` : '',
    results.live ? `\n${formatLive(results.live)}` : '',
    `\n### Ratios (same run)\n\n${formatRatios(ratios(results))}`,
    engines ? `\n${formatEngines(engines)}` : '',
    quick
      ? '\n### Budgets: not checked with --quick (a smoke run measures too little to judge)'
      : `\n### Budgets\n\n${formatBudgets(budgetList)}`,
  ];
  process.stdout.write(`${output.join('\n')}\n`);
  const outputDirectory = join(ROOT, '.bench');
  mkdirSync(outputDirectory, { recursive: true });
  const json = JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadavg: loadavg(),
      quick,
      seconds: SECONDS,
      warmup: WARMUP,
      connections: CONNECTIONS,
      ...results,
      ratios: ratios(results),
      budgets: budgetList,
      engines,
    },
    null,
    2,
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(outputDirectory, `bench-${stamp}.json`), json);
  writeFileSync(join(outputDirectory, 'latest.json'), json);
  if (flags.check && !quick) {
    for (const budget of budgetList.filter((b) => b.pass === false))
      failures.push(`budget failed: ${budget.name}`);
  }
}
