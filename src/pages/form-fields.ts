import { html, type SafeHtml } from './html.ts';

export interface TextFieldOptions {
  name: string;
  label: string;
  type: 'text' | 'password';
  autocomplete: string;
  value?: string | undefined;
  /** Shown right under the field and announced with it (aria-describedby). */
  error?: string | undefined;
  hint?: string | undefined;
}

/** A labelled input with its hint and error tied to it, so screen readers read them together. */
export function textField(options: TextFieldOptions): SafeHtml {
  const id = `field-${options.name}`;
  const described = [
    options.hint ? `${id}-hint` : undefined,
    options.error ? `${id}-error` : undefined,
  ].filter(Boolean);
  return html`<div class="field">
<label for="${id}">${options.label}</label>
${options.hint ? html`<p class="muted" id="${id}-hint">${options.hint}</p>` : ''}
<input id="${id}" name="${options.name}" type="${options.type}" autocomplete="${options.autocomplete}" required${
    options.value === undefined ? '' : html` value="${options.value}"`
  }${options.error ? html` aria-invalid="true"` : ''}${
    described.length > 0 ? html` aria-describedby="${described.join(' ')}"` : ''
  }>
${options.error ? html`<p class="error" id="${id}-error">${options.error}</p>` : ''}
</div>`;
}

export const hidden = (name: string, value: string | undefined): SafeHtml =>
  value === undefined ? html`` : html`<input type="hidden" name="${name}" value="${value}">`;

/** A problem with the whole form (throttling), announced when the page loads. */
export const formAlert = (message: string | undefined): SafeHtml =>
  message === undefined ? html`` : html`<div class="alert" role="alert">${message}</div>`;
