// createApp(deps): the whole HTTP surface as one Express app, built from services that
// main.ts (or a test) constructed. It never listens and never reads the environment.
import './http/express-types.ts';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { apiRouter } from './api/api-router.ts';
import { corsPolicy } from './http/cors.ts';
import { healthRouter, type Lifecycle } from './http/health.ts';
import { notFoundHandler, problemHandler } from './http/problem.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { HealthProbe } from './repositories/types.ts';
import type { AuthService } from './services/auth-service.ts';
import type { TodoService } from './services/todo-service.ts';

export interface AppDeps {
  auth: AuthService;
  todos: TodoService;
  health: HealthProbe;
  logger: Logger;
  publicUrl: string;
  corsOrigins: readonly string[];
  /** Shared with main.ts, which sets `draining` on shutdown; tests may omit it. */
  lifecycle?: Lifecycle;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag'); // ETags are our todos' versions, not hashes of bodies
  app.set('query parser', 'simple'); // flat key=value pairs; a repeated key becomes an array

  app.use(requestLog(deps.logger));
  app.use(securityHeaders);
  app.use(corsPolicy(deps.corsOrigins));

  app.use(healthRouter(deps.health, deps.lifecycle ?? { draining: false }, deps.logger));
  app.use('/api', apiRouter({ auth: deps.auth, todos: deps.todos, publicUrl: deps.publicUrl }));

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
