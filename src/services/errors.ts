// Domain errors: a small closed family. Each carries a stable code and a message that is
// safe to show to any caller. They know nothing of HTTP or MCP: each edge maps the code
// to its own protocol exactly once (src/api/problem.ts, src/mcp/tool-result.ts).

export type ErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'unavailable';

/** One problem with one input field; `path` locates it inside the input that was parsed. */
export interface FieldIssue {
  path: readonly (string | number)[];
  message: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export class InvalidInputError extends DomainError {
  override name = 'InvalidInputError';
  readonly issues: readonly FieldIssue[];
  /** Where the input came from, when the thrower knows: lets an edge say "query parameter". */
  readonly source: InputSource | undefined;
  constructor(issues: readonly FieldIssue[], source?: InputSource) {
    super('invalid_input', 'The request has invalid fields.');
    this.issues = issues;
    this.source = source;
  }
}
export type InputSource = 'body' | 'query' | 'header';

export class UnauthorizedError extends DomainError {
  override name = 'UnauthorizedError';
  constructor(message = 'The credentials are missing, invalid or expired.') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  /** The scope that would have allowed the call, for an `insufficient_scope` challenge. */
  readonly requiredScope: string | undefined;
  constructor(message: string, requiredScope?: string) {
    super('forbidden', message);
    this.requiredScope = requiredScope;
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  readonly resource: string;
  readonly id: string;
  constructor(resource: string, id: string) {
    super('not_found', `${resource} ${JSON.stringify(id)} was not found.`);
    this.resource = resource;
    this.id = id;
  }
}

export class ConflictError extends DomainError {
  override name = 'ConflictError';
  constructor(message: string) {
    super('conflict', message);
  }
}

export class PreconditionFailedError extends DomainError {
  override name = 'PreconditionFailedError';
  readonly currentVersion: number;
  constructor(message: string, currentVersion: number) {
    super('precondition_failed', message);
    this.currentVersion = currentVersion;
  }
}

export class QuotaExceededError extends DomainError {
  override name = 'QuotaExceededError';
  readonly limit: number;
  constructor(message: string, limit: number) {
    super('quota_exceeded', message);
    this.limit = limit;
  }
}

export class RateLimitedError extends DomainError {
  override name = 'RateLimitedError';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The store cannot read or keep data right now (read-only or full disk, I/O errors, the file
 * replaced under the process). Raised by repositories; the caller may retry later.
 */
export class UnavailableError extends DomainError {
  override name = 'UnavailableError';
  readonly retryAfterSeconds: number;
  /** What failed underneath (an SQLite result code, say), for operators' logs only: never answered. */
  readonly reason: string;
  constructor(message: string, reason: string, retryAfterSeconds = 5) {
    super('unavailable', message);
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
