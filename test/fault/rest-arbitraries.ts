// What the REST property test (rest-properties.test.ts) sends: a route and method, a target
// id (the caller's own todo, another user's, a missing one or hostile text), a query string,
// a body, a media type, an If-Match value and credentials, valid and hostile mixed.
import fc from 'fast-check';
import {
  hostileValue,
  type Json,
  percentEncode,
  textValue,
  todoEntries,
  validDueDate,
  validEntries,
  validTitle,
} from './arbitraries.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Caller = 'alice' | 'bob' | 'none' | 'garbage';
export type Target = 'own' | 'foreign' | 'missing' | 'hostile';

export type Body =
  | { kind: 'none' }
  | { kind: 'entries'; entries: [string, Json][] }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

export type Route =
  | { kind: 'collection'; method: Method }
  | { kind: 'item'; method: Method; target: Target; pick: number; hostileId: string }
  | { kind: 'other'; method: Method; path: string };

export interface RestCase {
  caller: Caller;
  route: Route;
  query: [string, string][];
  body: Body;
  contentType: string | undefined;
  ifMatch: string | undefined;
}

const RAW_BODIES = [
  '',
  '{',
  '{"title":',
  'null',
  '[]',
  '[{"title":"in an array"}]',
  '"just a string"',
  '1',
  'true',
  '{"title":"trailing comma",}',
  '\ufeff{"title":"byte order mark"}',
  '{"title":"first","title":"second"}',
  '{"title":"\\ud800"}',
  '{"title":"x","description":"\\udc00 reversed \\ude00\\ud83d"}',
  '{"title":"\\u0000"}',
  '{"title":"ok","priority":1e999}',
  '{"title":"ok","priority":-0}',
  '{"title":"ok","priority":3.0}',
  '{"title":"ok","priority":"3"}',
  '{"title":"ok","completed":"true"}',
  '{"title":"ok","__proto__":{"version":99}}',
  '{"__proto__":{"title":"from the prototype"}}',
  '{"title":"ok","constructor":{"prototype":{"polluted":true}}}',
  '{"title":"ok"} trailing',
  '  {"title":"surrounded by spaces"}  ',
];

const method = fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE');

const route: fc.Arbitrary<Route> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('collection' as const),
      method: fc.constantFrom<Method>('GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'PUT', 'DELETE'),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('item' as const),
      method: fc.constantFrom<Method>(
        'GET',
        'GET',
        'PUT',
        'PUT',
        'PATCH',
        'PATCH',
        'PATCH',
        'DELETE',
        'POST',
      ),
      target: fc.oneof(
        { weight: 5, arbitrary: fc.constant<Target>('own') },
        { weight: 2, arbitrary: fc.constant<Target>('foreign') },
        fc.constantFrom<Target>('missing', 'hostile'),
      ),
      pick: fc.nat(),
      hostileId: fc.oneof(
        textValue(300).map(percentEncode),
        fc.constantFrom('%', '%E0%A4%A', '%C3%28', '%2e%2e', 'a%2Fb', '%00', '-1', '0', 'x'.repeat(5000)),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('other' as const),
      method,
      path: fc.constantFrom('/api/todos/a/b', '/api', '/api/', '/api/%', '/api/todos//', '/api/TODOS'),
    }),
  },
);

const queryPair: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant('completed'), fc.constantFrom('true', 'false', 'TRUE', '1', '')),
  fc.tuple(fc.constant('priority'), fc.constantFrom('1', '3', '5', '0', '6', '-1', '1.0', ' 3')),
  fc.tuple(fc.constant('q'), fc.oneof(validTitle, textValue(300))),
  fc.tuple(fc.constant('dueBefore'), fc.oneof(validDueDate.map(String), textValue(40))),
  fc.tuple(fc.constant('sort'), fc.constantFrom('createdAt', 'updatedAt', 'dueDate', 'priority', 'id', '')),
  fc.tuple(fc.constant('order'), fc.constantFrom('asc', 'desc', 'ASC', 'random')),
  fc.tuple(
    fc.constant('limit'),
    fc.constantFrom('1', '50', '100', '101', '0', '-1', '1e2', 'NaN', '9'.repeat(20)),
  ),
  fc.tuple(
    fc.constantFrom('cursor', 'limit[a]', '__proto__', 'constructor', 'prototype', ''),
    textValue(300),
  ),
);

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 8, arbitrary: validEntries.map((entries) => ({ kind: 'entries' as const, entries })) },
  {
    weight: 4,
    arbitrary: todoEntries({ maxText: 20_000, maxDepth: 2_000, requireTitle: false }).map((entries) => ({
      kind: 'entries' as const,
      entries,
    })),
  },
  {
    weight: 2,
    arbitrary: hostileValue({ maxText: 3_000, maxDepth: 2_000 }).map((value) => ({
      kind: 'text' as const,
      text: JSON.stringify(value),
    })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((text) => ({ kind: 'text' as const, text })) },
  // Over the 32 kB body limit.
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 33_000, max: 100_000 })
      .map((length) => ({ kind: 'text' as const, text: `{"title":"${'x'.repeat(length)}"}` })),
  },
  {
    // JSON nested up to the body limit (32 kB), far deeper than JSON.stringify can go.
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 16_000 }).map((depth) => ({
      kind: 'text' as const,
      text: `{"title":"deep","x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
);

export const restCase: fc.Arbitrary<RestCase> = fc.record({
  caller: fc.oneof(
    { weight: 8, arbitrary: fc.constant<Caller>('alice') },
    { weight: 2, arbitrary: fc.constant<Caller>('bob') },
    fc.constantFrom<Caller>('none', 'garbage'),
  ),
  route,
  query: fc.oneof(
    { weight: 3, arbitrary: fc.constant<[string, string][]>([]) },
    fc.array(queryPair, { maxLength: 4 }),
  ),
  body,
  contentType: fc.oneof(
    { weight: 10, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/merge-patch+json',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'multipart/form-data; boundary=x',
        'application/JSON',
      ),
    },
  ),
  ifMatch: fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom('current', '"1"') },
    fc.constantFrom('"1"', '*', 'W/"1"', '"1", "2"', '"999999999999999"', '"-1"', '"1.5"', '"', ''),
    fc.string({ unit: 'binary-ascii', maxLength: 20 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
  ),
});
