import type { Response } from 'express';

/** JSON-RPC's range for implementation-defined server errors: MCP defines no code for limits. */
export const LIMIT_REACHED = -32000;

/** A JSON-RPC error answered at the HTTP level, as MCP transports do: never HTML, never a stack. */
export function sendRpcError(
  res: Response,
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
  data?: Record<string, unknown>,
): void {
  res.locals.rpcError = code;
  res.status(status).json({ jsonrpc: '2.0', error: data ? { code, message, data } : { code, message }, id });
}
