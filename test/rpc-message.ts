/**
 * The JSON-RPC message of an MCP answer, whichever way it came: a JSON body, or the data of
 * the last event of an SSE stream (how 2025-era transports answer a POST). Undefined when
 * the text holds no JSON.
 */
export function rpcMessage<T = unknown>(text: string): T | undefined {
  const data = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .filter(Boolean)
    .at(-1);
  try {
    return JSON.parse(data ?? text) as T;
  } catch {
    return undefined;
  }
}
