import type { AuthorizationParams } from '../services/oauth/authorization-service.ts';
import { OAuthRequestError } from '../services/oauth/oauth-errors.ts';

const SINGLE = [
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'state',
] as const;

export interface ReadParams {
  params: AuthorizationParams;
  /** Parameters sent more than once, which RFC 6749 §3.1 forbids (only `resource` may repeat). */
  repeated: string[];
}

/** The authorization request's parameters from the query string or the consent form. */
export function readAuthorizationParams(source: Record<string, unknown>): ReadParams {
  const params: AuthorizationParams = { resource: [] };
  const repeated: string[] = [];
  for (const name of SINGLE) {
    const value = source[name];
    if (typeof value === 'string') params[name] = value;
    else if (Array.isArray(value)) repeated.push(name);
  }
  const resource = source.resource;
  if (typeof resource === 'string') params.resource = [resource];
  else if (Array.isArray(resource))
    params.resource = resource.filter((item) => typeof item === 'string').slice(0, 4);
  return { params, repeated };
}

/** A repeated client_id or redirect_uri leaves us no redirect URI to trust. */
export function refuseRepeated(read: ReadParams, which: 'target' | 'rest'): void {
  const target: string[] = read.repeated.filter((name) => name === 'client_id' || name === 'redirect_uri');
  const names = which === 'target' ? target : read.repeated.filter((name) => !target.includes(name));
  if (names.length > 0)
    throw new OAuthRequestError('invalid_request', `${names.join(', ')} must be sent once.`);
}

/** The query string of an authorization request, rebuilt from its parameters (for the consent page's URL). */
export function authorizationQuery(params: AuthorizationParams): string {
  const query = new URLSearchParams();
  for (const name of SINGLE) {
    const value = params[name];
    if (value !== undefined) query.set(name, value);
  }
  for (const resource of params.resource) query.append('resource', resource);
  return query.toString();
}
