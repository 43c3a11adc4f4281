// The engines comparison (engines.ts) as Markdown, as docs/performance.md shows it.
import type { EngineResults, EngineSetup } from './engines.ts';
import type { Latency } from './live.ts';
import { type Budget, budget } from './report.ts';

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** The comparison as Markdown: one table, then the ratios taken from it. */
export function formatEngines(results: EngineResults): string {
  const lines = [
    `### SQLite and PostgreSQL, one and two processes (same data; ${results.copy.todos.toLocaleString('en')} todos copied by db:copy in ${(results.copy.ms / 1000).toFixed(1)} s)`,
    '',
    '| scenario | setup | req/s | p50 ms | p99 ms | service CPU µs/req | PostgreSQL CPU µs/req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.rows.map(
      (row) =>
        `| ${row.scenario} | ${row.setup} | ${fixed(row.rps)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ${fixed(row.cpuUs)} | ${row.setup.startsWith('SQLite') ? '-' : fixed(row.databaseCpuUs)} |`,
    ),
    '',
    '| scenario | PostgreSQL / SQLite, req/s | PostgreSQL / SQLite, total CPU per request | 2 processes / 1, req/s |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const scenario of new Set(results.rows.map((row) => row.scenario))) {
    const of = (setup: EngineSetup) =>
      results.rows.find((row) => row.scenario === scenario && row.setup === setup);
    const sqlite = of('SQLite, 1 process');
    const one = of('PostgreSQL, 1 process');
    const two = of('PostgreSQL, 2 processes');
    if (!sqlite || !one || !two) continue;
    const ratio = (a: number, b: number) => fixed(a / b, 2);
    lines.push(
      `| ${scenario} | ${ratio(one.rps, sqlite.rps)} | ${ratio(one.cpuUs + one.databaseCpuUs, sqlite.cpuUs)} | ${ratio(two.rps, one.rps)} |`,
    );
  }
  if (results.live) {
    const ms = (value: Latency) =>
      `p50 ${fixed(value.p50Ms, 2)} ms, p99 ${fixed(value.p99Ms, 2)} ms, max ${fixed(value.maxMs, 2)} ms`;
    const { sameProcess, otherProcess } = results.live;
    lines.push(
      '',
      `MCP writes on PostgreSQL, ${otherProcess.mcpAnswer.samples} per placement, timed to their events:`,
      '',
      `- answered: ${ms(sameProcess.mcpAnswer)} (streams on the same process), ${ms(otherProcess.mcpAnswer)} (on the other)`,
      `- → SSE event on the same process: ${ms(sameProcess.mcpWriteToEvent)}`,
      `- → SSE event on the other process (LISTEN/NOTIFY): ${ms(otherProcess.mcpWriteToEvent)}`,
      `- → listen notification on the other process: ${ms(otherProcess.mcpWriteToListen)}`,
      `- SSE event on the other process after the answer: ${ms(otherProcess.eventAfterAnswer)}`,
    );
  }
  return lines.join('\n');
}

/** performance.md: a write reaches an open stream within 50 ms (p99) across processes too. */
export function engineBudgets(results: EngineResults | undefined): Budget[] {
  const other = results?.live?.otherProcess;
  return [
    budget(
      'MCP write → SSE event on another process p99 ≤ 50 ms',
      other?.mcpWriteToEvent.p99Ms,
      'max',
      50,
      ' ms',
    ),
    budget(
      'MCP write → listen notification on another process p99 ≤ 50 ms',
      other?.mcpWriteToListen.p99Ms,
      'max',
      50,
      ' ms',
    ),
  ];
}

/** Any failed request in the comparison, as a message per scenario. */
export function engineFailures(results: EngineResults): string[] {
  return results.rows
    .filter((row) => row.failures > 0)
    .map((row) => `engines: ${row.setup}, ${row.scenario}: ${row.failures} requests failed`);
}
