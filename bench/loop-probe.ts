// Preloaded into the real service by the harness (`node --import ./bench/loop-probe.ts
// src/main.ts`), so the service itself gains no measurement endpoint: event-loop delay is
// sampled only between `eld-start` and `eld-read` (the monitor's 1 ms timer costs a little),
// and read over the IPC channel the harness opened.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { answerCommands } from './process.ts';

if (process.send) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const ms = (nanoseconds: number) => nanoseconds / 1e6;
  answerCommands({
    'eld-start': () => {
      histogram.reset();
      histogram.enable();
      return {};
    },
    'eld-read': () => {
      histogram.disable();
      return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
    },
  });
}
