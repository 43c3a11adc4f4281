import express, { type Request, type RequestHandler } from 'express';
import { foreignCharset } from '../http/body-charset.ts';
import { JSON_AS_FORM } from '../http/problem.ts';

// Todos and credentials are small: a title of 200 and a description of 2,000 characters fit
// in 9 kB even at four bytes a character. Anything much larger is refused with 413.
export const BODY_LIMIT = '32kb';

const TYPES = {
  json: ['application/json', 'application/*+json'],
  form: ['application/x-www-form-urlencoded'],
} as const;

/** Parses JSON bodies; `strict` accepts only objects and arrays, so a bare `null` is a 400. */
export const jsonBody: RequestHandler = express.json({
  limit: BODY_LIMIT,
  strict: true,
  type: [...TYPES.json],
});

/**
 * Parses form-encoded bodies (the OAuth 2 password grant). `curl -d '{"username": ...}'`
 * without `-H 'Content-Type: application/json'` labels JSON as a form: parsed as one, it gave
 * three baffling field errors, so a body that opens like JSON is refused as the wrong type.
 */
export const formBody: RequestHandler = express.urlencoded({
  extended: false,
  limit: '8kb',
  parameterLimit: 20,
  verify: (_req, _res, buffer) => {
    if (/^\s*[[{]/.test(buffer.subarray(0, 64).toString('latin1'))) {
      throw Object.assign(new Error('a JSON body labelled as a form'), { status: 415, type: JSON_AS_FORM });
    }
  },
});

/**
 * Refuses a body of any other media type, or in any charset but UTF-8, with 415, before it is
 * read. A request without a body passes, and its schema then says the body is missing.
 */
const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';

export function requireBodyType(...kinds: (keyof typeof TYPES)[]): RequestHandler {
  const accepted = kinds.flatMap((kind) => TYPES[kind]);
  return (req, _res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    if (!req.is(accepted)) {
      next(Object.assign(new Error('unsupported media type'), { status: 415, expose: true }));
      return;
    }
    if (foreignCharset(req) !== undefined) {
      // The type body-parser gives its own charset refusals, so both map to the same answer.
      next(
        Object.assign(new Error('unsupported charset'), {
          status: 415,
          expose: true,
          type: 'charset.unsupported',
        }),
      );
      return;
    }
    next();
  };
}
