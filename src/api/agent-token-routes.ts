import { Router } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import type { AgentToken } from '../repositories/types.ts';
import type { AgentTokenService } from '../services/agent-token-service.ts';
import { createAgentTokenSchema } from '../services/auth-schemas.ts';
import { type Authenticate, principalOf } from './authenticate.ts';
import { jsonBody, requireBodyType } from './body.ts';
import { parseInput } from './parse.ts';
import { pathId } from './path-id.ts';

/** /api/auth/tokens: a signed-in person mints, lists and revokes tokens for their agents. */
export function agentTokenRoutes(
  authenticate: Authenticate,
  agentTokens: AgentTokenService,
  connections?: LiveConnections,
): Router {
  const router = Router();
  const signedIn = authenticate();

  router.post('/', signedIn, requireBodyType('json'), jsonBody, async (req, res) => {
    const minted = await agentTokens.create(
      principalOf(req),
      parseInput(createAgentTokenSchema, req.body, 'body'),
    );
    res.status(201).location(`${req.baseUrl}/${minted.id}`).json(minted);
  });

  router.get('/', signedIn, async (req, res) => {
    const items: AgentToken[] = await agentTokens.list(principalOf(req));
    res.json({ items });
  });

  router.delete('/:id', signedIn, async (req, res) => {
    const caller = principalOf(req);
    await agentTokens.revoke(caller, pathId(req, 'Agent token'));
    // Streams and sessions opened with the token end now, not at the next heartbeat.
    await connections?.recheck(caller.userId);
    res.status(204).end();
  });

  return router;
}
