// What a run produced: the results table, the ratios between scenarios of the same run,
// and the budgets from /work/shared/notes/performance.md (docs/performance.md says what each
// one protects). Absolute numbers move with the machine's load; ratios are what we judge.
import type { LiveResults } from './live.ts';
import { liveBudgets } from './live-report.ts';
import type { LoadResult } from './load.ts';
import type { MemoryResults } from './memory.ts';

export interface ScenarioResult extends LoadResult {
  name: string;
  label: string;
}

export interface StormResult {
  logins: LoadResult;
  gets: LoadResult;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface RunResults {
  scenarios: ScenarioResult[];
  storm: StormResult | undefined;
  memory: MemoryResults | undefined;
  live?: LiveResults | undefined;
}

export interface Ratio {
  name: string;
  value: number | undefined;
}

export interface Budget {
  name: string;
  /** The measured value the limit applies to. */
  value: number | undefined;
  limit: number;
  kind: 'min' | 'max';
  unit: string;
  /** Undefined when the scenarios it needs did not run (a filtered run). */
  pass: boolean | undefined;
}

const find = (results: RunResults, name: string) => results.scenarios.find((s) => s.name === name);
const divide = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;
const rps = (results: RunResults, name: string) => find(results, name)?.rps;
const p50 = (results: RunResults, name: string) => find(results, name)?.p50;
const cpu = (results: RunResults, name: string) => find(results, name)?.cpuUs;

export function ratios(results: RunResults): Ratio[] {
  const r = (name: string, value: number | undefined): Ratio => ({ name, value });
  return [
    r(
      'MCP get_todo_by_id / REST GET by id, 2026-07-28 (req/s)',
      divide(rps(results, 'mcp.modern.get'), rps(results, 'rest.get')),
    ),
    r(
      'MCP get_todo_by_id / REST GET by id, 2025 session (req/s)',
      divide(rps(results, 'mcp.legacy.get'), rps(results, 'rest.get')),
    ),
    r(
      'REST GET by id / bare Express route (req/s)',
      divide(rps(results, 'rest.get'), rps(results, 'floor.express')),
    ),
    r(
      'bare Express route / bare node:http (req/s)',
      divide(rps(results, 'floor.express'), rps(results, 'floor.http')),
    ),
    // What the SDK itself costs: its bare server's CPU per call over ours. An SDK release that
    // moves its floor shows here first (and moves the budgets with it).
    r(
      "bare SDK v2 server's share of an MCP get_todo_by_id, 2026-07-28 (CPU per call)",
      divide(cpu(results, 'floor.mcp.modern'), cpu(results, 'mcp.modern.get')),
    ),
    r(
      "bare SDK v2 session's share of an MCP get_todo_by_id, 2025 session (CPU per call)",
      divide(cpu(results, 'floor.mcp.legacy'), cpu(results, 'mcp.legacy.get')),
    ),
    r(
      'REST GET by id / MCP get_todo_by_id, 2026-07-28 (CPU per request)',
      divide(cpu(results, 'rest.get'), cpu(results, 'mcp.modern.get')),
    ),
    r(
      'REST GET by id / MCP get_todo_by_id, 2025 session (CPU per request)',
      divide(cpu(results, 'rest.get'), cpu(results, 'mcp.legacy.get')),
    ),
    r(
      'MCP create_todo / REST POST, 2026-07-28 (req/s)',
      divide(rps(results, 'mcp.modern.create'), rps(results, 'rest.create')),
    ),
    r(
      'MCP get_all_todos / REST first page, 2026-07-28 (req/s)',
      divide(rps(results, 'mcp.modern.list'), rps(results, 'rest.list')),
    ),
    r(
      'REST first page p50, 100,000 / 100 todos',
      divide(p50(results, 'scale.rest.100000'), p50(results, 'scale.rest.100')),
    ),
    r(
      'REST first page p50, 10,000 / 100 todos',
      divide(p50(results, 'scale.rest.10000'), p50(results, 'scale.rest.100')),
    ),
    r(
      'REST deep page p50 / first page p50 at 100,000',
      divide(p50(results, 'scale.rest.deep'), p50(results, 'scale.rest.100000')),
    ),
    r(
      'MCP get_all_todos p50, 100,000 / 100 todos',
      divide(p50(results, 'scale.mcp.100000'), p50(results, 'scale.mcp.100')),
    ),
    r(
      'MCP get_all_todos p50, 10,000 / 100 todos',
      divide(p50(results, 'scale.mcp.10000'), p50(results, 'scale.mcp.100')),
    ),
    r(
      'MCP deep page p50 / first page p50 at 100,000',
      divide(p50(results, 'scale.mcp.deep'), p50(results, 'scale.mcp.100000')),
    ),
    r(
      'REST GET p99 during login storm / without (ms/ms)',
      divide(results.storm?.gets.p99, find(results, 'rest.get')?.p99),
    ),
  ];
}

/** A budget on `value`; undecided (pass undefined) when the run did not measure it. */
export function budget(
  name: string,
  value: number | undefined,
  kind: Budget['kind'],
  limit: number,
  unit = '×',
): Budget {
  return {
    name,
    value,
    limit,
    kind,
    unit,
    pass:
      value === undefined || Number.isNaN(value)
        ? undefined
        : kind === 'min'
          ? value >= limit
          : value <= limit,
  };
}

export function budgets(results: RunResults): Budget[] {
  const retained = (era: string) => results.memory?.retained.find((r) => r.era === era)?.bytesPerCall;
  return [
    // Our own cost over the floor we build on, by server CPU per call: what we add (auth, rate
    // limit, logging, guards, services) minus what we save the SDK (cached schemas, skipped
    // re-classification). These follow the floors when an SDK or Express release moves them.
    budget(
      'MCP get_todo_by_id CPU ≤ 1.1 × bare SDK v2 server (2026-07-28)',
      divide(cpu(results, 'mcp.modern.get'), cpu(results, 'floor.mcp.modern')),
      'max',
      1.1,
    ),
    budget(
      'MCP get_todo_by_id CPU ≤ 1.1 × bare SDK v2 session (2025 session)',
      divide(cpu(results, 'mcp.legacy.get'), cpu(results, 'floor.mcp.legacy')),
      'max',
      1.1,
    ),
    budget(
      'REST GET by id CPU ≤ 2.5 × bare Express route',
      divide(cpu(results, 'rest.get'), cpu(results, 'floor.express')),
      'max',
      2.5,
    ),
    budget('heap retained ≤ 100 B per MCP call (2026-07-28)', retained('modern'), 'max', 100, ' B'),
    budget('heap retained ≤ 100 B per MCP call (2025 session)', retained('legacy'), 'max', 100, ' B'),
    budget(
      'heap within 10% of baseline after idle sessions are evicted',
      results.memory?.sessions.afterEvictionRatio,
      'max',
      1.1,
    ),
    budget(
      'REST first page p50 at 100,000 todos ≤ 1.3 × at 100',
      divide(p50(results, 'scale.rest.100000'), p50(results, 'scale.rest.100')),
      'max',
      1.3,
    ),
    budget(
      'MCP get_all_todos p50 at 100,000 todos ≤ 1.3 × at 100',
      divide(p50(results, 'scale.mcp.100000'), p50(results, 'scale.mcp.100')),
      'max',
      1.3,
    ),
    budget(
      'event-loop delay p99 ≤ 50 ms during the login storm',
      results.storm?.eventLoopDelayMs.p99,
      'max',
      50,
      ' ms',
    ),
    ...liveBudgets(results.live),
  ];
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

/** The results as a Markdown table, as docs/performance.md shows them. */
export function formatTable(results: RunResults): string {
  const rows = [
    '| scenario | req/s | p50 ms | p99 ms | server CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.scenarios.map(
      (s) =>
        `| ${s.label} | ${fixed(s.rps, 0)} | ${fixed(s.p50, 2)} | ${fixed(s.p99, 2)} | ${fixed(s.cpuUs, 0)} |`,
    ),
  ];
  if (results.storm) {
    const { logins, gets, eventLoopDelayMs } = results.storm;
    rows.push(
      `| login storm: 20 concurrent sign-ins | ${fixed(logins.rps, 0)} | ${fixed(logins.p50, 2)} | ${fixed(logins.p99, 2)} | - |`,
      `| REST GET by id during the storm (event-loop delay p99 ${fixed(eventLoopDelayMs.p99, 1)} ms, max ${fixed(eventLoopDelayMs.max, 1)} ms) | ${fixed(gets.rps, 0)} | ${fixed(gets.p50, 2)} | ${fixed(gets.p99, 2)} | - |`,
    );
  }
  return rows.join('\n');
}

export function formatMemory(memory: MemoryResults): string {
  const { sessions, token } = memory;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return [
    ...memory.retained.map(
      (r) =>
        `- heap retained per MCP call (${r.era}, ${r.calls} calls): ${r.bytesPerCall.toFixed(1)} B in the half that grew most, ` +
        `${r.overallBytesPerCall.toFixed(1)} B overall`,
    ),
    `- ${sessions.sessions} idle 2025-era sessions: ${(sessions.bytesPerSession / 1024).toFixed(1)} KB each ` +
      `(heap ${mb(sessions.baselineBytes)} → ${mb(sessions.withSessionsBytes)} MB); after eviction ` +
      `${mb(sessions.afterEvictionBytes)} MB = ${(100 * sessions.afterEvictionRatio).toFixed(1)}% of baseline, ` +
      `${sessions.openAfterEviction} left open`,
    `- bearer verification (${token.checks} calls each): a person's token ${token.userTokenUs.toFixed(1)} µs ` +
      `(remembered JWT + user re-load), an agent's token ${token.agentTokenUs.toFixed(1)} µs (the same + revocation ` +
      `look-up: ${(token.agentTokenUs - token.userTokenUs).toFixed(1)} µs more), a never-seen JWT ${token.fullVerifyUs.toFixed(1)} µs`,
  ].join('\n');
}

export function formatRatios(list: Ratio[]): string {
  return list
    .filter((ratio) => ratio.value !== undefined)
    .map((ratio) => `- ${ratio.name}: ${fixed(ratio.value, 2)}`)
    .join('\n');
}

export function formatBudgets(list: Budget[]): string {
  return list
    .map((b) => {
      const status = b.pass === undefined ? 'SKIP' : b.pass ? 'PASS' : 'FAIL';
      const digits = b.unit === '×' ? 2 : 1;
      return `${status}  ${b.name}: ${fixed(b.value, digits)}${b.unit === '×' ? '×' : b.unit}`;
    })
    .join('\n');
}
