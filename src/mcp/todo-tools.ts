// The five curated tools. Their names are those of the reference app, which users of the
// pattern know; descriptions are written for a model: when to use the tool, what comes
// back, what to call next. Schemas are the services' own, so both edges validate alike.
import type {
  CallToolResult,
  InputRequiredResult,
  McpServer,
  ServerContext,
} from '@modelcontextprotocol/server';
import { acceptedContent, inputRequired, inputResponse, requireScopes } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Todo } from '../repositories/types.ts';
import { RateLimitedError } from '../services/errors.ts';
import {
  createTodoSchema,
  listTodosSchema,
  todoIdSchema,
  todoSchema,
  updateTodoArgumentsSchema,
  versionedIdSchema,
} from '../services/todo-schemas.ts';
import { actorOf } from './bearer-auth.ts';
import { withCachedJsonSchema } from './cached-json-schema.ts';
import type { McpContext } from './mcp-context.ts';
import { textResult, toolErrorResult } from './tool-result.ts';
import { quoted } from './visible-text.ts';

// Built once at module load: per-request servers reuse these objects instead of rebuilding them.
const todoListSchema = withCachedJsonSchema(
  z.object({
    todos: z.array(todoSchema),
    count: z.int().describe('Number of todos on this page.'),
    nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null on the last page.'),
  }),
);
const deleteResultSchema = withCachedJsonSchema(
  z.object({
    deleted: z.boolean().describe('False when the user declined the confirmation.'),
    id: todoIdSchema,
  }),
);
const getByIdSchema = withCachedJsonSchema(z.strictObject({ id: todoIdSchema }));
const listInputSchema = withCachedJsonSchema(listTodosSchema);
const createInputSchema = withCachedJsonSchema(createTodoSchema);
const updateInputSchema = withCachedJsonSchema(updateTodoArgumentsSchema);
const versionedIdInputSchema = withCachedJsonSchema(versionedIdSchema);
const todoOutputSchema = withCachedJsonSchema(todoSchema);
const confirmSchema = z.object({ confirm: z.boolean().describe('Check to delete the todo permanently.') });

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const readScope = requireScopes('todos:read');
const writeScope = requireScopes('todos:write');

/** One line per todo; titles are quoted so that text inside them reads as data, invisible characters shown. */
export function describeTodo(todo: Todo): string {
  const due = todo.dueDate ? `, due ${todo.dueDate}` : '';
  return `${todo.completed ? '[x]' : '[ ]'} ${quoted(todo.title)} (id ${todo.id}, priority ${todo.priority}${due}, version ${todo.version})`;
}

const todoResult = (verb: string, todo: Todo) => textResult(`${verb} ${describeTodo(todo)}`, { ...todo });

/**
 * Who a write is attributed to: each request carries its own token (a 2025-era session may see
 * several of its user's), so a write goes to the token of the request that made it.
 */
const writer = (ctx: ServerContext) => actorOf(ctx.http?.authInfo);

type ToolHandler<A> = (args: A, ctx: ServerContext) => Promise<CallToolResult | InputRequiredResult>;

/** Every tool runs through here: the per-user call limit, then one error mapping for all. */
function guarded<A>(mcp: McpContext, tool: string, run: ToolHandler<A>): ToolHandler<A> {
  return async (args, ctx) => {
    try {
      const wait = await mcp.callLimiter.take(mcp.userId);
      if (wait > 0) throw new RateLimitedError('You are calling tools too fast.', wait);
      return await run(args, ctx);
    } catch (error) {
      return toolErrorResult(error, mcp.logger, { tool, userId: mcp.userId });
    }
  };
}

const TOOLS = {
  get_all_todos: getAllTodos,
  get_todo_by_id: getTodoById,
  create_todo: createTodo,
  update_todo: updateTodo,
  delete_todo: deleteTodo,
} satisfies Record<string, (server: McpServer, mcp: McpContext) => void>;

export type ToolName = keyof typeof TOOLS;
export const TOOL_NAMES = Object.keys(TOOLS) as ToolName[];

/** Registers the five tools, or only `only`: a server built for one tools/call needs no other. */
export function registerTodoTools(server: McpServer, mcp: McpContext, only?: ToolName): void {
  if (only !== undefined) {
    TOOLS[only](server, mcp);
    return;
  }
  for (const register of Object.values(TOOLS)) register(server, mcp);
}

function getAllTodos(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    'get_all_todos',
    {
      title: 'List todos',
      description:
        "List the user's todos, one page at a time (50 by default, at most 100), oldest first unless `sort`/`order` say otherwise. " +
        'Filter with `completed`, `priority`, `q` (text in title or description) and `dueBefore`. ' +
        'When `nextCursor` is not null, call again with `cursor` set to it (and the same filters) for the next page. ' +
        'Use the returned ids with get_todo_by_id, update_todo or delete_todo.',
      inputSchema: listInputSchema,
      outputSchema: todoListSchema,
      annotations: READ_ONLY,
      scopeChallenge: readScope,
    },
    guarded(mcp, 'get_all_todos', async (args: z.output<typeof listTodosSchema>) => {
      const page = await mcp.todos.list(mcp.userId, args);
      const lines = page.items.map(describeTodo);
      const more = page.nextCursor
        ? `\nMore todos exist: call get_all_todos with cursor ${JSON.stringify(page.nextCursor)}.`
        : '';
      return textResult(
        `${page.items.length} todo(s)${lines.length ? `:\n${lines.join('\n')}` : '.'}${more}`,
        {
          todos: page.items,
          count: page.items.length,
          nextCursor: page.nextCursor,
        },
      );
    }),
  );
}

function getTodoById(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    'get_todo_by_id',
    {
      title: 'Get a todo',
      description:
        'Get one todo by its id, with all fields and its current `version`. Use it to check the current state before ' +
        'update_todo, or after an update was refused because the todo changed. Ids come from get_all_todos or create_todo.',
      inputSchema: getByIdSchema,
      outputSchema: todoOutputSchema,
      annotations: READ_ONLY,
      scopeChallenge: readScope,
    },
    guarded(mcp, 'get_todo_by_id', async ({ id }: { id: string }) =>
      todoResult('Todo', await mcp.todos.get(mcp.userId, id)),
    ),
  );
}

function createTodo(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    'create_todo',
    {
      title: 'Create a todo',
      description:
        'Create a new todo for the user. Only `title` is required; `priority` defaults to 3 (1 lowest, 5 highest) and ' +
        '`dueDate` is YYYY-MM-DD. Returns the new todo with its id. Each call creates another todo, so do not retry a ' +
        'call that succeeded; check with get_all_todos if unsure.',
      inputSchema: createInputSchema,
      outputSchema: todoOutputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      scopeChallenge: writeScope,
    },
    guarded(mcp, 'create_todo', async (args: z.output<typeof createTodoSchema>, ctx) =>
      todoResult('Created', await mcp.todos.create(writer(ctx), args)),
    ),
  );
}

function updateTodo(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    'update_todo',
    {
      title: 'Update a todo',
      description:
        'Change some fields of an existing todo; fields you leave out keep their values (set `dueDate` to null to clear it). ' +
        'Mark a task done with `completed: true`. Pass the `version` you last saw as `expectedVersion` so that a change made ' +
        'meanwhile by someone else is never overwritten: if the todo changed, nothing is written and you are told its new ' +
        'version. Returns the updated todo.',
      inputSchema: updateInputSchema,
      outputSchema: todoOutputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      scopeChallenge: writeScope,
    },
    guarded(mcp, 'update_todo', async (args: z.output<typeof updateTodoArgumentsSchema>, ctx) => {
      const { id, expectedVersion, ...changes } = args;
      return todoResult('Updated', await mcp.todos.patch(writer(ctx), id, changes, expectedVersion));
    }),
  );
}

function deleteTodo(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    'delete_todo',
    {
      title: 'Delete a todo',
      description:
        'Permanently delete one todo. Only do this when the user asked for it. Where the client supports it, the user is ' +
        'asked to confirm first. Pass `expectedVersion` to delete only if the todo has not changed since you read it. ' +
        'To mark a task done, use update_todo with `completed: true` instead.',
      inputSchema: versionedIdInputSchema,
      outputSchema: deleteResultSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      scopeChallenge: writeScope,
    },
    guarded(mcp, 'delete_todo', async ({ id, expectedVersion }: z.output<typeof versionedIdSchema>, ctx) => {
      // Elicitation needs a client that declared it and a connection that can carry it
      // (2026-07-28, or a 2025-era session); elsewhere destructiveHint leaves it to the client.
      if (mcp.clientCapabilities()?.elicitation !== undefined) {
        const view = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
        const answer = acceptedContent(ctx.mcpReq.inputResponses, 'confirm', confirmSchema);
        if (view.kind === 'elicit' && (view.action !== 'accept' || answer?.confirm !== true)) {
          return textResult(`Not deleted: the user did not confirm deleting todo ${id}.`, {
            deleted: false,
            id,
          });
        }
        if (answer === undefined) {
          const todo = await mcp.todos.get(mcp.userId, id); // a missing todo is reported before the user is asked
          return inputRequired({
            inputRequests: {
              confirm: inputRequired.elicit({
                message: `Delete the todo ${quoted(todo.title)}? This cannot be undone.`,
                requestedSchema: confirmSchema,
              }),
            },
          });
        }
      }
      await mcp.todos.delete(writer(ctx), id, expectedVersion);
      return textResult(`Deleted todo ${id}.`, { deleted: true, id });
    }),
  );
}
