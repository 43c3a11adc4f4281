// The verified-token cache must prove no less than full verification: expiry still applies
// on every call, and a cached token is accepted only for the audience it was checked for.
import { describe, expect, it } from 'vitest';
import { AGENT_TOKEN_MAX_SECONDS } from '../../src/services/auth-schemas.ts';
import { UnauthorizedError } from '../../src/services/errors.ts';
import { TokenCodec } from '../../src/services/token-codec.ts';
import { claimsFor, signHs256 } from '../forged-tokens.ts';
import { PUBLIC_URL, TEST_SECRET } from '../helpers.ts';

function codecAt(start: number, ttlSeconds = 60) {
  let now = start;
  const codec = new TokenCodec({
    secret: TEST_SECRET,
    publicUrl: PUBLIC_URL,
    ttlSeconds,
    now: () => now,
  });
  return { codec, advance: (ms: number) => (now += ms) };
}

describe('TokenCodec verification', () => {
  it('refuses a token that expires after it was first verified (and cached)', () => {
    const { codec, advance } = codecAt(Date.parse('2026-11-21T10:00:00Z'));
    const { token } = codec.sign('user-1', ['todos:read']);
    expect(codec.verify(token, 'api').userId).toBe('user-1');
    advance(59_000);
    expect(codec.verify(token, 'api').userId).toBe('user-1');
    advance(1_000);
    expect(() => codec.verify(token, 'api')).toThrow(UnauthorizedError);
  });

  it('accepts a cached token only for an audience the token names', () => {
    const { codec } = codecAt(Date.now());
    const { token } = codec.sign('user-1', ['todos:read'], {
      tokenId: 'agent-1',
      audiences: ['mcp'],
      ttlSeconds: 600,
    });
    expect(codec.verify(token, 'mcp').kind).toBe('agent');
    expect(() => codec.verify(token, 'api')).toThrow(UnauthorizedError);
  });

  it('refuses a token altered by one character even after the original was cached', () => {
    const { codec } = codecAt(Date.now());
    const { token } = codec.sign('user-1', ['todos:read', 'todos:write']);
    codec.verify(token, 'api');
    const altered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    expect(() => codec.verify(altered, 'api')).toThrow(UnauthorizedError);
  });

  it('accepts agent tokens up to the longest agent lifetime and refuses one second more', () => {
    const { codec } = codecAt(Date.now());
    const agentToken = (lifetime: number) => {
      const claims = claimsFor('user-1');
      return signHs256({ ...claims, kind: 'agent', exp: Number(claims.iat) + lifetime });
    };
    expect(codec.verify(agentToken(AGENT_TOKEN_MAX_SECONDS), 'mcp').kind).toBe('agent');
    expect(() => codec.verify(agentToken(AGENT_TOKEN_MAX_SECONDS + 1), 'mcp')).toThrow(UnauthorizedError);
  });

  it('tolerates a minute of clock skew on iat, not more', () => {
    const start = Date.now();
    const { codec } = codecAt(start, 3600);
    const issuedAhead = (seconds: number) => {
      const claims = { ...claimsFor('user-1'), iat: Math.floor(start / 1000) };
      return signHs256({ ...claims, iat: Number(claims.iat) + seconds });
    };
    expect(codec.verify(issuedAhead(60), 'api').userId).toBe('user-1');
    expect(() => codec.verify(issuedAhead(61), 'api')).toThrow(UnauthorizedError);
  });
});
