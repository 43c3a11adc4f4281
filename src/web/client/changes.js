// What the page knows about changes, shared by its views: the latest change of each todo (to
// say who made it), the titles of todos it has seen (the activity log records ids, not
// values), and the writes this page made itself (which it does not announce back).
import { ApiError, api } from './api.js';

/** @typedef {import('./api.js').ActivityEntry} ActivityEntry */
/** @typedef {import('./api.js').Todo} Todo */

export class Changes {
  /** @type {Map<string, ActivityEntry>} */
  #latest = new Map();
  /** @type {Map<string, string | null>} the title of each todo seen; null once it is known to be deleted */
  #titles = new Map();
  /** @type {Map<string, Promise<string | null>>} */
  #lookups = new Map();
  /** @type {Set<string>} */
  #own = new Set();

  /** @param {ActivityEntry} entry */
  record(entry) {
    const known = this.#latest.get(entry.todoId);
    if (known && known.id >= entry.id) return;
    this.#latest.set(entry.todoId, entry);
    // A newer title than the one seen: asked for again when next needed.
    if (entry.fields.includes('title')) {
      this.#titles.delete(entry.todoId);
      this.#lookups.delete(entry.todoId);
    }
  }

  /** The latest change of a todo, if the page knows it. @param {string} todoId */
  latest(todoId) {
    return this.#latest.get(todoId);
  }

  /** @param {Todo} todo */
  see(todo) {
    this.#titles.set(todo.id, todo.title);
  }

  /**
   * The todo's title, asked of the server when the page has not seen it; null when it no
   * longer exists and the page never saw it.
   * @param {string} todoId
   * @returns {Promise<string | null>}
   */
  title(todoId) {
    const known = this.#titles.get(todoId);
    if (known !== undefined) return Promise.resolve(known);
    let lookup = this.#lookups.get(todoId);
    if (!lookup) {
      /** @type {Promise<Todo>} */
      const request = api('GET', `/todos/${encodeURIComponent(todoId)}`);
      lookup = request.then(
        (todo) => {
          this.see(todo);
          return todo.title;
        },
        (/** @type {unknown} */ error) => {
          if (error instanceof ApiError && error.status === 404) {
            this.#titles.set(todoId, null);
            return null;
          }
          this.#lookups.delete(todoId); // try again next time
          return null;
        },
      );
      this.#lookups.set(todoId, lookup);
    }
    return lookup;
  }

  /** Notes a version this page wrote itself (a create, an update, or the version it deleted). @param {string} todoId @param {number} version */
  mine(todoId, version) {
    this.#own.add(`${todoId}@${version}`);
  }

  /** Whether this page made the change. @param {ActivityEntry} entry */
  isMine(entry) {
    return this.#own.has(`${entry.todoId}@${entry.version}`);
  }
}
