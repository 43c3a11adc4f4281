import { SCOPES } from './auth-schemas.ts';
import type { Principal } from './auth-service.ts';
import { ForbiddenError } from './errors.ts';

/**
 * Managing what others may do in a person's name (agent tokens, OAuth grants) needs that
 * person signed in with every scope: a password sign-in token or a web session. An agent's
 * token, a client's OAuth token or a narrowed token cannot do it.
 */
export function assertFullSignIn(caller: Principal, what: string): void {
  if (caller.kind !== 'user' || !SCOPES.every((scope) => caller.scopes.includes(scope))) {
    throw new ForbiddenError(`Only you, signed in with your password and every scope, can manage ${what}.`);
  }
}
