// The one reading of the Authorization header for /api and /mcp, so that both interfaces
// accept exactly the same headers.

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. The scheme is case-insensitive
// (RFC 7235 §2.1); anything after the token (junk, a second token, a comma list) is refused,
// as is a tab where the space belongs.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of a well-formed `Authorization: Bearer <token>` header; undefined otherwise. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}
