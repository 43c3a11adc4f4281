import type { ClientRedirect } from '../services/oauth/authorization-service.ts';
import type { OAuthRequestError } from '../services/oauth/oauth-errors.ts';
import { errorDescription } from './oauth-error-response.ts';

/**
 * The redirect back to the client (RFC 6749 §4.1.2): the code or the error, the client's
 * `state` unchanged, and our issuer as `iss` (RFC 9207) so a client talking to several
 * authorization servers can tell which one answered.
 */
export function redirectToClient(
  target: ClientRedirect,
  issuer: string,
  result: { code: string } | { error: OAuthRequestError },
): string {
  const url = new URL(target.redirectUri);
  if ('code' in result) {
    url.searchParams.set('code', result.code);
  } else {
    url.searchParams.set('error', result.error.code);
    url.searchParams.set('error_description', errorDescription(result.error.description));
  }
  if (target.state !== undefined) url.searchParams.set('state', target.state);
  url.searchParams.set('iss', issuer);
  return url.href;
}
