import { PASSWORD_MAX, PASSWORD_MIN } from '../services/auth-schemas.ts';
import { formAlert, hidden, textField } from './form-fields.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

export interface AccountFormState {
  csrfToken: string;
  returnTo: string;
  username?: string | undefined;
  errors?: { username?: string | undefined; password?: string | undefined; form?: string | undefined };
}

export const SIGN_IN_PATH = '/oauth/sign-in';
export const SIGN_UP_PATH = '/oauth/sign-up';
export const SIGN_OUT_PATH = '/oauth/sign-out';

const withReturn = (path: string, returnTo: string) =>
  `${path}?${new URLSearchParams({ return_to: returnTo })}`;

export function signInPage(state: AccountFormState): string {
  return layout(
    'Sign in',
    html`<h1>Sign in to todos</h1>
${formAlert(state.errors?.form)}
<form method="post" action="${SIGN_IN_PATH}" novalidate>
${hidden('csrf_token', state.csrfToken)}
${hidden('return_to', state.returnTo)}
${textField({ name: 'username', label: 'Username', type: 'text', autocomplete: 'username', value: state.username, error: state.errors?.username })}
${textField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', error: state.errors?.password })}
<div class="actions"><button class="primary" type="submit">Sign in</button></div>
</form>
<p class="muted">No account yet? <a href="${withReturn(SIGN_UP_PATH, state.returnTo)}">Create an account</a></p>`,
  );
}

export function signUpPage(state: AccountFormState): string {
  return layout(
    'Create an account',
    html`<h1>Create a todos account</h1>
${formAlert(state.errors?.form)}
<form method="post" action="${SIGN_UP_PATH}" novalidate>
${hidden('csrf_token', state.csrfToken)}
${hidden('return_to', state.returnTo)}
${textField({ name: 'username', label: 'Username', type: 'text', autocomplete: 'username', value: state.username, error: state.errors?.username, hint: '3 to 64 letters, digits, ".", "_" or "-".' })}
${textField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', error: state.errors?.password, hint: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters.` })}
<div class="actions"><button class="primary" type="submit">Create account</button></div>
</form>
<p class="muted">Already have an account? <a href="${withReturn(SIGN_IN_PATH, state.returnTo)}">Sign in</a></p>`,
  );
}

/** The sign-in page for someone already signed in, with nowhere to go back to. */
export function signedInPage(username: string, csrfToken: string): string {
  return layout(
    'Signed in',
    html`<h1>You are signed in</h1>
<p>Signed in as <strong>${username}</strong>.</p>
<form method="post" action="${SIGN_OUT_PATH}">
${hidden('csrf_token', csrfToken)}
<button type="submit">Sign out</button>
</form>`,
  );
}

/** A form that could not be trusted (missing or wrong CSRF token, another site's origin). */
export function expiredFormPage(): string {
  return layout(
    'Please try again',
    html`<h1>Please try again</h1>
<p>This form expired or was sent from another site, so we did not act on it. Go back, reload the page and send it again.</p>`,
  );
}
