import type { Response } from 'express';

/** A JSON-RPC error answered at the HTTP level, as MCP transports do: never HTML, never a stack. */
export function sendRpcError(
  res: Response,
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id });
}
