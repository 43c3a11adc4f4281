import { Router } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import type { OAuthGrantView } from '../repositories/types.ts';
import type { OAuthGrantService } from '../services/oauth/grant-service.ts';
import { type Authenticate, principalOf } from './authenticate.ts';
import { pathId } from './path-id.ts';

/** /api/auth/grants: what a signed-in person allowed OAuth clients, and taking it back. */
export function grantRoutes(
  authenticate: Authenticate,
  grants: OAuthGrantService,
  connections?: LiveConnections | undefined,
): Router {
  const router = Router();
  const signedIn = authenticate();

  router.get('/', signedIn, async (req, res) => {
    const items = (await grants.list(principalOf(req))).map(toView);
    res.json({ items });
  });

  router.delete('/:id', signedIn, async (req, res) => {
    const caller = principalOf(req);
    await grants.revoke(caller, pathId(req, 'Grant'));
    // Streams and sessions the grant's access tokens opened end now, not at the next heartbeat.
    await connections?.recheck(caller.userId);
    res.status(204).end();
  });

  return router;
}

const toView = (grant: OAuthGrantView) => ({
  id: grant.id,
  clientId: grant.clientId,
  clientName: grant.clientName,
  clientUri: grant.clientUri,
  scopes: grant.scopes,
  resources: grant.resources,
  createdAt: grant.createdAt,
  lastUsedAt: grant.lastUsedAt,
  expiresAt: grant.expiresAt,
});
