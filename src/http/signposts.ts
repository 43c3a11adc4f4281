// The bare addresses people try first: the site root, /api and /docs. None of them is a page,
// and a bare 404 there sent newcomers away; each answers with where to go: the interactive
// reference (/api/docs), the OpenAPI document, /mcp and the README. This is the one place to
// change when the web app lands: then `/` serves the app.
import { Router } from 'express';

export function signposts(options: { publicUrl: string; api: boolean; mcp: boolean }): Router {
  const { publicUrl } = options;
  const answer = {
    name: 'todos',
    description: 'Your todos, for people over a REST API and for AI agents over MCP.',
    ...(options.api ? { docs: `${publicUrl}/api/docs`, openapi: `${publicUrl}/api/openapi.json` } : {}),
    ...(options.mcp ? { mcp: `${publicUrl}/mcp` } : {}),
    health: `${publicUrl}/health`,
    help:
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
