// Copy buttons: the clipboard API where the page may use it, else the selection.
import { announce } from './dom.js';

/**
 * Copies the text and says so.
 * @param {string} text
 * @param {HTMLInputElement | HTMLElement} source selected instead when the clipboard is refused
 */
export async function copy(text, source) {
  try {
    await navigator.clipboard.writeText(text);
    announce('Copied.');
  } catch {
    if (source instanceof HTMLInputElement) source.select();
    else getSelection()?.selectAllChildren(source);
    announce('Selected: press Control+C (or Command+C) to copy.');
  }
}
