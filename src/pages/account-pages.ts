import { PASSWORD_MAX, PASSWORD_MIN } from '../services/auth-schemas.ts';
import { formAlert, hidden, textField } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
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

/** The one form both account pages are: a username, a password, and a link to the other page. */
function accountPage(
  state: AccountFormState,
  page: {
    title: string;
    heading: string;
    action: string;
    submit: string;
    newPassword: boolean;
    other: SafeHtml;
  },
): string {
  const hints = page.newPassword
    ? {
        username: '3 to 64 letters, digits, ".", "_" or "-".',
        password: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`,
      }
    : { username: undefined, password: undefined };
  return layout(
    page.title,
    html`<h1>${page.heading}</h1>
${formAlert(state.errors?.form)}
<form method="post" action="${page.action}" novalidate>
${hidden('csrf_token', state.csrfToken)}
${hidden('return_to', state.returnTo)}
${textField({ name: 'username', label: 'Username', type: 'text', autocomplete: 'username', value: state.username, error: state.errors?.username, hint: hints.username })}
${textField({ name: 'password', label: 'Password', type: 'password', autocomplete: page.newPassword ? 'new-password' : 'current-password', error: state.errors?.password, hint: hints.password })}
<div class="actions"><button class="primary" type="submit">${page.submit}</button></div>
</form>
<p class="muted">${page.other}</p>`,
  );
}

export const signInPage = (state: AccountFormState): string =>
  accountPage(state, {
    title: 'Sign in',
    heading: 'Sign in to todos',
    action: SIGN_IN_PATH,
    submit: 'Sign in',
    newPassword: false,
    other: html`No account yet? <a href="${withReturn(SIGN_UP_PATH, state.returnTo)}">Create an account</a>`,
  });

export const signUpPage = (state: AccountFormState): string =>
  accountPage(state, {
    title: 'Create an account',
    heading: 'Create a todos account',
    action: SIGN_UP_PATH,
    submit: 'Create account',
    newPassword: true,
    other: html`Already have an account? <a href="${withReturn(SIGN_IN_PATH, state.returnTo)}">Sign in</a>`,
  });

/** The sign-in page for someone already signed in, with nowhere to go back to. */
export function signedInPage(username: string, csrfToken: string): string {
  return layout(
    'Signed in',
    html`<h1>You are signed in</h1>
<p>Signed in as <strong>${username}</strong>. <a href="/">Open your todos</a></p>
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
