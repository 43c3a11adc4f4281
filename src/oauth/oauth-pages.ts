import { SIGN_OUT_PATH } from '../pages/account-pages.ts';
import { hidden } from '../pages/form-fields.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import { layout } from '../pages/layout.ts';
import type { Principal } from '../services/auth-service.ts';
import type { AuthorizationRequest } from '../services/oauth/authorization-service.ts';

export const CONSENT_PATH = '/oauth/consent';
/** The web app's Agents view, where a person disconnects apps (src/web). */
const AGENTS_PAGE = '/#agents';

const SCOPE_WORDS: Record<string, string> = {
  'todos:read': 'Read your todos',
  'todos:write': 'Create, change and delete your todos',
};

/**
 * Where the application is, from what we checked rather than what it says of itself: the
 * host that served its metadata document (the CIMD draft asks for the client_id's host), or,
 * for a registration, the host our answer goes to. A registration's client_uri is its own
 * claim: "https://claude.ai" from anyone who registers. Hosts are punycode, so a look-alike
 * domain shows as xn--.
 */
function applicationPlace(request: AuthorizationRequest): SafeHtml {
  const { client } = request;
  const url = URL.parse(client.source === 'metadata_document' ? client.id : request.redirectUri);
  if (!url) return html`We cannot tell where it is.`;
  if (client.source === 'registration' && url.protocol === 'http:') {
    return html`It is a program on this computer (it receives the answer at <strong>${url.host}</strong>).`;
  }
  return html`It is at <strong>${url.host}</strong>.`;
}

export interface ConsentPageState {
  request: AuthorizationRequest;
  /** The request's parameters, carried through the form unchanged and checked again on submit. */
  hiddenParams: [string, string][];
  principal: Principal;
  csrfToken: string;
  /** The consent form's token, good for this session and this request only. */
  consentToken: string;
  resourceUrls: Record<string, string>;
  /** Where "use another account" returns to after signing out. */
  consentUrl: string;
  /** Why the person cannot allow another app now (they hold as many as one may), if so. */
  noRoom?: string | undefined;
}

export function consentPage(state: ConsentPageState): string {
  const { request } = state;
  // <bdi>: whatever script the name is in, the sentence around it keeps its order.
  const name = html`<bdi>${request.client.name ?? 'An application'}</bdi>`;
  const resources = request.resources.map((resource) =>
    resource === 'mcp'
      ? html`<li>through the MCP server at <strong>${state.resourceUrls.mcp}</strong></li>`
      : html`<li>through the REST API at <strong>${state.resourceUrls.api}</strong></li>`,
  );
  const scopeItems = request.scopes.map((scope) =>
    scope === 'todos:write'
      ? html`<div class="choice"><input type="checkbox" id="grant-write" name="granted" value="todos:write" checked>
<label for="grant-write">${SCOPE_WORDS[scope]}</label></div>`
      : html`<div class="choice"><input type="checkbox" id="grant-read" name="granted" value="todos:read" checked>
<label for="grant-read">${SCOPE_WORDS[scope]}</label></div>`,
  );
  return layout(
    'Allow access',
    html`<div class="signed-in"><span>Signed in as <strong>${state.principal.username}</strong></span>
<form method="post" action="${SIGN_OUT_PATH}">${hidden('csrf_token', state.csrfToken)}${hidden('return_to', state.consentUrl)}<button class="link" type="submit">Use another account</button></form></div>
<h1>Allow ${name} to use your todos?</h1>
<div class="notice"><p><strong>Unverified application.</strong> ${name} describes itself; we have not checked it. ${applicationPlace(request)} Allow it only if you started this from an application you trust.</p></div>
<form method="post" action="${CONSENT_PATH}">
${hidden('csrf_token', state.consentToken)}
${state.hiddenParams.map(([key, value]) => hidden(key, value))}
<fieldset>
<legend>It asks to</legend>
${scopeItems}
</fieldset>
<p>It will act for you</p>
<ul class="plain">${resources}</ul>
<p class="muted">You can withdraw this at any time. Afterwards you return to <strong>${URL.parse(request.redirectUri)?.origin ?? ''}</strong>.</p>
${
  state.noRoom !== undefined &&
  html`<p class="alert" role="alert">${state.noRoom} Disconnect one you no longer use under Connected apps on the <a href="${AGENTS_PAGE}" target="_blank" rel="noopener">Agents page</a>, then allow this one.</p>`
}
<div class="actions">
<button class="primary" type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>`,
  );
}

/**
 * An authorization request we do not answer with a redirect: without a trusted redirect URI
 * we send the person nowhere; with `back`, the error's redirect to the client, they may go.
 */
export function authorizationErrorPage(description: string, back?: string): string {
  const host = back === undefined ? undefined : URL.parse(back)?.host;
  return layout(
    'This sign-in link does not work',
    html`<h1>This sign-in link does not work</h1>
<p>The application that sent you here made a request we cannot accept, so we are not sending you anywhere.</p>
<p class="alert" role="alert">${description}</p>
${
  back === undefined
    ? html`<p>Go back to the application and try connecting again. If it keeps happening, tell the application's developer.</p>`
    : html`<p>The application asked to be told at <strong>${host}</strong>. Anyone can register an address with us: go there only if you started this from an application you trust.</p>
<p><a href="${back}">Go back to ${host}</a></p>`
}`,
  );
}
