// The load scenarios, in the order they run: the ones a budget compares are run next to
// each other, so that a change in the machine's load between them is as small as possible.
import type { LoadRequest } from './load.ts';
import { LEGACY_VERSION, type McpCaller, rest, toolCall } from './requests.ts';

/** Where a scenario's requests go: the real service, or one of the floors (each its own process). */
export type Target = 'service' | 'floor-http' | 'floor-express' | 'floor-mcp-modern' | 'floor-mcp-legacy';

export interface Scenario {
  name: string;
  label: string;
  target: Target;
  request: LoadRequest;
  /** The response is MCP: its result must be neither a JSON-RPC error nor isError. */
  mcp: boolean;
  /** A 2025-era call: the harness opens a session on the target first and sends its id. */
  session: boolean;
  /**
   * The floor scenario a budget compares this one with. When both run, the harness runs them
   * as a pair, in alternating one-second rounds, so that a change in the machine's load
   * falls on both sides alike.
   */
  floor?: string;
}

export interface ScenarioContext {
  token: string;
  todoId: string;
  /** Tokens of the list-scaling users, by their number of todos. */
  listTokens: Map<number, string>;
  /** The largest list user, and a cursor for its page that starts 100 rows before the end. */
  deep: { size: number; cursor: string };
}

export function scenarios(ctx: ScenarioContext): Scenario[] {
  const modern: McpCaller = { era: 'modern', token: ctx.token };
  const legacy: McpCaller = { era: 'legacy', token: ctx.token };
  const byId = `/todos/${ctx.todoId}`;
  const newTodo = { title: 'Benchmark todo', priority: 4 };
  const s = (
    name: string,
    label: string,
    request: LoadRequest,
    target: Target = 'service',
    floor?: string,
  ): Scenario => ({
    name,
    label,
    target,
    request,
    mcp: request.path === '/mcp',
    session: request.path === '/mcp' && request.headers?.['MCP-Protocol-Version'] === LEGACY_VERSION,
    ...(floor === undefined ? {} : { floor }),
  });

  const fmt = (n: number) => n.toLocaleString('en');
  // Smallest, largest, then the others: the pair the budget compares runs back to back.
  const sizes = [...ctx.listTokens.keys()].sort((a, b) => a - b);
  const scaleOrder = [...sizes.slice(0, 1), ...sizes.slice(-1), ...sizes.slice(1, -1)];
  const tokenOf = (size: number) => ctx.listTokens.get(size) ?? '';
  const deepToken = tokenOf(ctx.deep.size);
  const deepRow = fmt(ctx.deep.size - 100);

  const getById = toolCall(modern, 'get_todo_by_id', { id: ctx.todoId });
  const getByIdOnSession = toolCall(legacy, 'get_todo_by_id', { id: ctx.todoId });

  return [
    // Each budgeted pair is a floor, then what is compared with it (run as a pair).
    s('floor.http', 'floor: bare node:http, same row', { method: 'GET', path: byId }, 'floor-http'),
    s(
      'floor.express',
      'floor: bare Express 5 route, same row',
      { method: 'GET', path: byId },
      'floor-express',
    ),
    s(
      'rest.get',
      'REST GET /api/todos/{id}',
      rest(ctx.token, 'GET', `/api${byId}`),
      'service',
      'floor.express',
    ),
    s('floor.mcp.modern', 'floor: bare SDK v2 server, 2026-07-28', getById, 'floor-mcp-modern'),
    s('mcp.modern.get', 'MCP get_todo_by_id, 2026-07-28', getById, 'service', 'floor.mcp.modern'),
    s('floor.mcp.legacy', 'floor: bare SDK v2 session, 2025', getByIdOnSession, 'floor-mcp-legacy'),
    s('mcp.legacy.get', 'MCP get_todo_by_id, 2025 session', getByIdOnSession, 'service', 'floor.mcp.legacy'),
    s('rest.list', 'REST GET /api/todos (first page, 100 todos)', rest(ctx.token, 'GET', '/api/todos')),
    s('mcp.modern.list', 'MCP get_all_todos, 2026-07-28', toolCall(modern, 'get_all_todos', {})),
    s('mcp.legacy.list', 'MCP get_all_todos, 2025 session', toolCall(legacy, 'get_all_todos', {})),
    ...scaleOrder.map((size) =>
      s(
        `scale.rest.${size}`,
        `REST first page, ${fmt(size)} todos`,
        rest(tokenOf(size), 'GET', '/api/todos'),
      ),
    ),
    s(
      'scale.rest.deep',
      `REST page by cursor at row ${deepRow}`,
      rest(deepToken, 'GET', `/api/todos?cursor=${encodeURIComponent(ctx.deep.cursor)}`),
    ),
    ...scaleOrder.map((size) =>
      s(
        `scale.mcp.${size}`,
        `MCP get_all_todos, ${fmt(size)} todos`,
        toolCall({ era: 'modern', token: tokenOf(size) }, 'get_all_todos', {}),
      ),
    ),
    s(
      'scale.mcp.deep',
      `MCP get_all_todos by cursor at row ${deepRow}`,
      toolCall({ era: 'modern', token: deepToken }, 'get_all_todos', { cursor: ctx.deep.cursor }),
    ),
    // Writes last, so that the rows they add do not change what the reads above measure.
    s('rest.create', 'REST POST /api/todos', rest(ctx.token, 'POST', '/api/todos', newTodo)),
    s('mcp.modern.create', 'MCP create_todo, 2026-07-28', toolCall(modern, 'create_todo', newTodo)),
    s('mcp.legacy.create', 'MCP create_todo, 2025 session', toolCall(legacy, 'create_todo', newTodo)),
    s('rest.patch', 'REST PATCH /api/todos/{id}', rest(ctx.token, 'PATCH', `/api${byId}`, { priority: 2 })),
  ];
}
