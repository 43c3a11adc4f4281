import { Router } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import type { WebSessionCookie } from '../pages/web-session.ts';
import type { ActivityService } from '../services/activity-service.ts';
import type { AgentTokenService } from '../services/agent-token-service.ts';
import type { AuthService } from '../services/auth-service.ts';
import { type ChangeFeed, ChangesByUser } from '../services/change-feed.ts';
import type { OAuthGrantService } from '../services/oauth/grant-service.ts';
import type { TodoService } from '../services/todo-service.ts';
import { activityRoutes, eventRoutes } from './activity-routes.ts';
import { agentTokenRoutes } from './agent-token-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { apiAuthentication } from './authenticate.ts';
import { type EventStreamLimits, EventStreams } from './event-streams.ts';
import { grantRoutes } from './grant-routes.ts';
import { openApiDocument } from './openapi.ts';
import { todoRoutes } from './todo-routes.ts';

export interface ApiDeps {
  auth: AuthService;
  agentTokens: AgentTokenService;
  grants: OAuthGrantService;
  todos: TodoService;
  activity: ActivityService;
  changes: ChangeFeed;
  publicUrl: string;
  /** The web app's session cookie, which /api accepts beside bearer tokens; bearer only when omitted. */
  session?: WebSessionCookie | undefined;
  connections?: LiveConnections | undefined;
  /** Caps and heartbeat of GET /api/events (defaults: 10,000 streams, 10 per user, 15 s). */
  events?: Partial<EventStreamLimits> | undefined;
  /** Where a failure inside an open event stream is reported (the stream itself just ends). */
  onStreamError?: ((error: unknown) => void) | undefined;
}

const EVENT_DEFAULTS: EventStreamLimits = { maxStreams: 10_000, maxStreamsPerUser: 10, heartbeatMs: 15_000 };

/**
 * The sub-routers of /api and where they are mounted, listed once: apiRouter mounts them in
 * this order, and the OpenAPI test walks them, since Express keeps no readable mount path.
 */
export function apiMounts(deps: ApiDeps): [path: string, router: Router][] {
  const authenticate = apiAuthentication({
    auth: deps.auth,
    session: deps.session,
    publicUrl: deps.publicUrl,
  });
  return [
    ['/auth/tokens', agentTokenRoutes(authenticate, deps.agentTokens, deps.connections)],
    ['/auth/grants', grantRoutes(authenticate, deps.grants, deps.connections)],
    ['/auth', authRoutes(deps.auth, authenticate)],
    ['/todos', todoRoutes(authenticate, deps.todos)],
    ['/activity', activityRoutes(authenticate, deps.activity)],
    [
      '/events',
      eventRoutes(
        authenticate,
        new EventStreams({
          activity: deps.activity,
          changes: new ChangesByUser(deps.changes),
          connections: deps.connections,
          limits: { ...EVENT_DEFAULTS, ...deps.events },
          onError: deps.onStreamError ?? (() => {}),
        }),
      ),
    ],
  ];
}

/** Everything under /api. */
export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  const document = openApiDocument(deps.publicUrl);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  for (const [path, mounted] of apiMounts(deps)) router.use(path, mounted);
  return router;
}
