import { Router } from 'express';
import { listActivityQuerySchema } from '../services/activity-schemas.ts';
import type { ActivityService } from '../services/activity-service.ts';
import { type Authenticate, principalOf } from './authenticate.ts';
import type { EventStreams } from './event-streams.ts';
import { parseInput } from './parse.ts';

/** GET /api/activity: the caller's activity log, newest first, paged by cursor. */
export function activityRoutes(authenticate: Authenticate, activity: ActivityService): Router {
  const router = Router();
  router.get('/', authenticate('todos:read'), async (req, res) => {
    const query = parseInput(listActivityQuerySchema, req.query, 'query');
    res.json(await activity.list(principalOf(req).userId, query));
  });
  return router;
}

/**
 * GET /api/events: the caller's changes as server-sent events. Authenticated like every /api
 * route: from the Authorization header (never a token in the query string, which ends up in
 * logs), or the web app's session cookie, which is what a browser's EventSource can send.
 */
export function eventRoutes(authenticate: Authenticate, streams: EventStreams): Router {
  const router = Router();
  router.get('/', authenticate('todos:read'), async (req, res) => {
    const credential = req.credential;
    if (!credential) throw new Error('the event route was reached without authentication');
    await streams.serve(req, res, principalOf(req), credential);
  });
  return router;
}
