// createApp(deps): the whole HTTP surface as one Express app, built from services that
// main.ts (or a test) constructed. It never listens and never reads the environment.
import './http/express-types.ts';
import express, { type Express, Router } from 'express';
import type { Logger } from 'pino';
import { apiRouter } from './api/api-router.ts';
import { DOCS_PATH, docsRoutes } from './api/docs-routes.ts';
import type { EventStreamLimits } from './api/event-streams.ts';
import type { OAuthServices } from './compose.ts';
import { corsPolicy, onlyCrossOrigin } from './http/cors.ts';
import { HEALTH_PATH, healthRouter, type Lifecycle } from './http/health.ts';
import { trackInFlight } from './http/in-flight.ts';
import type { LiveConnections } from './http/live-connections.ts';
import { methodNotAllowedHandler, notFoundHandler, problemHandler } from './http/problem.ts';
import { requestLog } from './http/request-log.ts';
import { checkRequestTarget } from './http/request-target.ts';
import { securityHeaders } from './http/security-headers.ts';
import { signposts } from './http/signposts.ts';
import type { McpEndpoint } from './mcp/mcp-router.ts';
import { oauthRouter } from './oauth/oauth-router.ts';
import { PUBLIC_CORS_PATHS, publicCors } from './oauth/public-cors.ts';
import { cookiePolicy } from './pages/cookies.ts';
import { CsrfGuard } from './pages/csrf.ts';
import { WebSessionCookie } from './pages/web-session.ts';
import type { HealthProbe } from './repositories/types.ts';
import type { ActivityService } from './services/activity-service.ts';
import type { AgentTokenService } from './services/agent-token-service.ts';
import type { AuthService } from './services/auth-service.ts';
import type { ChangeFeed } from './services/change-feed.ts';
import type { TodoService } from './services/todo-service.ts';
import type { WebSessionService } from './services/web-session-service.ts';
import { webAppRoutes } from './web/web-app-routes.ts';

export interface AppDeps {
  auth: AuthService;
  agentTokens: AgentTokenService;
  todos: TodoService;
  oauth: OAuthServices;
  webSessions: WebSessionService;
  activity: ActivityService;
  changes: ChangeFeed;
  health: HealthProbe;
  logger: Logger;
  publicUrl: string;
  corsOrigins: readonly string[];
  /** Shared with main.ts, which sets `draining` on shutdown; tests may omit it. */
  lifecycle?: Lifecycle;
  /** Open streams and sessions, which a revocation here ends at once; tests may omit it. */
  connections?: LiveConnections | undefined;
  /** Express's `trust proxy`: how the client address (for login throttling) is found. */
  trustProxy?: string | number | undefined;
  /** Caps and heartbeat of GET /api/events; defaults when omitted. */
  events?: Partial<EventStreamLimits> | undefined;
  /** Serve /api, the authorization server, its pages and the web app (default true); a process may serve /mcp alone. */
  api?: boolean;
  /** The /mcp endpoint, built by the caller so that it can also close it; omitted when not served. */
  mcp?: McpEndpoint | undefined;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag'); // ETags are our todos' versions, not hashes of bodies
  app.set('query parser', 'simple'); // flat key=value pairs; a repeated key becomes an array
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);

  const lifecycle = deps.lifecycle ?? { draining: false, inFlight: 0 };
  app.use(requestLog(deps.logger));
  app.use(checkRequestTarget);
  app.use(trackInFlight(lifecycle));
  app.use(securityHeaders);
  // The authorization server's public endpoints answer any origin; everything else follows the allow-list.
  app.use(onlyCrossOrigin(Router().use(PUBLIC_CORS_PATHS, publicCors).use(corsPolicy(deps.corsOrigins))));
  // A preflight the CORS policy did not answer (origin not allowed) ends here, without CORS headers.
  app.options('/{*path}', (_req, res) => {
    res.status(204).end();
  });

  app.use(HEALTH_PATH, healthRouter(deps.health, lifecycle, deps.logger));
  // The hottest paths first, each behind as few layers as possible: the two prefix layers of
  // the API reference and /api, then /mcp (an agent's call passes two layers before it), and
  // only then the pages' routes, which no agent or API client asks for. No two share a path.
  const api = deps.api ?? true;
  // Our pages' session cookie and form guard: the sign-in pages start a session, the web app
  // is served to it, and /api accepts it from the web app.
  const policy = cookiePolicy(deps.publicUrl);
  const session = new WebSessionCookie(deps.webSessions, policy);
  const csrf = new CsrfGuard(policy, deps.publicUrl);
  if (api) {
    app.use(DOCS_PATH, docsRoutes(deps.publicUrl));
    app.use(
      '/api',
      apiRouter({
        auth: deps.auth,
        agentTokens: deps.agentTokens,
        grants: deps.oauth.grants,
        todos: deps.todos,
        activity: deps.activity,
        changes: deps.changes,
        publicUrl: deps.publicUrl,
        session,
        connections: deps.connections,
        events: deps.events,
        onStreamError: (error) =>
          deps.logger.error({ errorName: (error as Error)?.name }, 'event stream failed'),
      }),
    );
  }
  if (deps.mcp) app.use(deps.mcp.router);
  if (api) {
    app.use(webAppRoutes({ cookie: session, csrf, publicUrl: deps.publicUrl }));
    app.use(
      oauthRouter({
        oauth: deps.oauth,
        webSessions: deps.webSessions,
        cookie: session,
        csrf,
        connections: deps.connections,
        publicUrl: deps.publicUrl,
        logger: deps.logger,
      }),
    );
  }
  app.use(signposts({ publicUrl: deps.publicUrl, api, mcp: deps.mcp !== undefined }));

  app.use(methodNotAllowedHandler);
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
