// Shared assertion for RFC 9457 answers. Not a test file: the test files import it.
import type { Response } from 'supertest';
import { expect } from 'vitest';

// What must never reach a caller: an HTML error page, a stack frame, SQL or driver errors.
const LEAK = /<html|<!doctype|\bat \S+ \(|\.ts:\d+|node_modules|sqlite|syntaxerror|typeerror/i;

/** Asserts a problem+json answer with this status (and type slug), and that it leaks nothing. */
export function expectProblem(res: Response, status: number, slug?: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toMatchObject({
    type: expect.stringMatching(/^urn:todos:problem:[a-z-]+$/),
    title: expect.any(String),
    status,
  });
  if (slug !== undefined) expect(body.type).toBe(`urn:todos:problem:${slug}`);
  expect(res.text).not.toMatch(LEAK);
  return body;
}
