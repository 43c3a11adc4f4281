import { z } from 'zod';
import { says } from './fields.ts';

// Control characters (C0, DEL, C1). Descriptions may hold tab, line feed and carriage return.
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_WHITESPACE = /(?![\t\n\r])\p{Cc}/u;
// A character that shows: neither white space nor default-ignorable (zero-width spaces and
// joiners, bidi controls, word joiners, BOM, Hangul fillers, ...).
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}]/u;

/** Length in Unicode code points, as JSON Schema's maxLength counts: an emoji is one character. */
const codePoints = (value: string) => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/**
 * A user-supplied text field: well-formed Unicode (no lone surrogates, which would not
 * survive a round-trip through UTF-8), no control characters, at most `max` characters.
 * `meta` carries the limits into the JSON Schema that models and OpenAPI readers see,
 * since the length check is a refinement zod cannot describe on its own.
 */
export function text(options: {
  min: number;
  max: number;
  multiline: boolean;
  trim: boolean;
  /** Must show at least one character: a name made only of zero-width characters looks empty. */
  visible?: boolean;
}) {
  const control = options.multiline ? CONTROL_EXCEPT_WHITESPACE : CONTROL;
  const base = options.trim ? z.string(says('must be a string')).trim() : z.string(says('must be a string'));
  return (
    base
      .refine((value) => value.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)')
      .refine(
        (value) => !control.test(value),
        options.multiline
          ? 'must not contain control characters other than tab and newline'
          : 'must not contain control characters',
      )
      .refine(
        (value) => codePoints(value) >= options.min,
        options.min === 1 ? 'must not be empty' : `must be at least ${options.min} characters`,
      )
      .refine((value) => codePoints(value) <= options.max, `must be at most ${options.max} characters`)
      // An empty value is the minimum's to report, once.
      .refine(
        (value) => !options.visible || value === '' || VISIBLE.test(value),
        'must contain at least one visible character',
      )
      .meta({ minLength: options.min, maxLength: options.max })
  );
}
