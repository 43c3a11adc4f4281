// The OpenAPI paths of accounts and tokens: registration, sign-in, the current user, the
// agent tokens a person mints, lists and revokes, and the OAuth grants they can withdraw.
import { body, errors, type Json, json, problem, ref, secured } from './openapi-operations.ts';

export function authPaths(): Json {
  return {
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
  };
}
