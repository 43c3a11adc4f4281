// The page's only way to the server: /api on our own origin, signed in by the session cookie
// the browser sends by itself. Every write repeats the session's request token (rendered into
// the page by the server) in X-CSRF-Token, which /api demands of cookie-signed writes.

/**
 * @typedef {{ id: string, title: string, description: string, priority: number, completed: boolean,
 *   dueDate: string | null, createdAt: string, updatedAt: string, version: number }} Todo
 * @typedef {'title' | 'description' | 'priority' | 'completed' | 'dueDate'} TodoField
 * @typedef {{ title?: string, description?: string, priority?: number, completed?: boolean,
 *   dueDate?: string | null }} TodoChanges
 * @typedef {{ kind: 'agent_token' | 'oauth_client', id: string, name: string | null }} ActingClient
 * @typedef {{ id: number, at: string, todoId: string,
 *   action: 'created' | 'updated' | 'completed' | 'reopened' | 'deleted',
 *   fields: TodoField[], version: number, via: 'web' | 'api' | 'mcp', client: ActingClient | null }} ActivityEntry
 * @typedef {{ type: string, title: string, status: number, detail?: string,
 *   errors?: { field: string, detail: string }[], currentVersion?: number }} Problem
 */

const requestToken = document.body.dataset.requestToken ?? '';

export class ApiError extends Error {
  /** @param {number} status @param {Problem | undefined} problem */
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The message of one field's validation error, if the server named it. @param {string} field */
  fieldError(field) {
    return this.problem?.errors?.find((error) => error.field === field)?.detail;
  }
}

/** Sends the person to the shared sign-in page, which brings them back here afterwards. */
export function signInAgain() {
  location.assign(`/oauth/sign-in?${new URLSearchParams({ return_to: '/' })}`);
}

/**
 * One request to /api. Resolves with the parsed body (undefined for 204); rejects with
 * ApiError, or a TypeError when the server cannot be reached.
 * The body is taken to be what /api documents for the path (T, named by the caller).
 * @template [T=unknown]
 * @param {string} method
 * @param {string} path below /api, with its query string
 * @param {{ body?: unknown, version?: number }} [options] `version` is sent as If-Match.
 * @returns {Promise<T>}
 */
export async function api(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = requestToken;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.version !== undefined) headers['If-Match'] = `"${options.version}"`;
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const body = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (response.ok) return body;
  if (response.status === 401) signInAgain();
  // The session changed under the page (signed out, or in as someone else, in another tab):
  // a fresh page carries the new session's token.
  if (response.status === 403 && body?.type === 'urn:todos:problem:cross-site-request') location.reload();
  throw new ApiError(response.status, body);
}

/** A message for a failed request, for people. @param {unknown} error */
export function failure(error) {
  if (error instanceof ApiError) return error.message;
  return 'The server cannot be reached. Check your connection and try again.';
}
