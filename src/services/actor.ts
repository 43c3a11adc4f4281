import type { Actor, Via } from '../repositories/types.ts';
import type { Principal } from './auth-service.ts';

/**
 * The actor an edge passes to a write: the person, or the agent token acting for them, and
 * the interface the request came through. An OAuth client's token adds its own case here.
 */
export function actorFor(principal: Principal, via: Via): Actor {
  switch (principal.kind) {
    case 'user':
      return { userId: principal.userId, via };
    case 'agent':
      return { userId: principal.userId, via, client: { kind: 'agent_token', id: principal.tokenId } };
    case 'oauth':
      // The application the person allowed through OAuth; its grant always names its client.
      return principal.clientId === undefined
        ? { userId: principal.userId, via }
        : { userId: principal.userId, via, client: { kind: 'oauth_client', id: principal.clientId } };
  }
}
