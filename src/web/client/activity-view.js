// The activity log: who changed what, newest first, paged by cursor, with live changes added
// at the top as they happen.
import { api, failure } from './api.js';
import { ago, alsoChanged, capitalized, fullTime, what, who } from './describe.js';
import { byId, h, showMessage } from './dom.js';

/** @typedef {import('./api.js').ActivityEntry} ActivityEntry */
/** @typedef {import('./changes.js').Changes} Changes */
/** @typedef {{ items: ActivityEntry[], nextCursor: string | null }} ActivityPage */

const PAGE_SIZE = 25;

export class ActivityView {
  #list = byId('activity-list', HTMLOListElement);
  #more = byId('more-activity', HTMLButtonElement);
  #empty = byId('activity-empty', HTMLElement);
  #error = byId('activity-error', HTMLElement);
  /** @type {Changes} */
  #changes;
  /** @type {Set<number>} */
  #shown = new Set();
  /** @type {string | null} */
  #nextCursor = null;
  #loaded = false;
  #generation = 0;

  /** @param {Changes} changes */
  constructor(changes) {
    this.#changes = changes;
    this.#more.addEventListener('click', () => void this.#load(this.#nextCursor));
  }

  /** Loads the latest page, once it is first shown and whenever the page must resync. */
  refresh() {
    void this.#load(null);
  }

  get loaded() {
    return this.#loaded;
  }

  /** A change from the live feed, added on top unless it is already there. @param {ActivityEntry} entry */
  changed(entry) {
    this.#changes.record(entry);
    if (!this.#loaded || this.#shown.has(entry.id)) return;
    // The feed delivers in order, so a newer entry goes first.
    this.#list.prepend(this.#item(entry));
    this.#empty.hidden = true;
  }

  /** @param {string | null} cursor */
  async #load(cursor) {
    const generation = ++this.#generation;
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor !== null) params.set('cursor', cursor);
    try {
      /** @type {ActivityPage} */
      const page = await api('GET', `/activity?${params}`);
      if (generation !== this.#generation) return;
      if (cursor === null) {
        this.#list.replaceChildren();
        this.#shown.clear();
      }
      for (const entry of page.items) {
        this.#changes.record(entry);
        if (!this.#shown.has(entry.id)) this.#list.append(this.#item(entry));
      }
      this.#nextCursor = page.nextCursor;
      this.#loaded = true;
      this.#more.hidden = page.nextCursor === null;
      this.#empty.hidden = this.#shown.size > 0;
      showMessage(this.#error, '');
    } catch (error) {
      showMessage(this.#error, failure(error));
    }
  }

  /** One entry: what happened to which todo, who did it, and when. @param {ActivityEntry} entry */
  #item(entry) {
    this.#shown.add(entry.id);
    const title = h('span', { class: 'activity-todo' }, 'a todo');
    void this.#changes.title(entry.todoId).then((known) => {
      title.textContent = known === null ? 'a deleted todo' : `“${known}”`;
    });
    return h(
      'li',
      {
        class: `activity-entry action-${entry.action}${entry.client ? ' by-agent' : ''}`,
        'data-entry-id': String(entry.id),
      },
      h(
        'p',
        { class: 'activity-what' },
        h('span', { class: 'activity-who' }, capitalized(who(entry))),
        `, ${what(entry)} `,
        title,
        alsoChanged(entry),
      ),
      h(
        'p',
        { class: 'muted activity-when' },
        h(
          'time',
          { datetime: entry.at, title: fullTime(entry.at), 'data-relative': entry.at },
          ago(entry.at),
        ),
      ),
    );
  }
}
