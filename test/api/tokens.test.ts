import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Claims,
  claimsFor,
  forgeries,
  malformedAuthorizations,
  signHs256,
  wellFormedAuthorizations,
} from '../forged-tokens.ts';
import {
  bearer,
  countTodos,
  createTestContext,
  PASSWORD,
  PUBLIC_URL,
  TEST_SECRET,
  type TestContext,
  type TestUser,
} from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

describe('access tokens', () => {
  let ctx: TestContext;
  let alice: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
  });
  afterEach(() => ctx.close());

  it('issues an HS256 JWT carrying iss, sub, aud (/api and /mcp), iat, exp, jti and scope', () => {
    const decoded = jwt.decode(alice.token, { complete: true });
    expect(decoded?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = decoded?.payload as Claims;
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
    expect(payload).toMatchObject({
      iss: PUBLIC_URL,
      sub: alice.id,
      aud: [`${PUBLIC_URL}/api`, `${PUBLIC_URL}/mcp`],
      scope: 'todos:read todos:write',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(payload.exp).toBe((payload.iat as number) + 3600);
    // And it verifies under the test secret with the pinned algorithm.
    expect(() => jwt.verify(alice.token, TEST_SECRET, { algorithms: ['HS256'] })).not.toThrow();
  });

  it('gives every issued token its own jti', async () => {
    const again = await request(ctx.app)
      .post('/api/auth/token')
      .send({ username: alice.username, password: PASSWORD });
    const first = jwt.decode(alice.token) as Claims;
    const second = jwt.decode(again.body.access_token) as Claims;
    expect(second.jti).not.toBe(first.jti);
  });

  it('accepts a token the test signs with the right secret and claims (the forgeries below differ only where named)', async () => {
    const res = await request(ctx.app)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${signHs256(claimsFor(alice.id))}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(alice.id);
  });

  it.each(forgeries('api'))(
    'refuses %s with 401 on reads and writes, and writes nothing',
    async (_name, forge) => {
      const auth = { Authorization: `Bearer ${forge(alice.id)}` };
      const read = await request(ctx.app).get('/api/todos').set(auth);
      expectProblem(read, 401, 'unauthorized');
      expect(read.headers['www-authenticate']).toBe('Bearer realm="todos", error="invalid_token"');
      expectProblem(await request(ctx.app).get('/api/auth/me').set(auth), 401, 'unauthorized');
      expectProblem(await request(ctx.app).post('/api/todos').set(auth).send({ title: 'forged' }), 401);
      expect(countTodos(ctx)).toBe(0);
    },
  );

  it('answers every refused token with the same body, whatever the reason, but one we issued for /mcp only', async () => {
    const bodies = new Map<string, string[]>();
    for (const [name, forge] of forgeries('api')) {
      const res = await request(ctx.app)
        .get('/api/todos')
        .set('Authorization', `Bearer ${forge(alice.id)}`);
      bodies.set(res.body.detail, [...(bodies.get(res.body.detail) ?? []), name]);
    }
    // Only a token that passed every other check (ours, unexpired) is told its audience is wrong.
    expect(Object.fromEntries([...bodies].map(([detail, names]) => [detail, names.length]))).toEqual({
      'The access token is invalid or expired.': forgeries('api').length - 1,
      'This token is not valid for the REST API (/api): its audience is another interface. Mint an agent token with "audience": "api" or "both" for this one.': 1,
    });
  });

  it('ignores a valid token sent as ?access_token= in the query string', async () => {
    const res = await request(ctx.app).get('/api/todos').query({ access_token: alice.token });
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="todos"');
  });

  it('ignores a valid token sent as access_token in a JSON body', async () => {
    const res = await request(ctx.app).post('/api/todos').send({ title: 'x', access_token: alice.token });
    expectProblem(res, 401, 'unauthorized');
    expect(countTodos(ctx)).toBe(0);
  });

  it.each(malformedAuthorizations)(
    'refuses an Authorization header with %s (401), and writes nothing',
    async (_name, header) => {
      const auth = { Authorization: header(alice.token) };
      expectProblem(await request(ctx.app).get('/api/todos').set(auth), 401, 'unauthorized');
      expectProblem(await request(ctx.app).post('/api/todos').set(auth).send({ title: 'malformed' }), 401);
      expect(countTodos(ctx)).toBe(0);
    },
  );

  it.each(wellFormedAuthorizations)('accepts a bearer token written with %s', async (_name, header) => {
    const res = await request(ctx.app).get('/api/auth/me').set('Authorization', header(alice.token));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(alice.id);
  });

  it('refuses an Authorization header that is not a Bearer token', async () => {
    const basic = `Basic ${Buffer.from(`${alice.username}:${PASSWORD}`).toString('base64')}`;
    expectProblem(await request(ctx.app).get('/api/todos').set('Authorization', basic), 401);
    expectProblem(await request(ctx.app).get('/api/todos').set('Authorization', alice.token), 401);
    // The same token with the scheme works, so the refusals above are about the header's form.
    expect((await request(ctx.app).get('/api/todos').set(bearer(alice))).status).toBe(200);
  });
});
