import { SCOPES } from '../services/auth-schemas.ts';
import { AUTHORIZE_PATH } from './authorization-routes.ts';
import { REGISTRATION_PATH } from './registration-route.ts';
import { REVOCATION_PATH, TOKEN_PATH } from './token-routes.ts';

/**
 * RFC 8414 metadata. What MCP hosts look for: S256 (clients refuse an AS without it), `none`
 * among the auth methods (Claude uses metadata documents only then), metadata documents and
 * DCR both, and `iss` in responses (ChatGPT keeps its stable redirect only when advertised).
 */
export function authorizationServerMetadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}${AUTHORIZE_PATH}`,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    registration_endpoint: `${issuer}${REGISTRATION_PATH}`,
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    scopes_supported: [...SCOPES],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}
