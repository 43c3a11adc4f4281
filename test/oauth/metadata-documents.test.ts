// Client ID metadata documents: the client_id is an https URL we fetch (briefly, small, no
// redirects, cached), whose document must name itself; and the fetch is no SSRF vector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import {
  type DocumentServer,
  makeCertificate,
  startDocumentServer,
  type TestCertificate,
} from './document-server.ts';
import {
  authorizeAsPerson,
  authorizeUrl,
  CALLBACK,
  grantTokens,
  pkce,
  tokenRequest,
} from './oauth-helpers.ts';

const documentFor =
  (extra: Record<string, unknown> = {}) =>
  (url: string) => ({
    client_id: url,
    client_name: 'Document host',
    client_uri: 'https://host.example',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  });

describe('client ID metadata documents', () => {
  let certificate: TestCertificate;
  let documents: DocumentServer;
  let ctx: TestContext & { base: string };
  let alice: TestUser;

  beforeAll(async () => {
    certificate = makeCertificate();
    documents = await startDocumentServer(certificate);
    ctx = await createListeningContext({
      clientMetadata: { allowLoopback: true, extraCa: certificate.cert, timeoutMs: 1000 },
    });
    alice = await ctx.signUp();
  });
  afterAll(async () => {
    await ctx.close();
    await documents.close();
  });

  /** The answer to an authorization request from the client at `clientId`, unfollowed. */
  const ask = (clientId: string, redirectUri = CALLBACK) =>
    fetch(authorizeUrl(ctx.base, { clientId, redirectUri, challenge: pkce().challenge, method: 'S256' }), {
      redirect: 'manual',
    });

  const refusal = async (clientId: string) => {
    const res = await ask(clientId);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    return res.text();
  };

  it('accepts a client by its document and issues tokens to it, fetching the document once (cached)', async () => {
    const clientId = documents.publish('/good.json', documentFor());
    const granted = await grantTokens(ctx.base, alice, { clientId });
    expect(granted.body.token_type).toBe('Bearer');
    await ask(clientId);
    expect(documents.hits('/good.json')).toBe(1);
  });

  it('refuses a document whose client_id differs from its URL', async () => {
    const clientId = documents.publish('/impostor.json', () =>
      documentFor()('https://claude.ai/oauth/claude-code-client-metadata'),
    );
    expect(await refusal(clientId)).toContain('another client_id');
  });

  it('refuses a document that is too large', async () => {
    const clientId = documents.publish('/large.json', documentFor({ padding: 'x'.repeat(20_000) }));
    expect(await refusal(clientId)).toContain('too large');
  });

  it('refuses a document that is too slow to arrive', async () => {
    const clientId = documents.handle('/slow.json', (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 3000).unref();
    });
    expect(await refusal(clientId)).toContain('took too long');
  });

  it('does not follow a redirect from the document URL', async () => {
    const target = documents.publish('/target.json', documentFor());
    const clientId = documents.handle('/moved.json', (_req, res) =>
      res.writeHead(302, { location: target }).end(),
    );
    expect(await refusal(clientId)).toContain('status 302');
    expect(documents.hits('/target.json')).toBe(0);
  });

  it('refuses a document that lists a redirect URI and is then asked for another', async () => {
    const clientId = documents.publish('/narrow.json', documentFor());
    const res = await ask(clientId, 'https://evil.example/callback');
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses a document that wants a client secret', async () => {
    const clientId = documents.publish(
      '/secret.json',
      documentFor({ token_endpoint_auth_method: 'client_secret_basic' }),
    );
    expect(await refusal(clientId)).toContain('token_endpoint_auth_method must be none');
  });

  it('refuses client ids that are not https URLs with a path', async () => {
    await refusal(`${documents.origin}/`);
    await refusal(`${documents.origin.replace('https:', 'http:')}/doc.json`);
    await refusal(`${documents.origin}/a/../good.json`);
  });

  it('refuses a document on a loopback or private address when the option is off (the default)', async () => {
    const strict = await createListeningContext({
      clientMetadata: { allowLoopback: false, extraCa: certificate.cert },
    });
    try {
      const clientId = documents.publish('/strict.json', documentFor());
      for (const url of [
        clientId,
        clientId.replace('127.0.0.1', 'localhost'),
        'https://10.0.0.1/doc.json',
        'https://[fe80::1]/doc.json',
      ]) {
        const res = await fetch(
          authorizeUrl(strict.base, { clientId: url, challenge: pkce().challenge, method: 'S256' }),
          {
            redirect: 'manual',
          },
        );
        expect(res.status).toBe(400);
        expect(await res.text()).toContain('is on an address we do not contact');
      }
      expect(documents.hits('/strict.json')).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('completes the flow for a document client as a person would', async () => {
    const clientId = documents.publish('/person.json', documentFor());
    const { location } = await authorizeAsPerson(
      authorizeUrl(ctx.base, { clientId, challenge: pkce().challenge, method: 'S256' }),
      alice,
    );
    expect(location.searchParams.get('code')).toBeTruthy();
  });
});

describe('a metadata-document client whose document host stops answering', () => {
  let certificate: TestCertificate;
  let documents: DocumentServer;
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let clock = Date.now();

  beforeAll(async () => {
    certificate = makeCertificate();
    documents = await startDocumentServer(certificate);
    ctx = await createListeningContext({
      clientMetadata: { allowLoopback: true, extraCa: certificate.cert, timeoutMs: 1000 },
      now: () => clock,
    });
    alice = await ctx.signUp();
  });
  afterAll(async () => {
    await ctx.close();
    await documents.close();
  });

  const refresh = (clientId: string, refreshToken: string) =>
    tokenRequest(ctx.base, { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });

  it('keeps refreshing on the last valid document while its host is down, never invalid_client for an outage', async () => {
    const clientId = documents.publish('/flaky.json', documentFor());
    const granted = await grantTokens(ctx.base, alice, { clientId });
    clock += 16 * 60_000; // past the 15 minutes a document is cached
    documents.handle('/flaky.json', (_req, res) => res.writeHead(503).end());
    const during = await refresh(clientId, granted.refreshToken);
    expect(during.status).toBe(200);
    expect(documents.hits('/flaky.json')).toBeGreaterThan(1);
    // A document that answers but no longer names itself is a verdict, not an outage.
    documents.publish('/flaky.json', () => documentFor()('https://elsewhere.example/client.json'));
    const after = await refresh(clientId, String(during.body.refresh_token));
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('invalid_client');
  });
});
