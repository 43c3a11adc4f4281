// Small DOM helpers. Text always enters the page as text (textContent, attributes), never as
// markup: todo titles, token names and app names come from people and other programs.

/**
 * The element with this id, checked to be of the expected class.
 * @template {typeof HTMLElement} T
 * @param {string} id
 * @param {T} type
 * @returns {InstanceType<T>}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is not a ${type.name}`);
  return /** @type {InstanceType<T>} */ (element);
}

/**
 * @typedef {Record<string, string | boolean | undefined>} Attributes
 * `true` sets an empty attribute, `false` and `undefined` leave it out.
 */

/**
 * A new element with attributes and children (strings become text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {(Node | string)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

const announcer = () => byId('announcer', HTMLElement);

/** Says something to screen readers without moving focus (a polite live region). @param {string} message */
export function announce(message) {
  const region = announcer();
  // Emptied first, so that the same message twice is announced twice.
  region.textContent = '';
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/**
 * Shows a message in an element that is hidden when empty.
 * @param {HTMLElement} element
 * @param {string} message
 */
export function showMessage(element, message) {
  element.textContent = message;
  element.hidden = message === '';
}

/**
 * @param {number} count
 * @param {string} one
 * @param {string} many
 */
export const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;

/** `a`, `a and b`, `a, b and c`. @param {string[]} words */
export function listOf(words) {
  if (words.length < 2) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
