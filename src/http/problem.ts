// RFC 9457 problem details: the one place where errors become HTTP answers. Domain errors
// map through a table checked against every ErrorCode; errors raised by Express's body
// parsers map by their status; anything else is a logged 500 with no details.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import {
  DomainError,
  type ErrorCode,
  ForbiddenError,
  InvalidInputError,
  PreconditionFailedError,
  QuotaExceededError,
  RateLimitedError,
  UnavailableError,
} from '../services/errors.ts';
import { allowedMethods } from './allowed-methods.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

/** The stable `type` of a kind of problem. */
export const problemType = (slug: string) => `urn:todos:problem:${slug}`;

const DOMAIN: Record<ErrorCode, { status: number; slug: string; title: string }> = {
  invalid_input: { status: 400, slug: 'validation-failed', title: 'Your request is not valid.' },
  unauthorized: { status: 401, slug: 'unauthorized', title: 'Authentication is required.' },
  forbidden: { status: 403, slug: 'forbidden', title: 'You may not do this.' },
  not_found: { status: 404, slug: 'not-found', title: 'The resource was not found.' },
  conflict: { status: 409, slug: 'conflict', title: 'The request conflicts with the current state.' },
  precondition_failed: { status: 412, slug: 'precondition-failed', title: 'The resource has changed.' },
  quota_exceeded: { status: 409, slug: 'quota-exceeded', title: 'A limit of your account was reached.' },
  rate_limited: { status: 429, slug: 'rate-limited', title: 'Too many requests.' },
  unavailable: {
    status: 503,
    slug: 'temporarily-unavailable',
    title: 'The service is temporarily unable to complete this request.',
  },
} satisfies Record<ErrorCode, unknown>;

// Errors of the body parsers (they set `status` and `expose`), by status.
const PARSER: Record<number, { slug: string; title: string; detail: string }> = {
  400: {
    slug: 'malformed-body',
    title: 'The request body is malformed.',
    detail: 'The body is not valid JSON.',
  },
  413: { slug: 'payload-too-large', title: 'The request body is too large.', detail: 'Send a smaller body.' },
  415: {
    slug: 'unsupported-media-type',
    title: 'The request body has an unsupported media type.',
    detail: 'Send the body as application/json.',
  },
};

export function sendProblem(res: Response, problem: Problem): void {
  res.locals.problem = problem.type;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

export function problemFromDomainError(error: DomainError): Problem {
  const entry = DOMAIN[error.code];
  const problem: Problem = {
    type: problemType(entry.slug),
    title: entry.title,
    status: entry.status,
    detail: error.message,
  };
  if (error instanceof InvalidInputError) {
    problem.errors = error.issues.map((issue) => ({
      field: issue.path.join('.'),
      ...(error.source ? { in: error.source } : {}),
      detail: issue.message,
    }));
  } else if (error instanceof PreconditionFailedError) {
    problem.currentVersion = error.currentVersion;
  } else if (error instanceof QuotaExceededError) {
    problem.limit = error.limit;
  } else if (error instanceof RateLimitedError || error instanceof UnavailableError) {
    problem.retryAfter = error.retryAfterSeconds;
  }
  return problem;
}

/** The error type a form body that is really JSON is refused with (api/body.ts). */
export const JSON_AS_FORM = 'json.as.form';

// Parser errors whose `type` says more than their status: a body in another charset than
// UTF-8 (our check and body-parser's own set this type), and a JSON body labelled as a form.
const BY_TYPE: Record<string, { slug: string; title: string; detail: string }> = {
  'charset.unsupported': {
    slug: 'unsupported-media-type',
    title: 'The request body has an unsupported media type.',
    detail: 'Send the body in UTF-8 (charset=utf-8, or no charset at all).',
  },
  [JSON_AS_FORM]: {
    slug: 'unsupported-media-type',
    title: 'The request body has an unsupported media type.',
    detail:
      "The body is JSON but labelled application/x-www-form-urlencoded (curl -d does that unless told otherwise): send it with the header 'Content-Type: application/json'.",
  },
};

interface HttpError {
  status: number;
  expose: boolean;
  type?: unknown;
}
const isParserError = (error: unknown): error is HttpError =>
  typeof error === 'object' &&
  error !== null &&
  (error as HttpError).expose === true &&
  typeof (error as HttpError).status === 'number';

// The router cannot percent-decode a path parameter (`/api/todos/%`): it throws a URIError
// with status 400 but without `expose`, which would otherwise become a 500.
const isUndecodablePath = (error: unknown): boolean =>
  error instanceof URIError && (error as Partial<HttpError>).status === 400;

/** The last middleware: turns whatever was thrown into problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (error instanceof DomainError) {
      if (error instanceof RateLimitedError || error instanceof UnavailableError)
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      if (error instanceof UnavailableError)
        logger.warn({ reqId: req.requestId, reason: error.reason }, 'storage unavailable');
      if (error.code === 'unauthorized')
        res.setHeader('WWW-Authenticate', bearerChallenge(req.get('authorization')));
      if (error instanceof ForbiddenError && error.requiredScope) {
        res.setHeader(
          'WWW-Authenticate',
          `Bearer realm="todos", error="insufficient_scope", scope="${error.requiredScope}"`,
        );
      }
      sendProblem(res, problemFromDomainError(error));
      return;
    }
    if (isUndecodablePath(error)) {
      sendProblem(res, {
        type: problemType('malformed-url'),
        title: 'The request address is malformed.',
        status: 400,
        detail: 'A path segment is not valid percent-encoding.',
      });
      return;
    }
    if (isParserError(error)) {
      const entry =
        (typeof error.type === 'string' ? BY_TYPE[error.type] : undefined) ??
        PARSER[error.status] ??
        PARSER[400];
      if (entry) {
        sendProblem(res, {
          type: problemType(entry.slug),
          title: entry.title,
          status: error.status in PARSER ? error.status : 400,
          detail: entry.detail,
        });
        return;
      }
    }
    logger.error(
      {
        reqId: req.requestId,
        errorName: (error as Error)?.name,
        errorMessage: String((error as Error)?.message).slice(0, 200),
      },
      'unhandled error',
    );
    logger.debug({ reqId: req.requestId, stack: (error as Error)?.stack }, 'unhandled error stack');
    sendProblem(res, {
      type: problemType('internal'),
      title: 'Something went wrong on our side.',
      status: 500,
      detail: `Quote request id ${req.requestId} if you report it.`,
    });
  };
}

/** RFC 6750 §3: a request without credentials gets a bare challenge; a bad token names the error. */
function bearerChallenge(authorization: string | undefined): string {
  return authorization === undefined ? 'Bearer realm="todos"' : 'Bearer realm="todos", error="invalid_token"';
}

/** Every unmatched route. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, {
    type: problemType('route-not-found'),
    title: 'There is nothing at this address.',
    status: 404,
    detail: `No route for ${req.method} ${req.path.slice(0, 200)}.`,
  });
};

/** 405 with the Allow header RFC 9110 §15.5.6 requires: the methods that would have worked. */
export function sendMethodNotAllowed(res: Response, allowed: readonly string[], detail: string): void {
  res.setHeader('Allow', allowed.join(', '));
  sendProblem(res, {
    type: problemType('method-not-allowed'),
    title: 'This address does not accept this method.',
    status: 405,
    detail,
  });
}

/** A request no route answered, on a path that other methods are served at. */
export const methodNotAllowedHandler: RequestHandler = (req, res, next) => {
  const allowed = allowedMethods(req);
  if (allowed.length === 0 || allowed.includes(req.method)) {
    next();
    return;
  }
  sendMethodNotAllowed(res, allowed, `Use ${allowed.join(', ')} at this address.`);
};
