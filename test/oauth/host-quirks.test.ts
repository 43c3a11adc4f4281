// What real hosts send, simulated: Claude Code's and VS Code's metadata documents and
// Cursor's dynamic registration, each carried through to tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { type DocumentServer, makeCertificate, startDocumentServer } from './document-server.ts';
import { authorizeAsPerson, authorizeUrl, pkce, registerClient, tokenRequest } from './oauth-helpers.ts';

describe('host quirks', () => {
  let documents: DocumentServer;
  let ctx: TestContext & { base: string };
  let alice: TestUser;

  beforeAll(async () => {
    const certificate = makeCertificate();
    documents = await startDocumentServer(certificate);
    ctx = await createListeningContext({
      clientMetadata: { allowLoopback: true, extraCa: certificate.cert },
    });
    alice = await ctx.signUp();
  });
  afterAll(async () => {
    await ctx.close();
    await documents.close();
  });

  /** Authorizes `clientId` with `redirectUri` as a person, then exchanges the code as the host would. */
  async function connect(clientId: string, redirectUri: string) {
    const { verifier, challenge } = pkce();
    const { location } = await authorizeAsPerson(
      authorizeUrl(ctx.base, { clientId, redirectUri, challenge, method: 'S256' }),
      alice,
    );
    expect(location.origin).toBe(new URL(redirectUri).origin);
    return tokenRequest(ctx.base, {
      grant_type: 'authorization_code',
      client_id: clientId,
      code: location.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      code_verifier: verifier,
      resource: `${ctx.base}/mcp`,
    });
  }

  it('Claude Code: a document with http://localhost/callback (no port, no application_type), used on a random port', async () => {
    const clientId = documents.publish('/oauth/claude-code-client-metadata', (url) => ({
      client_id: url,
      client_name: 'Claude Code',
      client_uri: 'https://claude.ai',
      redirect_uris: ['http://localhost/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }));
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const res = await connect(clientId, `http://localhost:${port}/callback`);
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeTruthy();
  });

  it('VS Code: a native document with http://127.0.0.1:33418', async () => {
    const clientId = documents.publish('/oauth/client-metadata.json', (url) => ({
      client_id: url,
      client_name: 'Visual Studio Code',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1:33418', 'https://vscode.dev/redirect'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }));
    const res = await connect(clientId, 'http://127.0.0.1:33418');
    expect(res.status).toBe(200);
  });

  it('Cursor: dynamic registration with cursor://, an https callback and a loopback one in one request', async () => {
    const { status, body, clientId } = await registerClient(ctx.base, {
      client_name: 'Cursor',
      redirect_uris: [
        'cursor://anysphere.cursor-mcp/oauth/callback',
        'https://www.cursor.com/agents/mcp/oauth/callback',
        'http://localhost:8787/callback',
      ],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(status).toBe(201);
    // The private-use scheme is dropped (our rule: https or loopback); the other two are kept.
    expect(body.redirect_uris).toEqual([
      'https://www.cursor.com/agents/mcp/oauth/callback',
      'http://localhost:8787/callback',
    ]);
    expect((await connect(clientId, 'http://localhost:8787/callback')).status).toBe(200);
    const privateUse = await fetch(
      authorizeUrl(ctx.base, {
        clientId,
        redirectUri: 'cursor://anysphere.cursor-mcp/oauth/callback',
        challenge: pkce().challenge,
        method: 'S256',
      }),
      { redirect: 'manual' },
    );
    expect(privateUse.status).toBe(400);
  });
});
