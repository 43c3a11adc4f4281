// The OAuthClientRepository, OAuthConsentRepository and WebSessionRepository contracts, run
// unchanged on SQLite and on PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, User } from '../../src/repositories/types.ts';
import { ENGINES, openTestStore, type TestStore } from '../engines.ts';
import { addClient, addCode, addUser, at, grantFrom, HOUR, oauthClient } from './fixtures.ts';

describe.each(ENGINES)('OAuth clients, consents and web sessions on %s', (engine) => {
  let opened: TestStore;
  let store: Store;
  let alice: User;

  beforeEach(async () => {
    opened = await openTestStore(engine);
    store = opened.store;
    alice = await addUser(store);
  });
  afterEach(() => opened.close());

  it('stores a registered client and finds it as stored, and misses an unknown or impossible id', async () => {
    const client = await addClient(store, { name: 'Claude ☕', uri: null });
    expect(await store.oauthClients.find(client.id)).toEqual(client);
    for (const id of [randomUUID(), 'a\0b', 'x'.repeat(3000)]) {
      expect(await store.oauthClients.find(id)).toBeUndefined();
    }
  });

  it('caches a metadata document, refreshing what it says but keeping when it was first seen', async () => {
    const url = 'https://host.example/oauth/client.json';
    const first = oauthClient({ id: url, source: 'metadata_document', expiresAt: at(HOUR) });
    await store.oauthClients.upsertDocument(first);
    const refreshed = {
      ...first,
      name: 'Renamed',
      uri: null,
      redirectUris: ['https://host.example/new'],
      createdAt: at(2 * HOUR),
      expiresAt: at(3 * HOUR),
    };
    await store.oauthClients.upsertDocument(refreshed);
    expect(await store.oauthClients.find(url)).toEqual({ ...refreshed, createdAt: first.createdAt });
  });

  it('never lets a metadata document overwrite a registered client of the same id', async () => {
    const registered = await addClient(store);
    await store.oauthClients.upsertDocument({ ...registered, source: 'metadata_document', name: 'Evil' });
    expect(await store.oauthClients.find(registered.id)).toEqual(registered);
  });

  it('keeps a registered client once used (it no longer lapses), and never a document', async () => {
    const registered = await addClient(store);
    const document = oauthClient({ id: 'https://d.example/c.json', source: 'metadata_document' });
    await store.oauthClients.upsertDocument(document);
    await store.oauthClients.keep(registered.id);
    await store.oauthClients.keep(document.id);
    expect(await store.oauthClients.find(registered.id)).toMatchObject({ expiresAt: null });
    expect(await store.oauthClients.find(document.id)).toMatchObject({ expiresAt: document.expiresAt });
  });

  it('purges lapsed clients that no grant refers to, and only those', async () => {
    const lapsed = await addClient(store, { expiresAt: at(HOUR) });
    const lapsedWithGrant = await addClient(store, { expiresAt: at(HOUR) });
    const current = await addClient(store, { expiresAt: at(3 * HOUR) });
    const kept = await addClient(store, { expiresAt: null });
    const code = await addCode(store, alice.id, lapsedWithGrant.id);
    const { grant, refresh } = grantFrom(code);
    expect(await store.oauthGrants.create(grant, refresh, code.codeHash, 50)).toBe('created');
    await store.oauthClients.purgeLapsed(at(2 * HOUR));
    expect(await store.oauthClients.find(lapsed.id)).toBeUndefined();
    for (const client of [lapsedWithGrant, current, kept]) {
      expect(await store.oauthClients.find(client.id)).toEqual(client);
    }
  });

  it('remembers, replaces and forgets a consent per person and client', async () => {
    const client = await addClient(store);
    expect(await store.oauthConsents.find(alice.id, client.id)).toBeUndefined();
    const consent = {
      userId: alice.id,
      clientId: client.id,
      scopes: ['todos:read'],
      resources: ['mcp' as const],
      createdAt: at(),
    };
    await store.oauthConsents.save(consent);
    expect(await store.oauthConsents.find(alice.id, client.id)).toEqual(consent);
    const wider = {
      ...consent,
      scopes: ['todos:read', 'todos:write'],
      resources: ['api' as const, 'mcp' as const],
      createdAt: at(HOUR),
    };
    await store.oauthConsents.save(wider);
    expect(await store.oauthConsents.find(alice.id, client.id)).toEqual(wider);
    const bob = await addUser(store);
    expect(await store.oauthConsents.find(bob.id, client.id)).toBeUndefined();
    await store.oauthConsents.forget(alice.id, client.id);
    expect(await store.oauthConsents.find(alice.id, client.id)).toBeUndefined();
    expect(await store.oauthConsents.find(alice.id, 'a\0b')).toBeUndefined();
  });

  it('finds a web session until it expires, and never after it was deleted or purged', async () => {
    const session = { idHash: 'a'.repeat(64), userId: alice.id, createdAt: at(), expiresAt: at(12 * HOUR) };
    const old = { idHash: 'b'.repeat(64), userId: alice.id, createdAt: at(), expiresAt: at(HOUR) };
    await store.webSessions.insert(session);
    await store.webSessions.insert(old);
    expect(await store.webSessions.findActive(session.idHash, at(11 * HOUR))).toEqual(session);
    expect(await store.webSessions.findActive(session.idHash, at(12 * HOUR))).toBeUndefined();
    expect(await store.webSessions.findActive('c'.repeat(64), at())).toBeUndefined();
    expect(await store.webSessions.findActive('\0', at())).toBeUndefined();
    await store.webSessions.purgeExpired(at(2 * HOUR));
    expect(await opened.data.all('SELECT id_hash FROM web_sessions')).toEqual([{ id_hash: session.idHash }]);
    await store.webSessions.delete(session.idHash);
    expect(await store.webSessions.findActive(session.idHash, at())).toBeUndefined();
  });
});
