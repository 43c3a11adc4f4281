// One load run with autocannon: fixed connections for a fixed time (or a fixed number of
// requests), latencies recorded from autocannon's per-response timings (its own histogram
// keeps whole milliseconds, too coarse for sub-millisecond calls), and the server's CPU time
// over the run from /proc.
import autocannon from 'autocannon';
import { cpuSeconds } from './process.ts';

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Replace `[<id>]` in the body with a unique id per request (JSON-RPC ids on a session must differ). */
  uniqueIds?: boolean;
  /** A new body for every request (e.g. rotating accounts), instead of `body`. */
  nextBody?: () => string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Milliseconds, 2xx responses only. */
  p50: number;
  p99: number;
  /** Responses that were not 2xx, plus connection errors and timeouts: any is a harness failure. */
  failures: number;
  /** Server CPU time (user + system) per request, in microseconds; undefined without a pid. */
  cpuUs: number | undefined;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** What one autocannon run observed, before it is summarised (runs can be combined). */
export interface LoadRun {
  /** Milliseconds, 2xx responses only. */
  latencies: number[];
  failures: number;
  seconds: number;
  /** Server CPU seconds over the run; undefined without a pid. */
  cpuSeconds: number | undefined;
}

export async function load(
  base: string,
  request: LoadRequest,
  options: { connections: number; seconds?: number; amount?: number; serverPid?: number },
): Promise<LoadResult> {
  return summarize([await run(base, request, options)]);
}

/** One autocannon run, unsummarised. */
export async function run(
  base: string,
  request: LoadRequest,
  options: { connections: number; seconds?: number; amount?: number; serverPid?: number },
): Promise<LoadRun> {
  const latencies: number[] = [];
  let failures = 0;
  const cpuBefore = options.serverPid === undefined ? 0 : cpuSeconds(options.serverPid);
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${base}${request.path}`,
        method: request.method,
        headers: request.headers ?? {},
        ...(request.body === undefined ? {} : { body: request.body }),
        idReplacement: request.uniqueIds ?? false,
        ...(request.nextBody === undefined
          ? {}
          : { requests: [{ setupRequest: (built) => ({ ...built, body: request.nextBody?.() }) }] }),
        connections: options.connections,
        ...(options.amount === undefined ? { duration: options.seconds ?? 1 } : { amount: options.amount }),
        timeout: 30,
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, milliseconds) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(milliseconds);
      else failures++;
    });
  });
  return {
    latencies,
    failures: failures + result.errors + result.timeouts,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: options.serverPid === undefined ? undefined : cpuSeconds(options.serverPid) - cpuBefore,
  };
}

/** One result from one or more runs of the same request against the same server. */
export function summarize(runs: readonly LoadRun[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const failures = runs.reduce((sum, r) => sum + r.failures, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const cpu = runs.some((r) => r.cpuSeconds === undefined)
    ? undefined
    : runs.reduce((sum, r) => sum + (r.cpuSeconds ?? 0), 0);
  const requests = latencies.length + failures;
  return {
    requests,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures,
    cpuUs: cpu === undefined || requests === 0 ? undefined : (cpu * 1e6) / requests,
  };
}

/** Sends one request as the load would (with a fixed id), for a correctness check before timing. */
export async function once(base: string, request: LoadRequest): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${request.path}`, {
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body === undefined ? {} : { body: request.body.replaceAll('[<id>]', 'check') }),
  });
  return { status: res.status, text: await res.text() };
}
