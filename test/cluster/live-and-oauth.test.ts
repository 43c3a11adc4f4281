// What else crosses processes on one PostgreSQL database: a change made through one process is
// heard on the event streams and MCP listen streams of another (LISTEN/NOTIFY), an OAuth
// authorization and its tokens work whichever process serves each step (the sign-in session,
// the consent, the code and the refresh tokens are all in the database), and the OAuth
// registration limit is one budget for every process.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { todoSchema } from '../../src/api/openapi-schemas.ts';
import { type Connected, connect } from '../mcp/mcp-helpers.ts';
import {
  authorizeUrl,
  Browser,
  CALLBACK,
  pkce,
  registerClient,
  statusOn,
  tokenRequest,
} from '../oauth/oauth-helpers.ts';
import { createDatabase, dropDatabase } from '../postgres/embedded-postgres.ts';
import { changeIds, openEvents } from '../sse-client.ts';
import { type Cluster, startCluster } from './cluster.ts';

const PASSWORD = 'correct horse battery staple';
let sequence = 0;

describe('live updates and OAuth across three processes', () => {
  const adminUrl = inject('postgresAdminUrl');
  let databaseUrl: string;
  let cluster: Cluster;

  beforeAll(async () => {
    databaseUrl = await createDatabase(adminUrl);
    cluster = await startCluster({ databaseUrl });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await dropDatabase(adminUrl, databaseUrl);
  });

  /** Process i's own address, bypassing the balancer. */
  const process = (i: number): string => {
    const url = cluster.direct[i];
    if (!url) throw new Error(`no process ${i}`);
    return url;
  };

  const json = async (base: string, method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };

  const signUp = async () => {
    const credentials = { username: `live_${++sequence}_${Date.now()}`, password: PASSWORD };
    expect((await json(process(0), 'POST', '/api/auth/register', credentials)).status).toBe(201);
    const issued = await json(process(1), 'POST', '/api/auth/token', credentials);
    return { username: credentials.username, token: String(issued.body.access_token) };
  };

  it('tells an event stream and a listen stream on one process of writes made through the others', async () => {
    const { token } = await signUp();
    const events = await openEvents(process(0), { token });
    let mcp: Connected | undefined;
    try {
      await events.until((received) => received.some((event) => event.event === 'ready'));
      mcp = await connect(process(0), { token }, 'modern');
      const updated: string[] = [];
      mcp.client.setNotificationHandler('notifications/resources/updated', (notification) => {
        updated.push(notification.params.uri);
      });
      const subscription = await mcp.client.listen({ resourceSubscriptions: ['todo://activity'] });

      const created = await json(process(2), 'POST', '/api/todos', { title: 'made on process 3' }, token);
      const { id } = todoSchema.parse(created.body);
      expect((await json(process(1), 'PATCH', `/api/todos/${id}`, { completed: true }, token)).status).toBe(
        200,
      );

      const received = await events.until((all) => changeIds(all).length >= 2);
      const changes = received
        .filter((event) => event.event === 'change')
        .map((event) => JSON.parse(event.data));
      expect(changes).toMatchObject([
        { id: 1, todoId: id, action: 'created', via: 'api' },
        { id: 2, todoId: id, action: 'completed', fields: ['completed'] },
      ]);
      const deadline = Date.now() + 5_000;
      while (updated.length < 2 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
      expect(updated).toEqual(['todo://activity', 'todo://activity']);
      await subscription.close();
    } finally {
      events.close();
      await mcp?.client.close();
    }
  });

  it('completes an OAuth authorization whose every step lands on another process, then refreshes and detects a replay elsewhere', async () => {
    const user = await signUp();
    const { clientId } = await registerClient(process(0));
    const { verifier, challenge } = pkce();
    // Each request of the person's browser goes to the next process in turn.
    let hop = 0;
    const next = (url: string) => {
      const moved = new URL(url, cluster.base);
      moved.host = new URL(process(hop++ % 3)).host;
      return moved.href;
    };
    const browser = new Browser();
    let url = next(
      authorizeUrl(cluster.base, { clientId, challenge, method: 'S256', resource: `${cluster.base}/mcp` }),
    );
    let code: string | null = null;
    for (let step = 0; step < 10 && code === null; step++) {
      let res = await browser.request(url);
      if (res.status === 200) {
        const page = await res.text();
        const form = page.includes('action="/oauth/sign-in"')
          ? { action: '/oauth/sign-in', fields: { username: user.username, password: PASSWORD } }
          : {
              action: '/oauth/consent',
              fields: { decision: 'allow', granted: ['todos:read', 'todos:write'] },
            };
        // The form is posted to yet another process than the one that showed it.
        res = await browser.submit(next(url), page, form.action, form.fields);
      }
      expect([302, 303], await res.clone().text()).toContain(res.status);
      const location = new URL(res.headers.get('location') ?? '', url);
      if (location.href.startsWith(CALLBACK)) code = location.searchParams.get('code');
      else url = next(location.href);
    }
    expect(hop).toBeGreaterThanOrEqual(4);
    if (!code) throw new Error('no code');

    const exchanged = await tokenRequest(process(hop++ % 3), {
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
    const first = {
      access: String(exchanged.body.access_token),
      refresh: String(exchanged.body.refresh_token),
    };
    expect((await statusOn(cluster.base, first.access)).mcp).toBe(200);

    const refreshed = await tokenRequest(process(hop++ % 3), {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: first.refresh,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const second = String(refreshed.body.access_token);
    expect((await statusOn(process(hop++ % 3), second)).mcp).toBe(200);

    // The spent refresh token presented to another process: a replay, and the grant is revoked.
    const replayed = await tokenRequest(process(hop++ % 3), {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: first.refresh,
    });
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ error: 'invalid_grant' });
    for (const i of [0, 1, 2]) expect((await statusOn(process(i), second)).mcp).toBe(401);
  });

  it('counts OAuth client registrations from one address across every process', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 36 }, async (_, i) => {
        const res = await fetch(`${cluster.base}/oauth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.30' },
          body: JSON.stringify({ client_name: `host ${i}`, redirect_uris: [CALLBACK] }),
        });
        await res.body?.cancel();
        return res.status;
      }),
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(30);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
  });
});
