import type { RequestHandler } from 'express';
import { sendRpcError } from './rpc-error.ts';

// Far deeper than any MCP message needs, far shallower than what overflows the stack: the SDK
// serialises the parsed body again (JSON.stringify recurses), and ~5,000 levels made it throw.
const MAX_DEPTH = 64;

/**
 * Refuses JSON bodies nested deeper than MAX_DEPTH, and `__proto__` keys anywhere: zod strips
 * an own `__proto__` from tool arguments instead of refusing it, so a call would succeed with
 * input silently dropped (REST refuses such bodies with 400). Walks without recursion.
 * A request whose id is readable gets an ordinary JSON-RPC error for that id (invalid params),
 * as any other bad argument would; anything else is an invalid request at the HTTP level.
 */
export const checkJsonShape: RequestHandler = (req, res, next) => {
  const problem = shapeProblem(req.body);
  if (problem === undefined) {
    next();
    return;
  }
  const { id, method } = (req.body ?? {}) as { id?: unknown; method?: unknown };
  if ((typeof id === 'string' || typeof id === 'number') && typeof method === 'string') {
    sendRpcError(res, 200, -32602, `Invalid params: ${problem}`, id);
  } else {
    sendRpcError(res, 400, -32600, `Invalid Request: ${problem}`);
  }
};

function shapeProblem(body: unknown): string | undefined {
  const stack: [value: unknown, depth: number][] = [[body, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return `JSON nested deeper than ${MAX_DEPTH} levels`;
    if (Object.hasOwn(value, '__proto__')) return '"__proto__" is not allowed as a key';
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return undefined;
}
