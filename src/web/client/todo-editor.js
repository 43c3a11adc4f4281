// Adding a todo, and editing one in a dialog. An edit sends only the fields the person
// changed, with If-Match: the version they opened (save.js asks when it moved on meanwhile).
import { api } from './api.js';
import { who } from './describe.js';
import { announce, byId, showMessage } from './dom.js';
import { saveChanges } from './save.js';
import { clearErrors, readFields, showError, titleMissing } from './todo-form.js';

/** @typedef {import('./api.js').Todo} Todo */
/** @typedef {import('./api.js').TodoChanges} TodoChanges */
/** @typedef {import('./api.js').ActivityEntry} ActivityEntry */
/** @typedef {import('./changes.js').Changes} Changes */

/**
 * The add form: the todo is created, the title emptied for the next one, the focus kept.
 * @param {Changes} changes
 * @param {() => void} onCreated
 */
export function wireNewTodo(changes, onCreated) {
  const form = byId('new-todo', HTMLFormElement);
  const summary = byId('new-todo-error', HTMLElement);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form, summary);
    if (titleMissing(form, summary)) return;
    const fields = readFields(form);
    try {
      /** @type {Todo} */
      const created = await api('POST', '/todos', {
        body: {
          title: fields.title,
          priority: fields.priority,
          ...(fields.description === '' ? {} : { description: fields.description }),
          ...(fields.dueDate === null ? {} : { dueDate: fields.dueDate }),
        },
      });
      changes.mine(created.id, created.version);
      form.reset();
      byId('new-title', HTMLInputElement).focus();
      announce(`Added “${created.title}”.`);
      onCreated();
    } catch (error) {
      showError(form, summary, error);
    }
  });
}

export class TodoEditor {
  #dialog = byId('edit-dialog', HTMLDialogElement);
  #form = byId('edit-form', HTMLFormElement);
  #summary = byId('edit-error', HTMLElement);
  #stale = byId('edit-stale', HTMLElement);
  /** @type {Todo | undefined} the version the person opened */
  #seen;
  /** @type {HTMLElement | undefined} */
  #opener;
  /** @type {Changes} */
  #changes;
  /** @type {(todo: Todo) => void} */
  #onSaved;

  /** @param {{ changes: Changes, onSaved: (todo: Todo) => void }} deps `onSaved` gets the todo as saved, or as kept */
  constructor(deps) {
    this.#changes = deps.changes;
    this.#onSaved = deps.onSaved;
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#save();
    });
    this.#dialog.querySelector('[data-close]')?.addEventListener('click', () => this.#dialog.close());
    this.#dialog.addEventListener('close', () => {
      this.#seen = undefined;
      if (this.#opener?.isConnected) this.#opener.focus();
    });
  }

  /** @param {Todo} todo @param {HTMLElement} opener */
  open(todo, opener) {
    this.#seen = todo;
    this.#opener = opener;
    clearErrors(this.#form, this.#summary);
    showMessage(this.#stale, '');
    byId('edit-title', HTMLInputElement).value = todo.title;
    byId('edit-description', HTMLTextAreaElement).value = todo.description;
    byId('edit-priority', HTMLSelectElement).value = String(todo.priority);
    byId('edit-due', HTMLInputElement).value = todo.dueDate ?? '';
    this.#dialog.showModal();
  }

  /** Warns the person when the todo they are editing changes under them. @param {ActivityEntry} entry */
  changedMeanwhile(entry) {
    const seen = this.#seen;
    if (!seen || entry.todoId !== seen.id || entry.version <= seen.version || this.#changes.isMine(entry))
      return;
    showMessage(
      this.#stale,
      entry.action === 'deleted'
        ? `This todo was just deleted by ${who(entry)}.`
        : `This todo was just changed by ${who(entry)}. When you save, you will see both versions and choose.`,
    );
  }

  async #save() {
    const seen = this.#seen;
    if (!seen) return;
    clearErrors(this.#form, this.#summary);
    if (titleMissing(this.#form, this.#summary)) return;
    const fields = readFields(this.#form);
    /** @type {TodoChanges} */
    const changes = {};
    if (fields.title !== seen.title) changes.title = fields.title;
    if (fields.description !== seen.description) changes.description = fields.description;
    if (fields.priority !== seen.priority) changes.priority = fields.priority;
    if (fields.dueDate !== seen.dueDate) changes.dueDate = fields.dueDate;
    if (Object.keys(changes).length === 0) {
      this.#dialog.close();
      return;
    }
    try {
      const { todo, saved } = await saveChanges(seen, changes, this.#changes);
      this.#dialog.close();
      announce(saved ? `Saved “${todo.title}”.` : `Kept the current version of “${todo.title}”.`);
      this.#onSaved(todo);
    } catch (error) {
      showError(this.#form, this.#summary, error);
    }
  }
}
