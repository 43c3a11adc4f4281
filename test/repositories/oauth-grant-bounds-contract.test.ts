// The bounds of OAuthGrantRepository, run unchanged on SQLite and on PostgreSQL: how many
// active grants one person may hold (also when creations race, as two processes' token
// requests do on PostgreSQL), and how long a grant that ended is kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OAuthClient, OAuthGrant, Store, User } from '../../src/repositories/types.ts';
import { ENGINES, openTestStore, type TestStore } from '../engines.ts';
import { addClient, addCode, addUser, at, grantFrom, HOUR, warm } from './fixtures.ts';

const DAY = 24 * HOUR;

describe.each(ENGINES)('OAuth grant bounds on %s', (engine) => {
  let opened: TestStore;
  let store: Store;
  let alice: User;
  let client: OAuthClient;

  beforeEach(async () => {
    opened = await openTestStore(engine);
    store = opened.store;
    alice = await addUser(store);
    client = await addClient(store);
  });
  afterEach(() => opened.close());

  /**
   * A grant ready to be created from a fresh code of `userId`, used once: created at(1000)
   * and lapsing in 30 days unless `overrides` say otherwise.
   */
  const offer = async (overrides: Partial<OAuthGrant> = {}, userId = alice.id) => {
    const code = await addCode(store, userId, client.id);
    await store.authorizationCodes.consume(code.codeHash, at(500));
    const { grant, refresh } = grantFrom(code);
    return { grant: { ...grant, ...overrides }, refresh, codeHash: code.codeHash };
  };
  const createUnder = async (max: number, offered: Awaited<ReturnType<typeof offer>>) =>
    store.oauthGrants.create(offered.grant, offered.refresh, offered.codeHash, max);
  /** A grant created under a cap it cannot reach: its id. */
  const created = async (overrides: Partial<OAuthGrant> = {}, userId = alice.id) => {
    const offered = await offer(overrides, userId);
    expect(await createUnder(Number.MAX_SAFE_INTEGER, offered)).toBe('created');
    return offered.grant.id;
  };

  it('counts the person’s grants that are neither revoked nor lapsed', async () => {
    await store.oauthGrants.revoke(alice.id, await created(), at(HOUR));
    await created({ expiresAt: at(2 * HOUR) });
    await created();
    await created({}, (await addUser(store)).id);
    expect(await store.oauthGrants.countActive(alice.id, at(HOUR))).toBe(2);
    expect(await store.oauthGrants.countActive(alice.id, at(3 * HOUR))).toBe(1);
  });

  it('refuses a grant over the cap, counting only active grants, and writes nothing for it', async () => {
    const first = await created();
    await created();
    const refused = await offer();
    expect(await createUnder(2, refused)).toBe('over_cap');
    expect(await store.oauthGrants.find(refused.grant.id)).toBeUndefined();
    expect(await store.oauthGrants.findByRefreshToken(refused.refresh.tokenHash)).toBeUndefined();
    // Another person's grants are theirs: Bob is not at Alice's cap.
    expect(await createUnder(2, await offer({}, (await addUser(store)).id))).toBe('created');
    // A revoked grant makes room, and so does one lapsed by the new grant's creation.
    await store.oauthGrants.revoke(alice.id, first, at(600));
    expect(await createUnder(2, await offer({ createdAt: at(HOUR), expiresAt: at(2 * HOUR) }))).toBe(
      'created',
    );
    expect(await createUnder(2, await offer({ createdAt: at(HOUR) }))).toBe('over_cap');
    expect(await createUnder(2, await offer({ createdAt: at(3 * HOUR) }))).toBe('created');
  });

  it('lets exactly the cap’s worth of twenty concurrent grant creations for one person through', async () => {
    const cap = 5;
    const offers = await Promise.all(Array.from({ length: 20 }, () => offer()));
    await warm(store);
    const outcomes = await Promise.all(offers.map((offered) => createUnder(cap, offered)));
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(cap);
    expect(outcomes.filter((outcome) => outcome === 'over_cap')).toHaveLength(20 - cap);
    const stored = await opened.data.all<{ grants: number; tokens: number }>(
      `SELECT (SELECT count(*) FROM oauth_grants WHERE user_id = ?) AS grants,
        (SELECT count(*) FROM oauth_refresh_tokens) AS tokens`,
      alice.id,
    );
    expect(stored).toEqual([{ grants: cap, tokens: cap }]);
  });

  it('purges grants revoked or lapsed before the cutoff, with their refresh tokens, and keeps the rest', async () => {
    // Every refresh token lives 30 days, so only the grants' deletion can remove them here.
    const revokedBefore = await created();
    await store.oauthGrants.revoke(alice.id, revokedBefore, at(HOUR));
    const revokedSince = await created();
    await store.oauthGrants.revoke(alice.id, revokedSince, at(DAY + HOUR));
    const lapsedBefore = await created({ expiresAt: at(12 * HOUR) });
    const lapsedSince = await created({ expiresAt: at(DAY + HOUR) });
    const active = await created();

    await store.oauthGrants.purgeExpired(at(2 * DAY), at(DAY));
    const left = await opened.data.all<{ id: string; tokens: number }>(
      `SELECT g.id AS id, (SELECT count(*) FROM oauth_refresh_tokens t WHERE t.grant_id = g.id) AS tokens
       FROM oauth_grants g ORDER BY g.id`,
    );
    expect(left).toEqual([revokedSince, lapsedSince, active].sort().map((id) => ({ id, tokens: 1 })));
    const orphans = await opened.data.all(
      'SELECT token_hash FROM oauth_refresh_tokens WHERE grant_id IN (?, ?)',
      revokedBefore,
      lapsedBefore,
    );
    expect(orphans).toEqual([]);
  });
});
