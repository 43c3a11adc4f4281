// What the /mcp edge reads from a parsed body before the SDK does: cheap property checks,
// never a schema, since they run on every request.
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';

export interface RpcRequest {
  method: string;
  id: string | number;
}

/** The method and id of a JSON-RPC request; undefined for notifications, responses and the rest. */
export function rpcRequest(body: unknown): RpcRequest | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { method, id } = body as { method?: unknown; id?: unknown };
  if (typeof method !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) return undefined;
  return { method, id };
}

/**
 * True when the body carries the 2026-07-28 per-request envelope's protocol-version claim.
 * isLegacyRequest answers false for every such request (a malformed or unsupported claim
 * included: the modern handler owns those errors), so the common modern request skips
 * building a web Request just to be classified, a sixth of its CPU in the profile.
 */
export function claimsModernEra(body: unknown): boolean {
  const meta = (body as { params?: { _meta?: unknown } } | undefined)?.params?._meta;
  return typeof meta === 'object' && meta !== null && Object.hasOwn(meta, PROTOCOL_VERSION_META_KEY);
}

/** The `notifications` filter of a subscriptions/listen request, unvalidated (the SDK validates it). */
export function listenFilter(body: unknown): Record<string, unknown> | undefined {
  const notifications = (body as { params?: { notifications?: unknown } } | undefined)?.params?.notifications;
  return typeof notifications === 'object' && notifications !== null
    ? (notifications as Record<string, unknown>)
    : undefined;
}

// Names from a client are logged, so they are cut short: a tool name is a few words.
const LOGGED_NAME_MAX = 100;
const named = (value: unknown) => (typeof value === 'string' ? value.slice(0, LOGGED_NAME_MAX) : undefined);

/**
 * What the request log says of a JSON-RPC message: its method, and the tool, prompt or
 * resource it names. Never its arguments, which are the user's data.
 */
export interface RpcSummary {
  rpc: string;
  tool?: string;
  prompt?: string;
  resource?: string;
}

export function rpcSummary(body: unknown): RpcSummary | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { method, params } = body as { method?: unknown; params?: { name?: unknown; uri?: unknown } };
  const rpc = named(method);
  if (rpc === undefined) return undefined;
  const name = named(params?.name);
  const uri = named(params?.uri);
  if (rpc === 'tools/call' && name !== undefined) return { rpc, tool: name };
  if (rpc === 'prompts/get' && name !== undefined) return { rpc, prompt: name };
  if (rpc.startsWith('resources/') && uri !== undefined) return { rpc, resource: uri };
  return { rpc };
}
