import cors from 'cors';

/**
 * CORS for the endpoints a browser-based MCP client (the Inspector's web UI, for one) calls
 * during discovery and token exchange: any origin, never credentials. They authenticate
 * nothing by cookie, so another site's script learns nothing it could not fetch itself.
 */
export const publicCors = cors({
  origin: '*',
  methods: ['GET', 'POST', 'OPTIONS'],
  allowedHeaders: ['Authorization', 'Content-Type', 'Mcp-Protocol-Version'],
  credentials: false,
  maxAge: 600,
});

export const PUBLIC_CORS_PATHS = [
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-authorization-server/{*path}',
  '/.well-known/oauth-protected-resource/{*path}',
  '/oauth/token',
  '/oauth/register',
  '/oauth/revoke',
];
