import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: authorization codes, refresh tokens, session ids. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** What we store instead of a secret: a copy of the database must not be usable as credentials. */
export const hashSecret = (value: string): string => createHash('sha256').update(value).digest('hex');

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge is a base64url SHA-256 digest: exactly 43 characters. */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 §4.6 with S256, the only method we accept: compared in constant time. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier) || !S256_CHALLENGE.test(challenge)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  return timingSafeEqual(computed, Buffer.from(challenge));
}
