// npm run db:copy: a SQLite deployment's users, todos, agent tokens, OAuth clients, grants,
// refresh tokens and consents, web sessions and activity log arrive in PostgreSQL exactly (the
// service reads the same answers from both), a second run changes nothing, and the counts are
// verified.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createServices } from '../../src/compose.ts';
import { openDatabase } from '../../src/repositories/sqlite/database.ts';
import { sqliteStore } from '../../src/repositories/sqlite/sqlite-store.ts';
import type { Store } from '../../src/repositories/types.ts';
import { openPostgresTestStore } from '../engines.ts';
import { createDatabase, dropDatabase } from '../postgres/embedded-postgres.ts';
import { addClient, addCode, at, grantFrom, HOUR } from '../repositories/fixtures.ts';
import { ROOT } from '../service-process.ts';

const run = promisify(execFile);
const CONFIG = {
  publicUrl: 'http://localhost',
  tokenTtlSeconds: 3600,
  maxTodosPerUser: 10_000,
  jwtSecret: 'x'.repeat(32),
};

describe('npm run db:copy', () => {
  const adminUrl = inject('postgresAdminUrl');
  let directory: string;
  let databaseUrl: string;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'todos-copy-'));
    databaseUrl = await createDatabase(adminUrl);
  });
  afterEach(async () => {
    rmSync(directory, { recursive: true, force: true });
    await dropDatabase(adminUrl, databaseUrl);
  });

  const copy = () =>
    run(process.execPath, [
      resolve(ROOT, 'scripts/db-copy.ts'),
      '--from',
      `sqlite:${join(directory, 'todos.db')}`,
      '--to',
      databaseUrl,
    ]);

  /** What the services and repositories answer for each user: the same from both stores after a copy. */
  async function view(store: Store, userIds: string[], oauth: { clientId: string; refreshHash: string }) {
    const services = createServices(store, CONFIG);
    return {
      users: await Promise.all(
        userIds.map(async (id) => ({
          user: await services.auth.getUser(id),
          todos: (await services.todos.list(id, { sort: 'dueDate', order: 'asc', limit: 100 })).items,
          tokens: await store.agentTokens.list(id),
          activity: await store.activity.list(id, { limit: 100 }),
          bounds: await store.activity.bounds(id),
          grants: await store.oauthGrants.listActive(id, at(HOUR)),
          consent: await store.oauthConsents.find(id, oauth.clientId),
        })),
      ),
      client: await store.oauthClients.find(oauth.clientId),
      grantOfRefreshToken: await store.oauthGrants.findByRefreshToken(oauth.refreshHash),
      session: await store.webSessions.findActive('a'.repeat(64), at(HOUR)),
    };
  }

  it('copies every table a deployment needs exactly, verifies the counts, and a second run changes nothing', async () => {
    const source = sqliteStore(openDatabase(join(directory, 'todos.db')));
    const services = createServices(source, CONFIG);
    const alice = await services.auth.register(
      { username: 'Alice', password: 'correct horse battery staple' },
      'seed',
    );
    const bob = await services.auth.register(
      { username: 'bob', password: 'correct horse battery staple' },
      'seed',
    );
    for (let i = 0; i < 30; i++) {
      const owner = { userId: i % 3 ? alice.id : bob.id, via: 'api' } as const;
      const todo = await services.todos.create(owner, {
        title: `Todo ${i} ☕ 東京 e\u0301`,
        description: i % 2 ? 'line\nbreak' : '',
        priority: 1 + (i % 5),
        dueDate: i % 4 ? `2027-0${1 + (i % 9)}-1${i % 10}` : null,
      });
      if (i % 5 === 0) await services.todos.patch(owner, todo.id, { completed: true });
    }
    const now = Date.now();
    await source.agentTokens.insert(
      alice.id,
      {
        id: 'b6f0c1de-8f1e-4c53-9a0e-1d2c3b4a5f60',
        name: 'laptop',
        scopes: ['todos:read'],
        audience: ['mcp'],
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 86_400_000).toISOString(),
        lastUsedAt: null,
        revokedAt: new Date(now + 1).toISOString(),
      },
      50,
    );
    // An OAuth host connected by Alice: its grant, a rotated refresh token, her consent; her
    // signed-in page session; and a code in flight, which is not copied (valid for a minute).
    const client = await addClient(source, { name: 'Claude', uri: null });
    const code = await addCode(source, alice.id, client.id, { resources: ['api', 'mcp'] });
    await source.authorizationCodes.consume(code.codeHash, at(1));
    const { grant, refresh } = grantFrom(code);
    await source.oauthGrants.create(grant, refresh, code.codeHash, 50);
    const rotated = { tokenHash: 'r'.repeat(64), createdAt: at(2), expiresAt: at(30 * 24 * HOUR) };
    await source.oauthGrants.rotateRefreshToken(refresh.tokenHash, client.id, rotated, at(2));
    await source.oauthConsents.save({
      userId: alice.id,
      clientId: client.id,
      scopes: ['todos:read', 'todos:write'],
      resources: ['mcp'],
      createdAt: at(3),
    });
    await source.webSessions.insert({
      idHash: 'a'.repeat(64),
      userId: alice.id,
      createdAt: at(),
      expiresAt: at(12 * HOUR),
    });
    await addCode(source, bob.id, client.id);
    const oauth = { clientId: client.id, refreshHash: rotated.tokenHash };
    const expected = await view(source, [alice.id, bob.id], oauth);
    await source.close();

    const first = await copy();
    expect(first.stdout).toMatch(/^users: 2 read, 2 written, 2 in the target, \d+ ms: verified$/m);
    expect(first.stdout).toMatch(/^todos: 30 read, 30 written, 30 in the target, \d+ ms: verified$/m);
    expect(first.stdout).toMatch(/^agent_tokens: 1 read, 1 written, 1 in the target, \d+ ms: verified$/m);
    for (const [table, rows] of [
      ['oauth_clients', 1],
      ['oauth_grants', 1],
      ['oauth_refresh_tokens', 2],
      ['oauth_consents', 1],
      ['web_sessions', 1],
      ['activity', 36],
    ] as const) {
      expect(first.stdout).toMatch(
        new RegExp(
          `^${table}: ${rows} read, ${rows} written, ${rows} in the target, \\d+ ms: verified$`,
          'm',
        ),
      );
    }
    expect(first.stdout).not.toMatch(/oauth_codes/);
    expect(first.stdout).toMatch(/^copy verified in \d+ ms$/m);
    const second = await copy();
    expect(second.stdout).toMatch(/^todos: 30 read, 30 written, 30 in the target/m);
    expect(second.stdout).toMatch(/^activity: 36 read, 36 written, 36 in the target/m);

    const target = await openPostgresTestStore(databaseUrl, 2);
    try {
      expect(await view(target, [alice.id, bob.id], oauth)).toEqual(expected);
      // The log goes on from where it was: the next change of Alice's is her 25th entry.
      const next = await createServices(target, CONFIG).todos.create(
        { userId: alice.id, via: 'api' },
        { title: 'after' },
      );
      expect((await target.activity.list(alice.id, { limit: 1 }))[0]).toMatchObject({
        id: 25,
        todoId: next.id,
      });
      // The copied password hash still signs in, and the cap counter came along.
      const copied = createServices(target, CONFIG);
      await expect(
        copied.auth.login({ username: 'alice', password: 'correct horse battery staple' }, 'test'),
      ).resolves.toMatchObject({ tokenType: 'Bearer' });
    } finally {
      await target.close();
    }
  }, 60_000);

  it('refuses to run without both databases named', async () => {
    const failed = await run(process.execPath, [
      resolve(ROOT, 'scripts/db-copy.ts'),
      '--from',
      'sqlite:x.db',
    ]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect('stderr' in failed ? failed.stderr : '').toMatch(/usage: npm run db:copy/);
  });
});
