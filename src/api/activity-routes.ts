import { type Request, Router } from 'express';
import { bearerToken } from '../http/bearer-token.ts';
import { listActivityQuerySchema } from '../services/activity-schemas.ts';
import type { ActivityService } from '../services/activity-service.ts';
import type { AuthService, Principal } from '../services/auth-service.ts';
import { bearerAuth } from './bearer.ts';
import type { EventStreams } from './event-streams.ts';
import { parseInput } from './parse.ts';

/** GET /api/activity: the caller's activity log, newest first, paged by cursor. */
export function activityRoutes(auth: AuthService, activity: ActivityService): Router {
  const router = Router();
  router.get('/', bearerAuth(auth, 'todos:read'), async (req, res) => {
    const query = parseInput(listActivityQuerySchema, req.query, 'query');
    res.json(await activity.list(principal(req).userId, query));
  });
  return router;
}

/**
 * GET /api/events: the caller's changes as server-sent events. Authenticated like every /api
 * route, from the Authorization header (never a token in the query string, which ends up in
 * logs); the web app's same-origin session cookie will set the principal at the same place.
 */
export function eventRoutes(auth: AuthService, streams: EventStreams): Router {
  const router = Router();
  router.get('/', bearerAuth(auth, 'todos:read'), async (req, res) => {
    await streams.serve(req, res, principal(req), bearerToken(req.get('authorization')) ?? '');
  });
  return router;
}

function principal(req: Request): Principal {
  if (!req.principal) throw new Error('activity route reached without authentication');
  return req.principal;
}
