// Memory and token scenarios, measured inside the memory child (bench/memory-server.ts):
// heap retained per MCP call in both eras, heap per idle 2025-era session and after the
// sessions are evicted, and the cost of verifying a bearer token.
import { join } from 'node:path';
import { load } from './load.ts';
import { startChild } from './process.ts';
import { type Era, openSession, toolCall } from './requests.ts';

export interface MemoryOptions {
  directory: string;
  connections: number;
  /** MCP calls measured per era, after a warm-up of rounds of a quarter as many per era. */
  calls: number;
  sessions: number;
  tokenChecks: number;
  /** Warm up until the heap is steady (up to 6 rounds); otherwise one round (smoke). */
  steadyWarmUp: boolean;
  log: (line: string) => void;
}

export interface RetainedPerCall {
  era: Era;
  calls: number;
  /** Heap growth per call in the half of the calls where it grew most. */
  bytesPerCall: number;
  /** Heap growth over all the calls, per call. */
  overallBytesPerCall: number;
}

export interface SessionMemory {
  sessions: number;
  baselineBytes: number;
  withSessionsBytes: number;
  afterEvictionBytes: number;
  bytesPerSession: number;
  /** Heap after eviction over the baseline: 1.0 means all of it came back. */
  afterEvictionRatio: number;
  openAfterEviction: number;
}

export interface MemoryResults {
  retained: RetainedPerCall[];
  sessions: SessionMemory;
  token: { checks: number; userTokenUs: number; agentTokenUs: number; fullVerifyUs: number };
}

export async function measureMemory(options: MemoryOptions): Promise<MemoryResults> {
  const child = startChild(['--expose-gc', 'bench/memory-server.ts', join(options.directory, 'memory.db')]);
  try {
    const { port, token, todoId } = await child.ready<{ port: number; token: string; todoId: string }>();
    const base = `http://127.0.0.1:${port}`;
    const heap = async () => (await child.ask<{ heapUsed: number }>('heap')).heapUsed;

    // Before any load: nothing else runs in the child, so the timing is the verification alone.
    const cost = await child.ask<MemoryResults['token']>('tokenCost', { n: options.tokenChecks });
    const tokenCost = { ...cost, checks: options.tokenChecks };
    options.log(
      `token verification: ${cost.userTokenUs.toFixed(1)} µs (person), ${cost.agentTokenUs.toFixed(1)} µs (agent, with revocation), ${cost.fullVerifyUs.toFixed(1)} µs (full JWT)`,
    );

    const calls = async (era: Era, amount: number, sessionId?: string) => {
      const call = toolCall({ era, token, sessionId }, 'get_todo_by_id', { id: todoId });
      const result = await load(base, call, { connections: options.connections, amount });
      if (result.failures > 0) throw new Error(`${era} memory run: ${result.failures} failed calls`);
    };
    // Warm-up, alternating eras, until the heap is steady: the first calls compile code and
    // grow pools once, which is not memory retained per call.
    const warmUp = Math.max(options.connections, Math.round(options.calls / 4));
    const sessionId = await openSession(base, token);
    let steady = Number.POSITIVE_INFINITY;
    for (let round = 0; round < (options.steadyWarmUp ? 6 : 1); round++) {
      await calls('modern', warmUp);
      await calls('legacy', warmUp, sessionId);
      const now = await heap();
      if (round > 0 && Math.abs(now - steady) < 256 * 1024) break;
      steady = now;
    }
    // Measured as two halves, and the larger growth counts: a leak grows the heap in both,
    // while a one-time release can only fall in one of them and must not hide a leak in the
    // other. There is one: Node drops its TypeScript stripper (amaro, a 3.8 MB source string)
    // after a while, ~5.7 MB of heap in all, at a moment the warm-up cannot predict.
    const retained: RetainedPerCall[] = [];
    for (const era of ['modern', 'legacy'] as const) {
      const half = Math.round(options.calls / 2);
      const marks = [await heap()];
      for (let i = 0; i < 2; i++) {
        await calls(era, half, era === 'legacy' ? sessionId : undefined);
        marks.push(await heap());
      }
      const [start = 0, middle = 0, end = 0] = marks;
      const bytesPerCall = Math.max(middle - start, end - middle) / half;
      retained.push({ era, calls: half * 2, bytesPerCall, overallBytesPerCall: (end - start) / (half * 2) });
      options.log(
        `heap retained per ${era} call: ${bytesPerCall.toFixed(1)} B (${marks.map((m) => (m / 1e6).toFixed(2)).join(' → ')} MB)`,
      );
    }
    await endSession(base, token, sessionId);

    // Warm-up: the first sessions load code and grow pools that then stay.
    await openSessions(base, token, Math.min(50, options.sessions));
    await child.ask('evict');
    const baselineBytes = await heap();
    await openSessions(base, token, options.sessions);
    const open = (await child.ask<{ open: number }>('sessions')).open;
    if (open !== options.sessions)
      throw new Error(`expected ${options.sessions} open sessions, found ${open}`);
    const withSessionsBytes = await heap();
    const { open: openAfterEviction } = await child.ask<{ open: number }>('evict');
    const afterEvictionBytes = await heap();
    const sessions: SessionMemory = {
      sessions: options.sessions,
      baselineBytes,
      withSessionsBytes,
      afterEvictionBytes,
      bytesPerSession: (withSessionsBytes - baselineBytes) / options.sessions,
      afterEvictionRatio: afterEvictionBytes / baselineBytes,
      openAfterEviction,
    };
    options.log(
      `sessions: ${(sessions.bytesPerSession / 1024).toFixed(1)} KB each; after eviction ${(100 * sessions.afterEvictionRatio).toFixed(1)}% of baseline`,
    );
    return { retained, sessions, token: tokenCost };
  } finally {
    await child.stop();
  }
}

async function openSessions(base: string, token: string, count: number): Promise<void> {
  let opened = 0;
  const worker = async () => {
    while (opened < count) {
      opened++;
      await openSession(base, token);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
}

async function endSession(base: string, token: string, sessionId: string): Promise<void> {
  const res = await fetch(`${base}/mcp`, {
    method: 'DELETE',
    headers: {
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': sessionId,
      'MCP-Protocol-Version': '2025-11-25',
    },
  });
  await res.text();
}
