import { type Request, Router } from 'express';
import type { AgentToken } from '../repositories/types.ts';
import type { AgentTokenService } from '../services/agent-token-service.ts';
import { createAgentTokenSchema } from '../services/auth-schemas.ts';
import type { AuthService, Principal } from '../services/auth-service.ts';
import { bearerAuth } from './bearer.ts';
import { jsonBody, requireBodyType } from './body.ts';
import { parseInput } from './parse.ts';
import { pathId } from './path-id.ts';

/** /api/auth/tokens: a signed-in person mints, lists and revokes tokens for their agents. */
export function agentTokenRoutes(auth: AuthService, agentTokens: AgentTokenService): Router {
  const router = Router();
  const signedIn = bearerAuth(auth);

  router.post('/', signedIn, requireBodyType('json'), jsonBody, async (req, res) => {
    const minted = await agentTokens.create(
      principal(req),
      parseInput(createAgentTokenSchema, req.body, 'body'),
    );
    res.status(201).location(`${req.baseUrl}/${minted.id}`).json(minted);
  });

  router.get('/', signedIn, async (req, res) => {
    const items: AgentToken[] = await agentTokens.list(principal(req));
    res.json({ items });
  });

  router.delete('/:id', signedIn, async (req, res) => {
    await agentTokens.revoke(principal(req), pathId(req, 'Agent token'));
    res.status(204).end();
  });

  return router;
}

function principal(req: Request): Principal {
  if (!req.principal) throw new Error('agent token route reached without authentication');
  return req.principal;
}
