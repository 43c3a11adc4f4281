// Where a client may ask us to send a person back. The rule (MCP authorization, OAuth 2.1,
// RFC 8252): https anywhere, or http on a loopback host; matched exactly, except that a
// loopback redirect matches on any port (RFC 8252 §7.3), for every client and not only those
// that declare `application_type: native`: Claude Code's metadata document registers
// `http://localhost/callback` without a port and without an application type, then listens
// on a random port.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_LENGTH = 2000;

/** https, or http on a loopback host; absolute, without credentials or a fragment. */
export function isAcceptableRedirectUri(value: string): boolean {
  if (value.length > MAX_LENGTH || value.includes('#')) return false;
  const url = URL.parse(value);
  if (url?.username !== '' || url.password !== '' || url.hostname === '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** True when `requested` is one of `registered`, or a loopback URI that differs from one only by its port. */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (!isAcceptableRedirectUri(requested)) return false;
  if (registered.includes(requested)) return true;
  const url = URL.parse(requested);
  if (url?.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return false;
  return registered.some((entry) => {
    const candidate = URL.parse(entry);
    return (
      candidate !== null &&
      candidate.protocol === 'http:' &&
      candidate.hostname === url.hostname &&
      candidate.pathname === url.pathname &&
      candidate.search === url.search
    );
  });
}

/** An http redirect to this machine: any program on it may be listening there. */
export function isLoopbackRedirectUri(value: string): boolean {
  const url = URL.parse(value);
  return url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}
