// The SDK v2 client naming itself by a client ID metadata document (the 2025-11-25 spec's
// preferred way, as Claude, VS Code and Codex do): no registration at all, our pages in
// Chromium, then tool calls. The document is served over TLS on loopback, trusted through
// the development-only options.
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { type DocumentServer, makeCertificate, startDocumentServer } from '../oauth/document-server.ts';
import { BROWSER_TEST_TIMEOUT_MS, type Chromium, launchChromium } from './chromium.ts';
import { allowAs, BrowserOAuthProvider, CallbackServer } from './oauth-host.ts';

describe('the SDK client signs in through our pages (client ID metadata document)', {
  timeout: BROWSER_TEST_TIMEOUT_MS,
}, () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let chromium: Chromium;
  let callback: CallbackServer;
  let documents: DocumentServer;

  beforeAll(async () => {
    const certificate = makeCertificate();
    documents = await startDocumentServer(certificate);
    ctx = await createListeningContext({
      clientMetadata: { allowLoopback: true, extraCa: certificate.cert },
    });
    alice = await ctx.signUp();
    chromium = await launchChromium();
    callback = await CallbackServer.start();
  }, BROWSER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await chromium.close();
    await callback.close();
    await documents.close();
    await ctx.close();
  });

  it('uses its document URL as client_id, never registers, and calls tools after consent', async () => {
    const clientMetadataUrl = documents.publish('/oauth/sdk-host.json', (url) => ({
      client_id: url,
      client_name: 'SDK document host',
      redirect_uris: [callback.url],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }));
    const provider = new BrowserOAuthProvider({ browser: chromium.context, callback, clientMetadataUrl });
    provider.person = allowAs(alice.username);
    const url = new URL(`${ctx.base}/mcp`);
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
    const client = new Client(
      { name: 'oauth-host', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await expect(client.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.clientInformation()?.client_id).toBe(clientMetadataUrl);
    await first.finishAuth(provider.lastCallback ?? new URLSearchParams());
    provider.person = undefined;

    const connected = new Client(
      { name: 'oauth-host', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await connected.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    const created = await connected.callTool({
      name: 'create_todo',
      arguments: { title: 'Via a metadata document' },
    });
    expect(created.isError).toBeFalsy();
    await connected.close();
    expect(ctx.logs().some((line) => line.path === '/oauth/register')).toBe(false);
    expect(documents.hits('/oauth/sdk-host.json')).toBe(1);
  });
});
