import { Router } from 'express';
import type { AuthService } from '../services/auth-service.ts';
import type { TodoService } from '../services/todo-service.ts';
import { authRoutes } from './auth-routes.ts';
import { openApiDocument } from './openapi.ts';
import { todoRoutes } from './todo-routes.ts';

export interface ApiDeps {
  auth: AuthService;
  todos: TodoService;
  publicUrl: string;
}

/** Everything under /api. Mount points are listed once here; the OpenAPI test walks them. */
export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  const document = openApiDocument(deps.publicUrl);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/auth', authRoutes(deps.auth));
  router.use('/todos', todoRoutes(deps.auth, deps.todos));
  return router;
}
