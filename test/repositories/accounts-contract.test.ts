// The UserRepository, AgentTokenRepository and HealthProbe contracts, run unchanged on SQLite
// and on PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentToken, Store, User } from '../../src/repositories/types.ts';
import { ENGINES, openTestStore, type TestStore } from '../engines.ts';
import { addUser } from './fixtures.ts';

const HOUR = 3_600_000;

function agentToken(overrides: Partial<AgentToken> = {}): AgentToken {
  return {
    id: randomUUID(),
    name: 'laptop',
    scopes: ['todos:read', 'todos:write'],
    audience: ['api', 'mcp'],
    createdAt: '2026-06-01T10:00:00.000Z',
    expiresAt: '2026-09-01T10:00:00.000Z',
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

describe.each(ENGINES)('accounts on %s', (engine) => {
  let opened: TestStore;
  let store: Store;

  beforeEach(async () => {
    opened = await openTestStore(engine);
    store = opened.store;
  });
  afterEach(() => opened.close());

  it('creates a user and finds it by id and by username in any case', async () => {
    const created = await store.users.create({
      id: randomUUID(),
      username: 'Alice.Liddell',
      passwordHash: 'hash-with-params',
      createdAt: '2026-01-02T03:04:05.678Z',
    });
    expect(created).toEqual({
      id: created?.id,
      username: 'Alice.Liddell',
      createdAt: '2026-01-02T03:04:05.678Z',
    });
    expect(await store.users.findById(created?.id ?? '')).toEqual(created);
    expect(await store.users.findByUsername('alice.liddell')).toEqual({
      ...created,
      passwordHash: 'hash-with-params',
    });
    expect(await store.users.findByUsername('nobody')).toBeUndefined();
    expect(await store.users.findById(randomUUID())).toBeUndefined();
  });

  it('refuses a username taken in another case, also when two registrations race', async () => {
    await addUser(store, 'bob_1');
    expect(
      await store.users.create({
        id: randomUUID(),
        username: 'BOB_1',
        passwordHash: 'x',
        createdAt: new Date().toISOString(),
      }),
    ).toBeUndefined();
    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.users.create({
          id: randomUUID(),
          username: i % 2 ? 'Carol' : 'carol',
          passwordHash: 'x',
          createdAt: new Date().toISOString(),
        }),
      ),
    );
    expect(racing.filter(Boolean)).toHaveLength(1);
  });

  describe('agent tokens', () => {
    let alice: User;
    let bob: User;
    beforeEach(async () => {
      [alice, bob] = await Promise.all([addUser(store), addUser(store)]);
    });

    it("lists a user's tokens newest first with every field, and no one else's", async () => {
      const older = agentToken({ name: 'older', audience: ['mcp'], scopes: ['todos:read'] });
      const newer = agentToken({ name: 'newer', createdAt: '2026-06-02T10:00:00.000Z' });
      expect(await store.agentTokens.insert(alice.id, older, 50)).toEqual(older);
      await store.agentTokens.insert(alice.id, newer, 50);
      await store.agentTokens.insert(bob.id, agentToken(), 50);
      expect(await store.agentTokens.list(alice.id)).toEqual([newer, older]);
    });

    it("finds a token only while it is its owner's, unrevoked and unexpired", async () => {
      const token = agentToken();
      await store.agentTokens.insert(alice.id, token, 50);
      const before = '2026-08-31T10:00:00.000Z';
      expect(await store.agentTokens.findActive(alice.id, token.id, before)).toEqual(token);
      expect(await store.agentTokens.findActive(bob.id, token.id, before)).toBeUndefined();
      expect(await store.agentTokens.findActive(alice.id, token.id, token.expiresAt)).toBeUndefined();
      expect(await store.agentTokens.revoke(bob.id, token.id, before)).toBe(false);
      expect(await store.agentTokens.revoke(alice.id, token.id, before)).toBe(true);
      expect(await store.agentTokens.revoke(alice.id, token.id, '2026-08-31T11:00:00.000Z')).toBe(true);
      expect(await store.agentTokens.findActive(alice.id, token.id, before)).toBeUndefined();
      expect((await store.agentTokens.list(alice.id))[0]?.revokedAt).toBe(before);
    });

    it('records when a token was last used', async () => {
      const token = agentToken();
      await store.agentTokens.insert(alice.id, token, 50);
      await store.agentTokens.touch(token.id, '2026-07-01T00:00:00.001Z');
      expect((await store.agentTokens.list(alice.id))[0]?.lastUsedAt).toBe('2026-07-01T00:00:00.001Z');
    });

    it('counts only live tokens against the cap', async () => {
      const now = Date.parse('2026-06-01T10:00:00.000Z');
      const at = (ms: number) => new Date(now + ms).toISOString();
      await store.agentTokens.insert(alice.id, agentToken({ expiresAt: at(HOUR) }), 2);
      const revoked = agentToken({ expiresAt: at(HOUR) });
      await store.agentTokens.insert(alice.id, revoked, 2);
      expect(await store.agentTokens.insert(alice.id, agentToken(), 2)).toBeUndefined();
      await store.agentTokens.revoke(alice.id, revoked.id, at(1));
      expect(await store.agentTokens.insert(alice.id, agentToken({ createdAt: at(2) }), 2)).toBeDefined();
      expect(
        await store.agentTokens.insert(alice.id, agentToken({ createdAt: at(2 * HOUR) }), 2),
      ).toBeDefined();
    });
  });

  it('answers the health probe with a real write', async () => {
    await expect(store.health.check()).resolves.toBeUndefined();
    expect(await opened.data.all('SELECT id FROM health_probe')).toEqual([{ id: 1 }]);
  });
});
