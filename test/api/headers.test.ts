import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { bearer, by, createTestContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

const APP_ORIGIN = 'https://app.example';
const EVIL_ORIGIN = 'https://evil.example';

describe('security headers', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let todo: Todo;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    todo = await ctx.services.todos.create(by(alice), { title: 'Headers' });
  });
  afterEach(() => ctx.close());

  // One request of every kind of answer: success, each error family, health and preflight.
  const everyKindOfResponse = () => [
    request(ctx.app).get('/health'),
    request(ctx.app).get('/api/todos').set(bearer(alice)),
    request(ctx.app).get(`/api/todos/${todo.id}`).set(bearer(alice)),
    request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title: 'New' }),
    request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title: '' }),
    request(ctx.app).post('/api/todos').set(bearer(alice)).type('json').send('{'),
    request(ctx.app).get('/api/todos'),
    request(ctx.app).get('/no/such/route'),
    request(ctx.app)
      .options('/api/todos')
      .set('Origin', EVIL_ORIGIN)
      .set('Access-Control-Request-Method', 'PUT'),
    request(ctx.app).post('/api/auth/token').send({ username: alice.username, password: PASSWORD }),
  ];

  it('sends X-Content-Type-Options: nosniff on every response', async () => {
    for (const [i, res] of (await Promise.all(everyKindOfResponse())).entries()) {
      expect(res.headers['x-content-type-options'], `request ${i} (${res.status})`).toBe('nosniff');
    }
  });

  it('never sends X-Powered-By', async () => {
    for (const [i, res] of (await Promise.all(everyKindOfResponse())).entries()) {
      expect(res.headers['x-powered-by'], `request ${i} (${res.status})`).toBeUndefined();
    }
  });

  it('sends Cache-Control: no-store on authenticated responses and on the token response', async () => {
    const responses = await Promise.all([
      request(ctx.app).get('/api/todos').set(bearer(alice)),
      request(ctx.app).get(`/api/todos/${todo.id}`).set(bearer(alice)),
      request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).send({ completed: true }),
      request(ctx.app).get('/api/auth/me').set(bearer(alice)),
      request(ctx.app).post('/api/auth/token').send({ username: alice.username, password: PASSWORD }),
    ]);
    for (const [i, res] of responses.entries()) {
      expect(res.status).toBeLessThan(300);
      expect(res.headers['cache-control'], `request ${i}`).toBe('no-store');
    }
  });

  it('echoes a plain X-Request-Id and replaces one that could inject into logs', async () => {
    const plain = await request(ctx.app).get('/health').set('X-Request-Id', 'abc-123');
    expect(plain.headers['x-request-id']).toBe('abc-123');
    const hostile = await request(ctx.app).get('/health').set('X-Request-Id', 'x"} {"level":60');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('CORS', () => {
  let ctx: TestContext;

  beforeEach(() => {
    ctx = createTestContext({ corsOrigins: [APP_ORIGIN] });
  });
  afterEach(() => ctx.close());

  const preflight = (origin: string, method = 'PUT') =>
    request(ctx.app)
      .options('/api/todos/00000000-0000-4000-8000-000000000000')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', 'authorization, content-type, if-match');

  it('answers a preflight from an allow-listed origin with that origin, the write methods and our headers', async () => {
    const res = await preflight(APP_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(res.headers.vary).toMatch(/Origin/);
    const methods = String(res.headers['access-control-allow-methods']).split(',');
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    const headers = String(res.headers['access-control-allow-headers']).toLowerCase().split(',');
    expect(headers).toEqual(expect.arrayContaining(['authorization', 'content-type', 'if-match']));
  });

  it('gives a preflight from another origin no Access-Control-Allow-Origin', async () => {
    const res = await preflight(EVIL_ORIGIN);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
    expect(res.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('answers a preflight from another origin 204 with an empty body, not a list of methods', async () => {
    const res = await preflight(EVIL_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.allow).toBeUndefined();
  });

  it.each([
    ['an origin that only shares a prefix', 'https://app.example.evil.example'],
    ['the allowed host over http', 'http://app.example'],
    ['the allowed host on another port', 'https://app.example:8443'],
    ['Origin: null', 'null'],
  ])('gives %s no Access-Control-Allow-Origin', async (_name, origin) => {
    const res = await preflight(origin);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a request without Origin (not a cross-origin one) with Vary: Origin and no CORS headers', async () => {
    for (const res of [
      await request(ctx.app).get('/health'),
      await request(ctx.app).get('/.well-known/oauth-authorization-server'),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.vary).toMatch(/\bOrigin\b/);
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('gives a simple request from another origin no Access-Control-Allow-Origin', async () => {
    const res = await request(ctx.app).get('/health').set('Origin', EVIL_ORIGIN);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('exposes ETag, Location, Retry-After and WWW-Authenticate to an allow-listed origin', async () => {
    const res = await request(ctx.app).get('/health').set('Origin', APP_ORIGIN);
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    const exposed = String(res.headers['access-control-expose-headers']).split(',');
    expect(exposed).toEqual(expect.arrayContaining(['ETag', 'Location', 'Retry-After', 'WWW-Authenticate']));
  });

  it('never answers * and never allows credentials, whatever the origin', async () => {
    const responses = await Promise.all([
      preflight(APP_ORIGIN),
      preflight(EVIL_ORIGIN),
      preflight('null'),
      request(ctx.app).get('/health').set('Origin', APP_ORIGIN),
      request(ctx.app).get('/api/todos').set('Origin', EVIL_ORIGIN),
    ]);
    for (const res of responses) {
      expect(res.headers['access-control-allow-origin']).not.toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('allows no origin at all when none is configured', async () => {
    const closed = createTestContext();
    try {
      const res = await request(closed.app)
        .options('/api/todos')
        .set('Origin', APP_ORIGIN)
        .set('Access-Control-Request-Method', 'GET');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});

describe('errors as problem+json', () => {
  let ctx: TestContext;

  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.close());

  it.each(['/nope', '/api/nope', '/api/todos/x/y', '/.env', '/api/../etc/passwd'])(
    'answers the unknown route %s with 404 problem+json',
    async (path) => {
      const res = await request(ctx.app).get(path);
      expectProblem(res, 404);
    },
  );

  it('answers an unknown route with the route-not-found type, naming method and path only', async () => {
    const body = expectProblem(
      await request(ctx.app).delete('/api/nothing?secret=1'),
      404,
      'route-not-found',
    );
    expect(body.detail).toBe('No route for DELETE /api/nothing.');
  });

  it('answers a forced internal error (database closed) with 500 problem+json and no details', async () => {
    const alice = await ctx.signUp();
    ctx.db.close();
    const res = await request(ctx.app).get('/api/todos').set(bearer(alice));
    const body = expectProblem(res, 500, 'internal');
    const requestId = String(res.headers['x-request-id']);
    expect(Object.keys(body).sort()).toEqual(['detail', 'status', 'title', 'type']);
    expect(body.detail).toBe(`Quote request id ${requestId} if you report it.`);
    expect(res.text).not.toMatch(/database|connection|not open/i);
    // The details go to the log instead, under the same request id.
    const logged = ctx.logs().find((line) => line.msg === 'unhandled error');
    expect(logged).toMatchObject({ reqId: requestId, errorName: 'TypeError' });
  });

  it('answers every error as application/problem+json with type, title and status', async () => {
    const alice = await ctx.signUp();
    const readOnly = await request(ctx.app)
      .post('/api/auth/token')
      .send({ username: alice.username, password: PASSWORD, scope: 'todos:read' });
    const readOnlyAuth = { Authorization: `Bearer ${readOnly.body.access_token}` };
    const todo = await ctx.services.todos.create(by(alice), { title: 'x' });
    const cases: [number, request.Test][] = [
      [400, request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title: '' })],
      [400, request(ctx.app).post('/api/todos').set(bearer(alice)).type('json').send('{')],
      [400, request(ctx.app).get('/api/todos?limit=0').set(bearer(alice))],
      [401, request(ctx.app).get('/api/todos')],
      [
        401,
        request(ctx.app)
          .post('/api/auth/token')
          .send({ username: alice.username, password: 'wrong password' }),
      ],
      [403, request(ctx.app).post('/api/todos').set(readOnlyAuth).send({ title: 'x' })],
      [404, request(ctx.app).get('/api/todos/00000000-0000-4000-8000-000000000000').set(bearer(alice))],
      [404, request(ctx.app).get('/nope')],
      [
        409,
        request(ctx.app).post('/api/auth/register').send({ username: alice.username, password: PASSWORD }),
      ],
      [
        412,
        request(ctx.app)
          .patch(`/api/todos/${todo.id}`)
          .set(bearer(alice))
          .set('If-Match', '"9"')
          .send({ priority: 1 }),
      ],
      [
        413,
        request(ctx.app)
          .post('/api/todos')
          .set(bearer(alice))
          .send({ title: 'x', description: 'x'.repeat(40_000) }),
      ],
      [415, request(ctx.app).post('/api/todos').set(bearer(alice)).type('text/plain').send('x')],
    ];
    for (const [status, pending] of cases) expectProblem(await pending, status);
  });
});
