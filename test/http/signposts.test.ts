// The addresses people try first (/, /api, /api/, /docs) answer with where to go instead of
// a bare 404: the web app, the OpenAPI document, the MCP endpoint and the README. A browser
// asking for HTML at / gets the web app itself (test/web/app-page.test.ts).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, PUBLIC_URL, type TestContext } from '../helpers.ts';

describe('signposts', () => {
  let ctx: TestContext;

  beforeAll(() => {
    ctx = createTestContext();
  });
  afterAll(() => ctx.close());

  it.each(['/', '/api', '/api/', '/docs'])(
    'answers GET %s with the web app, the interactive reference, the OpenAPI document, the MCP endpoint and the README',
    async (path) => {
      const res = await request(ctx.app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        name: 'todos',
        description: expect.any(String),
        app: `${PUBLIC_URL}/`,
        docs: `${PUBLIC_URL}/api/docs`,
        openapi: `${PUBLIC_URL}/api/openapi.json`,
        mcp: `${PUBLIC_URL}/mcp`,
        health: `${PUBLIC_URL}/health`,
        help: expect.stringContaining('README'),
      });
    },
  );

  it('points at addresses that answer', async () => {
    const { body } = await request(ctx.app).get('/');
    for (const link of [body.docs, body.openapi, body.health]) {
      expect((await request(ctx.app).get(new URL(link).pathname)).status).toBe(200);
    }
    // /mcp answers every request without a token with the challenge that starts its sign-in.
    expect((await request(ctx.app).post(new URL(body.mcp).pathname).send({})).status).toBe(401);
  });

  it('answers another method with 405 and Allow, and paths below /docs with 404', async () => {
    const posted = await request(ctx.app).post('/docs').send({});
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect((await request(ctx.app).get('/docs/anything')).status).toBe(404);
  });
});
