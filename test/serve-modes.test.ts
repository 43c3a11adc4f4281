// SERVE=api|mcp|both: one process may serve a single interface, so /mcp can be scaled as its
// own process against the same database. createApp takes the choice as `api` and `mcp`.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createTestContext, type TestContext } from './helpers.ts';

describe('serving one interface per process', () => {
  let ctx: TestContext;
  afterEach(() => ctx.close());

  const appServing = (api: boolean, mcp: boolean) => {
    ctx = createTestContext();
    const { services, mcp: endpoint } = ctx;
    return createApp({
      ...services,
      logger: ctx.logger,
      publicUrl: 'http://localhost:3000',
      corsOrigins: [],
      api,
      mcp: mcp ? endpoint : undefined,
    });
  };

  it('without /api (SERVE=mcp) answers /api with route-not-found, and still /health and /mcp', async () => {
    const app = appServing(false, true);
    const api = await request(app)
      .post('/api/auth/register')
      .send({ username: 'alice', password: 'x'.repeat(12) });
    expect(api.status).toBe(404);
    expect(api.body.type).toBe('urn:todos:problem:route-not-found');
    expect((await request(app).get('/health')).status).toBe(200);
    expect((await request(app).post('/mcp').send({})).status).toBe(401);
    expect((await request(app).get('/.well-known/oauth-protected-resource/mcp')).status).toBe(200);
    // The signpost at / points only at what this process serves.
    expect((await request(app).get('/api')).status).toBe(404);
    const root = await request(app).get('/');
    expect(root.body).toMatchObject({ mcp: 'http://localhost:3000/mcp' });
    expect(root.body.openapi).toBeUndefined();
  });

  it('without /mcp (SERVE=api) answers /mcp and its metadata with route-not-found, and still /api', async () => {
    const app = appServing(true, false);
    expect((await request(app).post('/mcp').send({})).status).toBe(404);
    expect((await request(app).get('/.well-known/oauth-protected-resource/mcp')).status).toBe(404);
    expect((await request(app).get('/api/openapi.json')).status).toBe(200);
  });
});
