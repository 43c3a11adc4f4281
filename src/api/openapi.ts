// The OpenAPI 3.1 document of /api, served at /api/openapi.json. Bodies and parameters come
// from the zod schemas the handlers parse with (openapi-schemas.ts); the path tables, by role,
// add what zod cannot know: paths, status codes, headers and security (openapi-auth-paths.ts,
// openapi-todo-paths.ts, openapi-activity-paths.ts). test/api/openapi.test.ts checks the document against the OpenAPI
// 3.1 schema and against the routes the app really mounts.
import packageJson from '../../package.json' with { type: 'json' };
import type { Scope } from '../services/auth-schemas.ts';
import { activityPaths } from './openapi-activity-paths.ts';
import { authPaths } from './openapi-auth-paths.ts';
import { type Json, PROBLEMS, problem } from './openapi-operations.ts';
import {
  agentTokenIdParameter,
  componentSchemas,
  grantIdParameter,
  todoIdParameter,
} from './openapi-schemas.ts';
import { todoPaths } from './openapi-todo-paths.ts';

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
    ...authPaths(),
    ...todoPaths(),
    ...activityPaths(),
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
