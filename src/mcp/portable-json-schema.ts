/**
 * A JSON Schema with every multi-type `type` (zod writes `["string", "null"]` for a plain
 * nullable string) split into `anyOf` branches of one type each. Both are legal JSON Schema,
 * but clients that map tool schemas onto a single-type dialect (the OpenAPI subset of Gemini
 * function declarations, for one) reject or drop the array form, and the MCP Inspector's
 * `--strict` lint warns about it. The other keywords stay where they were: each applies to
 * values of its own type only, so the schema accepts exactly what it accepted before.
 */
export function portableJsonSchema(schema: object): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = portable(value);
  const { type, ...rest } = copy;
  if (!Array.isArray(type) || type.length < 2 || 'anyOf' in rest) return copy;
  return { ...rest, anyOf: type.map((single: unknown) => ({ type: single })) };
}

function portable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(portable);
  return typeof value === 'object' && value !== null ? portableJsonSchema(value) : value;
}
