import { type Request, Router } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import type { OAuthGrantView } from '../repositories/types.ts';
import type { AuthService, Principal } from '../services/auth-service.ts';
import type { OAuthGrantService } from '../services/oauth/grant-service.ts';
import { bearerAuth } from './bearer.ts';
import { pathId } from './path-id.ts';

/** /api/auth/grants: what a signed-in person allowed OAuth clients, and taking it back. */
export function grantRoutes(
  auth: AuthService,
  grants: OAuthGrantService,
  connections?: LiveConnections | undefined,
): Router {
  const router = Router();
  const signedIn = bearerAuth(auth);

  router.get('/', signedIn, async (req, res) => {
    const items = (await grants.list(principal(req))).map(toView);
    res.json({ items });
  });

  router.delete('/:id', signedIn, async (req, res) => {
    const caller = principal(req);
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

function principal(req: Request): Principal {
  if (!req.principal) throw new Error('grant route reached without authentication');
  return req.principal;
}
