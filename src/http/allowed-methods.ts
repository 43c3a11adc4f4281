// Which methods a path is served with, read from the app's own routers, so that a 405's Allow
// header can never drift from the routes (RFC 9110 §15.5.6: a 405 must list them). Only
// requests no route answered pay for the walk.
import type { Request, Router } from 'express';

// What the walk reads of a router's stack: router 2.x's Layer.match() and Route._methods(),
// the same calls Express makes to route a request and to build its automatic OPTIONS answer.
// They are not in @types/express; the method tests fail if an upgrade changes them.
interface Layer {
  match(path: string): { path: string } | false;
  route?: { _methods(): string[] };
  handle: unknown;
}

const isLayer = (value: unknown): value is Layer =>
  typeof value === 'object' && value !== null && 'match' in value && typeof value.match === 'function';

const stackOf = (handle: unknown): unknown[] | undefined =>
  typeof handle === 'function' && 'stack' in handle && Array.isArray(handle.stack) ? handle.stack : undefined;

/**
 * The methods some route serves at `path` (uppercase, HEAD wherever GET is, as Express routes
 * it), or at any path when `path` is undefined. Mounted routers are walked with the path the
 * router would hand them.
 */
export function methodsServed(router: Router, path: string | undefined): Set<string> {
  const methods = new Set<string>();
  walk(router.stack, path, methods);
  return methods;
}

function walk(stack: readonly unknown[], path: string | undefined, methods: Set<string>): void {
  for (const layer of stack) {
    if (!isLayer(layer)) continue;
    let rest = path;
    if (path !== undefined) {
      let match: { path: string } | false;
      try {
        match = layer.match(path);
      } catch {
        continue; // a path segment that cannot be decoded matches nothing
      }
      if (!match) continue;
      rest = path.slice(match.path.length);
      if (rest !== '' && !rest.startsWith('/')) continue; // a mount matches whole segments only
    }
    if (layer.route) {
      for (const method of layer.route._methods()) methods.add(method);
      continue;
    }
    const mounted = stackOf(layer.handle);
    if (mounted) walk(mounted, rest === undefined ? undefined : rest || '/', methods);
  }
}

/**
 * What a request no route answered may be told: the methods its path is served with, or
 * nothing when the path exists for no method but OPTIONS (which every path answers for CORS).
 */
export function allowedMethods(req: Request): string[] {
  const methods = methodsServed(req.app.router, `${req.baseUrl}${req.path}`);
  if ([...methods].every((method) => method === 'OPTIONS')) return [];
  return [...methods].sort();
}
