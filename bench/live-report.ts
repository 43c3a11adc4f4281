// How live-update results read in a run's report, and the budgets they are held to.
import type { Latency, LiveResults, StreamMemory } from './live.ts';
import { type Budget, budget } from './report.ts';

/** The results as the lines docs/performance.md shows. */
export function formatLive(live: LiveResults): string {
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  const mb = (bytes: number | undefined) => ((bytes ?? Number.NaN) / 1024 / 1024).toFixed(1);
  const total = live.streams.reduce((sum, s) => sum + (s.steps.at(-1)?.streams ?? 0), 0);
  const ms = (value: Latency) =>
    `p50 ${value.p50Ms.toFixed(2)} ms, p99 ${value.p99Ms.toFixed(2)} ms, max ${value.maxMs.toFixed(2)} ms (${value.samples} writes)`;
  return [
    ...live.streams.map(
      (s) =>
        `- ${s.steps.at(-1)?.streams} open ${s.kind === 'events' ? 'GET /api/events' : 'subscriptions/listen'} streams: ` +
        `${s.steps.map((step) => `${kb(step.bytesPerStream)} KB`).join(' → ')} per stream by step of ${s.steps[0]?.streams}`,
    ),
    `- heap before any stream ${mb(live.streams[0]?.baselineBytes)} MB, with all ${total} open ${mb(live.streams.at(-1)?.steps.at(-1)?.heapBytes)} MB, ` +
      `after all closed ${mb(live.afterCloseBytes[0])} MB, after opening and closing all again ${mb(live.afterCloseBytes[1])} MB`,
    `- MCP update_todo answered: ${ms(live.mcpAnswer)}`,
    `- MCP write → its SSE event: ${ms(live.mcpWriteToEvent)}`,
    `- MCP write → its listen notification: ${ms(live.mcpWriteToListen)}`,
    `- its SSE event after its answer: ${ms(live.eventAfterAnswer)}`,
  ].join('\n');
}

/** performance.md: a write reaches an open stream within 50 ms (p99), and a stream costs as much at 1,000 as early on. */
export function liveBudgets(live: LiveResults | undefined): Budget[] {
  const flatness = (kind: StreamMemory['kind']) => {
    const steps = live?.streams.find((s) => s.kind === kind)?.steps;
    const first = steps?.[0]?.bytesPerStream;
    const last = steps?.at(-1)?.bytesPerStream;
    return first === undefined || last === undefined || first <= 0 ? undefined : last / first;
  };
  return [
    budget('MCP write → SSE event p99 ≤ 50 ms', live?.mcpWriteToEvent.p99Ms, 'max', 50, ' ms'),
    budget('MCP write → listen notification p99 ≤ 50 ms', live?.mcpWriteToListen.p99Ms, 'max', 50, ' ms'),
    budget('heap per SSE stream at the last step ≤ 1.5 × at the first', flatness('events'), 'max', 1.5),
    budget('heap per listen stream at the last step ≤ 1.5 × at the first', flatness('listen'), 'max', 1.5),
  ];
}
