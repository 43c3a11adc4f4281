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
