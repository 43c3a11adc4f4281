import { Validator } from '@seriousme/openapi-schema-validator';
import type { Router } from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiMounts, apiRouter } from '../../src/api/api-router.ts';
import {
  problemSchema,
  todoPageSchema,
  todoSchema,
  tokenResponseSchema,
  userSchema,
} from '../../src/api/openapi-schemas.ts';
import { listTodosQuerySchema } from '../../src/services/todo-schemas.ts';
import { createTestContext, PASSWORD, PUBLIC_URL, type TestContext } from '../helpers.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];

interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
  description?: string;
}
interface Operation {
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { parameters: Record<string, Parameter> };
}

const ROUTE_NOT_FOUND = 'urn:todos:problem:route-not-found';
const METHOD_NOT_ALLOWED = 'urn:todos:problem:method-not-allowed';
const SOME_ID = '5b2c1f0e-8d4a-4c3b-9a7e-2f1d0c9b8a76';

/** Express's `/:id` as OpenAPI's `/{id}`, under its mount point. */
const toOpenApiPath = (prefix: string, path: string) =>
  `${prefix}${path.replace(/\/$/, '')}`.replace(/:(\w+)/g, '{$1}') || '/';

const isRouter = (handle: unknown): handle is Router =>
  typeof handle === 'function' && 'stack' in handle && Array.isArray(handle.stack);

/** `METHOD /path` for every route of a router; its mounted routers get their paths from the mount table. */
function routesOf(router: Router, prefix: string, mounts: [string, Router][] = []): string[] {
  const routes: string[] = [];
  const nested = router.stack.filter((layer) => isRouter(layer.handle));
  // Mounted routers appear in the stack in the order of the table; a mount outside it fails here.
  expect(nested).toHaveLength(mounts.length);
  nested.forEach((layer, index) => {
    const mount = mounts[index];
    if (!mount || !isRouter(layer.handle)) throw new Error(`unexpected router at ${prefix}`);
    const [path, twin] = mount;
    // Sub-routers mount no further routers (routesOf would fail); the twin proves the pairing.
    const served = routesOf(layer.handle, `${prefix}${path}`);
    expect(served).toEqual(routesOf(twin, `${prefix}${path}`));
    routes.push(...served);
  });
  for (const layer of router.stack) {
    if (!layer.route) continue;
    const methods = new Set(layer.route.stack.map((handler) => handler.method ?? 'all'));
    for (const method of methods)
      routes.push(`${method.toUpperCase()} ${toOpenApiPath(prefix, layer.route.path)}`);
  }
  return routes;
}

const operations = (document: OpenApiDocument) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ method, path, operation }] : [];
    }),
  );

const concretePath = (path: string) => path.replace('{id}', SOME_ID);

describe('GET /api/openapi.json', () => {
  let ctx: TestContext;
  let raw: Record<string, unknown>;
  let document: OpenApiDocument;

  beforeEach(async () => {
    ctx = createTestContext();
    const response = await request(ctx.app).get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/json');
    raw = response.body;
    document = response.body;
  });
  afterEach(() => ctx.close());

  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(raw));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents exactly the routes the app mounts under /api, with their methods', () => {
    const deps = { ...ctx.services, grants: ctx.services.oauth.grants, publicUrl: PUBLIC_URL };
    const mounted = routesOf(apiRouter(deps), '/api', apiMounts(deps));
    const documented = operations(document).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(mounted).toContain('PATCH /api/todos/{id}'); // the walk reaches the sub-routers
    expect(documented.sort()).toEqual(mounted.sort());
  });

  it('answers every documented operation from a route, and any other method on those paths with 405 and Allow', async () => {
    for (const { method, path } of operations(document)) {
      const response = await request(ctx.app)[method](concretePath(path));
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
      expect(response.body.type, `${method} ${path}`).not.toBe(ROUTE_NOT_FOUND);
    }
    for (const [path, item] of Object.entries(document.paths)) {
      const documented = METHODS.filter((candidate) => item[candidate]).map((m) => m.toUpperCase());
      // HEAD wherever GET is (Express serves it), OPTIONS everywhere (CORS).
      const allow = [...documented, ...(documented.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort();
      for (const method of METHODS.filter((candidate) => !item[candidate])) {
        const response = await request(ctx.app)[method](concretePath(path));
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.body.type, `${method} ${path}`).toBe(METHOD_NOT_ALLOWED);
        expect(response.headers.allow, `${method} ${path}`).toBe(allow.join(', '));
      }
    }
  });

  it('documents each list filter with a description, the todo id, and If-Match on every write', () => {
    const list = document.paths['/api/todos']?.get;
    const queryNames = list?.parameters?.filter((p) => p.in === 'query').map((p) => p.name);
    expect(queryNames).toEqual(Object.keys(listTodosQuerySchema.shape));
    for (const parameter of list?.parameters ?? []) expect(parameter.description).toMatch(/\w{3}/);

    const byId = document.paths['/api/todos/{id}'] ?? {};
    const parameterNames = (operation: Operation | undefined) =>
      (operation?.parameters ?? []).map(
        (p) => document.components.parameters[p.$ref?.split('/').at(-1) ?? ''],
      );
    expect(parameterNames(byId.get)).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
    for (const write of [byId.put, byId.patch, byId.delete]) {
      expect(parameterNames(write)).toEqual([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'If-Match', in: 'header' }),
      ]);
      expect(write?.responses[412]).toEqual({ $ref: '#/components/responses/PreconditionFailed' });
    }
    expect(Object.keys(document.paths['/api/todos']?.post?.responses[201]?.headers ?? {})).toEqual([
      'ETag',
      'Location',
    ]);
    expect(Object.keys(byId.patch?.requestBody?.content ?? {})).toEqual([
      'application/json',
      'application/merge-patch+json',
    ]);
    expect(Object.keys(document.paths['/api/auth/token']?.post?.requestBody?.content ?? {})).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
  });

  it('requires the documented scope on every secured operation, and no token elsewhere', async () => {
    const user = await ctx.signUp();
    const tokenFor = async (scope: string) =>
      (
        await request(ctx.app)
          .post('/api/auth/token')
          .send({ username: user.username, password: PASSWORD, scope })
      ).body.access_token as string;
    const lacking = {
      'todos:read': await tokenFor('todos:write'),
      'todos:write': await tokenFor('todos:read'),
    };

    for (const { method, path, operation } of operations(document)) {
      const label = `${method} ${path}`;
      const anonymous = await request(ctx.app)[method](concretePath(path));
      if (!operation.security) {
        expect(anonymous.status, label).not.toBe(401);
        continue;
      }
      expect(anonymous.status, label).toBe(401);
      expect(operation.responses[401], label).toBeDefined();
      // Both schemes carry the same JWT, so each operation names the same scopes for both.
      expect(operation.security, label).toEqual([
        { bearerAuth: expect.any(Array) },
        { oauth2: operation.security[0]?.bearerAuth },
      ]);
      const scope = operation.security[0]?.bearerAuth?.[0];
      if (scope === undefined) continue; // any valid token will do
      expect(['todos:read', 'todos:write'], label).toContain(scope);
      // A token that lacks the scope is refused with 403, as documented.
      const refused = await request(ctx.app)
        [method](concretePath(path))
        .set('Authorization', `Bearer ${lacking[scope as keyof typeof lacking]}`);
      expect(refused.status, label).toBe(403);
      expect(operation.responses[403], label).toBeDefined();
    }
  });

  it('describes the bodies the API really returns', async () => {
    const registered = await request(ctx.app)
      .post('/api/auth/register')
      .send({ username: 'documented', password: PASSWORD });
    expect(userSchema.parse(registered.body).username).toBe('documented');

    const form = await request(ctx.app)
      .post('/api/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: 'documented', password: PASSWORD });
    const token = tokenResponseSchema.parse(form.body);
    const auth = { Authorization: `Bearer ${token.access_token}` };
    expect(userSchema.parse((await request(ctx.app).get('/api/auth/me').set(auth)).body)).toEqual(
      registered.body,
    );

    const created = await request(ctx.app).post('/api/todos').set(auth).send({ title: 'Document me' });
    expect(created.status).toBe(201);
    const todo = todoSchema.parse(created.body);
    expect(created.headers.location).toBe(`/api/todos/${todo.id}`);
    expect(created.headers.etag).toBe('"1"');

    const page = todoPageSchema.parse((await request(ctx.app).get('/api/todos').set(auth)).body);
    expect(page).toEqual({ items: [todo], nextCursor: null });

    const patched = await request(ctx.app)
      .patch(`/api/todos/${todo.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .type('application/merge-patch+json')
      .send(JSON.stringify({ completed: true }));
    expect(patched.status).toBe(200);
    expect(todoSchema.parse(patched.body)).toMatchObject({ completed: true, version: 2 });

    const stale = await request(ctx.app).delete(`/api/todos/${todo.id}`).set(auth).set('If-Match', '"1"');
    expect(stale.status).toBe(412);
    expect(stale.type).toBe('application/problem+json');
    expect(problemSchema.parse(stale.body)).toMatchObject({ status: 412, currentVersion: 2 });

    const invalid = await request(ctx.app).post('/api/todos').set(auth).send({});
    expect(problemSchema.parse(invalid.body).errors).toEqual([
      expect.objectContaining({ field: 'title', in: 'body' }),
    ]);
  });
});
