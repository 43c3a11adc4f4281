// Checks on error answers shared by the fault tests: what a caller may be told, and what never.

// An HTML page, a stack frame, a source path, SQL or driver errors, or a JavaScript exception name.
export const LEAK =
  /<html|<!doctype|\bat \S+ \(|\.ts:\d+|node_modules|sqlite|syntaxerror|typeerror|rangeerror/i;

/** Every way an HTTP error answer falls short of RFC 9457 problem+json without leaks. */
export function problemViolations(status: number, contentType: string | null, text: string): string[] {
  const problems: string[] = [];
  if (!/^application\/problem\+json/.test(contentType ?? ''))
    problems.push(`${status} answered as ${contentType}: ${text.slice(0, 200)}`);
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    problems.push(`${status} body is not JSON: ${text.slice(0, 200)}`);
  }
  if (body) {
    if (typeof body.type !== 'string' || !/^urn:todos:problem:[a-z-]+$/.test(body.type))
      problems.push(`problem type ${String(body.type)}`);
    if (typeof body.title !== 'string') problems.push('problem without a title');
    if (body.status !== status) problems.push(`problem status ${String(body.status)} on a ${status}`);
  }
  if (LEAK.test(text)) problems.push(`leaks internals: ${text.slice(0, 300)}`);
  return problems;
}
