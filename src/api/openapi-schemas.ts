// The bodies of the REST API as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), generated
// by zod from the schemas the handlers parse with, plus zod schemas for what the API returns.
// The response schemas are strict: the OpenAPI test parses real responses with them, so a
// field added to a response without being documented fails a test.
import { z } from 'zod';
import { TODO_FIELDS } from '../repositories/todo-change.ts';
import {
  createAgentTokenSchema,
  passwordGrantSchema,
  registerSchema,
  SCOPES,
  tokenRequestSchema,
  usernameSchema,
} from '../services/auth-schemas.ts';
import {
  createTodoSchema,
  listTodosSchema,
  patchTodoSchema,
  replaceTodoSchema,
  todoIdSchema,
} from '../services/todo-schemas.ts';

type JsonSchema = Record<string, unknown>;

const timestamp = (what: string) => z.iso.datetime().describe(`When the ${what}, in ISO 8601 (UTC).`);
const editable = replaceTodoSchema.shape;

export const todoSchema = z.strictObject({
  id: todoIdSchema,
  title: editable.title,
  description: editable.description.unwrap(),
  priority: editable.priority.unwrap(),
  completed: editable.completed.unwrap(),
  dueDate: editable.dueDate.unwrap(),
  createdAt: timestamp('todo was created'),
  updatedAt: timestamp('todo last changed'),
  version: z
    .int()
    .min(1)
    .describe('Starts at 1 and grows by one on every change. Sent as the ETag; send it back in If-Match.'),
});

export const todoPageSchema = z.strictObject({
  items: z.array(todoSchema).describe('At most `limit` todos, in the order asked for.'),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` (with the same filters and sort) for the next page; null on the last page.'),
});

export const userSchema = z.strictObject({
  id: z.uuid().describe('The user id (opaque).'),
  username: usernameSchema,
  createdAt: timestamp('account was created'),
});

export const tokenResponseSchema = z.strictObject({
  access_token: z.string().describe('A JWT to send as "Authorization: Bearer <token>" to /api and /mcp.'),
  token_type: z.literal('Bearer'),
  expires_in: z.int().min(1).describe('Seconds until the token expires.'),
  scope: z.string().describe('The granted scopes, space-separated.'),
});

export const agentTokenSchema = z.strictObject({
  id: z.uuid().describe('The token id: revoke with DELETE /api/auth/tokens/{id}.'),
  name: z.string().describe('What the token is for.'),
  scopes: z.array(z.enum(SCOPES)).describe('What the agent may do.'),
  audience: z.array(z.enum(['api', 'mcp'])).describe('Where the token is accepted.'),
  createdAt: timestamp('token was minted'),
  expiresAt: timestamp('token stops working'),
  lastUsedAt: timestamp('token was last used (to the minute)').nullable(),
  revokedAt: timestamp('token was revoked').nullable(),
});

export const mintedAgentTokenSchema = agentTokenSchema.extend({
  token: z.string().describe('The bearer token. Shown once: it is not stored and cannot be shown again.'),
});

export const agentTokenListSchema = z.strictObject({
  items: z
    .array(agentTokenSchema)
    .describe('Every token you minted, newest first, revoked and expired ones included.'),
});

export const grantSchema = z.strictObject({
  id: z.uuid().describe('The grant id: revoke with DELETE /api/auth/grants/{id}.'),
  clientId: z
    .string()
    .describe("The application's client_id: its metadata document's URL, or the id it registered with."),
  clientName: z.string().nullable().describe('The name the application gave itself (unverified).'),
  clientUri: z.string().nullable().describe('The home page the application gave (unverified).'),
  scopes: z.array(z.enum(SCOPES)).describe('What you allowed it to do.'),
  resources: z.array(z.enum(['api', 'mcp'])).describe('Where its tokens are accepted.'),
  createdAt: timestamp('you allowed it'),
  lastUsedAt: timestamp('it last refreshed or used its access (to the minute)').nullable(),
  expiresAt: timestamp('the grant lapses unless the application refreshes before then'),
});

export const grantListSchema = z.strictObject({
  items: z.array(grantSchema).describe('Your active grants, newest first.'),
});

export const activityEntrySchema = z.strictObject({
  id: z
    .int()
    .min(1)
    .describe(
      "The entry's position in your log: 1, 2, 3... in the order the changes were made. GET /api/events sends it as the event id.",
    ),
  at: timestamp('change was made'),
  todoId: todoIdSchema,
  action: z
    .enum(['created', 'updated', 'completed', 'reopened', 'deleted'])
    .describe('completed and reopened are updates that changed `completed` (whatever else they changed).'),
  fields: z
    .array(z.enum(TODO_FIELDS))
    .describe('The fields whose value changed (never the values); empty for created and deleted.'),
  version: z
    .int()
    .min(1)
    .describe('The version the todo reached (for deleted: the version it was deleted at).'),
  via: z.enum(['web', 'api', 'mcp']).describe('The interface the change came through.'),
  client: z
    .strictObject({
      kind: z
        .enum(['agent_token', 'oauth_client'])
        .describe(
          'What acted for you: an agent token you minted, or an application you allowed through OAuth.',
        ),
      id: z.string().describe("The agent token's id, or the application's client_id."),
      name: z.string().nullable().describe('Its name when the change was made.'),
    })
    .nullable()
    .describe('The agent acting for you; null when you made the change yourself.'),
});

export const activityPageSchema = z.strictObject({
  items: z.array(activityEntrySchema).describe('At most `limit` entries, newest first.'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for older entries; null on the last page.'),
});

/** RFC 9457 problem details; extension members depend on the kind of problem. */
export const problemSchema = z.looseObject({
  type: z.string().describe('A stable URN naming the kind of problem, e.g. urn:todos:problem:not-found.'),
  title: z.string().describe('A short, human summary of the kind of problem.'),
  status: z.int().min(400).max(599).describe('The HTTP status code.'),
  detail: z.string().optional().describe('What went wrong with this request.'),
  errors: z
    .array(
      z.strictObject({
        field: z.string().describe('The invalid field, as a dotted path ("" for the whole body).'),
        in: z.enum(['body', 'query', 'header']).optional(),
        detail: z.string(),
      }),
    )
    .optional()
    .describe('Every invalid field (validation-failed only).'),
  currentVersion: z
    .int()
    .min(1)
    .optional()
    .describe('The version the todo is at now (precondition-failed only).'),
  limit: z.int().min(1).optional().describe('The limit that was reached (quota-exceeded only).'),
  retryAfter: z
    .int()
    .min(1)
    .optional()
    .describe('Seconds to wait before retrying (rate-limited and temporarily-unavailable only).'),
});

const REQUESTS = {
  RegisterRequest: registerSchema,
  TokenRequest: tokenRequestSchema,
  PasswordGrantRequest: passwordGrantSchema,
  CreateTodo: createTodoSchema,
  ReplaceTodo: replaceTodoSchema,
  PatchTodo: patchTodoSchema,
  CreateAgentToken: createAgentTokenSchema,
};
const RESPONSES = {
  Todo: todoSchema,
  TodoPage: todoPageSchema,
  User: userSchema,
  TokenResponse: tokenResponseSchema,
  AgentToken: agentTokenSchema,
  MintedAgentToken: mintedAgentTokenSchema,
  AgentTokenList: agentTokenListSchema,
  Grant: grantSchema,
  GrantList: grantListSchema,
  ActivityEntry: activityEntrySchema,
  ActivityPage: activityPageSchema,
  Problem: problemSchema,
};
export type SchemaName = keyof typeof REQUESTS | keyof typeof RESPONSES;

/**
 * components.schemas. Requests are described as clients send them (`io: 'input'`: defaults
 * are optional), responses as the server sends them (`io: 'output'`). A local registry gives
 * each schema its name, so TodoPage refers to Todo instead of repeating it.
 */
export function componentSchemas(): Record<SchemaName, JsonSchema> {
  const schemas = {
    ...toJsonSchemas(REQUESTS, 'input'),
    ...toJsonSchemas(RESPONSES, 'output'),
  } as Record<SchemaName, JsonSchema>; // both halves are keyed by exactly these names
  // zod cannot express the refinement "at least one field"; for a JSON object this is it.
  schemas.PatchTodo = { ...schemas.PatchTodo, minProperties: 1 };
  return schemas;
}

function toJsonSchemas(named: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Each schema lives inside the OpenAPI document, which sets the dialect and the base URI.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _uri, ...schema }]) => [id, schema]),
  );
}

/** An OpenAPI parameter whose schema and description come from a zod schema. */
function parameter(name: string, location: 'path' | 'query', required: boolean, schema: JsonSchema) {
  const { description, ...rest } = schema;
  return { name, in: location, required, description, schema: rest };
}

/** A standalone schema, without the keywords of a top-level document. */
function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return json;
}

export const todoIdParameter = () => parameter('id', 'path', true, toJsonSchema(todoIdSchema));
export const grantIdParameter = () =>
  parameter('id', 'path', true, toJsonSchema(z.uuid().describe('The grant id.')));
export const agentTokenIdParameter = () =>
  parameter('id', 'path', true, toJsonSchema(z.uuid().describe('The agent token id.')));

/**
 * A list's filters as query parameters. Their schemas are those of the typed input (boolean,
 * integer: listTodosSchema) rather than of its query-string twin, whose every value is text:
 * OpenAPI serialises a typed query parameter as its text form (`completed=true`, `limit=20`).
 */
export function listQueryParameters(queryKeys: readonly string[], typed: z.ZodObject = listTodosSchema) {
  const { properties = {} } = z.toJSONSchema(typed, { io: 'input', target: 'draft-2020-12' });
  return queryKeys.map((name) => {
    const property = properties[name];
    if (typeof property !== 'object') throw new Error(`query parameter ${name} is missing from its schema`);
    return parameter(name, 'query', false, property);
  });
}
