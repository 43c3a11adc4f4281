import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { portableJsonSchema } from './portable-json-schema.ts';

type JsonSchemaOptions = Parameters<StandardSchemaWithJSON['~standard']['jsonSchema']['input']>[0];

/**
 * The SDK converts a tool's schemas to JSON Schema once per McpServer instance (SDK issue
 * #2838), and we build an instance per request: profiling showed the conversion was ~12% of
 * a 2026-07-28 tools/call. The schemas never change, so this wraps one so that its
 * `~standard.jsonSchema` answers from a cache. The cached result is shared by every request,
 * so it is deeply frozen: should an SDK version write into it, calls fail loudly in the tests
 * instead of leaking state between requests (copying it per call cost ~5%). The schema is
 * also made portable once, here, so every tool advertises it that way (portable-json-schema.ts).
 * Validation is still the schema's own.
 */
export function withCachedJsonSchema<S extends StandardSchemaWithJSON>(schema: S): S {
  const standard = schema['~standard'];
  const cache = new Map<string, Record<string, unknown>>();
  const converter = (io: 'input' | 'output') => (options: JsonSchemaOptions) => {
    // The SDK asks twice per tools/call with a fresh `{ target }`: keyed without serialising
    // it in the usual case (JSON.stringify here was ~1% of a call's CPU).
    const key =
      options.libraryOptions === undefined
        ? `${io} ${options.target}`
        : `${io} ${options.target} ${JSON.stringify(options.libraryOptions)}`;
    let converted = cache.get(key);
    if (converted === undefined) {
      converted = deepFreeze(portableJsonSchema(standard.jsonSchema[io](options)));
      cache.set(key, converted);
    }
    return converted;
  };
  const cached = { ...standard, jsonSchema: { input: converter('input'), output: converter('output') } };
  return new Proxy(schema, {
    get: (target, key, receiver) => (key === '~standard' ? cached : Reflect.get(target, key, receiver)),
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
