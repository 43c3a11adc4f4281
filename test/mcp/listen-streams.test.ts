// 2026-07-28 subscriptions/listen streams through the real client: each user may hold only a
// few, so that no one can take every slot, and the server-wide cap answers with an error that
// says what happened instead of the SDK's internal error (-32603).
import { ProtocolError } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect } from './mcp-helpers.ts';

const PER_USER = 2;
const TOTAL = 3;

type Subscription = Awaited<ReturnType<Connected['client']['listen']>>;

describe('subscriptions/listen streams', () => {
  let ctx: TestContext;
  let alice: Connected;
  let bob: Connected;
  let carol: TestUser;
  let base: string;
  const open: Subscription[] = [];

  beforeEach(async () => {
    ctx = createTestContext({ mcp: { maxListenStreamsPerUser: PER_USER, maxListenStreams: TOTAL } });
    const [a, b, c] = await Promise.all([ctx.signUp(), ctx.signUp(), ctx.signUp()]);
    carol = c;
    base = await ctx.listen();
    [alice, bob] = await Promise.all([connect(base, a, 'modern'), connect(base, b, 'modern')]);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscription) => subscription.close()));
    await Promise.all([alice.client.close(), bob.client.close()]);
    await ctx.close();
  });

  const listen = async (mcp: Connected): Promise<Subscription> => {
    const subscription = await mcp.client.listen({ toolsListChanged: true });
    open.push(subscription);
    return subscription;
  };
  const refusal = (mcp: Connected): Promise<unknown> =>
    listen(mcp).then(
      () => 'listening',
      (error: unknown) => error,
    );

  it('acknowledges a listen and keeps its stream open', async () => {
    const subscription = await listen(alice);
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
    let closed = false;
    void subscription.closed.then(() => {
      closed = true;
    });
    // A request on another connection is answered while the stream stays open.
    await alice.client.callTool({ name: 'get_all_todos', arguments: {} });
    expect(closed).toBe(false);
  });

  it("refuses a user's listen beyond their own cap with an error that names it", async () => {
    for (let i = 0; i < PER_USER; i++) await listen(alice);
    const refused = await refusal(alice);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(refused).toMatchObject({ code: -32000, data: { limit: PER_USER } });
    expect((refused as ProtocolError).message).toContain(`each user may hold ${PER_USER} at once`);
  });

  it('leaves other users their streams while one user holds all of theirs', async () => {
    for (let i = 0; i < PER_USER; i++) await listen(alice);
    await expect(refusal(alice)).resolves.toBeInstanceOf(ProtocolError);
    await expect(refusal(bob)).resolves.toBe('listening');
  });

  it('answers the server-wide cap with a clear error, not an internal error', async () => {
    for (let i = 0; i < PER_USER; i++) await listen(alice);
    await listen(bob);
    const refused = await refusal(bob);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(refused).toMatchObject({ code: -32000, data: { limit: TOTAL } });
    expect((refused as ProtocolError).message).toContain(`as many subscriptions as it can (${TOTAL})`);
  });

  it("gives a closed stream's place back to the next listen", async () => {
    const first = await listen(alice);
    await listen(alice);
    await expect(refusal(alice)).resolves.toBeInstanceOf(ProtocolError);
    await first.close();
    // The server counts the stream as closed once its connection is gone, a moment later.
    let outcome: unknown;
    for (let attempt = 0; attempt < 50 && outcome !== 'listening'; attempt++) {
      outcome = await refusal(alice);
      if (outcome !== 'listening') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(outcome).toBe('listening');
    // And a third user still finds no room beyond the server-wide cap.
    const carolMcp = await connect(base, carol, 'modern');
    try {
      await listen(bob);
      await expect(refusal(carolMcp)).resolves.toBeInstanceOf(ProtocolError);
    } finally {
      await carolMcp.client.close();
    }
  });
});
