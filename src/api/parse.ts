import { z } from 'zod';
import { type FieldIssue, type InputSource, InvalidInputError } from '../services/errors.ts';
import { unknownField } from '../services/fields.ts';

/** Parses one part of a request with a shared schema; failures become one InvalidInputError listing every field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, source: InputSource): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  throw new InvalidInputError(
    result.error.issues.flatMap((issue) => fieldIssues(issue, source, known)),
    source,
  );
}

/**
 * The schemas' messages (services/fields.ts) say what each field must be; a few issues read
 * better said per request part. An unknown field is reported under its own name, and a query
 * parameter can only be of the wrong type by being repeated.
 */
function fieldIssues(issue: z.core.$ZodIssue, source: InputSource, known: readonly string[]): FieldIssue[] {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: unknownField(path.length === 0 ? known : []),
    }));
  }
  if (issue.code === 'invalid_type' && source === 'query' && path.length > 0) {
    return [{ path, message: 'must be given once' }];
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return [{ path, message: 'is required' }];
  }
  return [{ path, message: issue.message }];
}
