import { SCOPES } from './auth-schemas.ts';
import type { Principal } from './auth-service.ts';
import { ForbiddenError } from './errors.ts';

/**
 * Managing what others may do in a person's name (agent tokens, OAuth grants) needs that
 * person's full sign-in: both scopes, from the password grant or a web session. An agent's
 * token, an application's OAuth token or a narrowed sign-in cannot: a leaked one-hour
 * read-only token must not mint itself a 90-day token or revoke others' access.
 */
export function assertFullSignIn(caller: Principal, action: string): void {
  if (caller.kind === 'user' && SCOPES.every((scope) => caller.scopes.includes(scope))) return;
  const why =
    caller.kind === 'user'
      ? `this token is limited to ${caller.scopes.join(' ')}`
      : `this token was issued to ${caller.kind === 'agent' ? 'an agent' : 'an application'}`;
  throw new ForbiddenError(`To ${action}, sign in with your password without narrowing the scope: ${why}.`);
}
