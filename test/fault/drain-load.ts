// The load the shutdown test puts on the service: requests whose answers are kept with what
// they were (a create and its title), so that after SIGTERM each can be judged.
import http from 'node:http';
import { todoSchema } from '../../src/api/openapi-schemas.ts';
import type { Todo } from '../../src/repositories/types.ts';
import { REQUEST_TIMEOUT_MS } from './process-client.ts';

export interface Reply {
  label: string;
  ok: boolean;
  /** The connection failed before an answer: the request may never have been read. */
  reset: boolean;
  detail: string;
  /** The title a create sent, to find it in the database whatever the answer. */
  title?: string;
  /** What a successful create returned. */
  todo?: Todo;
}

const CONNECTION_FAILURES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET']);

/** The system error code somewhere along an error's chain of causes (fetch and the SDK wrap them). */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
}

const failed = (label: string, error: unknown, title: string | undefined): Reply => {
  const code = errorCode(error);
  return {
    label,
    ok: false,
    reset: code !== undefined && CONNECTION_FAILURES.has(code),
    detail: `${String(error)} ${code ?? ''}`,
    ...(title ? { title } : {}),
  };
};

/** An HTTP answer: ok when it has the expected status; a create's todo is parsed from it. */
export async function httpReply(
  label: string,
  run: () => Promise<{ status: number; text: string }>,
  success: number,
  title?: string,
): Promise<Reply> {
  try {
    const { status, text } = await run();
    const todo = status === success && title ? (todoSchema.parse(JSON.parse(text)) as Todo) : undefined;
    return {
      label,
      ok: status === success,
      reset: false,
      detail: `${status} ${text.slice(0, 160)}`,
      ...(title ? { title } : {}),
      ...(todo ? { todo } : {}),
    };
  } catch (error) {
    return failed(label, error, title);
  }
}

/** A tool result: ok unless isError; a create's todo is its structured content. */
export async function toolReply(
  label: string,
  run: () => Promise<{ isError?: boolean | undefined; structuredContent?: unknown }>,
  title?: string,
): Promise<Reply> {
  try {
    const result = await run();
    const todo = title && !result.isError ? (todoSchema.parse(result.structuredContent) as Todo) : undefined;
    return {
      label,
      ok: !result.isError,
      reset: false,
      detail: JSON.stringify(result).slice(0, 160),
      ...(title ? { title } : {}),
      ...(todo ? { todo } : {}),
    };
  } catch (error) {
    return failed(label, error, title);
  }
}

/** One request over a given agent: a keep-alive one reuses a connection opened earlier, `false` opens a new one. */
export function viaAgent(
  agent: http.Agent | false,
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; text: string }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        agent,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * A POST whose body is sent in two parts: once the service has read its headers it has begun
 * the request and waits for the rest, which `finish` sends. The body must be ASCII.
 */
export function slowUpload(
  agent: http.Agent | false,
  base: string,
  path: string,
  token: string,
  body: unknown,
): { finish: () => Promise<{ status: number; text: string }> } {
  const url = new URL(path, base);
  const text = JSON.stringify(body);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    agent,
    headers: {
      'content-type': 'application/json',
      'content-length': String(text.length),
      authorization: `Bearer ${token}`,
    },
    timeout: REQUEST_TIMEOUT_MS,
  });
  const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        answer += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: answer }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
  answered.catch(() => {}); // observed through finish()
  req.write(text.slice(0, 5));
  return {
    finish: () => {
      req.end(text.slice(5));
      return answered;
    },
  };
}
