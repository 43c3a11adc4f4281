// The OpenAPI 3.1 document of /api, served at /api/openapi.json. Bodies and parameters come
// from the zod schemas the handlers parse with (openapi-schemas.ts); this file adds what
// zod cannot know: paths, status codes, headers and security. test/api/openapi.test.ts checks
// it against the OpenAPI 3.1 schema and against the routes the app really mounts.
import packageJson from '../../package.json' with { type: 'json' };
import { listActivityQuerySchema, listActivitySchema } from '../services/activity-schemas.ts';
import type { Scope } from '../services/auth-schemas.ts';
import { listTodosQuerySchema } from '../services/todo-schemas.ts';
import { BODY_LIMIT } from './body.ts';
import {
  agentTokenIdParameter,
  componentSchemas,
  grantIdParameter,
  listQueryParameters,
  type SchemaName,
  todoIdParameter,
} from './openapi-schemas.ts';

type Json = Record<string, unknown>;

const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});
const json = (schema: SchemaName, mediaTypes = ['application/json']) =>
  Object.fromEntries(mediaTypes.map((type) => [type, { schema: ref('schemas', schema) }]));
const body = (schema: SchemaName, mediaTypes?: string[]) => ({
  required: true,
  content: json(schema, mediaTypes),
});

// Error responses shared by operations, by status. 409 differs per operation and is inline.
const challenge = { 'WWW-Authenticate': ref('headers', 'WWW-Authenticate') };
const PROBLEMS = {
  400: [
    'BadRequest',
    'The request is not valid: malformed JSON, or unknown or invalid fields (each listed in `errors`).',
  ],
  401: [
    'Unauthorized',
    'The access token is missing, invalid or expired, or the credentials are wrong.',
    challenge,
  ],
  403: ['Forbidden', 'The token does not grant the scope this operation needs.', challenge],
  404: ['NotFound', "No such todo (another user's todo is reported exactly like a missing one)."],
  412: [
    'PreconditionFailed',
    'If-Match names a version the todo is no longer at; `currentVersion` says which.',
  ],
  413: ['PayloadTooLarge', `The body is too large (a JSON body may have at most ${BODY_LIMIT}).`],
  415: ['UnsupportedMediaType', 'The body has a media type this operation does not accept.'],
  429: [
    'TooManyRequests',
    'Too many failed sign-ins, or new accounts, from this address (or sign-ins for this username); wait as Retry-After says.',
    { 'Retry-After': ref('headers', 'Retry-After') },
  ],
  503: [
    'ServiceUnavailable',
    'The storage cannot read or keep data right now (nothing was changed); retry as Retry-After says.',
    { 'Retry-After': ref('headers', 'Retry-After') },
  ],
} satisfies Record<number, [name: string, description: string, headers?: Json]>;
type ErrorStatus = keyof typeof PROBLEMS;

const problem = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
});

// Every operation that lists errors touches the storage, so each may also answer 503.
const errors = (...statuses: ErrorStatus[]) =>
  Object.fromEntries(
    [...statuses, 503 as const].map((status) => [status, ref('responses', PROBLEMS[status][0])]),
  );

const todoResponse = (description: string, extraHeaders: Json = {}) => ({
  description,
  headers: { ETag: ref('headers', 'ETag'), ...extraHeaders },
  content: json('Todo'),
});

/** Either scheme works; both carry the same JWT. An empty scope list means any valid token. */
const secured = (scope?: Scope) => {
  const scopes = scope ? [scope] : [];
  return [{ bearerAuth: scopes }, { oauth2: scopes }];
};

const todoParameters = [ref('parameters', 'TodoId')];
const conditionalParameters = [...todoParameters, ref('parameters', 'IfMatch')];

function paths(): Json {
  return {
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['meta'],
        summary: 'This document',
        responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } } },
      },
    },
    '/api/auth/register': {
      post: {
        operationId: 'register',
        tags: ['auth'],
        summary: 'Create an account',
        requestBody: body('RegisterRequest'),
        responses: {
          201: { description: 'The account (never the password).', content: json('User') },
          ...errors(400, 413, 415, 429),
          409: problem('The username is taken (usernames are case-insensitive).'),
        },
      },
    },
    '/api/auth/token': {
      post: {
        operationId: 'issueToken',
        tags: ['auth'],
        summary: 'Exchange a username and password for an access token',
        description:
          'Send JSON, or the OAuth 2 password grant form-encoded (RFC 6749 §4.3). An unknown user and a wrong password get the same 401.',
        requestBody: {
          required: true,
          content: {
            ...json('TokenRequest'),
            ...json('PasswordGrantRequest', ['application/x-www-form-urlencoded']),
          },
        },
        responses: {
          200: { description: 'An access token.', content: json('TokenResponse') },
          ...errors(400, 401, 413, 415, 429),
        },
      },
    },
    '/api/auth/me': {
      get: {
        operationId: 'getCurrentUser',
        tags: ['auth'],
        summary: 'The account the token belongs to',
        security: secured(),
        responses: { 200: { description: 'The account.', content: json('User') }, ...errors(401) },
      },
    },
    '/api/auth/tokens': {
      post: {
        operationId: 'mintAgentToken',
        tags: ['auth'],
        summary: 'Mint a long-lived, narrowly scoped token for one agent',
        description:
          'Only a full sign-in token from POST /api/auth/token (both scopes, not narrowed with `scope`) may mint, list and revoke agent tokens. The new token is shown once.',
        security: secured(),
        requestBody: body('CreateAgentToken'),
        responses: {
          201: { description: 'The token and its record.', content: json('MintedAgentToken') },
          ...errors(400, 401, 403, 413, 415),
          409: problem('You hold the maximum number of active agent tokens; `limit` says how many.'),
        },
      },
      get: {
        operationId: 'listAgentTokens',
        tags: ['auth'],
        summary: 'Your agent tokens (never the tokens themselves)',
        security: secured(),
        responses: {
          200: { description: 'Your agent tokens.', content: json('AgentTokenList') },
          ...errors(401, 403),
        },
      },
    },
    '/api/auth/tokens/{id}': {
      delete: {
        operationId: 'revokeAgentToken',
        tags: ['auth'],
        summary: 'Revoke an agent token: both interfaces refuse it from the next request on',
        security: secured(),
        parameters: [ref('parameters', 'AgentTokenId')],
        responses: { 204: { description: 'Revoked.' }, ...errors(401, 403, 404) },
      },
    },
    '/api/auth/grants': {
      get: {
        operationId: 'listGrants',
        tags: ['auth'],
        summary: 'The applications you allowed through OAuth (the sign-in and consent pages)',
        description:
          'Only a sign-in token with every scope (from POST /api/auth/token) may list and revoke grants; an agent or OAuth token gets 403.',
        security: secured(),
        responses: {
          200: { description: 'Your active grants.', content: json('GrantList') },
          ...errors(401, 403),
        },
      },
    },
    '/api/auth/grants/{id}': {
      delete: {
        operationId: 'revokeGrant',
        tags: ['auth'],
        summary:
          'Revoke a grant: its refresh token at once, its access tokens from their next request on (/api and /mcp); the application must ask you again',
        security: secured(),
        parameters: [ref('parameters', 'GrantId')],
        responses: { 204: { description: 'Revoked.' }, ...errors(401, 403, 404) },
      },
    },
    '/api/todos': {
      get: {
        operationId: 'listTodos',
        tags: ['todos'],
        summary: 'List your todos, filtered, sorted and paged by cursor',
        security: secured('todos:read'),
        parameters: listQueryParameters(Object.keys(listTodosQuerySchema.shape)),
        responses: {
          200: { description: 'One page of todos.', content: json('TodoPage') },
          ...errors(400, 401, 403),
        },
      },
      post: {
        operationId: 'createTodo',
        tags: ['todos'],
        summary: 'Create a todo',
        security: secured('todos:write'),
        requestBody: body('CreateTodo'),
        responses: {
          201: todoResponse('The new todo, at version 1.', { Location: ref('headers', 'Location') }),
          ...errors(400, 401, 403, 413, 415),
          409: problem('You have reached the maximum number of todos; `limit` says how many.'),
        },
      },
    },
    '/api/todos/{id}': {
      get: {
        operationId: 'getTodo',
        tags: ['todos'],
        summary: 'Get a todo',
        security: secured('todos:read'),
        parameters: todoParameters,
        responses: { 200: todoResponse('The todo.'), ...errors(401, 403, 404) },
      },
      put: {
        operationId: 'replaceTodo',
        tags: ['todos'],
        summary: 'Replace every editable field of a todo (fields left out return to their defaults)',
        security: secured('todos:write'),
        parameters: conditionalParameters,
        requestBody: body('ReplaceTodo'),
        responses: {
          200: todoResponse('The todo, one version on.'),
          ...errors(400, 401, 403, 404, 412, 413, 415),
        },
      },
      patch: {
        operationId: 'patchTodo',
        tags: ['todos'],
        summary: 'Change some fields of a todo (JSON merge patch: `dueDate: null` clears the due date)',
        security: secured('todos:write'),
        parameters: conditionalParameters,
        requestBody: body('PatchTodo', ['application/json', 'application/merge-patch+json']),
        responses: {
          200: todoResponse('The todo, one version on.'),
          ...errors(400, 401, 403, 404, 412, 413, 415),
        },
      },
      delete: {
        operationId: 'deleteTodo',
        tags: ['todos'],
        summary: 'Delete a todo',
        security: secured('todos:write'),
        parameters: conditionalParameters,
        responses: { 204: { description: 'Deleted.' }, ...errors(400, 401, 403, 404, 412) },
      },
    },
    '/api/activity': {
      get: {
        operationId: 'listActivity',
        tags: ['activity'],
        summary: 'Who changed your todos: the activity log, newest first, paged by cursor',
        description:
          'Every create, update and delete, with the interface it came through (web, api, mcp) and the agent token acting for you, if any. Field names only, never values. Kept for a bounded number of entries and days.',
        security: secured('todos:read'),
        parameters: listQueryParameters(Object.keys(listActivityQuerySchema.shape), listActivitySchema),
        responses: {
          200: { description: 'One page of the log.', content: json('ActivityPage') },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/events': {
      get: {
        operationId: 'streamEvents',
        tags: ['activity'],
        summary: 'Your changes, live, as server-sent events',
        description: [
          'A `text/event-stream` that stays open. Events:',
          '- `change`: one entry of the activity log as JSON (the ActivityEntry schema); its `id:` is the entry id.',
          '- `ready`: sent once caught up, `data: {"latest": <id>}`; its `id:` is where you are.',
          '- `reload`: what you missed is no longer kept (or `Last-Event-ID` is not from here): reload your data; `data: {"latest": <id>, "reason": "..."}`.',
          'Lines starting with `:` are heartbeats. Reconnect with `Last-Event-ID` (EventSource does it for you) to get exactly what you missed, without gaps or duplicates. Each account may hold a few streams at once.',
        ].join('\n'),
        security: secured('todos:read'),
        parameters: [
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'The id of the last event you received: the stream starts with what came after it.',
            schema: { type: 'string', examples: ['42'] },
          },
        ],
        responses: {
          200: {
            description: 'The stream of events.',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errors(401, 403),
          429: problem('You hold as many event streams as an account may; close one first.', {
            'Retry-After': ref('headers', 'Retry-After'),
          }),
          503: problem('The server is shutting down, or holds as many streams as it can: reconnect shortly.'),
        },
      },
    },
  };
}

export function openApiDocument(publicUrl: string): Json {
  const scopes: Record<Scope, string> = {
    'todos:read': 'Read your todos.',
    'todos:write': 'Create, change and delete your todos.',
  };
  return {
    openapi: '3.1.1',
    info: {
      title: 'todos',
      version: packageJson.version,
      description:
        'A todo list for people and agents. This REST API serves web and mobile clients; AI agents use the MCP server at /mcp over the same data. Get a token from `POST /api/auth/token` and send it as `Authorization: Bearer <token>` (in the interactive reference at /api/docs, "Authorize" does both).',
    },
    servers: [{ url: publicUrl }],
    tags: [
      { name: 'auth', description: 'Accounts and access tokens' },
      { name: 'todos', description: "The caller's todos" },
      { name: 'activity', description: 'Who changed what, and live changes' },
      { name: 'meta', description: 'About the API' },
    ],
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      responses: Object.fromEntries(
        Object.values(PROBLEMS).map(([name, description, headers]) => [name, problem(description, headers)]),
      ),
      parameters: {
        TodoId: todoIdParameter(),
        AgentTokenId: agentTokenIdParameter(),
        GrantId: grantIdParameter(),
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description:
            'The ETag you last received (e.g. "3"). The write is refused with 412 if the todo has changed since; without it the write is unconditional.',
          schema: { type: 'string', examples: ['"3"'] },
        },
      },
      headers: {
        ETag: {
          description: 'The todo version as a strong entity tag, e.g. "3".',
          schema: { type: 'string' },
        },
        Location: { description: 'The path of the new todo.', schema: { type: 'string' } },
        'WWW-Authenticate': { description: 'A Bearer challenge (RFC 6750).', schema: { type: 'string' } },
        'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        oauth2: {
          type: 'oauth2',
          description:
            'The authorization code flow with PKCE (S256) of our authorization server (metadata at /.well-known/oauth-authorization-server), or the password grant for OAuth 2 clients and Swagger UI.',
          flows: {
            authorizationCode: {
              authorizationUrl: `${publicUrl}/oauth/authorize`,
              tokenUrl: `${publicUrl}/oauth/token`,
              refreshUrl: `${publicUrl}/oauth/token`,
              scopes,
            },
            password: { tokenUrl: `${publicUrl}/api/auth/token`, scopes },
          },
        },
      },
    },
  };
}
