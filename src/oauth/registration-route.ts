import express, { Router } from 'express';
import type { OAuthClientService } from '../services/oauth/client-service.ts';
import { OAuthRequestError } from '../services/oauth/oauth-errors.ts';

export const REGISTRATION_PATH = '/oauth/register';

/** RFC 7591 dynamic registration of public clients, as Cursor, Copilot CLI and the Inspector use it. */
export function registrationRoute(clients: OAuthClientService): Router {
  const router = Router();
  router.post(
    REGISTRATION_PATH,
    express.json({ limit: '16kb', type: ['application/json', 'application/*+json'] }),
    async (req, res) => {
      if (!req.is(['application/json', 'application/*+json'])) {
        throw new OAuthRequestError(
          'invalid_client_metadata',
          'Send the client metadata as application/json.',
        );
      }
      const client = await clients.register(req.body, req.ip ?? 'unknown');
      res.status(201).json({
        client_id: client.id,
        client_id_issued_at: Math.floor(Date.parse(client.createdAt) / 1000),
        ...(client.name === null ? {} : { client_name: client.name }),
        ...(client.uri === null ? {} : { client_uri: client.uri }),
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        ...(client.applicationType === undefined ? {} : { application_type: client.applicationType }),
      });
    },
  );
  return router;
}
