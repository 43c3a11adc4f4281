import type { z } from 'zod';
import { type InputSource, InvalidInputError } from '../services/errors.ts';

/** Parses one part of a request with a shared schema; failures become one InvalidInputError listing every field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, source: InputSource): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(
    result.error.issues.map((issue) => ({
      path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
      message: describeIssue(issue),
    })),
    source,
  );
}

// zod's messages for unknown keys and missing bodies are written for programmers of zod;
// these say what the caller should change.
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.path.length === 0) return `expected a JSON ${issue.expected}`;
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'is required';
  if (issue.code === 'invalid_type' && issue.message.endsWith('received array')) return 'must be given once';
  return issue.message;
}
