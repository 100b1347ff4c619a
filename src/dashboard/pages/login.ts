import type { Assets } from '../assets.js';
import { type Html, html } from '../html.js';
import { barePage } from '../layout.js';

/** What the sign-in page shows. */
export interface LoginView {
  readonly csrfToken: string;
  /** Why the visitor is here: a failed attempt, an ended session, or a sign-out. */
  readonly message?: { readonly kind: 'error' | 'info'; readonly text: string };
  /** The email typed last time (never the secrets). */
  readonly email?: string;
}

/** Sign-in with an API token, or with an email and Global API key. */
export function loginPage(assets: Assets, view: LoginView): Html {
  return barePage(
    assets,
    'Sign in',
    html`<div class="login">
  <h1>Sign in to ztrisk</h1>
  ${
    view.message
      ? html`<div class="notice ${view.message.kind === 'error' ? 'notice-error' : 'notice-info'}" role="${view.message.kind === 'error' ? 'alert' : 'status'}"><p>${view.message.text}</p></div>`
      : ''
  }
  <form class="panel" method="post" action="/login" autocomplete="off" aria-labelledby="token-title">
    <input type="hidden" name="_csrf" value="${view.csrfToken}">
    <h2 id="token-title">With an API token</h2>
    <div class="stack">
      <div class="field">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" aria-describedby="token-hint">
        <p class="hint" id="token-hint">The same token the API takes as <span class="mono">Authorization: Bearer …</span></p>
      </div>
      <button class="btn" type="submit">Sign in</button>
    </div>
  </form>
  <p class="or">or</p>
  <form class="panel" method="post" action="/login" autocomplete="off" aria-labelledby="key-title">
    <input type="hidden" name="_csrf" value="${view.csrfToken}">
    <h2 id="key-title">With a Global API key</h2>
    <div class="stack">
      <div class="field">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" value="${view.email ?? ''}">
      </div>
      <div class="field">
        <label for="key">Global API key</label>
        <input id="key" name="key" type="password" autocomplete="off" spellcheck="false">
      </div>
      <button class="btn" type="submit">Sign in</button>
    </div>
  </form>
  <p class="muted small">Your credentials are checked exactly as the API checks them and are never stored; the
  session ends when you sign out or after a period of inactivity.</p>
</div>`,
  );
}

/** The account picker, when the credentials hold several accounts. */
export function accountPickerPage(
  assets: Assets,
  csrfToken: string,
  accounts: readonly string[],
  current: string | undefined,
): Html {
  return barePage(
    assets,
    'Choose an account',
    html`<div class="login">
  <h1>Choose an account</h1>
  <form class="panel" method="post" action="/account">
    <input type="hidden" name="_csrf" value="${csrfToken}">
    <fieldset>
      <legend>Your credentials hold these accounts</legend>
      <div class="stack">
      ${accounts.map(
        (
          a,
          i,
        ) => html`<div><input type="radio" id="acct-${i}" name="account" value="${a}"${a === current || (current === undefined && i === 0) ? html` checked` : ''}>
        <label for="acct-${i}" class="mono">${a}</label></div>`,
      )}
      </div>
    </fieldset>
    <button class="btn" type="submit">Open</button>
  </form>
</div>`,
  );
}
