// Grants that ended are deleted, with their refresh tokens, by the purge every refresh runs,
// once their last refresh token has expired too (the refresh-token life, 30 days).
import { describe, expect, it } from 'vitest';
import { createListeningContext } from '../helpers.ts';
import { grantTokens, payloadOf, postForm, tokenRequest } from './oauth-helpers.ts';

const DAY = 86_400_000;

describe('purging grants that ended', () => {
  it('deletes a revoked grant and its refresh tokens 30 days after it ended, not before', async () => {
    let clock = Date.now();
    const ctx = await createListeningContext({ now: () => clock });
    const rows = (grantId: string) =>
      ctx.db
        .prepare(
          `SELECT (SELECT count(*) FROM oauth_grants WHERE id = ?) AS grants,
             (SELECT count(*) FROM oauth_refresh_tokens WHERE grant_id = ?) AS tokens`,
        )
        .get(grantId, grantId);
    const refresh = async (granted: { clientId: string; refreshToken: string }) => {
      const res = await tokenRequest(ctx.base, {
        grant_type: 'refresh_token',
        client_id: granted.clientId,
        refresh_token: granted.refreshToken,
      });
      expect(res.status).toBe(200);
      return { clientId: granted.clientId, refreshToken: String(res.body.refresh_token) };
    };
    try {
      const alice = await ctx.signUp();
      const ended = await grantTokens(ctx.base, alice);
      const endedId = String(payloadOf(ended.accessToken).grant_id);
      await postForm(`${ctx.base}/oauth/revoke`, { client_id: ended.clientId, token: ended.refreshToken });

      clock += 20 * DAY;
      const live = await refresh(await grantTokens(ctx.base, alice));
      expect(rows(endedId)).toEqual({ grants: 1, tokens: 1 });

      clock += 11 * DAY;
      await refresh(live);
      expect(rows(endedId)).toEqual({ grants: 0, tokens: 0 });
    } finally {
      await ctx.close();
    }
  });
});
