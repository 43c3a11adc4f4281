import type { OAuthResource } from '../../repositories/types.ts';
import { SCOPES, type Scope } from '../auth-schemas.ts';
import type { TokenCodec } from '../token-codec.ts';
import { OAuthRequestError } from './oauth-errors.ts';

/**
 * RFC 8707 resource indicators: our `/mcp` and `/api` URLs are the only resources we issue
 * tokens for. A client that names none gets the MCP server, which is what the hosts this
 * authorization server exists for connect to.
 */
export function parseResources(tokens: TokenCodec, values: readonly string[]): OAuthResource[] {
  if (values.length === 0) return ['mcp'];
  const known: Record<string, OAuthResource> = {
    [tokens.resourceUrl('mcp')]: 'mcp',
    [tokens.resourceUrl('api')]: 'api',
  };
  const resources = new Set<OAuthResource>();
  for (const value of values) {
    const resource = known[value.endsWith('/') ? value.slice(0, -1) : value];
    if (!resource) {
      throw new OAuthRequestError(
        'invalid_target',
        `Tokens are issued only for ${tokens.resourceUrl('mcp')} and ${tokens.resourceUrl('api')}.`,
      );
    }
    resources.add(resource);
  }
  return [...resources];
}

/**
 * The scopes a client asked for, in our vocabulary. Hosts add scopes of their own
 * (`openid`, `offline_access`): they are ignored rather than refused (RFC 6749 §3.3 lets the
 * server grant less), and a request naming none of ours asks for all of them; the person
 * chooses on the consent page.
 */
export function parseScopes(value: string | undefined): Scope[] {
  const asked = new Set((value ?? '').split(' '));
  const ours = SCOPES.filter((scope) => asked.has(scope));
  return ours.length > 0 ? ours : [...SCOPES];
}

/** A subset check for narrowing at the token endpoint: asking for more than granted is refused. */
export function narrowTo<T extends string>(
  granted: readonly T[],
  asked: readonly string[],
  what: string,
): T[] {
  const extra = asked.find((item) => !(granted as readonly string[]).includes(item));
  if (extra !== undefined) {
    throw new OAuthRequestError(
      what === 'scope' ? 'invalid_scope' : 'invalid_target',
      `The grant does not include the ${what} ${JSON.stringify(extra)}.`,
    );
  }
  return granted.filter((item) => asked.includes(item));
}

/** Stored scope names back in our vocabulary (a grant only ever holds ours). */
export const toScopes = (values: readonly string[]): Scope[] =>
  SCOPES.filter((scope) => values.includes(scope));
