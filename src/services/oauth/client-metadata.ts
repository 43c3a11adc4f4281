// What a client says about itself, by dynamic registration (RFC 7591) or in a client ID
// metadata document (draft-ietf-oauth-client-id-metadata-document), and the rules both share.
import { z } from 'zod';
import { text } from '../text.ts';
import { OAuthRequestError } from './oauth-errors.ts';
import { isAcceptableRedirectUri } from './redirect-uris.ts';

// Bidi embeddings, overrides, isolates and marks. In a name shown inside a sentence, one of
// them reorders the text after it: "Evil\u202Eedualc" reads as "Evilclaude", and the host
// the consent page names next could be made to read backwards.
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Fields we read; every other field a client sends is ignored (RFC 7591 §2). */
export const clientMetadataSchema = z.object({
  redirect_uris: z.array(z.string().max(2000)).min(1).max(10),
  client_name: text({ min: 1, max: 200, multiline: false, trim: true, visible: true })
    .refine((value) => !BIDI_CONTROL.test(value), 'must not contain bidirectional control characters')
    .optional(),
  client_uri: z.string().max(2000).optional(),
  grant_types: z.array(z.string().max(100)).max(10).optional(),
  response_types: z.array(z.string().max(100)).max(10).optional(),
  token_endpoint_auth_method: z.string().max(100).optional(),
  application_type: z.string().max(20).optional(),
  client_id: z.string().max(2000).optional(),
});

export interface AcceptedMetadata {
  name: string | null;
  uri: string | null;
  redirectUris: string[];
  applicationType: string | undefined;
}

export type ClientMetadataSourceKind = 'registration' | 'metadata_document';

/**
 * Validates metadata from either source. Redirect URIs that break our rule are dropped
 * rather than refused when at least one acceptable URI remains: Cursor registers
 * `cursor://…`, an https callback and a loopback one in a single request, and RFC 7591 §3.2.1
 * lets the server answer with the values it accepted. Only public clients exist here.
 */
export function acceptClientMetadata(input: unknown, source: ClientMetadataSourceKind): AcceptedMetadata {
  const parsed = clientMetadataSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'the metadata';
    const code = field.startsWith('redirect_uris') ? 'invalid_redirect_uri' : 'invalid_client_metadata';
    throw new OAuthRequestError(code, `${field}: ${issue?.message ?? 'is invalid'}`);
  }
  const metadata = parsed.data;
  const redirectUris = [...new Set(metadata.redirect_uris.filter(isAcceptableRedirectUri))];
  if (redirectUris.length === 0) {
    throw new OAuthRequestError(
      'invalid_redirect_uri',
      'redirect_uris must include an https URI or an http URI on localhost, 127.0.0.1 or [::1], without a fragment.',
    );
  }
  if (metadata.grant_types && !metadata.grant_types.includes('authorization_code')) {
    throw new OAuthRequestError('invalid_client_metadata', 'grant_types must include authorization_code.');
  }
  if (metadata.response_types && !metadata.response_types.includes('code')) {
    throw new OAuthRequestError('invalid_client_metadata', 'response_types must include code.');
  }
  const method = metadata.token_endpoint_auth_method;
  // A document cannot hold a secret (it is public); a registration that asks for one is
  // answered with `none`, the only method we offer, as RFC 7591 §3.2.1 allows.
  if (source === 'metadata_document' && method !== undefined && method !== 'none') {
    throw new OAuthRequestError(
      'invalid_client_metadata',
      'token_endpoint_auth_method must be none: only public clients are supported.',
    );
  }
  const clientUri = metadata.client_uri;
  return {
    name: metadata.client_name ?? null,
    uri: clientUri !== undefined && URL.parse(clientUri)?.protocol === 'https:' ? clientUri : null,
    redirectUris,
    applicationType: metadata.application_type,
  };
}

/**
 * A client ID that names a metadata document: an https URL with a path, without
 * credentials, fragment or dot segments (draft-ietf-oauth-client-id-metadata-document §3).
 */
export function isClientIdUrl(value: string): boolean {
  if (!value.startsWith('https://') || value.length > 2000 || value.includes('#')) return false;
  const url = URL.parse(value);
  if (url?.username !== '' || url.password !== '' || url.pathname === '/') return false;
  const rawPath =
    value
      .slice('https://'.length)
      .replace(/^[^/?]*/, '')
      .split('?', 1)[0] ?? '';
  return !rawPath.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}
