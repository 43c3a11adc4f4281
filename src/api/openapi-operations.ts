// The building blocks of the OpenAPI path tables (openapi-auth-paths.ts, openapi-todo-paths.ts):
// references into components, request bodies, the error responses shared by status, and the
// security requirement of an operation.
import type { Scope } from '../services/auth-schemas.ts';
import { BODY_LIMIT } from './body.ts';
import type { SchemaName } from './openapi-schemas.ts';

export type Json = Record<string, unknown>;

export const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});
export const json = (schema: SchemaName, mediaTypes = ['application/json']) =>
  Object.fromEntries(mediaTypes.map((type) => [type, { schema: ref('schemas', schema) }]));
export const body = (schema: SchemaName, mediaTypes?: string[]) => ({
  required: true,
  content: json(schema, mediaTypes),
});

// Error responses shared by operations, by status. 409 differs per operation and is inline.
const challenge = { 'WWW-Authenticate': ref('headers', 'WWW-Authenticate') };
export const PROBLEMS = {
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

export const problem = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
});

// Every operation that lists errors touches the storage, so each may also answer 503.
export const errors = (...statuses: ErrorStatus[]) =>
  Object.fromEntries(
    [...statuses, 503 as const].map((status) => [status, ref('responses', PROBLEMS[status][0])]),
  );

/** Either scheme works; both carry the same JWT. An empty scope list means any valid token. */
export const secured = (scope?: Scope) => {
  const scopes = scope ? [scope] : [];
  return [{ bearerAuth: scopes }, { oauth2: scopes }];
};
