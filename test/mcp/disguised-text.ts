// A todo title that renders as something other than what it holds, for the tests of what
// agents read in text content (tools and prompts).
import { expect } from 'vitest';

/**
 * A title that reads as something else: a right-to-left override (shown as "Pay order
 * invoice"), zero-width and bidi-isolate characters, a BOM, a line separator and a tag
 * character (the invisible alphabet of ASCII smuggling) between visible ones.
 */
export const DISGUISED = 'Pay \u202Eredro\u202C invoice a\u200Bb\u2066c\u2069d\uFEFFe\u2028f\u{E0041}g';
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/u;

/** Text content shows DISGUISED quoted, with every invisible character as a JSON escape. */
export function expectSpelledOut(text: string): void {
  expect(text).not.toMatch(INVISIBLE);
  const literal = /"Pay [^"]*g"/.exec(text)?.[0] ?? '';
  expect(JSON.parse(literal)).toBe(DISGUISED);
}
