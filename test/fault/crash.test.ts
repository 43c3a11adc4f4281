// security.md 31: the real service under load from REST and MCP clients is killed with SIGKILL
// at a random moment, twenty times. After each crash, before the restart, the database file
// must pass PRAGMA integrity_check and hold every acknowledged write with its acknowledged
// content; a write whose answer never arrived may be there or not, but never half-applied,
// and never without its activity entry, nor an entry without its write (invariants.ts).
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  freePort,
  killService,
  type ServiceProcess,
  signIn,
  startService,
  stopService,
  waitForHealth,
} from '../service-process.ts';
import { checkDatabase, fullCheck, newWorker, runWorker, spotCheck } from './crash-workers.ts';
import { rest, seededRandom, serviceEnv, toolCaller } from './process-client.ts';
import { recordFaultCounts } from './summary.ts';

const CYCLES = 20;
const MIN_KILL_MS = 50;
const MAX_KILL_MS = 400;
const SEED = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('kill -9 under load', () => {
  let directory: string;
  let service: ServiceProcess | undefined;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'todos-crash-'));
  });
  afterEach(() => {
    if (service) killService(service);
    rmSync(directory, { recursive: true, force: true });
  });

  it(`keeps every acknowledged write and an intact database across ${CYCLES} crashes`, async () => {
    const random = seededRandom(SEED);
    const port = await freePort();
    const databasePath = join(directory, 'todos.db');
    // Every activity entry kept, so that each change of each todo can be matched with its own.
    const env = { ...serviceEnv(databasePath), LOG_LEVEL: 'warn', ACTIVITY_MAX_PER_USER: '1000000' };
    const start = async () => {
      service = startService({ cwd: directory, port, env });
      await waitForHealth(service);
      return service;
    };

    const first = await start();
    const user = async (name: string) => {
      const token = await signIn(first.base, name);
      const me = await rest(first.base, 'GET', '/api/auth/me', { token });
      return { id: (JSON.parse(me.text) as { id: string }).id, token };
    };
    const [alice, bob] = [await user('crash_alice'), await user('crash_bob')];
    const workers = [
      newWorker('rest-alice', 'rest', alice),
      newWorker('modern-alice', 'modern', alice),
      newWorker('rest-bob', 'rest', bob),
      newWorker('legacy-bob', 'legacy', bob),
    ];

    let checked = 0;
    let interrupted = 0;
    const lost: string[] = [];
    const damage: string[] = [];
    let running = first;
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      if (cycle > 1) {
        running = await start();
        lost.push(...(await spotCheck(running.base, workers, random)));
      }
      const callers = await Promise.all(
        workers.map((w) =>
          w.channel === 'rest' ? undefined : toolCaller(running.base, w.channel, w.user.token),
        ),
      );
      const load = workers.map((w, index) => runWorker(running.base, w, callers[index], cycle, random));
      await sleep(MIN_KILL_MS + Math.floor(random() * (MAX_KILL_MS - MIN_KILL_MS)));
      const exited = once(running.child, 'exit');
      running.child.kill('SIGKILL');
      await exited;
      await Promise.all(load);

      const errors = running
        .stdout()
        .split('\n')
        .filter((line) => line.includes('"level":50') || line.includes('"level":60'));
      damage.push(...errors.map((line) => `cycle ${cycle}: logged ${line.slice(0, 200)}`));
      const result = await checkDatabase(databasePath, workers);
      checked += result.checked;
      interrupted += result.interrupted;
      lost.push(...result.lost.map((problem) => `cycle ${cycle}: ${problem}`));
      damage.push(...result.damage.map((problem) => `cycle ${cycle}: ${problem}`));
    }

    // A last clean start: everything acknowledged is served through the API, then SIGTERM exits 0.
    running = await start();
    lost.push(...(await fullCheck(running.base, workers)));
    expect(await stopService(running)).toEqual({ code: 0, signal: null });

    recordFaultCounts({ crashCycles: CYCLES, writesChecked: checked, writesLost: lost.length });
    expect(lost, `seed ${SEED}`).toEqual([]);
    expect(damage, `seed ${SEED}`).toEqual([]);
    expect(
      workers.flatMap((w) => w.unexpected),
      `seed ${SEED}`,
    ).toEqual([]);
    expect(checked).toBeGreaterThan(CYCLES * workers.length);
    // The kills landed while updates were in flight, not only between requests.
    expect(interrupted).toBeGreaterThan(0);
    expect(workers.every((w) => w.todos.length > 0)).toBe(true);
  }, 120_000);
});
