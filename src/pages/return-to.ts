/**
 * Where a page may send a person after signing in: a path on our own origin only, so the
 * sign-in page cannot be turned into an open redirect (`//evil.example`, `/\evil.example`,
 * `https://evil.example`, `javascript:`, `/.//evil.example`).
 */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > 4000 || !value.startsWith('/')) return fallback;
  if (value.startsWith('//') || value.startsWith('/\\') || /[\p{Cc}\\]/u.test(value)) return fallback;
  const base = 'http://our.origin';
  const url = URL.parse(value, base);
  if (!url || url.origin !== base) return fallback;
  // Parsing removes dot segments, so `/.//evil.example` comes out as `//evil.example`: a
  // browser reads that as another host. Judge what is returned, not only what was given.
  const path = `${url.pathname}${url.search}`;
  return path.startsWith('//') ? fallback : path;
}

/** The application an authorization request would send the person back to, for the page's CSP. */
export function returnToRedirectUri(returnTo: string): string | undefined {
  const url = URL.parse(returnTo, 'http://our.origin');
  return url?.searchParams.get('redirect_uri') ?? undefined;
}
