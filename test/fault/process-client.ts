// Clients of the service running in its own process (test/service-process.ts): REST calls and
// hand-built MCP tool calls in either era, each bounded by a timeout so that no loop can hang
// on a process that was killed.
import type { Era } from '../mcp/mcp-helpers.ts';
import { rawCaller } from '../mcp/raw-mcp.ts';
import { rpcMessage } from '../rpc-message.ts';

export const REQUEST_TIMEOUT_MS = 5_000;
export const JWT_SECRET = 'fault-suite-secret-of-at-least-32-bytes!';

/** The environment every fault test starts the service with, on its own database file. */
export const serviceEnv = (databasePath: string): Record<string, string> => ({
  DATABASE_PATH: databasePath,
  JWT_SECRET,
  // Load tests call tools far faster than an agent would; the limit has its own tests.
  MCP_CALLS_PER_MINUTE: '1000000',
  LOG_LEVEL: 'info',
});

export interface Answer {
  status: number;
  text: string;
}

export interface RestAnswer extends Answer {
  headers: Headers;
}

export async function rest(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RestAnswer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export interface ToolAnswer extends Answer {
  /** The JSON-RPC result, when there is one. */
  result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: unknown };
}

export interface ToolCaller {
  era: Era;
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
}

/**
 * A caller that speaks one era by hand (a 2025-era caller opens its session first). Each call
 * gets its own JSON-RPC id, so calls may run in parallel on one session.
 */
export async function toolCaller(base: string, era: Era, token: string): Promise<ToolCaller> {
  const raw = await rawCaller(base, era, token);
  let nextId = 100;
  return {
    era,
    async call(name, args) {
      const built = raw.request('tools/call', { name, arguments: args });
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${token}`,
          ...built.headers,
        },
        body: JSON.stringify({ ...(built.body as Record<string, unknown>), id: nextId++ }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      return { status: res.status, text, ...resultOf(text) };
    },
  };
}

/** The result of a JSON-RPC answer sent as JSON or as the last event of an SSE stream. */
function resultOf(text: string): Pick<ToolAnswer, 'result'> {
  const message = rpcMessage<{ result?: ToolAnswer['result'] }>(text);
  return message?.result ? { result: message.result } : {};
}

/** A small seeded generator (mulberry32), so that a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
