import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, countTodos, createTestContext, PASSWORD, type TestContext } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

const userCount = (ctx: TestContext) => ctx.db.prepare('SELECT count(*) FROM users').pluck().get() as number;

describe('accounts: register, token, me', () => {
  let ctx: TestContext;

  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.close());

  const register = (username: string, password = PASSWORD) =>
    request(ctx.app).post('/api/auth/register').send({ username, password });
  const login = (username: string, password = PASSWORD) =>
    request(ctx.app).post('/api/auth/token').send({ username, password });

  it('registers a user and answers 201 with id, username and createdAt, never the password or its hash', async () => {
    const res = await register('alice');
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'username']);
    expect(res.body.username).toBe('alice');
    expect(res.text).not.toContain(PASSWORD);
    expect(res.text).not.toContain('argon2');
  });

  it('says which field is missing when a registration leaves one out', async () => {
    const res = await request(ctx.app).post('/api/auth/register').send({ username: 'alice' });
    expectProblem(res, 400, 'validation-failed');
    expect(res.body.errors).toEqual([{ field: 'password', in: 'body', detail: 'is required' }]);
  });

  it('limits registrations from one address (each costs a password hash) with 429 and Retry-After', async () => {
    // The first succeeds, the next 49 are refused as taken after hashing; all 50 count.
    const attempts = await Promise.all(Array.from({ length: 50 }, () => register('alice')));
    expect(attempts.filter((res) => res.status === 201)).toHaveLength(1);
    expect(attempts.filter((res) => res.status === 409)).toHaveLength(49);
    const refused = await register('bob');
    expectProblem(refused, 429, 'rate-limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(userCount(ctx)).toBe(1);
  });

  it('counts registrations from every address of one IPv6 /64 as from one address', async () => {
    const proxied = createTestContext({ trustProxy: 'loopback' });
    const registerFrom = (address: string, username: string) =>
      request(proxied.app)
        .post('/api/auth/register')
        .set('X-Forwarded-For', address)
        .send({ username, password: PASSWORD });
    try {
      const attempts = await Promise.all(
        Array.from({ length: 50 }, (_, i) => registerFrom(`2001:db8:9:9::${i + 1}`, 'alice')),
      );
      expect(attempts.map((res) => res.status).sort()).toEqual([201, ...Array(49).fill(409)]);
      expectProblem(await registerFrom('2001:db8:9:9:abcd::1', 'bob'), 429, 'rate-limited');
      expect((await registerFrom('2001:db8:9:a::1', 'bob')).status).toBe(201);
    } finally {
      await proxied.close();
    }
  });

  it('issues a Bearer token with expires_in and the full scope for JSON credentials', async () => {
    await register('alice');
    const res = await login('alice');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'todos:read todos:write',
    });
  });

  it('accepts the form-encoded OAuth 2 password grant', async () => {
    await register('alice');
    const res = await request(ctx.app)
      .post('/api/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it.each([
    ['an object', `{"username":"alice","password":"${PASSWORD}"}`],
    ['an object after white space', `\n  {"username": "alice", "password": "a&b=c"}`],
    ['an array', '[{"username":"alice"}]'],
  ])(
    'says to send JSON as application/json when %s arrives labelled as a form (curl -d without -H)',
    async (_what, raw) => {
      await register('alice');
      const res = await request(ctx.app).post('/api/auth/token').type('form').send(raw);
      const body = expectProblem(res, 415, 'unsupported-media-type');
      expect(body.detail).toBe(
        "The body is JSON but labelled application/x-www-form-urlencoded (curl -d does that unless told otherwise): send it with the header 'Content-Type: application/json'.",
      );
      expect(body.errors).toBeUndefined();
    },
  );

  it('returns the signed-in user from /api/auth/me', async () => {
    const alice = await ctx.signUp('alice');
    const res = await request(ctx.app).get('/api/auth/me').set(bearer(alice));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: alice.id, username: 'alice', createdAt: expect.any(String) });
  });

  it('answers /api/auth/me without a token with 401 and a bare Bearer challenge', async () => {
    const res = await request(ctx.app).get('/api/auth/me');
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="todos"');
  });

  it('grants only the scopes asked for: a todos:read token may list but not create (403 insufficient_scope)', async () => {
    await register('alice');
    const issued = await request(ctx.app)
      .post('/api/auth/token')
      .send({ username: 'alice', password: PASSWORD, scope: 'todos:read' });
    expect(issued.body.scope).toBe('todos:read');
    const auth = { Authorization: `Bearer ${issued.body.access_token}` };
    expect((await request(ctx.app).get('/api/todos').set(auth)).status).toBe(200);
    const created = await request(ctx.app).post('/api/todos').set(auth).send({ title: 'nope' });
    expectProblem(created, 403, 'forbidden');
    expect(created.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(countTodos(ctx)).toBe(0);
  });
});

describe('accounts: password policy and unique usernames', () => {
  let ctx: TestContext;

  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.close());

  const register = (username: string, password: string) =>
    request(ctx.app).post('/api/auth/register').send({ username, password });

  it('refuses a password of 11 characters with 400 naming the 12-character minimum, and stores no user', async () => {
    const res = await register('alice', 'a'.repeat(11));
    const body = expectProblem(res, 400, 'validation-failed');
    expect(body.errors).toEqual([
      { field: 'password', in: 'body', detail: 'must be at least 12 characters' },
    ]);
    expect(userCount(ctx)).toBe(0);
  });

  it('refuses a password of 257 characters with 400 naming the 256-character maximum, and stores no user', async () => {
    const res = await register('alice', 'a'.repeat(257));
    const body = expectProblem(res, 400, 'validation-failed');
    expect(body.errors).toEqual([
      { field: 'password', in: 'body', detail: 'must be at most 256 characters' },
    ]);
    expect(userCount(ctx)).toBe(0);
  });

  it('accepts passwords of exactly 12 and exactly 256 characters', async () => {
    expect((await register('short', 'p'.repeat(12))).status).toBe(201);
    expect((await register('long', 'p'.repeat(256))).status).toBe(201);
    expect(userCount(ctx)).toBe(2);
  });

  it('refuses a taken username with 409, comparing names case-insensitively', async () => {
    expect((await register('alice', PASSWORD)).status).toBe(201);
    expectProblem(await register('alice', PASSWORD), 409, 'conflict');
    expectProblem(await register('ALICE', PASSWORD), 409, 'conflict');
    expect(userCount(ctx)).toBe(1);
  });
});

describe('accounts: login does not reveal which usernames exist', () => {
  let ctx: TestContext;

  beforeEach(async () => {
    ctx = createTestContext();
    await ctx.signUp('alice');
  });
  afterEach(() => ctx.close());

  const login = (username: string, password: string) =>
    request(ctx.app).post('/api/auth/token').send({ username, password });

  it('answers an unknown user and a wrong password with the same 401 and a byte-identical body', async () => {
    const unknown = await login('nobody', PASSWORD);
    const wrong = await login('alice', 'wrong password!!');
    expectProblem(unknown, 401, 'unauthorized');
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.headers['content-type']).toBe(unknown.headers['content-type']);
    expect(wrong.headers['www-authenticate']).toBe(unknown.headers['www-authenticate']);
  });

  it('takes about as long for an unknown user as for a wrong password, because a dummy hash runs', async () => {
    const timed = async (username: string) => {
      const started = performance.now();
      expect((await login(username, 'wrong password!!')).status).toBe(401);
      return performance.now() - started;
    };
    await timed('warm-up'); // the first unknown login also creates the dummy hash
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await timed(`nobody${i}`));
      wrong.push(await timed('alice'));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[2] ?? 0;
    // Without the dummy hash an unknown user answers in ~1 ms against ~40 ms for a real check.
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(3);
  });
});
