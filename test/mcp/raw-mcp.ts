// Hand-built /mcp requests, for what a well-behaved client never sends: foreign Origin or
// Host headers, forged tokens, oversized or malformed bodies, other users' session ids.

import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { rpcMessage } from '../rpc-message.ts';
import type { Era } from './mcp-helpers.ts';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';
const ACCEPT = 'application/json, text/event-stream';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON-RPC message answered: the JSON body, or the data of the last SSE event. */
  message: { result?: Record<string, unknown>; error?: { code: number; message: string } } | undefined;
}

export interface PostOptions {
  /** Bearer token to send; null sends no Authorization header. */
  token: string | null;
  headers?: Record<string, string>;
  /** Path and query after the base URL (default /mcp). */
  path?: string;
}

/** POSTs a body (serialised unless it is a string) with the headers every MCP POST carries. */
export async function post(base: string, body: unknown, options: PostOptions): Promise<RawResponse> {
  const res = await fetch(`${base}${options.path ?? '/mcp'}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/json',
      Accept: ACCEPT,
      ...(options.token === null ? {} : { Authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    message: rpcMessage<RawResponse['message']>(text),
  };
}

/** The per-request envelope a 2026-07-28 client puts in `_meta`. */
const envelope = () => ({
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
});

export const initializeRequest = () => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: LEGACY_VERSION,
    capabilities: {},
    clientInfo: { name: 'raw-test', version: '1.0.0' },
  },
});

/**
 * A caller that speaks one era by hand. A legacy caller first opens a session (initialize,
 * then notifications/initialized) with its token; later requests carry the session id, if
 * the server opened one.
 */
export interface RawCaller {
  era: Era;
  sessionId: string | undefined;
  /** The body and headers of one JSON-RPC request in this era. */
  request(
    method: string,
    params?: Record<string, unknown>,
  ): { body: unknown; headers: Record<string, string> };
  /** Sends one JSON-RPC request in this era; options override the token and add headers. */
  call(
    method: string,
    params?: Record<string, unknown>,
    options?: Partial<PostOptions>,
  ): Promise<RawResponse>;
  /** Sends a raw body with this era's headers. */
  send(body: unknown, options?: Partial<PostOptions>): Promise<RawResponse>;
}

export async function rawCaller(base: string, era: Era, token: string): Promise<RawCaller> {
  let sessionId: string | undefined;
  const eraHeaders = (): Record<string, string> =>
    era === 'modern'
      ? { 'MCP-Protocol-Version': MODERN_VERSION }
      : { 'MCP-Protocol-Version': LEGACY_VERSION, ...(sessionId ? { 'Mcp-Session-Id': sessionId } : {}) };
  const request = (method: string, params: Record<string, unknown> = {}) => {
    if (era === 'legacy') return { body: { jsonrpc: '2.0', id: 2, method, params }, headers: eraHeaders() };
    // The 2026-07-28 transport requires the method (and tool name) to be repeated in headers.
    const headers: Record<string, string> = { ...eraHeaders(), 'Mcp-Method': method };
    if (typeof params.name === 'string') headers['Mcp-Name'] = params.name;
    return { body: { jsonrpc: '2.0', id: 2, method, params: { ...params, _meta: envelope() } }, headers };
  };
  const send = (body: unknown, options: Partial<PostOptions> = {}, headers: Record<string, string> = {}) =>
    post(base, body, { token, ...options, headers: { ...eraHeaders(), ...headers, ...options.headers } });

  if (era === 'legacy') {
    const opened = await post(base, initializeRequest(), { token });
    sessionId = opened.headers.get('mcp-session-id') ?? undefined;
    // With sessions off the 2025 era is served statelessly: initialize opens no session.
    if (opened.status !== 200) throw new Error(`initialize failed: ${opened.status} ${opened.text}`);
    await send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }
  return {
    era,
    get sessionId() {
      return sessionId;
    },
    request,
    call: (method, params, options) => {
      const built = request(method, params);
      return send(built.body, options, built.headers);
    },
    send: (body, options) => send(body, options),
  };
}

/** A tools/call of create_todo: a request that would leave a row behind if it ran. */
export const createTodoCall = (title = 'Should not exist') =>
  ['tools/call', { name: 'create_todo', arguments: { title } }] as const;

/** POSTs with a chosen Host header, which fetch does not let a caller set. */
export function postWithHost(
  base: string,
  host: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const url = new URL(`${base}/mcp`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers, host },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A well-formed id that no todo has. */
export const missingId = (): string => randomUUID();

/** Opens the GET stream of a 2025-era session, as the SDK client does after initialize. */
export const openGetStream = (base: string, token: string, sessionId: string): Promise<Response> =>
  fetch(`${base}/mcp`, {
    headers: {
      Accept: 'text/event-stream',
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': sessionId,
      'MCP-Protocol-Version': LEGACY_VERSION,
    },
  });

/** Reads an SSE stream to its end: whether the server ended it, or the connection broke. */
export async function streamOutcome(body: ReadableStream<Uint8Array> | null): Promise<string> {
  const reader = body?.getReader();
  if (!reader) return 'no stream';
  try {
    while (!(await reader.read()).done);
    return 'ended by the server';
  } catch (error) {
    return `broken: ${String(error)}`;
  }
}
