import { type Request, Router } from 'express';
import { passwordGrantSchema, registerSchema, tokenRequestSchema } from '../services/auth-schemas.ts';
import type { AuthService } from '../services/auth-service.ts';
import { type Authenticate, principalOf } from './authenticate.ts';
import { formBody, jsonBody, requireBodyType } from './body.ts';
import { parseInput } from './parse.ts';

export function authRoutes(auth: AuthService, authenticate: Authenticate): Router {
  const router = Router();

  router.post('/register', requireBodyType('json'), jsonBody, async (req, res) => {
    const user = await auth.register(parseInput(registerSchema, req.body, 'body'), clientAddress(req));
    res.status(201).json(user);
  });

  // JSON for our own clients; the form-encoded password grant for OAuth 2 clients and Swagger UI.
  router.post('/token', requireBodyType('json', 'form'), jsonBody, formBody, async (req, res) => {
    const input = req.is('application/x-www-form-urlencoded')
      ? parseInput(passwordGrantSchema, req.body, 'body')
      : parseInput(tokenRequestSchema, req.body, 'body');
    const token = await auth.login(
      { username: input.username, password: input.password, scope: input.scope },
      clientAddress(req),
    );
    res.json({
      access_token: token.accessToken,
      token_type: token.tokenType,
      expires_in: token.expiresIn,
      scope: token.scope,
    });
  });

  router.get('/me', authenticate(), async (req, res) => {
    res.json(await auth.getUser(principalOf(req).userId));
  });

  return router;
}

/** The socket's address, or the proxy-reported one when TRUST_PROXY says which proxies to believe. */
const clientAddress = (req: Request) => req.ip ?? 'unknown';
