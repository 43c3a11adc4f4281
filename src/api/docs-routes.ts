// /api/docs: the interactive reference, Swagger UI rendering /api/openapi.json, served from
// our own origin (the files of the pinned swagger-ui-dist package, no CDN) under a
// Content-Security-Policy of its own: scripts and styles from this origin only, no inline
// script (the configuration is a file, docs-init.js), no eval. "Authorize" uses the OAuth 2
// password flow POST /api/auth/token already accepts. /api and /docs point here (src/http/signposts.ts).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type RequestHandler, Router } from 'express';

const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const FROM_SWAGGER_UI = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png'];

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>todos: API reference</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" sizes="32x32" href="/api/docs/favicon-32x32.png">
<link rel="icon" type="image/png" sizes="16x16" href="/api/docs/favicon-16x16.png">
</head>
<body>
<noscript><p>This reference needs JavaScript. The OpenAPI document it renders is <a href="/api/openapi.json">/api/openapi.json</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/docs-init.js"></script>
</body>
</html>
`;

// No top bar (it would load any document a visitor types in), no call to the public
// validator service: the page talks to this origin only.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  persistAuthorization: false,
});
`;

/** The page and its files may load from here only; requests may go here and to the public URL. */
function policy(publicUrl: string): string {
  const origin = new URL(publicUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${origin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const DOCS_PATH = '/api/docs';

export function docsRoutes(publicUrl: string): Router {
  const router = Router();
  const csp = policy(publicUrl);
  const headers: RequestHandler = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    next();
  };

  // Mounted at DOCS_PATH (one layer for every other request to pass); paths here are below it.
  router.get('/', headers, (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/docs-init.js', headers, (_req, res) => {
    res.type('text/javascript').send(INIT);
  });
  for (const name of FROM_SWAGGER_UI) {
    router.get(`/${name}`, headers, (_req, res) => {
      // Revalidated by ETag rather than never stored: 1.5 MB once, then 304s until it changes.
      res.sendFile(join(SWAGGER_UI, name), { headers: { 'Cache-Control': 'no-cache' } });
    });
  }

  return router;
}
