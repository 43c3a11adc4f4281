// User data inside the text an agent reads. Bidi controls and other invisible format
// characters change how the text reads without showing themselves: U+202E makes
// "Pay \u202Eredro\u202C invoice" display as "Pay order invoice", and tag characters
// (U+E0000-U+E007F) can carry instructions no person sees. In text content they are spelled
// out as JSON escapes; structuredContent and resource JSON keep the stored value exactly.

// Format characters (Cf: bidi controls, zero-width characters, word joiner, BOM, tags) and
// the line and paragraph separators, which JSON.stringify leaves raw but renderers break on.
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/gu;

const escapeUnit = (unit: number) => `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;

/** "\\uXXXX" per UTF-16 unit, as JSON writes escapes, so that the quoted text stays valid JSON. */
function escaped(character: string): string {
  let units = '';
  for (let i = 0; i < character.length; i++) units += escapeUnit(character.charCodeAt(i));
  return units;
}

/**
 * A user-supplied value quoted for text content: a JSON string literal (so that text inside
 * reads as data) in which invisible characters are visible escapes. JSON.parse of the result
 * gives back the exact value.
 */
export function quoted(value: string): string {
  return JSON.stringify(value).replace(INVISIBLE, escaped);
}
