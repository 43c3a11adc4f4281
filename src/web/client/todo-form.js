// The fields of a todo as the add and edit forms hold them, and the server's validation
// errors shown beside the field they concern.
import { ApiError, failure } from './api.js';
import { showMessage } from './dom.js';

/** @typedef {import('./api.js').TodoChanges} TodoChanges */

/**
 * The values of a form's title, description, priority and dueDate fields.
 * @param {HTMLFormElement} form
 * @returns {{ title: string, description: string, priority: number, dueDate: string | null }}
 */
export function readFields(form) {
  const data = new FormData(form);
  const text = (/** @type {string} */ name) => String(data.get(name) ?? '');
  const due = text('dueDate');
  return {
    title: text('title').trim(),
    description: text('description'),
    priority: Number(text('priority') || 3),
    dueDate: due === '' ? null : due,
  };
}

/** Clears every error the form shows. @param {HTMLFormElement} form @param {HTMLElement} summary */
export function clearErrors(form, summary) {
  for (const field of form.querySelectorAll('[aria-invalid]')) {
    field.removeAttribute('aria-invalid');
    field.removeAttribute('aria-errormessage');
  }
  showMessage(summary, '');
}

/**
 * Shows why a save failed: beside the title when the title is what was wrong (the field
 * named and focused), else in the form's message.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} summary the form's message element
 * @param {unknown} error
 */
export function showError(form, summary, error) {
  const field = error instanceof ApiError ? error.problem?.errors?.[0] : undefined;
  const input = field ? form.elements.namedItem(field.field) : null;
  if (field && (input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement)) {
    const label = form.querySelector(`label[for="${input.id}"]`)?.textContent?.trim() ?? field.field;
    showMessage(summary, `${label} ${field.detail}.`);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-errormessage', summary.id);
    input.focus();
    return;
  }
  showMessage(summary, failure(error));
}

/** The title is required: said at once, without a request. @param {HTMLFormElement} form @param {HTMLElement} summary */
export function titleMissing(form, summary) {
  const input = form.elements.namedItem('title');
  if (!(input instanceof HTMLInputElement) || input.value.trim() !== '') return false;
  showMessage(summary, 'Enter a title.');
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-errormessage', summary.id);
  input.focus();
  return true;
}
