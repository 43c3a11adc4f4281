// fast-check generators for what callers send: valid input and hostile input mixed, so that
// properties exercise both the refusals and the writes whose stored result they check.
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** An object with exactly these own keys, `__proto__` included (a literal would set the prototype instead). */
export function objectOf(entries: readonly (readonly [string, Json])[]): JsonObject {
  const object: JsonObject = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const SERVER_FIELDS = ['id', 'userId', 'user_id', 'version', 'createdAt', 'updatedAt', 'todo_count'];
export const TODO_FIELDS = ['title', 'description', 'priority', 'completed', 'dueDate'] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const controlCharacter = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((code) => String.fromCharCode(code));
const awkwardCharacter = fc.constantFrom(
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ufffd',
  '👍🏽',
  'e\u0301',
  '字',
  '%',
  '\\',
  '"',
  "'",
  '<',
);
const character = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: controlCharacter },
  { weight: 2, arbitrary: awkwardCharacter },
);

const EDGE_STRINGS = [
  '',
  ' ',
  '   padded   ',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e308',
  '9007199254740993',
  'null',
  'true',
  'undefined',
  '[object Object]',
  '__proto__',
  'constructor',
  "'; DROP TABLE todos; --",
  '%00',
  '%',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '\u0024{7*7}',
  '2024-02-29',
  '2026-02-29',
  '2026-02-30',
  '2026-13-01',
  '0000-00-00',
  '9999-12-31',
  '2026-1-1',
  '2026-01-01T00:00:00Z',
  ' 2026-01-01',
  '00000000-0000-0000-0000-000000000000',
];

export const EDGE_NUMBERS = [
  0,
  -0,
  1,
  3,
  5,
  6,
  -1,
  0.5,
  1.5,
  4.999999999999999,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_VALUE,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.EPSILON,
  1e21,
  1e-7,
];

/** Text of every kind, up to `maxLength` code points: ordinary, hostile, and around the 200 and 2,000 limits. */
export function textValue(maxLength: number): fc.Arbitrary<string> {
  const lengths = [199, 200, 201, 1999, 2000, 2001, maxLength].filter((length) => length <= maxLength);
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: character, maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('x', 'é', '😀', ' ', '\ud800', '\u0007'), fc.constantFrom(...lengths))
        .map(([unit, length]) => unit.repeat(length)),
    },
  );
}

export const numberValue: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Key names a careless merge or a mass assignment would trip on, and random ones. */
export const keyName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, ...SERVER_FIELDS, ...TODO_FIELDS, 'expectedVersion', 'cursor', 'limit'),
  fc.string({ unit: character, maxLength: 12 }),
);

/** Nested arrays or objects, deeper than any schema expects. */
export function deeplyNested(maxDepth: number): fc.Arbitrary<Json> {
  return fc.tuple(fc.integer({ min: 10, max: maxDepth }), fc.boolean()).map(([depth, arrays]) => {
    let value: Json = 'bottom';
    for (let level = 0; level < depth; level++) value = arrays ? [value] : objectOf([['a', value]]);
    return value;
  });
}

/** Any JSON value: scalars at the edges, small nested structures, and deep nesting. */
export function hostileValue(options: { maxText: number; maxDepth: number }): fc.Arbitrary<Json> {
  const leaf: fc.Arbitrary<Json> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    numberValue,
    textValue(options.maxText),
  );
  const { value: nested } = fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.array(fc.tuple(keyName, tie('value')), { maxLength: 4 }).map(objectOf),
    ),
  }));
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: nested },
    { weight: 1, arbitrary: deeplyNested(options.maxDepth) },
  );
}

// Valid field values, so that a good share of the generated requests really write.
export const validTitle = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .map((title) => (Math.abs(title.length % 7) === 0 ? ` ${title}\u00a0` : title))
  .filter((title) => title.trim().length > 0 && [...title.trim()].length <= 200);
export const validDescription = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('\n', '\t', '\r\n')), {
    maxLength: 6,
  })
  .map((parts) => parts.join(''))
  .filter((description) => [...description].length <= 2000);
export const validPriority = fc.integer({ min: 1, max: 5 });
export const validDueDate = fc.oneof(
  fc.constant(null),
  fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2999-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString().slice(0, 10)),
);

/** The valid value of one todo field. */
export const validField = {
  title: validTitle,
  description: validDescription,
  priority: validPriority,
  completed: fc.boolean(),
  dueDate: validDueDate,
} satisfies Record<(typeof TODO_FIELDS)[number], fc.Arbitrary<Json>>;

/** Valid text with one flaw: a lone surrogate, a control character, padding, or one character too many. */
export const nearlyValidText: fc.Arbitrary<string> = fc
  .tuple(
    validTitle,
    fc.oneof(loneSurrogate, controlCharacter, fc.constantFrom('  ', '\u2028', '\ufeff', 'x'.repeat(200))),
    fc.nat(),
  )
  .map(([text, flaw, at]) => {
    const points = [...text];
    points.splice(at % (points.length + 1), 0, flaw);
    return points.join('');
  });

/** A valid todo body: a title and some of the other fields, all valid. */
export const validEntries: fc.Arbitrary<[string, Json][]> = fc
  .record({
    title: validTitle,
    description: validDescription,
    priority: validPriority,
    completed: fc.boolean(),
    dueDate: validDueDate,
    keep: fc.subarray(['description', 'priority', 'completed', 'dueDate']),
  })
  .map((record) => [
    ['title', record.title],
    ...record.keep.map((name): [string, Json] => [name, record[name as keyof typeof validField]]),
  ]);

/** Entries of an object of todo fields: mostly valid values, sometimes hostile ones, sometimes extra keys. */
export function todoEntries(options: {
  maxText: number;
  maxDepth: number;
  requireTitle: boolean;
}): fc.Arbitrary<[string, Json][]> {
  const hostile = hostileValue(options);
  const field = (name: (typeof TODO_FIELDS)[number]) =>
    name === 'title' || name === 'description'
      ? fc.oneof(
          { weight: 4, arbitrary: validField[name] as fc.Arbitrary<Json> },
          { weight: 2, arbitrary: nearlyValidText },
          { weight: 1, arbitrary: hostile },
        )
      : fc.oneof(
          { weight: 4, arbitrary: validField[name] as fc.Arbitrary<Json> },
          { weight: 1, arbitrary: hostile },
        );
  return fc
    .record({
      title: field('title'),
      description: field('description'),
      priority: field('priority'),
      completed: field('completed'),
      dueDate: field('dueDate'),
      extra: fc.array(fc.tuple(keyName, hostile), { maxLength: 2 }),
      keep: fc.subarray([...TODO_FIELDS]),
      withExtra: fc.integer({ min: 0, max: 5 }),
    })
    .map((record) => {
      const keep = new Set<string>(record.keep);
      if (options.requireTitle) keep.add('title');
      const entries: [string, Json][] = [];
      for (const name of TODO_FIELDS) {
        if (keep.has(name)) entries.push([name, record[name]]);
      }
      // Extra keys in one body out of six: the rest test what valid bodies do.
      if (record.withExtra === 0) entries.push(...record.extra);
      return entries;
    });
}

/** JSON text with these entries, keeping duplicate and prototype keys exactly as given. */
export const jsonText = (entries: readonly (readonly [string, Json])[]): string =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;

/**
 * Percent-encodes text for a URL as its UTF-8 bytes; a lone surrogate (which
 * encodeURIComponent refuses) becomes the three bytes it would have in WTF-8, invalid UTF-8.
 */
export function percentEncode(text: string): string {
  let encoded = '';
  for (const point of text) {
    const code = point.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) {
      encoded += `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}`;
      encoded += `%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}`;
      encoded += `%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      encoded += encodeURIComponent(point);
    }
  }
  return encoded;
}
