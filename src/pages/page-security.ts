import type { Response } from 'express';

/**
 * The Content-Security-Policy of our pages, replacing the API's `default-src 'none'`: our own
 * stylesheet, no script at all, no framing (clickjacking a consent page would grant access),
 * and forms that post only to us. Browsers also check `form-action` on the redirects that
 * follow a form, so a page whose form ends in a redirect to an application names that
 * application's origin.
 */
export function setPageHeaders(res: Response, formTargets: readonly string[] = []): void {
  const targets = ["'self'", ...formTargets.map(cspSource).filter((source) => source !== undefined)];
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      "style-src 'self'",
      "img-src 'self'",
      `form-action ${[...new Set(targets)].join(' ')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
  );
  // Not the API's no-referrer: under it browsers send `Origin: null` with our own forms, and
  // the CSRF guard must see our origin. same-origin still sends nothing to other sites.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.type('html');
}

/**
 * The CSP source for a redirect URI: its origin. CSP host sources cannot name an IPv6
 * literal, so a redirect to http://[::1]:port needs the scheme source `http:`.
 */
function cspSource(uri: string): string | undefined {
  const url = URL.parse(uri);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  return url.hostname.startsWith('[') ? url.protocol : url.origin;
}
