import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/services/password-hasher.ts';
import { createTestContext, PASSWORD, type TestContext } from '../helpers.ts';

// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>, base64 without padding.
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const storedHash = (ctx: TestContext, username: string) =>
  ctx.db.prepare('SELECT password_hash FROM users WHERE username = ?').pluck().get(username) as string;

describe('password storage', () => {
  let ctx: TestContext;

  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.close());

  it('stores an argon2id PHC string with m=19456, t=2, p=1, a 16-byte salt and a 32-byte tag', async () => {
    await ctx.signUp('alice');
    const match = PHC.exec(storedHash(ctx, 'alice'));
    expect(match).not.toBeNull();
    const [, memory, passes, lanes, salt, tag] = match as RegExpExecArray;
    expect([Number(memory), Number(passes), Number(lanes)]).toEqual([19_456, 2, 1]);
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(tag ?? '', 'base64')).toHaveLength(32);
  });

  it('gives equal passwords different hashes (a fresh random salt each time)', async () => {
    await ctx.signUp('alice');
    await ctx.signUp('bob');
    const [alice, bob] = [storedHash(ctx, 'alice'), storedHash(ctx, 'bob')];
    expect(alice).not.toBe(bob);
    expect(alice.split('$')[4]).not.toBe(bob.split('$')[4]);
  });

  it('verifies a hash with the parameters stored in it, so they can be raised later', async () => {
    const older = await new PasswordHasher({ memory: 8 * 1024, passes: 1, parallelism: 1 }).hash(PASSWORD);
    expect(older).toMatch(/\$m=8192,t=1,p=1\$/);
    const current = new PasswordHasher();
    expect(await current.verify(PASSWORD, older)).toBe(true);
    expect(await current.verify(`${PASSWORD}!`, older)).toBe(false);
  });

  it('lets a user whose hash has older parameters sign in', async () => {
    const older = await new PasswordHasher({ memory: 8 * 1024, passes: 1, parallelism: 1 }).hash(PASSWORD);
    ctx.db
      .prepare(
        "INSERT INTO users (id, username, password_hash, created_at) VALUES ('u1', 'veteran', ?, 'now')",
      )
      .run(older);
    const res = await request(ctx.app)
      .post('/api/auth/token')
      .send({ username: 'veteran', password: PASSWORD });
    expect(res.status).toBe(200);
  });

  it('refuses a stored value that is not an argon2id PHC string', async () => {
    const hasher = new PasswordHasher();
    for (const stored of [
      '',
      PASSWORD,
      '$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$dGFn',
      '$2b$10$abcdefghijklmnopqrstuv',
    ]) {
      expect(await hasher.verify(PASSWORD, stored)).toBe(false);
    }
  });

  it('runs at most one argon2id derivation per core during a burst of sign-ins, queueing the rest', async () => {
    const users = await Promise.all(['a', 'b', 'c'].map((name) => ctx.signUp(`burst_${name}`)));
    const limit = ctx.services.passwordHashing;
    expect(limit.max).toBe(availableParallelism());
    let most = 0;
    let queued = false;
    const watch = setInterval(() => {
      most = Math.max(most, limit.running);
      queued ||= limit.waiting > 0;
    }, 0);
    try {
      const signIns = Array.from({ length: 4 * limit.max + 2 }, (_, i) =>
        request(ctx.app)
          .post('/api/auth/token')
          .send({ username: users[i % users.length]?.username, password: PASSWORD }),
      );
      for (const res of await Promise.all(signIns)) expect(res.status).toBe(200);
    } finally {
      clearInterval(watch);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(limit.max);
    expect(queued).toBe(true);
  });

  it('hashes off the event loop: timers keep firing while a hash runs', async () => {
    const hasher = new PasswordHasher();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await hasher.hash(PASSWORD);
    } finally {
      clearInterval(timer);
    }
    // A synchronous hash (~40 ms) would resolve before any timer could fire.
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('passwords never stored or logged in the clear', () => {
  let dir: string;
  let ctx: TestContext;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'todos-pw-'));
    ctx = createTestContext({ databasePath: join(dir, 'todos.db') });
  });
  afterEach(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const wrongPassword = 'my wrong but secret guess';
  const refusedPassword = 'tooshort';

  const exercise = async () => {
    const alice = await ctx.signUp('alice');
    await request(ctx.app).post('/api/auth/token').send({ username: 'alice', password: wrongPassword });
    await request(ctx.app).post('/api/auth/token').send({ username: 'nobody', password: wrongPassword });
    await request(ctx.app).post('/api/auth/register').send({ username: 'bob', password: refusedPassword });
    await request(ctx.app)
      .post('/api/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    return alice;
  };

  it('keeps no password in the database file or its WAL', async () => {
    await exercise();
    const files = ['todos.db', 'todos.db-wal', 'todos.db-shm']
      .map((name) => join(dir, name))
      .filter(existsSync);
    expect(files.length).toBeGreaterThan(1);
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(bytes.includes('alice')).toBe(true); // the check can see stored text at all
    for (const secret of [PASSWORD, wrongPassword, refusedPassword]) {
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    }
  });

  it('writes no password or token to the logs', async () => {
    const alice = await exercise();
    const logs = ctx.rawLogs();
    expect(logs).toContain('/api/auth/token'); // the requests were logged
    for (const secret of [PASSWORD, wrongPassword, refusedPassword, alice.token]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/Bearer|authorization/i);
  });
});
