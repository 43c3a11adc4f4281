// Writes that never overwrite someone else's newer version unasked: each sends If-Match with
// the version the person saw, and on 412 the person sees both versions and chooses.
import { ApiError, api } from './api.js';
import { capitalized, dayName, fieldName, who } from './describe.js';
import { chooseVersion, confirmAction } from './dialogs.js';
import { listOf } from './dom.js';

/** @typedef {import('./api.js').Todo} Todo */
/** @typedef {import('./api.js').TodoChanges} TodoChanges */
/** @typedef {import('./api.js').TodoField} TodoField */
/** @typedef {import('./changes.js').Changes} Changes */

/** Thrown when the todo was deleted meanwhile. */
export class GoneError extends Error {
  constructor() {
    super('This todo was deleted meanwhile.');
    this.name = 'GoneError';
  }
}

/** @type {TodoField[]} */
const FIELDS = ['title', 'description', 'priority', 'dueDate', 'completed'];

/** A field's value as the conflict table shows it. @param {TodoField} field @param {Todo} todo */
function shown(field, todo) {
  const value = todo[field];
  if (field === 'completed') return value ? 'Done' : 'Open';
  if (field === 'dueDate') return typeof value === 'string' ? dayName(value) : 'None';
  if (field === 'description' && value === '') return '(empty)';
  return String(value);
}

/** @param {string} id @returns {Promise<Todo>} */
async function current(id) {
  try {
    return await api('GET', `/todos/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw new GoneError();
    throw error;
  }
}

/** @param {unknown} error */
const isStale = (error) => error instanceof ApiError && error.status === 412;
/** @param {unknown} error */
const isGone = (error) => error instanceof ApiError && error.status === 404;

/**
 * Saves `changes` to the todo as the person last saw it. When it changed meanwhile, asks:
 * keeping theirs saves nothing; keeping mine writes the person's fields over the current
 * version (fields only the other side changed stay as they are).
 * @param {Todo} seen
 * @param {TodoChanges} changes
 * @param {Changes} log
 * @returns {Promise<{ todo: Todo, saved: boolean }>} the todo as saved, or as kept (saved false)
 */
export async function saveChanges(seen, changes, log) {
  let base = seen;
  for (;;) {
    try {
      /** @type {Todo} */
      const saved = await api('PATCH', `/todos/${encodeURIComponent(seen.id)}`, {
        body: changes,
        version: base.version,
      });
      log.mine(saved.id, saved.version);
      return { todo: saved, saved: true };
    } catch (error) {
      if (isGone(error)) throw new GoneError();
      if (!isStale(error)) throw error;
    }
    const now = await current(seen.id);
    const mine = { ...now, ...changes };
    const edited = FIELDS.filter((field) => field in changes);
    const theirs = FIELDS.filter((field) => !(field in changes) && shown(field, now) !== shown(field, base));
    const entry = log.latest(seen.id);
    const by = entry && entry.version === now.version ? ` (by ${who(entry)})` : '';
    const choice = await chooseVersion({
      intro:
        `“${now.title}” was changed after you opened it${by}.` +
        (theirs.length === 0
          ? ''
          : ` Its ${listOf(theirs.map(fieldName))} also changed; ${theirs.length === 1 ? 'that change stays' : 'those changes stay'} whichever you choose.`) +
        ' Which version do you want to keep?',
      rows: edited.map((field) => ({
        field: capitalized(fieldName(field)),
        mine: shown(field, mine),
        current: shown(field, now),
      })),
    });
    if (choice === 'theirs') return { todo: now, saved: false };
    base = now;
  }
}

/**
 * Deletes the todo as the person last saw it, after they confirm; when it changed meanwhile,
 * asks again with the current version. Resolves with whether it was deleted.
 * @param {Todo} seen
 * @param {Changes} log
 */
export async function deleteTodo(seen, log) {
  const confirmed = await confirmAction({
    heading: `Delete “${seen.title}”?`,
    text: 'It is deleted for good, everywhere: on the web, in the API and for your agents.',
    yes: 'Delete',
  });
  if (!confirmed) return false;
  let base = seen;
  for (;;) {
    try {
      await api('DELETE', `/todos/${encodeURIComponent(seen.id)}`, { version: base.version });
      log.mine(seen.id, base.version);
      return true;
    } catch (error) {
      if (isGone(error)) return true; // someone else deleted it already
      if (!isStale(error)) throw error;
    }
    const now = await current(seen.id);
    const again = await confirmAction({
      heading: `“${now.title}” changed meanwhile`,
      text: `It was changed after you loaded it (now: ${FIELDS.map((field) => `${fieldName(field)} ${shown(field, now)}`).join('; ')}). Delete it anyway?`,
      yes: 'Delete anyway',
    });
    if (!again) return false;
    base = now;
  }
}
