// One todo in the list. A row is built once and then updated in place, so that a live update
// never takes the keyboard focus away from the checkbox or button someone is on.
import { ago, changedBy, dayName, fullTime, urgency } from './describe.js';
import { h } from './dom.js';

/** @typedef {import('./api.js').Todo} Todo */
/** @typedef {import('./api.js').ActivityEntry} ActivityEntry */

/**
 * @param {ParentNode} row
 * @param {string} selector
 */
function part(row, selector) {
  const found = row.querySelector(selector);
  if (!(found instanceof HTMLElement)) throw new Error(`a todo row has no ${selector}`);
  return found;
}

/** A new, empty row for the todo with this id. @param {string} id */
export function createRow(id) {
  return h(
    'li',
    { class: 'todo', 'data-id': id },
    h('input', { type: 'checkbox', class: 'done', 'data-action': 'toggle' }),
    h(
      'div',
      { class: 'todo-main' },
      h('p', { class: 'todo-title' }),
      h('p', { class: 'todo-description' }),
      h(
        'p',
        { class: 'todo-meta' },
        h('span', { class: 'badge priority' }),
        h('span', { class: 'badge due' }),
      ),
      h('p', { class: 'todo-changed' }),
    ),
    h(
      'div',
      { class: 'todo-actions' },
      h('button', { type: 'button', 'data-action': 'edit' }, 'Edit', h('span', { class: 'visually-hidden' })),
      h(
        'button',
        { type: 'button', class: 'danger-quiet', 'data-action': 'delete' },
        'Delete',
        h('span', { class: 'visually-hidden' }),
      ),
    ),
  );
}

/**
 * Shows the todo in its row, with who made its latest change when the page knows it.
 * @param {HTMLLIElement} row
 * @param {Todo} todo
 * @param {ActivityEntry | undefined} latest
 */
export function updateRow(row, todo, latest) {
  row.dataset.version = String(todo.version);
  row.classList.toggle('completed', todo.completed);
  const checkbox = row.querySelector('input.done');
  if (checkbox instanceof HTMLInputElement) {
    checkbox.checked = todo.completed;
    checkbox.setAttribute('aria-label', `Done: ${todo.title}`);
  }
  part(row, '.todo-title').textContent = todo.title;
  const description = part(row, '.todo-description');
  description.textContent = todo.description;
  description.hidden = todo.description === '';
  for (const hidden of row.querySelectorAll('.todo-actions .visually-hidden'))
    hidden.textContent = ` “${todo.title}”`;

  const priority = part(row, '.priority');
  priority.textContent = `Priority ${todo.priority}`;
  priority.classList.toggle('high', todo.priority >= 4);

  const due = part(row, '.due');
  const late = urgency(todo);
  due.hidden = todo.dueDate === null;
  due.dataset.urgency = late ?? '';
  if (todo.dueDate !== null) {
    const day = dayName(todo.dueDate);
    due.textContent =
      late === 'overdue' ? `Overdue: due ${day}` : late === 'today' ? 'Due today' : `Due ${day}`;
  }

  // Who made the change that produced this version; an older change says nothing about it.
  const changed = part(row, '.todo-changed');
  const current =
    latest && latest.version === todo.version && latest.action !== 'deleted' ? latest : undefined;
  changed.hidden = current === undefined;
  changed.replaceChildren();
  if (current) {
    const agent = current.client !== null;
    changed.classList.toggle('by-agent', agent);
    changed.append(
      `${changedBy(current)} · `,
      h(
        'time',
        { datetime: current.at, title: fullTime(current.at), 'data-relative': current.at },
        ago(current.at),
      ),
    );
  }
}
