// The bare addresses people try first: the site root, /api and /docs. None of them is a page
// yet, and a bare 404 there sent newcomers away; each now answers with where to go. This is
// the one place to change when the web app and the interactive docs land: then `/` serves the
// app, and `/api` and `/docs` point at /api/docs instead of the OpenAPI document and README.
import { Router } from 'express';

export function signposts(options: { publicUrl: string; api: boolean; mcp: boolean }): Router {
  const { publicUrl } = options;
  const answer = {
    name: 'todos',
    description: 'Your todos, for people over a REST API and for AI agents over MCP.',
    ...(options.api ? { openapi: `${publicUrl}/api/openapi.json` } : {}),
    ...(options.mcp ? { mcp: `${publicUrl}/mcp` } : {}),
    health: `${publicUrl}/health`,
    help:
      'The README beside the code walks through the API with curl and connects an agent to /mcp; ' +
      'the OpenAPI document describes every endpoint of /api.',
  };
  const router = Router();
  // Non-strict routing: `/api` also answers `/api/`.
  router.get(['/', '/docs', ...(options.api ? ['/api'] : [])], (_req, res) => {
    res.json(answer);
  });
  return router;
}
