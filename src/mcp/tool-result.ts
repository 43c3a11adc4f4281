// The MCP edge's one error mapper. Tool failures are results with `isError: true` whose
// text tells the model how to recover; they are not JSON-RPC errors, which a model never
// sees. Unexpected errors are logged and answered generically: the SDK would otherwise
// echo the raw exception text to the model.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import {
  DomainError,
  type ErrorCode,
  InvalidInputError,
  NotFoundError,
  PreconditionFailedError,
  RateLimitedError,
  UnavailableError,
} from '../services/errors.ts';

/** What to do next, per error code: the sentence a model needs to recover. */
const HINTS: Record<ErrorCode, (error: DomainError) => string> = {
  invalid_input: () => 'Fix the arguments listed above and call the tool again.',
  unauthorized: () => 'The access token is no longer valid; ask the user to sign in again.',
  forbidden: () => 'Ask the user for a token that grants this permission.',
  not_found: (error) =>
    error instanceof NotFoundError && error.resource === 'Todo'
      ? 'Call get_all_todos to see the ids that exist.'
      : 'Check the id and try again.',
  conflict: () => 'Choose a different value and try again.',
  precondition_failed: (error) =>
    error instanceof PreconditionFailedError
      ? `Call get_todo_by_id to see the current state; if your change still applies, retry with expectedVersion ${error.currentVersion}.`
      : 'Read the todo again before retrying.',
  quota_exceeded: () => 'Delete todos that are no longer needed (delete_todo) before creating more.',
  rate_limited: (error) =>
    error instanceof RateLimitedError
      ? `Wait ${error.retryAfterSeconds} seconds before calling a tool again.`
      : 'Wait a moment before calling a tool again.',
  unavailable: (error) =>
    `Try again in ${error instanceof UnavailableError ? error.retryAfterSeconds : 5} seconds or later; if it keeps failing, tell the user the service cannot store changes right now.`,
};

export function textResult(text: string, structuredContent?: Record<string, unknown>): CallToolResult {
  return structuredContent
    ? { content: [{ type: 'text', text }], structuredContent }
    : { content: [{ type: 'text', text }] };
}

export function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** Maps anything a tool threw to an isError result; only domain errors keep their message. */
export function toolErrorResult(
  error: unknown,
  logger: Logger,
  context: { tool: string; userId?: string },
): CallToolResult {
  if (error instanceof DomainError) {
    if (error instanceof UnavailableError)
      logger.warn({ ...context, reason: error.reason }, 'storage unavailable');
    const details =
      error instanceof InvalidInputError
        ? ` ${error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ')}.`
        : '';
    return errorResult(`${error.message}${details} ${HINTS[error.code](error)}`);
  }
  const reference = crypto.randomUUID();
  logger.error(
    {
      ...context,
      reference,
      errorName: (error as Error)?.name,
      errorMessage: String((error as Error)?.message).slice(0, 200),
    },
    'tool failed unexpectedly',
  );
  return errorResult(
    `The server failed to complete ${context.tool} (reference ${reference}). Try again later.`,
  );
}
