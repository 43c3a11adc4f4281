// The bare addresses people try first: the site root, /api and /docs. A browser at `/` gets
// the web app (web/web-app-routes.ts, mounted before this); everyone else, curl and scripts
// included, gets an answer with where to go instead of a bare 404: the web app, the
// interactive reference (/api/docs), the OpenAPI document, /mcp and the README.
import { Router } from 'express';

export function signposts(options: { publicUrl: string; api: boolean; mcp: boolean }): Router {
  const { publicUrl } = options;
  const answer = {
    name: 'todos',
    description: 'Your todos, for people over a REST API and for AI agents over MCP.',
    ...(options.api
      ? { app: `${publicUrl}/`, docs: `${publicUrl}/api/docs`, openapi: `${publicUrl}/api/openapi.json` }
      : {}),
    ...(options.mcp ? { mcp: `${publicUrl}/mcp` } : {}),
    health: `${publicUrl}/health`,
    help:
      (options.api ? 'Open the app in a browser to use your todos and watch your agents at work. ' : '') +
      'The interactive reference (docs) tries every endpoint of /api in the browser; the README beside ' +
      'the code walks through the API with curl and connects an agent to /mcp.',
  };
  const router = Router();
  // Non-strict routing: `/api` also answers `/api/`.
  router.get(['/', '/docs', ...(options.api ? ['/api'] : [])], (_req, res) => {
    res.json(answer);
  });
  return router;
}
