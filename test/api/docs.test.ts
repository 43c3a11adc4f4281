// /api/docs: Swagger UI from our own origin under a strict Content-Security-Policy of its own,
// rendering /api/openapi.json; /api and /docs point to it. (Rendered and used in a real
// browser, the page makes no request elsewhere and breaks no rule of its policy: checked by
// hand with Chromium for now, and by the browser tests once the web app brings them.)
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, PUBLIC_URL, type TestContext } from '../helpers.ts';

const directives = (policy: string) =>
  new Map(
    policy.split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values];
    }),
  );

describe('GET /api/docs', () => {
  let ctx: TestContext;
  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.close());

  it('serves a page whose policy allows scripts and styles from this origin only, never inline or eval', async () => {
    const page = await request(ctx.app).get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    const policy = directives(page.headers['content-security-policy'] ?? '');
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'", new URL(PUBLIC_URL).origin]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(page.headers['x-frame-options']).toBe('DENY');
    // Every script is a file (no inline script), and nothing is loaded from another origin.
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/ src="\/api\/docs\/[\w.-]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.text).not.toMatch(/ on\w+=/);
  });

  it('serves every file the page references, with its type, from this origin', async () => {
    const page = await request(ctx.app).get('/api/docs');
    const references = [...page.text.matchAll(/(?:src|href)="(\/api\/[^"]+)"/g)].map(
      ([, path]) => path ?? '',
    );
    expect(references).toEqual(
      expect.arrayContaining([
        '/api/docs/swagger-ui.css',
        '/api/docs/swagger-ui-bundle.js',
        '/api/docs/docs-init.js',
      ]),
    );
    for (const path of references) {
      const file = await request(ctx.app).get(path);
      expect(file.status, path).toBe(200);
      if (path.endsWith('.js')) expect(file.type, path).toBe('text/javascript');
      if (path.endsWith('.css')) expect(file.type, path).toBe('text/css');
      if (path !== '/api/openapi.json')
        expect(file.headers['content-security-policy'], path).toBe(page.headers['content-security-policy']);
    }
  });

  it('configures Swagger UI to render /api/openapi.json, without the public validator', async () => {
    const init = await request(ctx.app).get('/api/docs/docs-init.js');
    expect(init.text).toContain("url: '/api/openapi.json'");
    expect(init.text).toContain('validatorUrl: null');
  });

  it('serves nothing else from the package', async () => {
    for (const path of ['/api/docs/index.html', '/api/docs/package.json', '/api/docs/../package.json']) {
      expect((await request(ctx.app).get(path)).status, path).toBe(404);
    }
  });
});
