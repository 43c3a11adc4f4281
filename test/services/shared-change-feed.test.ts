// The change feed across processes sharing one PostgreSQL database: two stores and two sets of
// services in this test process stand for two processes (each has its own pool and its own
// listening connection). A write through one reaches the listeners of both, once each, with
// ids only on the wire; a listener whose connection was lost hears what it missed.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createServices, type Services } from '../../src/compose.ts';
import type { ActivityEntry, Store } from '../../src/repositories/types.ts';
import { ChangesByUser } from '../../src/services/change-feed.ts';
import { openPostgresTestStore } from '../engines.ts';
import { by, PASSWORD, PUBLIC_URL, TEST_SECRET } from '../helpers.ts';
import { createDatabase, dropDatabase } from '../postgres/embedded-postgres.ts';
import { startTcpProxy, type TcpProxy } from '../postgres/tcp-proxy.ts';

const CONFIG = {
  publicUrl: PUBLIC_URL,
  tokenTtlSeconds: 3600,
  maxTodosPerUser: 1000,
  jwtSecret: TEST_SECRET,
};

/** Resolves once `check` holds, polling; rejects after five seconds. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('the change feed across processes (PostgreSQL)', () => {
  const adminUrl = inject('postgresAdminUrl');
  let url: string;
  let proxy: TcpProxy;
  let stores: Store[];
  let one: Services;
  let two: Services;
  let userId: string;

  beforeEach(async () => {
    url = await createDatabase(adminUrl);
    proxy = await startTcpProxy(url);
    // The second process reaches the database through a proxy the test can cut.
    stores = [await openPostgresTestStore(url), await openPostgresTestStore(proxy.url)];
    [one, two] = stores.map((store) => createServices(store, CONFIG)) as [Services, Services];
    userId = (await one.auth.register({ username: `feed_${Date.now()}`, password: PASSWORD }, 'test')).id;
  });
  afterEach(async () => {
    await proxy.restore();
    await Promise.all(stores.map((store) => store.close()));
    await proxy.close();
    await dropDatabase(adminUrl, url);
  });

  /** What `services`' listeners of the user hear, in order of arrival. */
  const listen = (services: Services) => {
    const heard: ActivityEntry[] = [];
    new ChangesByUser(services.changes).subscribe(userId, (event) => heard.push(event.entry));
    return heard;
  };

  it('delivers a write made through one process to the listeners of every process, once each, naming it by ids only', async () => {
    const wire = new pg.Client({ connectionString: url });
    await wire.connect();
    const payloads: string[] = [];
    wire.on('notification', (message) => payloads.push(message.payload ?? ''));
    await wire.query('LISTEN todos_changes');
    try {
      const [hereHeard, thereHeard] = [listen(one), listen(two)];
      await sleep(200); // both listening connections are up
      const todo = await one.todos.create(by({ id: userId }), { title: 'A title that never travels' });
      await one.todos.patch(by({ id: userId }, 'mcp'), todo.id, { completed: true });
      await one.todos.delete(by({ id: userId }), todo.id);
      await until(() => hereHeard.length >= 3 && thereHeard.length >= 3, 'three events in each process');
      await sleep(100); // nothing more arrives

      const { items } = await one.activity.list(userId, { limit: 10 });
      const logged = items.reverse();
      expect(hereHeard).toEqual(logged);
      expect(thereHeard).toEqual(logged);
      expect(logged.map((entry) => entry.action)).toEqual(['created', 'completed', 'deleted']);
      expect(payloads).toEqual([`1 ${userId}`, `2 ${userId}`, `3 ${userId}`]);
    } finally {
      await wire.end();
    }
  });

  it("tells a process's listeners what was written while its connection was lost, once it is back", async () => {
    const heard = listen(two);
    await sleep(200);
    const todo = await one.todos.create(by({ id: userId }), { title: 'before' });
    await until(() => heard.length === 1, 'the first event');

    await proxy.cut();
    await one.todos.patch(by({ id: userId }), todo.id, { title: 'while cut' });
    await one.todos.patch(by({ id: userId }), todo.id, { completed: true });
    await sleep(300);
    expect(heard.map((entry) => entry.id)).toEqual([1]);

    await proxy.restore();
    await until(() => heard.length === 3, 'the entries written while the connection was lost');
    expect(heard.map((entry) => [entry.id, entry.action])).toEqual([
      [1, 'created'],
      [2, 'updated'],
      [3, 'completed'],
    ]);
  });
});
