// The AuthorizationCodeRepository and OAuthGrantRepository contracts, run unchanged on SQLite
// and on PostgreSQL: codes are single use and refresh tokens rotate once, also when two
// requests (two processes, on PostgreSQL) race with the same one.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizationCodeRecord, OAuthClient, Store, User } from '../../src/repositories/types.ts';
import { ENGINES, openTestStore, type TestStore } from '../engines.ts';
import { addClient, addCode, addUser, at, grantFrom, HOUR, warm } from './fixtures.ts';

const RACERS = 20;

describe.each(ENGINES)('OAuth codes and grants on %s', (engine) => {
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

  /** A code exchanged for its grant, as the token endpoint does: the grant and its refresh token. */
  const exchanged = async (code?: AuthorizationCodeRecord, createdAt?: string) => {
    const used = code ?? (await addCode(store, alice.id, client.id));
    expect(await store.authorizationCodes.consume(used.codeHash, at(500))).toMatchObject({ replayed: false });
    const { grant, refresh } = grantFrom(used, createdAt);
    expect(await store.oauthGrants.create(grant, refresh, used.codeHash, 50)).toBe('created');
    return { grant, refresh, code: used };
  };

  const next = (createdAt = at(HOUR)) => ({
    tokenHash: randomUUID().replaceAll('-', ''),
    createdAt,
    expiresAt: at(31 * 24 * HOUR),
  });

  it('gives a code back once as unused, then as replayed, and misses an unknown one', async () => {
    const code = await addCode(store, alice.id, client.id, {
      scopes: ['todos:read'],
      resources: ['api', 'mcp'],
    });
    expect(await store.authorizationCodes.consume(code.codeHash, at(1))).toEqual({ code, replayed: false });
    expect(await store.authorizationCodes.consume(code.codeHash, at(2))).toEqual({ code, replayed: true });
    expect(await store.authorizationCodes.consume('f'.repeat(64), at(3))).toBeUndefined();
    expect(await store.authorizationCodes.consume('\0', at(3))).toBeUndefined();
  });

  it('gives one of many concurrent exchanges of a code the unused code, every other a replay', async () => {
    const code = await addCode(store, alice.id, client.id);
    await warm(store);
    const results = await Promise.all(
      Array.from({ length: RACERS }, () => store.authorizationCodes.consume(code.codeHash, at(1))),
    );
    expect(results.filter((result) => result?.replayed === false)).toHaveLength(1);
    expect(results.filter((result) => result?.replayed === true)).toHaveLength(RACERS - 1);
  });

  it('purges expired codes only', async () => {
    const expired = await addCode(store, alice.id, client.id, { expiresAt: at(60_000) });
    const fresh = await addCode(store, alice.id, client.id, { expiresAt: at(3 * 60_000) });
    await store.authorizationCodes.purgeExpired(at(2 * 60_000));
    expect(await store.authorizationCodes.consume(expired.codeHash, at())).toBeUndefined();
    expect(await store.authorizationCodes.consume(fresh.codeHash, at())).toMatchObject({ replayed: false });
  });

  it('creates a grant from a code, finds it while active, and lists it with its client', async () => {
    const { grant } = await exchanged();
    expect(await store.oauthGrants.find(grant.id)).toEqual(grant);
    expect(await store.oauthGrants.findActive(grant.id, at(HOUR))).toEqual(grant);
    expect(await store.oauthGrants.findActive(grant.id, grant.expiresAt)).toBeUndefined();
    expect(await store.oauthGrants.listActive(alice.id, at(HOUR))).toEqual([
      { ...grant, clientName: client.name, clientUri: client.uri },
    ]);
    expect(await store.oauthGrants.find(randomUUID())).toBeUndefined();
    expect(await store.oauthGrants.findActive('\0', at())).toBeUndefined();
  });

  it('lists only the person’s active grants, newest first', async () => {
    const older = await exchanged(undefined, at(1000));
    const newer = await exchanged(undefined, at(2000));
    const sameTime = await exchanged(undefined, at(2000));
    const revoked = await exchanged();
    await store.oauthGrants.revoke(alice.id, revoked.grant.id, at(3000));
    await exchanged(await addCode(store, (await addUser(store)).id, client.id));
    const listed = await store.oauthGrants.listActive(alice.id, at(HOUR));
    // Created at the same time, the id orders them, the same on every engine.
    const tied = [newer.grant.id, sameTime.grant.id].sort().reverse();
    expect(listed.map((grant) => grant.id)).toEqual([...tied, older.grant.id]);
  });

  it('creates no grant from a code that was replayed first', async () => {
    const code = await addCode(store, alice.id, client.id);
    await store.authorizationCodes.consume(code.codeHash, at(1));
    await store.authorizationCodes.consume(code.codeHash, at(2));
    const { grant, refresh } = grantFrom(code);
    expect(await store.oauthGrants.create(grant, refresh, code.codeHash, 50)).toBe('code_replayed');
    expect(await store.oauthGrants.find(grant.id)).toBeUndefined();
    expect(await store.oauthGrants.findByRefreshToken(refresh.tokenHash)).toBeUndefined();
  });

  it('never leaves an active grant behind a replay that races the exchange', async () => {
    for (let round = 0; round < 10; round++) {
      const code = await addCode(store, alice.id, client.id);
      await store.authorizationCodes.consume(code.codeHash, at(1)); // the first exchange
      const { grant, refresh } = grantFrom(code);
      await warm(store);
      // The first exchange creates its grant while a replay marks the code and revokes the grant.
      await Promise.all([
        store.oauthGrants.create(grant, refresh, code.codeHash, 50),
        (async () => {
          const replay = await store.authorizationCodes.consume(code.codeHash, at(2));
          if (replay?.replayed)
            await store.oauthGrants.revoke(replay.code.userId, replay.code.grantId, at(3));
        })(),
      ]);
      expect(await store.oauthGrants.findActive(grant.id, at(4))).toBeUndefined();
    }
  });

  it('revokes a grant once, keeping the first time', async () => {
    const { grant } = await exchanged();
    await store.oauthGrants.revoke(alice.id, grant.id, at(HOUR));
    await store.oauthGrants.revoke(alice.id, grant.id, at(2 * HOUR));
    expect(await store.oauthGrants.find(grant.id)).toEqual({ ...grant, revokedAt: at(HOUR) });
    expect(await store.oauthGrants.findActive(grant.id, at(HOUR))).toBeUndefined();
  });

  it('leaves a grant active when another person revokes it by its id', async () => {
    const { grant, refresh } = await exchanged();
    const bob = await addUser(store);
    await store.oauthGrants.revoke(bob.id, grant.id, at(HOUR));
    expect(await store.oauthGrants.find(grant.id)).toEqual(grant);
    expect(await store.oauthGrants.findActive(grant.id, at(HOUR))).toEqual(grant);
    expect(
      await store.oauthGrants.rotateRefreshToken(refresh.tokenHash, client.id, next(), at(HOUR)),
    ).toMatchObject({ outcome: 'rotated' });
  });

  it('rotates a refresh token once, moving the grant’s lapse; a second use is a replay', async () => {
    const { grant, refresh } = await exchanged();
    const second = next();
    expect(
      await store.oauthGrants.rotateRefreshToken(refresh.tokenHash, client.id, second, at(HOUR)),
    ).toEqual({
      outcome: 'rotated',
      grant: { ...grant, expiresAt: second.expiresAt, lastUsedAt: at(HOUR) },
    });
    expect(await store.oauthGrants.find(grant.id)).toMatchObject({
      expiresAt: second.expiresAt,
      lastUsedAt: at(HOUR),
    });
    expect(
      await store.oauthGrants.rotateRefreshToken(refresh.tokenHash, client.id, next(), at(HOUR)),
    ).toEqual({
      outcome: 'replayed',
      grantId: grant.id,
    });
    // The new token rotates in its turn; a spent one still names its grant (for revocation).
    expect(
      await store.oauthGrants.rotateRefreshToken(second.tokenHash, client.id, next(), at(2 * HOUR)),
    ).toMatchObject({
      outcome: 'rotated',
    });
    expect(await store.oauthGrants.findByRefreshToken(refresh.tokenHash)).toMatchObject({ id: grant.id });
  });

  it('gives one of many concurrent rotations of a refresh token the new token, every other a replay', async () => {
    const { grant, refresh } = await exchanged();
    await warm(store);
    const results = await Promise.all(
      Array.from({ length: RACERS }, () =>
        store.oauthGrants.rotateRefreshToken(refresh.tokenHash, client.id, next(), at(HOUR)),
      ),
    );
    expect(results.filter((result) => result.outcome === 'rotated')).toHaveLength(1);
    expect(results.filter((result) => result.outcome === 'replayed')).toEqual(
      Array.from({ length: RACERS - 1 }, () => ({ outcome: 'replayed', grantId: grant.id })),
    );
    const tokens = await opened.data.all<{ n: number }>(
      'SELECT count(*) AS n FROM oauth_refresh_tokens WHERE grant_id = ?',
      grant.id,
    );
    expect(tokens).toEqual([{ n: 2 }]);
  });

  it('refuses a refresh token of another client (without spending it), expired, unknown, or of a revoked or lapsed grant', async () => {
    const { grant, refresh } = await exchanged();
    const other = await addClient(store);
    const rotate = (hash: string, clientId: string, now: string) =>
      store.oauthGrants.rotateRefreshToken(hash, clientId, next(now), now);
    expect(await rotate(refresh.tokenHash, other.id, at(HOUR))).toEqual({ outcome: 'invalid' });
    expect(await rotate('e'.repeat(64), client.id, at(HOUR))).toEqual({ outcome: 'invalid' });
    expect(await rotate('\0', client.id, at(HOUR))).toEqual({ outcome: 'invalid' });
    expect(await rotate(refresh.tokenHash, client.id, refresh.expiresAt)).toEqual({ outcome: 'invalid' });
    expect(await rotate(refresh.tokenHash, client.id, at(HOUR))).toMatchObject({ outcome: 'rotated' });

    const lapsing = await exchanged();
    await store.oauthGrants.touch(lapsing.grant.id, at(2 * HOUR));
    expect(await store.oauthGrants.find(lapsing.grant.id)).toMatchObject({ lastUsedAt: at(2 * HOUR) });
    expect(await rotate(lapsing.refresh.tokenHash, client.id, lapsing.grant.expiresAt)).toEqual({
      outcome: 'invalid',
    });
    await store.oauthGrants.revoke(alice.id, grant.id, at(3 * HOUR));
    const revoked = await exchanged();
    await store.oauthGrants.revoke(alice.id, revoked.grant.id, at(3 * HOUR));
    expect(await rotate(revoked.refresh.tokenHash, client.id, at(4 * HOUR))).toEqual({ outcome: 'invalid' });
  });

  it('purges expired refresh tokens only', async () => {
    const { refresh } = await exchanged();
    const soon = { ...next(at(HOUR)), expiresAt: at(2 * HOUR) };
    const rotated = await exchanged();
    await store.oauthGrants.rotateRefreshToken(rotated.refresh.tokenHash, client.id, soon, at(HOUR));
    await store.oauthGrants.purgeExpired(at(3 * HOUR), at());
    expect(await store.oauthGrants.findByRefreshToken(soon.tokenHash)).toBeUndefined();
    expect(await store.oauthGrants.findByRefreshToken(refresh.tokenHash)).toBeDefined();
  });
});
