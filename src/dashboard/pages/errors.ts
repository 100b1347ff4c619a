import type { Assets } from '../assets.js';
import { type Html, html } from '../html.js';
import { barePage } from '../layout.js';

/** A plain error page (also for visitors without a session). */
export function errorPage(
  assets: Assets,
  status: number,
  title: string,
  message: string,
  requestId?: string,
): Html {
  return barePage(
    assets,
    title,
    html`<div class="panel">
  <h1>${title}</h1>
  <p>${message}</p>
  ${requestId ? html`<p class="muted small">Request id <span class="mono">${requestId}</span> (status ${status})</p>` : ''}
  <p><a href="/overview">Back to the overview</a></p>
</div>`,
  );
}
