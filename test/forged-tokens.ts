// Tokens for the authentication tests of both interfaces: the claims we issue, and the
// catalogue of forged or bent tokens each interface must refuse.
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { PUBLIC_URL, TEST_SECRET, TEST_TOKEN_TTL } from './helpers.ts';

export type Claims = Record<string, unknown>;

export const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims our service issues, for `sub`, valid now. */
export function claimsFor(sub: string): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: PUBLIC_URL,
    sub,
    aud: [`${PUBLIC_URL}/api`, `${PUBLIC_URL}/mcp`],
    iat: now,
    exp: now + 600,
    jti: randomUUID(),
    scope: 'todos:read todos:write',
  };
}

// jsonwebtoken keeps a given iat, adds one when missing, and with noTimestamp drops it.
const exactly = (claims: Claims) => ({ noTimestamp: !('iat' in claims) });

/** Signs exactly these claims with HS256 and `secret`. */
export const signHs256 = (claims: Claims, secret = TEST_SECRET) =>
  jwt.sign(claims, secret, { algorithm: 'HS256', ...exactly(claims) });

/** A token with any header, its signature an HMAC-SHA256 under our secret. */
export function handMade(header: Claims, claims: Claims): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', TEST_SECRET).update(input).digest('base64url')}`;
}

const without = (claims: Claims, name: string): Claims => {
  const { [name]: _dropped, ...rest } = claims;
  return rest;
};

const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/**
 * Every way of forging or bending a token that item 4 of security.md lists, and a few more,
 * for a request to `resource`: each must be refused with 401 there.
 */
export const forgeries = (resource: 'api' | 'mcp'): [string, (sub: string) => string][] => [
  ['an expired token', (sub) => signHs256({ ...claimsFor(sub), iat: 1_000, exp: 2_000 })],
  ['a token from another issuer', (sub) => signHs256({ ...claimsFor(sub), iss: 'https://evil.example' })],
  [
    `a token whose audience is only /${resource === 'api' ? 'mcp' : 'api'}`,
    (sub) => signHs256({ ...claimsFor(sub), aud: [`${PUBLIC_URL}/${resource === 'api' ? 'mcp' : 'api'}`] }),
  ],
  [
    'a token for another host',
    (sub) =>
      signHs256({
        ...claimsFor(sub),
        aud: [`https://evil.example/${resource}`],
        iss: 'https://evil.example',
      }),
  ],
  [
    'an unsigned token (alg: none)',
    (sub) => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claimsFor(sub))}.`,
  ],
  ['a token with its signature stripped', (sub) => signHs256(claimsFor(sub)).replace(/\.[^.]+$/, '.')],
  [
    'a token with its signature and final dot stripped',
    (sub) => signHs256(claimsFor(sub)).replace(/\.[^.]+$/, ''),
  ],
  [
    'a token signed with another secret',
    (sub) => signHs256(claimsFor(sub), 'another-secret-that-is-also-32-bytes-long'),
  ],
  ['a genuine RS256 token', (sub) => jwt.sign(claimsFor(sub), rsaKey, { algorithm: 'RS256' })],
  [
    'an RS256 header over an HMAC of our secret (algorithm confusion)',
    (sub) => handMade({ alg: 'RS256', typ: 'JWT' }, claimsFor(sub)),
  ],
  [
    'an HS512 token signed with our secret',
    (sub) => jwt.sign(claimsFor(sub), TEST_SECRET, { algorithm: 'HS512' }),
  ],
  ...['exp', 'iss', 'sub', 'aud', 'iat', 'jti', 'scope'].map((claim): [string, (sub: string) => string] => [
    `a token without ${claim}`,
    (sub) => signHs256(without(claimsFor(sub), claim)),
  ]),
  ['a token with an unknown scope', (sub) => signHs256({ ...claimsFor(sub), scope: 'todos:read admin' })],
  ['a token with an empty scope', (sub) => signHs256({ ...claimsFor(sub), scope: '' })],
  [
    'a token whose sub was altered after signing',
    (sub) => {
      const [header, , signature] = signHs256(claimsFor(sub)).split('.');
      return `${header}.${b64url(claimsFor(randomUUID()))}.${signature}`;
    },
  ],
  ['a correctly signed token for a user that does not exist', () => signHs256(claimsFor(randomUUID()))],
  // What we would never issue, though signed with our secret (RFC 8725: defence in depth).
  [
    'a token issued an hour in the future',
    (sub) => {
      const claims = claimsFor(sub);
      return signHs256({ ...claims, iat: Number(claims.iat) + 3600, exp: Number(claims.exp) + 3600 });
    },
  ],
  [
    'a token living one second longer than the sign-in lifetime',
    (sub) => {
      const claims = claimsFor(sub);
      return signHs256({ ...claims, exp: Number(claims.iat) + TEST_TOKEN_TTL + 1 });
    },
  ],
  [
    'a token that expires before it was issued',
    (sub) => {
      const claims = claimsFor(sub);
      return signHs256({ ...claims, iat: Number(claims.exp) + 1 });
    },
  ],
  [
    'a token with a crit header (an extension we must understand or refuse)',
    (sub) => handMade({ alg: 'HS256', typ: 'JWT', crit: ['exp'], exp: 1 }, claimsFor(sub)),
  ],
  ...(
    [
      ['a kid we never set', { kid: 'our-key' }],
      ['a jku URL', { jku: 'https://evil.example/jwks.json' }],
      ['an x5u URL', { x5u: 'https://evil.example/cert.pem' }],
      ['an embedded jwk', { jwk: { kty: 'oct', k: 'c2VjcmV0' } }],
      ['a typ other than JWT', { typ: 'JOSE' }],
    ] as const
  ).map(([what, extra]): [string, (sub: string) => string] => [
    `a token whose header carries ${what}`,
    (sub) => handMade({ alg: 'HS256', typ: 'JWT', ...extra }, claimsFor(sub)),
  ]),
];

type HeaderOf = (token: string) => string;

/**
 * Authorization headers that are not exactly one bearer credential (RFC 6750 §2.1), around a
 * valid token: each must be refused with 401 by both interfaces, which share one parser.
 */
export const malformedAuthorizations: [string, HeaderOf][] = [
  ['trailing junk after the token', (token) => `Bearer ${token} x`],
  ['two tokens', (token) => `Bearer ${token} ${token}`],
  ['a comma-separated list of credentials', (token) => `Bearer ${token}, Bearer ${token}`],
  ['a tab between the scheme and the token', (token) => `Bearer\t${token}`],
  ['an empty token', () => 'Bearer '],
  ['the token without a scheme', (token) => token],
  ['the token under another scheme', (token) => `Basic ${token}`],
  ['a quoted token', (token) => `Bearer "${token}"`],
  ['a character outside the token alphabet', (token) => `Bearer ${token}!`],
];

/** Spellings of one bearer credential that RFC 7235 allows: the scheme in any case, several spaces. */
export const wellFormedAuthorizations: [string, HeaderOf][] = [
  ['a lowercase scheme', (token) => `bearer ${token}`],
  ['an uppercase scheme', (token) => `BEARER ${token}`],
  ['two spaces before the token', (token) => `Bearer  ${token}`],
];
