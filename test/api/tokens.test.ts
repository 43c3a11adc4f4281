import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bearer,
  createTestContext,
  PASSWORD,
  PUBLIC_URL,
  TEST_SECRET,
  type TestContext,
  type TestUser,
} from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

type Claims = Record<string, unknown>;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims our service issues, for `sub`, valid now. */
function claimsFor(sub: string): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: PUBLIC_URL,
    sub,
    aud: [`${PUBLIC_URL}/api`, `${PUBLIC_URL}/mcp`],
    iat: now,
    exp: now + 600,
    jti: randomUUID(),
    scope: 'todos:read todos:write',
  };
}

// jsonwebtoken keeps a given iat, adds one when missing, and with noTimestamp drops it.
const exactly = (claims: Claims) => ({ noTimestamp: !('iat' in claims) });

/** Signs exactly these claims with HS256 and `secret`. */
const signHs256 = (claims: Claims, secret = TEST_SECRET) =>
  jwt.sign(claims, secret, { algorithm: 'HS256', ...exactly(claims) });

/** A token with any header, its signature an HMAC-SHA256 under our secret. */
function handMade(header: Claims, claims: Claims): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', TEST_SECRET).update(input).digest('base64url')}`;
}

const without = (claims: Claims, name: string): Claims => {
  const { [name]: _dropped, ...rest } = claims;
  return rest;
};

const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

// Every way of forging or bending a token that item 4 of security.md lists, and a few more.
const FORGERIES: [string, (sub: string) => string][] = [
  ['an expired token', (sub) => signHs256({ ...claimsFor(sub), iat: 1_000, exp: 2_000 })],
  ['a token from another issuer', (sub) => signHs256({ ...claimsFor(sub), iss: 'https://evil.example' })],
  [
    'a token whose audience is only /mcp',
    (sub) => signHs256({ ...claimsFor(sub), aud: [`${PUBLIC_URL}/mcp`] }),
  ],
  [
    'a token for another host',
    (sub) => signHs256({ ...claimsFor(sub), aud: ['https://evil.example/api'], iss: 'https://evil.example' }),
  ],
  [
    'an unsigned token (alg: none)',
    (sub) => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claimsFor(sub))}.`,
  ],
  ['a token with its signature stripped', (sub) => signHs256(claimsFor(sub)).replace(/\.[^.]+$/, '.')],
  [
    'a token with its signature and final dot stripped',
    (sub) => signHs256(claimsFor(sub)).replace(/\.[^.]+$/, ''),
  ],
  [
    'a token signed with another secret',
    (sub) => signHs256(claimsFor(sub), 'another-secret-that-is-also-32-bytes-long'),
  ],
  ['a genuine RS256 token', (sub) => jwt.sign(claimsFor(sub), rsaKey, { algorithm: 'RS256' })],
  [
    'an RS256 header over an HMAC of our secret (algorithm confusion)',
    (sub) => handMade({ alg: 'RS256', typ: 'JWT' }, claimsFor(sub)),
  ],
  [
    'an HS512 token signed with our secret',
    (sub) => jwt.sign(claimsFor(sub), TEST_SECRET, { algorithm: 'HS512' }),
  ],
  ...['exp', 'iss', 'sub', 'aud', 'iat', 'jti', 'scope'].map((claim): [string, (sub: string) => string] => [
    `a token without ${claim}`,
    (sub) => signHs256(without(claimsFor(sub), claim)),
  ]),
  ['a token with an unknown scope', (sub) => signHs256({ ...claimsFor(sub), scope: 'todos:read admin' })],
  ['a token with an empty scope', (sub) => signHs256({ ...claimsFor(sub), scope: '' })],
  [
    'a token whose sub was altered after signing',
    (sub) => {
      const [header, , signature] = signHs256(claimsFor(sub)).split('.');
      return `${header}.${b64url(claimsFor(randomUUID()))}.${signature}`;
    },
  ],
  ['a correctly signed token for a user that does not exist', () => signHs256(claimsFor(randomUUID()))],
];

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

  it.each(FORGERIES)('refuses %s with 401 on reads and writes, and writes nothing', async (_name, forge) => {
    const auth = { Authorization: `Bearer ${forge(alice.id)}` };
    const read = await request(ctx.app).get('/api/todos').set(auth);
    expectProblem(read, 401, 'unauthorized');
    expect(read.headers['www-authenticate']).toBe('Bearer realm="todos", error="invalid_token"');
    expectProblem(await request(ctx.app).get('/api/auth/me').set(auth), 401, 'unauthorized');
    expectProblem(await request(ctx.app).post('/api/todos').set(auth).send({ title: 'forged' }), 401);
    expect(ctx.db.prepare('SELECT count(*) FROM todos').pluck().get()).toBe(0);
  });

  it('answers every refused token with the same body, whatever the reason', async () => {
    const bodies = new Set<string>();
    for (const [, forge] of FORGERIES) {
      const res = await request(ctx.app)
        .get('/api/todos')
        .set('Authorization', `Bearer ${forge(alice.id)}`);
      bodies.add(res.text);
    }
    expect(bodies.size).toBe(1);
  });

  it('ignores a valid token sent as ?access_token= in the query string', async () => {
    const res = await request(ctx.app).get('/api/todos').query({ access_token: alice.token });
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="todos"');
  });

  it('ignores a valid token sent as access_token in a JSON body', async () => {
    const res = await request(ctx.app).post('/api/todos').send({ title: 'x', access_token: alice.token });
    expectProblem(res, 401, 'unauthorized');
    expect(ctx.db.prepare('SELECT count(*) FROM todos').pluck().get()).toBe(0);
  });

  it('refuses an Authorization header that is not a Bearer token', async () => {
    const basic = `Basic ${Buffer.from(`${alice.username}:${PASSWORD}`).toString('base64')}`;
    expectProblem(await request(ctx.app).get('/api/todos').set('Authorization', basic), 401);
    expectProblem(await request(ctx.app).get('/api/todos').set('Authorization', alice.token), 401);
    // The same token with the scheme works, so the refusals above are about the header's form.
    expect((await request(ctx.app).get('/api/todos').set(bearer(alice))).status).toBe(200);
  });
});
