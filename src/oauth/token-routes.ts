import express, { type Request, Router } from 'express';
import { OAuthRequestError } from '../services/oauth/oauth-errors.ts';
import type { OAuthTokenService } from '../services/oauth/token-service.ts';

export const TOKEN_PATH = '/oauth/token';
export const REVOCATION_PATH = '/oauth/revoke';

const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

/** Parameters of a form-encoded request; repeated ones are refused, except `resource` (RFC 8707). */
function readForm(req: Request): { get: (name: string) => string | undefined; resources: string[] } {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new OAuthRequestError(
      'invalid_request',
      'Send the parameters as application/x-www-form-urlencoded.',
    );
  }
  const body = req.body as Record<string, unknown>;
  const get = (name: string) => {
    const value = body[name];
    if (Array.isArray(value)) throw new OAuthRequestError('invalid_request', `${name} must be sent once.`);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const resource = body.resource;
  const resources = Array.isArray(resource) ? resource.filter((item) => typeof item === 'string') : [];
  if (typeof resource === 'string') resources.push(resource);
  return { get, resources };
}

/**
 * Our clients are public (`token_endpoint_auth_method: none`): they name themselves with
 * `client_id`. A client that also sends HTTP Basic credentials names itself there; the
 * secret part means nothing here, since we never issue one.
 */
function clientIdOf(req: Request, form: ReturnType<typeof readForm>): string {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(req.get('authorization') ?? '')?.[1];
  const fromHeader = basic === undefined ? undefined : basicUsername(basic);
  const fromBody = form.get('client_id');
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw new OAuthRequestError(
      'invalid_request',
      'client_id differs between the body and the Authorization header.',
    );
  }
  const clientId = fromBody ?? fromHeader;
  if (!clientId) throw new OAuthRequestError('invalid_request', 'client_id is required.');
  return clientId;
}

/** The client id of Basic credentials, form-encoded as RFC 6749 §2.3.1 asks. */
function basicUsername(credentials: string): string {
  const encoded = Buffer.from(credentials, 'base64').toString('utf8').split(':', 1)[0] ?? '';
  try {
    return decodeURIComponent(encoded);
  } catch {
    // A client that fails to authenticate by the Authorization header is invalid_client (§5.2).
    throw new OAuthRequestError('invalid_client', 'The Basic credentials are not form-encoded.');
  }
}

const required = (form: ReturnType<typeof readForm>, name: string): string => {
  const value = form.get(name);
  if (value === undefined) throw new OAuthRequestError('invalid_request', `${name} is required.`);
  return value;
};

export function tokenRoutes(tokens: OAuthTokenService): Router {
  const router = Router();

  router.post(TOKEN_PATH, formBody, async (req, res) => {
    const form = readForm(req);
    const clientId = clientIdOf(req, form);
    const grantType = form.get('grant_type');
    res.setHeader('Pragma', 'no-cache');
    if (grantType === 'authorization_code') {
      res.json(
        await tokens.exchangeCode({
          clientId,
          code: required(form, 'code'),
          redirectUri: form.get('redirect_uri'),
          codeVerifier: form.get('code_verifier'),
          resources: form.resources,
        }),
      );
      return;
    }
    if (grantType === 'refresh_token') {
      res.json(
        await tokens.refresh({
          clientId,
          refreshToken: required(form, 'refresh_token'),
          scope: form.get('scope'),
          resources: form.resources,
        }),
      );
      return;
    }
    throw new OAuthRequestError(
      grantType === undefined ? 'invalid_request' : 'unsupported_grant_type',
      'grant_type must be authorization_code or refresh_token.',
    );
  });

  // RFC 7009: 200 whether or not the token was known, so it cannot be used to test tokens.
  router.post(REVOCATION_PATH, formBody, async (req, res) => {
    const form = readForm(req);
    await tokens.revoke(clientIdOf(req, form), required(form, 'token'));
    res.status(200).end();
  });

  return router;
}
