// Streams and sessions end with the credentials that opened them: revoking an agent token
// (DELETE /api/auth/tokens/{id}) or an OAuth grant (DELETE /api/auth/grants/{id}) ends its
// 2025-era session and GET stream and its 2026-07-28 listen streams at once; a deleted user's
// are ended by the next heartbeat, which checks every open connection's token again (as it
// would after a revocation in another process).
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestContext, PUBLIC_URL, type TestContext, type TestUser } from '../helpers.ts';
import { grantTokens } from '../oauth/oauth-helpers.ts';
import { type Connected, connect } from './mcp-helpers.ts';
import { openGetStream, rawCaller, streamOutcome } from './raw-mcp.ts';

const HEARTBEAT_MS = 50;
const DEADLINE_MS = 5_000;

type Subscription = Awaited<ReturnType<Connected['client']['listen']>>;

/** What became of a stream within the deadline: how it ended, or that it is still open. */
const within = <T>(ending: Promise<T>): Promise<T | 'still open'> =>
  Promise.race([
    ending,
    new Promise<'still open'>((done) => setTimeout(() => done('still open'), DEADLINE_MS)),
  ]);

describe('open MCP streams and sessions when their credentials go', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let bob: TestUser;
  let base: string;
  const clients: Connected[] = [];

  /** The heartbeat is slower than the test unless given: what ends a stream then is the revocation itself. */
  async function start(recheckEveryMs = 10 * 60_000): Promise<void> {
    ctx = createTestContext({ recheckEveryMs });
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
    base = await ctx.listen();
  }
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((each) => each.client.close()));
    await ctx.close();
  });

  const mintAgentToken = async (owner: TestUser): Promise<{ id: string; token: string }> => {
    const res = await request(ctx.app)
      .post('/api/auth/tokens')
      .set(bearer(owner))
      .send({ name: 'agent', scopes: ['todos:read', 'todos:write'], audience: 'mcp', expiresIn: 3600 });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const revoke = async (owner: TestUser, id: string) => {
    const res = await request(ctx.app).delete(`/api/auth/tokens/${id}`).set(bearer(owner));
    expect(res.status).toBe(204);
  };
  /** A 2025-era session with its GET stream open, and how that stream ends. */
  const openSession = async (token: string) => {
    const session = await rawCaller(base, 'legacy', token);
    const stream = await openGetStream(base, token, session.sessionId ?? '');
    expect(stream.status).toBe(200);
    return { sessionId: session.sessionId, ended: streamOutcome(stream.body) };
  };
  const listen = async (token: string): Promise<Subscription> => {
    const connected = await connect(base, { token }, 'modern');
    clients.push(connected);
    return connected.client.listen({ toolsListChanged: true });
  };

  it('ends the 2025-era session and GET stream of an agent token when it is revoked', async () => {
    await start();
    const agent = await mintAgentToken(alice);
    const { ended } = await openSession(agent.token);
    expect(ctx.mcp.sessions?.size).toBe(1);
    await revoke(alice, agent.id);
    expect(await within(ended)).toBe('ended by the server');
    expect(ctx.mcp.sessions?.size).toBe(0);
  });

  it('ends the 2026-07-28 listen stream of an agent token when it is revoked', async () => {
    await start();
    const agent = await mintAgentToken(alice);
    const subscription = await listen(agent.token);
    await revoke(alice, agent.id);
    expect(await within(subscription.closed)).toBe('remote');
  });

  it('ends the 2026-07-28 listen stream of an OAuth grant when the person revokes the grant', async () => {
    await start();
    const granted = await grantTokens(base, alice, { resource: `${PUBLIC_URL}/mcp` });
    const subscription = await listen(granted.accessToken);
    const { items } = (await request(ctx.app).get('/api/auth/grants').set(bearer(alice))).body;
    const res = await request(ctx.app).delete(`/api/auth/grants/${items[0].id}`).set(bearer(alice));
    expect(res.status).toBe(204);
    expect(await within(subscription.closed)).toBe('remote');
  });

  it("ends every stream and session of a deleted user by the next heartbeat, and no one else's", async () => {
    await start(HEARTBEAT_MS);
    const { ended } = await openSession(alice.token);
    const subscription = await listen(alice.token);
    const bobs = await openSession(bob.token);
    let bobEnded = false;
    void bobs.ended.then(() => {
      bobEnded = true;
    });
    ctx.db.prepare('DELETE FROM users WHERE id = ?').run(alice.id);
    expect(await within(ended)).toBe('ended by the server');
    expect(await within(subscription.closed)).toBe('remote');
    await ctx.connections.recheck();
    expect(bobEnded).toBe(false);
    expect(ctx.mcp.sessions?.size).toBe(1);
  });

  it('keeps the other streams of a user whose one agent token is revoked', async () => {
    await start();
    const [kept, revoked] = await Promise.all([mintAgentToken(alice), mintAgentToken(alice)]);
    const keptSession = await openSession(kept.token);
    let keptEnded = false;
    void keptSession.ended.then(() => {
      keptEnded = true;
    });
    const { ended } = await openSession(revoked.token);
    await revoke(alice, revoked.id);
    expect(await within(ended)).toBe('ended by the server');
    await ctx.connections.recheck();
    expect(keptEnded).toBe(false);
    expect(ctx.mcp.sessions?.size).toBe(1);
  });
});
