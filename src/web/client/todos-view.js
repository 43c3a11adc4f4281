// The list: filters and sort (sent to GET /api/todos as they are), pages by cursor, and the
// one-click actions on each row. Live changes reload the pages on show, so that a todo an
// agent creates or completes appears where the filters and sort put it.
import { api, failure } from './api.js';
import { capitalized, what, who } from './describe.js';
import { announce, byId, plural, showMessage } from './dom.js';
import { deleteTodo, GoneError, saveChanges } from './save.js';
import { createRow, updateRow } from './todo-row.js';

/** @typedef {import('./api.js').Todo} Todo */
/** @typedef {import('./api.js').ActivityEntry} ActivityEntry */
/** @typedef {import('./changes.js').Changes} Changes */
/** @typedef {import('./todo-editor.js').TodoEditor} TodoEditor */
/** @typedef {{ items: Todo[], nextCursor: string | null }} TodoPage */

const PAGE_SIZE = 20;
// Changes often come in bursts (an agent working through a list): one reload for a burst.
const SETTLE_MS = 60;

export class TodosView {
  #list = byId('todo-list', HTMLUListElement);
  #filters = byId('filters', HTMLFormElement);
  #more = byId('more-todos', HTMLButtonElement);
  #summary = byId('todo-summary', HTMLElement);
  #error = byId('todo-error', HTMLElement);
  /** @type {Changes} */
  #changes;
  /** @type {TodoEditor} */
  #editor;
  /** @type {Map<string, HTMLLIElement>} */
  #rows = new Map();
  /** @type {Map<string, Todo>} */
  #todos = new Map();
  #pages = 1;
  /** @type {string | null} */
  #nextCursor = null;
  #generation = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #settle;

  /** @param {{ changes: Changes, editor: TodoEditor }} deps */
  constructor(deps) {
    this.#changes = deps.changes;
    this.#editor = deps.editor;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let typing;
    this.#filters.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#reset();
    });
    this.#filters.addEventListener('change', () => this.#reset());
    this.#filters.addEventListener('input', (event) => {
      if (!(event.target instanceof HTMLInputElement) || event.target.type !== 'search') return;
      clearTimeout(typing);
      typing = setTimeout(() => this.#reset(), 250);
    });
    this.#filters.addEventListener('reset', () => setTimeout(() => this.#reset()));
    this.#more.addEventListener('click', () => void this.#showMore());
    this.#list.addEventListener('change', (event) => void this.#onRowEvent(event));
    this.#list.addEventListener('click', (event) => void this.#onRowEvent(event));
  }

  /** Reloads the pages on show (soon, once for a burst of calls). */
  refresh() {
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => void this.#load(), SETTLE_MS);
  }

  /**
   * A version this page just wrote (or chose to keep): shown at once, so that the next action
   * on the todo starts from it rather than from the version the list loaded.
   * @param {Todo} todo
   */
  saved(todo) {
    const row = this.#rows.get(todo.id);
    if (row && (this.#todos.get(todo.id)?.version ?? 0) <= todo.version) {
      this.#todos.set(todo.id, todo);
      updateRow(row, todo, this.#changes.latest(todo.id));
    }
    this.refresh();
  }

  /** A change from the live feed. @param {ActivityEntry} entry */
  changed(entry) {
    this.#changes.record(entry);
    const todo = this.#todos.get(entry.todoId);
    if (todo) this.#editor.changedMeanwhile(entry);
    if (!this.#changes.isMine(entry)) {
      this.#changes.title(entry.todoId).then((title) => {
        announce(`${capitalized(who(entry))}, ${what(entry)} “${title ?? 'a todo'}”.`);
      });
    }
    this.refresh();
  }

  /** The filters as GET /api/todos takes them. @param {string | null} cursor */
  #query(cursor) {
    const form = new FormData(this.#filters);
    const text = (/** @type {string} */ name) => String(form.get(name) ?? '').trim();
    const [sort = 'createdAt', order = 'desc'] = text('sort').split(':');
    const params = new URLSearchParams({ sort, order, limit: String(PAGE_SIZE) });
    const status = text('status');
    if (status !== 'all') params.set('completed', String(status === 'done'));
    for (const name of ['priority', 'q', 'dueBefore']) if (text(name) !== '') params.set(name, text(name));
    if (cursor !== null) params.set('cursor', cursor);
    return `/todos?${params}`;
  }

  #reset() {
    this.#pages = 1;
    void this.#load();
  }

  /** Loads as many pages as are on show, then shows them (unless a newer load started). */
  async #load() {
    const generation = ++this.#generation;
    /** @type {Todo[]} */
    const items = [];
    /** @type {string | null} */
    let cursor = null;
    try {
      for (let page = 0; page < this.#pages; page++) {
        /** @type {TodoPage} */
        const loaded = await api('GET', this.#query(cursor));
        items.push(...loaded.items);
        cursor = loaded.nextCursor;
        if (cursor === null) break;
      }
    } catch (error) {
      if (generation === this.#generation) showMessage(this.#error, failure(error));
      return;
    }
    if (generation !== this.#generation) return;
    showMessage(this.#error, '');
    this.#nextCursor = cursor;
    this.#show(items);
  }

  async #showMore() {
    if (this.#nextCursor === null) return;
    const generation = ++this.#generation;
    try {
      /** @type {TodoPage} */
      const loaded = await api('GET', this.#query(this.#nextCursor));
      if (generation !== this.#generation) return;
      this.#pages += 1;
      this.#nextCursor = loaded.nextCursor;
      this.#show([...this.#todos.values(), ...loaded.items]);
      announce(`${plural(loaded.items.length, 'more todo', 'more todos')} shown.`);
      // The first new row takes the focus, so that keyboard users go on from where they were.
      const first = loaded.items[0];
      if (first) this.#rows.get(first.id)?.querySelector('input')?.focus();
    } catch (error) {
      showMessage(this.#error, failure(error));
    }
  }

  /** Shows these todos in this order, updating rows in place. @param {Todo[]} items */
  #show(items) {
    const focused = document.activeElement;
    this.#todos = new Map(items.map((todo) => [todo.id, todo]));
    for (const [id, row] of this.#rows) {
      if (this.#todos.has(id)) continue;
      row.remove();
      this.#rows.delete(id);
    }
    items.forEach((todo, index) => {
      this.#changes.see(todo);
      let row = this.#rows.get(todo.id);
      if (!row) {
        row = createRow(todo.id);
        this.#rows.set(todo.id, row);
      }
      updateRow(row, todo, this.#changes.latest(todo.id));
      const here = this.#list.children[index];
      if (here !== row) this.#list.insertBefore(row, here ?? null);
    });
    // Moving a row can drop the focus of what is inside it: give it back.
    if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected) {
      focused.focus({ preventScroll: true });
    }
    this.#more.hidden = this.#nextCursor === null;
    this.#summary.textContent =
      items.length === 0
        ? 'No todos match.'
        : `Showing ${plural(items.length, 'todo', 'todos')}${this.#nextCursor === null ? '' : ', more below'}.`;
  }

  /** @param {Event} event */
  async #onRowEvent(event) {
    const target = event.target instanceof Element ? event.target.closest('[data-action]') : null;
    if (!(target instanceof HTMLElement)) return;
    const action = target.dataset.action;
    // A checkbox reports `change`; buttons report `click`.
    if ((action === 'toggle') !== (event.type === 'change')) return;
    const id = target.closest('li')?.dataset.id;
    const todo = id === undefined ? undefined : this.#todos.get(id);
    if (!todo) return;
    try {
      if (action === 'toggle' && target instanceof HTMLInputElement) await this.#toggle(todo, target.checked);
      if (action === 'edit') this.#editor.open(todo, target);
      if (action === 'delete' && (await deleteTodo(todo, this.#changes))) {
        announce(`Deleted “${todo.title}”.`);
        this.#rows.get(todo.id)?.remove();
        // The button pressed is gone with its row: the list's heading takes the focus.
        byId('todos-heading', HTMLElement).focus();
      }
    } catch (error) {
      showMessage(this.#error, error instanceof GoneError ? error.message : failure(error));
    }
    this.refresh();
  }

  /** @param {Todo} todo @param {boolean} completed */
  async #toggle(todo, completed) {
    const { todo: now, saved } = await saveChanges(todo, { completed }, this.#changes);
    this.saved(now);
    if (saved) announce(completed ? `Completed “${now.title}”.` : `Reopened “${now.title}”.`);
  }
}
