// Field schemas that speak in one voice. Every message says what the field must be, with the
// allowed values or range ("must be an integer from 1 to 5"), and a missing field "is
// required". REST shows a message beside the field's name; MCP after it ("priority: must be
// ..."). zod's own messages ("Too big: expected number to be <=5") are written for
// programmers of zod, and never reach a caller from a schema built here.
import { z } from 'zod';

/** One message for every failure of a field, except its absence. */
export const says = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message),
});

export function integer(min: number, max?: number, message?: string) {
  const rule =
    message ??
    (max === undefined ? `must be an integer of ${min} or more` : `must be an integer from ${min} to ${max}`);
  const atLeast = z.int(says(rule)).min(min, says(rule));
  return max === undefined ? atLeast : atLeast.max(max, says(rule));
}

export const boolean = () => z.boolean(says('must be true or false'));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, says(`must be one of ${values.join(', ')}`));

export const isoDate = () => z.iso.date(says('must be a date as YYYY-MM-DD'));

export const uuid = (what: string) => z.uuid(says(`must be ${what} (a UUID)`));

/** What REST says beside the name of a field the object does not define. */
export const unknownField = (known: readonly string[]) =>
  known.length === 0 ? 'is not a known field' : `is not a known field; the fields are ${known.join(', ')}`;

const unknownFields = (keys: readonly PropertyKey[], known: readonly string[]) => {
  const named = keys.map((key) => JSON.stringify(String(key))).join(', ');
  const verb = keys.length === 1 ? 'is not a known field' : 'are not known fields';
  return `${named} ${verb}; the fields are ${known.join(', ')}`;
};

/**
 * An object that refuses fields it does not define, naming them and the fields it knows. MCP
 * shows the message as it is; REST reports one entry per unknown field (api/parse.ts).
 */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownFields(issue.keys, known);
      if (issue.code === 'invalid_type') return 'must be a JSON object';
      return undefined;
    },
  });
}
