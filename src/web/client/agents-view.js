// Agents: mint a token for one agent (shown once, with set-ups to paste), list and revoke
// tokens, and list and revoke the apps connected through OAuth.
import { api, failure } from './api.js';
import { copy } from './copy.js';
import { ago, fullTime } from './describe.js';
import { confirmAction } from './dialogs.js';
import { announce, byId, h, listOf, showMessage } from './dom.js';
import { snippetsFor } from './snippets.js';

/**
 * @typedef {{ id: string, name: string, scopes: string[], audience: ('api' | 'mcp')[], createdAt: string,
 *   expiresAt: string, lastUsedAt: string | null, revokedAt: string | null }} AgentToken
 * @typedef {AgentToken & { token: string }} MintedToken
 * @typedef {{ id: string, clientId: string, clientName: string | null, clientUri: string | null, scopes: string[],
 *   resources: ('api' | 'mcp')[], createdAt: string, lastUsedAt: string | null, expiresAt: string }} Grant
 */

const SCOPE_WORDS = { 'todos:read': 'read', 'todos:write': 'create, change and delete' };
const WHERE = { mcp: 'MCP', api: 'the REST API' };

/** "Can read, create, change and delete your todos, through MCP". @param {string[]} scopes @param {('api' | 'mcp')[]} where */
const can = (scopes, where) =>
  `Can ${listOf(scopes.map((scope) => SCOPE_WORDS[/** @type {keyof typeof SCOPE_WORDS} */ (scope)] ?? scope))} your todos, through ${listOf(where.map((each) => WHERE[each]))}`;

/** "Created 3 minutes ago", with the exact time for those who ask. @param {string} label @param {string} iso */
const when = (label, iso) =>
  h('span', {}, `${label} `, h('time', { datetime: iso, title: fullTime(iso) }, ago(iso)));

export class AgentsView {
  #form = byId('mint-token', HTMLFormElement);
  #formError = byId('mint-error', HTMLElement);
  #minted = byId('minted', HTMLElement);
  #tokens = byId('token-list', HTMLUListElement);
  #grants = byId('grant-list', HTMLUListElement);
  #error = byId('agents-error', HTMLElement);

  constructor() {
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#mint();
    });
    byId('minted-done', HTMLButtonElement).addEventListener('click', () => this.#forgetMinted());
    this.#minted.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('[data-copy-from]') : null;
      if (!(button instanceof HTMLElement)) return;
      const source = document.getElementById(button.dataset.copyFrom ?? '');
      if (source instanceof HTMLInputElement) void copy(source.value, source);
      else if (source) void copy(source.textContent ?? '', source);
    });
  }

  async refresh() {
    try {
      /** @type {Promise<{ items: AgentToken[] }>} */
      const tokensLoaded = api('GET', '/auth/tokens');
      /** @type {Promise<{ items: Grant[] }>} */
      const grantsLoaded = api('GET', '/auth/grants');
      const [tokens, grants] = await Promise.all([tokensLoaded, grantsLoaded]);
      this.#showTokens(tokens.items);
      this.#showGrants(grants.items);
      showMessage(this.#error, '');
    } catch (error) {
      showMessage(this.#error, failure(error));
    }
  }

  async #mint() {
    showMessage(this.#formError, '');
    const data = new FormData(this.#form);
    const name = String(data.get('name') ?? '').trim();
    const scopes = data.getAll('scopes').map(String);
    const nameInput = byId('token-name', HTMLInputElement);
    nameInput.removeAttribute('aria-invalid');
    if (name === '' || scopes.length === 0) {
      showMessage(
        this.#formError,
        name === '' ? 'Enter a name for the token.' : 'Choose at least one thing it may do.',
      );
      if (name === '') nameInput.setAttribute('aria-invalid', 'true');
      (name === '' ? nameInput : byId('scope-read', HTMLInputElement)).focus();
      return;
    }
    try {
      /** @type {MintedToken} */
      const minted = await api('POST', '/auth/tokens', {
        body: { name, scopes, audience: data.get('audience'), expiresIn: Number(data.get('expiresIn')) },
      });
      this.#form.reset();
      this.#showMinted(minted);
      void this.refresh();
    } catch (error) {
      showMessage(this.#formError, failure(error));
    }
  }

  /** @param {MintedToken} minted */
  #showMinted(minted) {
    const { mcpUrl = '', apiUrl = '' } = document.body.dataset;
    byId('minted-note', HTMLElement).textContent =
      `Copy the token for “${minted.name}” now: it is shown only this once. It works until ${fullTime(minted.expiresAt)}, or until you revoke it.`;
    byId('minted-token', HTMLInputElement).value = minted.token;
    byId('minted-snippets', HTMLElement).replaceChildren(
      ...snippetsFor({ ...minted, mcpUrl, apiUrl }).map((snippet, index) => {
        const id = `snippet-${index}`;
        return h(
          'section',
          { class: 'snippet', 'aria-labelledby': `${id}-title` },
          h('h3', { id: `${id}-title` }, snippet.title),
          h('p', { class: 'muted' }, snippet.note),
          h('pre', { id, tabindex: '0' }, h('code', {}, snippet.text)),
          h('button', { type: 'button', 'data-copy-from': id }, `Copy the ${snippet.title} set-up`),
        );
      }),
    );
    this.#minted.hidden = false;
    byId('minted-heading', HTMLElement).focus();
  }

  /** The token leaves the page once the person says they have it. */
  #forgetMinted() {
    byId('minted-token', HTMLInputElement).value = '';
    byId('minted-snippets', HTMLElement).replaceChildren();
    this.#minted.hidden = true;
    byId('token-name', HTMLInputElement).focus();
  }

  /** @param {AgentToken[]} tokens */
  #showTokens(tokens) {
    byId('token-empty', HTMLElement).hidden = tokens.length > 0;
    const now = Date.now();
    this.#tokens.replaceChildren(
      ...tokens.map((token) => {
        const state =
          token.revokedAt !== null ? 'Revoked' : Date.parse(token.expiresAt) <= now ? 'Expired' : 'Active';
        const revoke = async () => {
          const yes = await confirmAction({
            heading: `Revoke “${token.name}”?`,
            text: 'The agent using it is refused from its next request on, and its open connections end now.',
            yes: 'Revoke',
          });
          if (!yes) return;
          await this.#act(
            () => api('DELETE', `/auth/tokens/${encodeURIComponent(token.id)}`),
            `Revoked “${token.name}”.`,
            'tokens-heading',
          );
        };
        return this.#card(
          token.name,
          state,
          [
            can(token.scopes, token.audience),
            when('Created', token.createdAt),
            token.lastUsedAt === null ? 'Not used yet' : when('Last used', token.lastUsedAt),
            state === 'Active' ? `Expires ${fullTime(token.expiresAt)}` : '',
          ],
          state === 'Active' ? revoke : undefined,
        );
      }),
    );
  }

  /** @param {Grant[]} grants */
  #showGrants(grants) {
    byId('grant-empty', HTMLElement).hidden = grants.length > 0;
    this.#grants.replaceChildren(
      ...grants.map((grant) => {
        const name = grant.clientName ?? 'An unnamed app';
        const revoke = async () => {
          const yes = await confirmAction({
            heading: `Disconnect “${name}”?`,
            text: 'Its tokens stop working at once; it must ask you again to get back in.',
            yes: 'Disconnect',
          });
          if (!yes) return;
          await this.#act(
            () => api('DELETE', `/auth/grants/${encodeURIComponent(grant.id)}`),
            `Disconnected “${name}”.`,
            'grants-heading',
          );
        };
        return this.#card(
          name,
          'Connected',
          [
            grant.clientUri ?? grant.clientId,
            can(grant.scopes, grant.resources),
            when('Connected', grant.createdAt),
            grant.lastUsedAt === null ? 'Not used yet' : when('Last used', grant.lastUsedAt),
          ],
          revoke,
        );
      }),
    );
  }

  /**
   * @param {string} title
   * @param {string} state
   * @param {(string | HTMLElement)[]} lines
   * @param {(() => Promise<void>) | undefined} revoke
   */
  #card(title, state, lines, revoke) {
    const actions = revoke
      ? h(
          'button',
          { type: 'button', class: 'danger-quiet' },
          state === 'Connected' ? 'Disconnect' : 'Revoke',
          h('span', { class: 'visually-hidden' }, ` “${title}”`),
        )
      : '';
    if (actions instanceof HTMLButtonElement && revoke)
      actions.addEventListener('click', () => void revoke());
    return h(
      'li',
      { class: `card-item state-${state.toLowerCase()}` },
      h('p', { class: 'card-title' }, h('strong', {}, title), ' ', h('span', { class: 'badge' }, state)),
      ...lines.filter((line) => line !== '').map((line) => h('p', { class: 'muted' }, line)),
      actions,
    );
  }

  /**
   * Runs a revocation, then puts the focus on the list's heading: the button pressed is gone.
   * @param {() => Promise<unknown>} request
   * @param {string} done
   * @param {string} heading
   */
  async #act(request, done, heading) {
    try {
      await request();
      announce(done);
      await this.refresh();
      byId(heading, HTMLElement).focus();
    } catch (error) {
      showMessage(this.#error, failure(error));
    }
  }
}
