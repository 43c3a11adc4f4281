// What the MCP property tests (mcp-properties.test.ts) send: a tool, its caller, a target id
// (own, another user's, missing or hostile), fields valid and hostile, an expectedVersion, and
// for hand-built requests an envelope the SDK client would never produce.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  createTodoSchema,
  listTodosSchema,
  TODO_SORT_FIELDS,
  updateTodoArgumentsSchema,
  versionedIdSchema,
} from '../../src/services/todo-schemas.ts';
import {
  hostileValue,
  type Json,
  keyName,
  numberValue,
  objectOf,
  textValue,
  todoEntries,
  validDueDate,
  validEntries,
  validPriority,
  validTitle,
} from './arbitraries.ts';

// Well past the 64 levels /mcp accepts (checkJsonShape); fast-check's own reporting recurses,
// so the 10,000-level case that overflowed the SDK is a plain test in transport-guards.test.ts.
export const MAX_DEPTH = 1_000;
// Under the 100 kB body limit of /mcp, whose 413 is a transport answer, not a tool failure.
export const MAX_BODY_BYTES = 90_000;

const TOOLS = ['get_all_todos', 'get_todo_by_id', 'create_todo', 'update_todo', 'delete_todo'] as const;
export type Tool = (typeof TOOLS)[number] | 'no_such_tool';
type Target = 'own' | 'foreign' | 'missing' | 'hostile';

/** The argument names each tool's input schema declares. */
export const ALLOWED_KEYS: Record<Tool, readonly string[]> = {
  get_all_todos: Object.keys(listTodosSchema.shape),
  get_todo_by_id: ['id'],
  create_todo: Object.keys(createTodoSchema.shape),
  update_todo: Object.keys(updateTodoArgumentsSchema.shape),
  delete_todo: Object.keys(versionedIdSchema.shape),
  no_such_tool: [],
};

export interface McpCase {
  caller: 'alice' | 'bob';
  tool: Tool;
  target: Target;
  pick: number;
  hostileId: Json;
  entries: [string, Json][];
  listEntries: [string, Json][];
  expectedVersion: { kind: 'none' | 'current' | 'stale' } | { kind: 'value'; value: Json };
  extra: [string, Json][];
}

export const hostile = hostileValue({ maxText: 5_000, maxDepth: MAX_DEPTH });

const listEntry: fc.Arbitrary<[string, Json]> = fc.oneof(
  fc.tuple(fc.constant('completed'), fc.oneof(fc.boolean(), hostile)),
  fc.tuple(fc.constant('priority'), fc.oneof(validPriority, numberValue)),
  fc.tuple(fc.constant('q'), fc.oneof(validTitle, textValue(300))),
  fc.tuple(fc.constant('dueBefore'), fc.oneof(validDueDate, hostile)),
  fc.tuple(fc.constant('sort'), fc.constantFrom<Json>(...TODO_SORT_FIELDS, 'id', '')),
  fc.tuple(fc.constant('order'), fc.constantFrom<Json>('asc', 'desc', 'ASC', null)),
  fc.tuple(fc.constant('limit'), fc.oneof(fc.integer({ min: 1, max: 100 }), numberValue)),
  fc.tuple(fc.constant('cursor'), textValue(600)),
  fc.tuple(keyName, hostile),
);

export const mcpCase: fc.Arbitrary<McpCase> = fc.record({
  caller: fc.oneof({ weight: 4, arbitrary: fc.constant('alice' as const) }, fc.constant('bob' as const)),
  tool: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Tool>('create_todo') },
    { weight: 3, arbitrary: fc.constant<Tool>('update_todo') },
    { weight: 6, arbitrary: fc.constantFrom<Tool>(...TOOLS, 'no_such_tool') },
  ),
  target: fc.oneof(
    { weight: 5, arbitrary: fc.constant<Target>('own') },
    { weight: 2, arbitrary: fc.constant<Target>('foreign') },
    fc.constantFrom<Target>('missing', 'hostile'),
  ),
  pick: fc.nat(),
  hostileId: fc.oneof(hostile, fc.constant<Json>(randomUUID().toUpperCase())),
  entries: fc.oneof(validEntries, todoEntries({ maxText: 5_000, maxDepth: MAX_DEPTH, requireTitle: false })),
  listEntries: fc.array(listEntry, { maxLength: 4 }),
  expectedVersion: fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 2, arbitrary: fc.constantFrom({ kind: 'current' as const }, { kind: 'stale' as const }) },
    hostile.map((value) => ({ kind: 'value' as const, value })),
  ),
  extra: fc.oneof(
    { weight: 6, arbitrary: fc.constant<[string, Json][]>([]) },
    fc.array(fc.tuple(keyName, hostile), { minLength: 1, maxLength: 2 }),
  ),
});

// What the SDK client would never send: a name that is not a tool's, arguments that are not an object.
export const envelope = fc.record({
  name: fc.oneof(
    { weight: 8, arbitrary: fc.constant<'as generated'>('as generated') },
    fc.constantFrom<Json>('', 'create todo', 'CREATE_TODO', '__proto__', 'constructor', 'toString'),
    fc.constantFrom<Json>(null, 5, true, ['create_todo'], objectOf([['name', 'create_todo']])),
  ),
  args: fc.oneof(
    { weight: 8, arbitrary: fc.constant<'as generated'>('as generated') },
    hostile.map((value) => ({ value })),
    fc.constant<'absent'>('absent'),
  ),
  extra: fc.oneof(
    { weight: 4, arbitrary: fc.constant<[string, Json][]>([]) },
    fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'task', 'arguments2'), hostile), {
      maxLength: 2,
    }),
  ),
});
