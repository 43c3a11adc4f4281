// The requests the scenarios send, built by hand the way a client puts them on the wire:
// REST with a bearer token; MCP tools/call in the 2026-07-28 era (per-request `_meta`
// envelope and Mcp-Method/Mcp-Name headers, no session) and in the 2025 era on a session
// opened once with initialize.

import { rpcMessage as parseRpcMessage } from '../test/rpc-message.ts';
import type { LoadRequest } from './load.ts';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';
const ACCEPT = 'application/json, text/event-stream';
const CLIENT_INFO = { name: 'todos-bench', version: '1.0.0' };

export type Era = 'modern' | 'legacy';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export function rest(
  token: string,
  method: LoadRequest['method'],
  path: string,
  body?: Record<string, unknown>,
): LoadRequest {
  return body === undefined
    ? { method, path, headers: bearer(token) }
    : {
        method,
        path,
        headers: { ...bearer(token), 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      };
}

export interface McpCaller {
  era: Era;
  token: string;
  /** The 2025-era session the calls go to; undefined in the 2026-07-28 era. */
  sessionId?: string | undefined;
}

/** A tools/call whose JSON-RPC id is replaced per request by the load generator. */
export function toolCall(caller: McpCaller, tool: string, args: Record<string, unknown>): LoadRequest {
  const headers: Record<string, string> = {
    ...bearer(caller.token),
    'Content-Type': 'application/json',
    Accept: ACCEPT,
  };
  let params: Record<string, unknown> = { name: tool, arguments: args };
  if (caller.era === 'modern') {
    headers['MCP-Protocol-Version'] = MODERN_VERSION;
    // The 2026-07-28 transport requires the method and tool name repeated in headers.
    headers['Mcp-Method'] = 'tools/call';
    headers['Mcp-Name'] = tool;
    params = {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
        'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    };
  } else {
    headers['MCP-Protocol-Version'] = LEGACY_VERSION;
    if (caller.sessionId) headers['Mcp-Session-Id'] = caller.sessionId;
  }
  return {
    method: 'POST',
    path: '/mcp',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: '[<id>]', method: 'tools/call', params }),
    uniqueIds: true,
  };
}

/** The same request on a 2025-era session. */
export function onSession(request: LoadRequest, sessionId: string): LoadRequest {
  return { ...request, headers: { ...request.headers, 'Mcp-Session-Id': sessionId } };
}

/** Opens a 2025-era session as a client does: initialize, then notifications/initialized. */
export async function openSession(base: string, token: string): Promise<string> {
  const headers = { ...bearer(token), 'Content-Type': 'application/json', Accept: ACCEPT };
  const opened = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
    }),
  });
  const sessionId = opened.headers.get('mcp-session-id');
  const text = await opened.text();
  if (opened.status !== 200 || !sessionId) throw new Error(`initialize failed: ${opened.status} ${text}`);
  const initialized = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...headers, 'MCP-Protocol-Version': LEGACY_VERSION, 'Mcp-Session-Id': sessionId },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  if (initialized.status !== 202) throw new Error(`notifications/initialized: ${initialized.status}`);
  return sessionId;
}

/** The JSON-RPC message in a response: the JSON body, or the data of the last SSE event. */
export const rpcMessage = (text: string) =>
  parseRpcMessage<{ result?: { isError?: boolean }; error?: unknown }>(text);

export async function signIn(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`sign-in of ${username}: ${res.status}`);
  return body.access_token;
}
