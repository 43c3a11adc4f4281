import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers.ts';

describe('GET /health', () => {
  let ctx: TestContext;

  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.close());

  it('answers 200 {"status":"ok"} without any credentials', async () => {
    const res = await request(ctx.app).get('/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).toBe('{"status":"ok"}');
  });

  it('reveals no version, environment or server details in body or headers', async () => {
    const res = await request(ctx.app).get('/health');
    expect(Object.keys(res.body)).toEqual(['status']);
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.text).not.toMatch(/version|node|sqlite|uptime|env/i);
  });

  it('ignores an invalid token rather than refusing the check', async () => {
    const res = await request(ctx.app).get('/health').set('Authorization', 'Bearer not-a-token');
    expect(res.status).toBe(200);
  });

  it('answers 503 when the database cannot answer a query, without the reason', async () => {
    ctx.db.close();
    const res = await request(ctx.app).get('/health');
    expect(res.status).toBe(503);
    expect(res.text).toBe('{"status":"unavailable"}');
    expect(ctx.logs()).toContainEqual(
      expect.objectContaining({ msg: 'health check: database unavailable', errorName: 'TypeError' }),
    );
  });

  it('answers 503 while draining, even though the database is fine', async () => {
    ctx.lifecycle.draining = true;
    const res = await request(ctx.app).get('/health');
    expect(res.status).toBe(503);
    expect(res.text).toBe('{"status":"draining"}');
    ctx.lifecycle.draining = false;
    expect((await request(ctx.app).get('/health')).status).toBe(200);
  });

  it('answers /health/ready exactly as /health: a balancer may use either', async () => {
    expect((await request(ctx.app).get('/health/ready')).text).toBe('{"status":"ok"}');
    ctx.lifecycle.draining = true;
    const draining = await request(ctx.app).get('/health/ready');
    expect([draining.status, draining.text]).toEqual([503, '{"status":"draining"}']);
  });

  it('keeps /health/live at 200 while draining and when the database is unusable: the process itself works', async () => {
    ctx.lifecycle.draining = true;
    expect((await request(ctx.app).get('/health/live')).status).toBe(200);
    ctx.db.close();
    const live = await request(ctx.app).get('/health/live');
    expect([live.status, live.text]).toEqual([200, '{"status":"ok"}']);
    expect((await request(ctx.app).get('/health')).status).toBe(503);
  });
});
