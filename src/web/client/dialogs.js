// The page's two questions, asked in modal dialogs (focus stays inside, Escape answers with
// the safe choice, and focus returns to where it was).
import { byId, h } from './dom.js';

/**
 * Shows a dialog until one of its `data-choice` buttons is pressed.
 * @param {HTMLDialogElement} dialog
 * @param {string} onEscape the choice Escape stands for
 * @returns {Promise<string>}
 */
function ask(dialog, onEscape) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    /** @param {string} choice */
    const finish = (choice) => {
      dialog.removeEventListener('click', clicked);
      dialog.removeEventListener('cancel', cancelled);
      dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(choice);
    };
    /** @param {MouseEvent} event */
    const clicked = (event) => {
      const button = event.target instanceof Element ? event.target.closest('[data-choice]') : null;
      if (button instanceof HTMLElement && button.dataset.choice) finish(button.dataset.choice);
    };
    /** @param {Event} event */
    const cancelled = (event) => {
      event.preventDefault();
      finish(onEscape);
    };
    dialog.addEventListener('click', clicked);
    dialog.addEventListener('cancel', cancelled);
    dialog.showModal();
  });
}

/**
 * Asks to confirm something that cannot be undone; Escape and Cancel answer no.
 * @param {{ heading: string, text: string, yes: string }} question
 */
export async function confirmAction(question) {
  byId('confirm-heading', HTMLElement).textContent = question.heading;
  byId('confirm-text', HTMLElement).textContent = question.text;
  byId('confirm-yes', HTMLButtonElement).textContent = question.yes;
  // Focus starts on Cancel (autofocus): Enter alone must not destroy anything.
  return (await ask(byId('confirm-dialog', HTMLDialogElement), 'no')) === 'yes';
}

/**
 * Shows the person's version beside the current one, field by field, and lets them choose.
 * Escape keeps the current version: nothing is overwritten without a deliberate choice.
 * @param {{ intro: string, rows: { field: string, mine: string, current: string }[] }} conflict
 * @returns {Promise<'mine' | 'theirs'>}
 */
export async function chooseVersion(conflict) {
  byId('conflict-intro', HTMLElement).textContent = conflict.intro;
  byId('conflict-rows', HTMLTableSectionElement).replaceChildren(
    ...conflict.rows.map((row) =>
      h(
        'tr',
        { class: row.mine === row.current ? undefined : 'differs' },
        h('th', { scope: 'row' }, row.field),
        h('td', {}, row.mine),
        h('td', {}, row.current),
      ),
    ),
  );
  const choice = await ask(byId('conflict-dialog', HTMLDialogElement), 'theirs');
  return choice === 'mine' ? 'mine' : 'theirs';
}
