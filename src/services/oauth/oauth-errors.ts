// The errors of the OAuth protocol (RFC 6749 §4.1.2.1 and §5.2, RFC 7591 §3.2.2, RFC 8707,
// RFC 7009). They are the vocabulary of authorization itself, so the services that run the
// protocol speak it; the OAuth edge alone turns them into HTTP answers or redirects.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

export class OAuthRequestError extends Error {
  override name = 'OAuthRequestError';
  readonly code: OAuthErrorCode;
  /** A sentence safe to show the client developer (`error_description`). */
  readonly description: string;
  constructor(code: OAuthErrorCode, description: string) {
    super(description);
    this.code = code;
    this.description = description;
  }
}
