import type { Attribution } from '../ingest/geo/geolocator.js';
import type { Assets } from './assets.js';
import { type Html, type HtmlValue, html } from './html.js';

/** What the signed-in principal may do in the selected account (as the API decides it). */
export interface Access {
  /** `Zero Trust Read` (or Write): behaviors, integrations, audit. */
  readonly read: boolean;
  /** `Zero Trust Write`: reset, change behaviors, thresholds and integrations. */
  readonly write: boolean;
  /** `Zero Trust: PII Read`: users, their events, and everything derived from them. */
  readonly pii: boolean;
}

/** The sections in the navigation. */
export type Section = 'overview' | 'users' | 'behaviors' | 'integrations' | 'audit';

const NAV: readonly { readonly key: Section; readonly href: string; readonly label: string }[] = [
  { key: 'overview', href: '/overview', label: 'Overview' },
  { key: 'users', href: '/users', label: 'Users' },
  { key: 'behaviors', href: '/behaviors', label: 'Behaviors' },
  { key: 'integrations', href: '/integrations', label: 'Integrations' },
  { key: 'audit', href: '/audit', label: 'Audit log' },
];

/** Everything a signed-in page needs besides its own content. */
export interface PageContext {
  readonly assets: Assets;
  readonly csrfToken: string;
  readonly accountId: string;
  /** More than one account: show the switch link. */
  readonly multipleAccounts: boolean;
  /** `token:<id>` or `global_key:<id>`, as the audit log names the principal. */
  readonly actor: string;
  readonly access: Access;
  readonly flash: string | undefined;
  /** Request time, epoch ms. */
  readonly nowMs: number;
  readonly geoAttribution: Attribution | undefined;
}

/** Options of one page. */
export interface PageOptions {
  readonly title: string;
  readonly section?: Section;
  /** Load uPlot (the overview chart). */
  readonly chart?: boolean;
  /** Show the IP geolocation attribution in the footer (the page shows geolocated places). */
  readonly geolocated?: boolean;
}

/** The hidden CSRF field every form carries. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** htmx settings: no inline styles or eval (CSP), no history cache in localStorage (it would hold PII). */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

function head(assets: Assets, title: string, chart: boolean): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<meta name="referrer" content="same-origin">
<title>${title} · ztrisk</title>
<link rel="icon" href="${assets.url('favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assets.url('dashboard.css')}">
${chart ? html`<link rel="stylesheet" href="${assets.url('uPlot.min.css')}">` : ''}
<script src="${assets.url('htmx.min.js')}" defer></script>
${chart ? html`<script src="${assets.url('uPlot.iife.min.js')}" defer></script>` : ''}
<script src="${assets.url('dashboard.js')}" defer></script>
</head>`;
}

/** The attribution line the geolocation licence asks for, as a link. */
export function attributionLink(attribution: Attribution | undefined): Html {
  if (!attribution) return html``;
  return html`<a href="${attribution.url}" rel="noopener">${attribution.text}</a>`;
}

/** A whole signed-in page: header with navigation, account and sign-out, flash message, content, footer. */
export function page(ctx: PageContext, options: PageOptions, content: HtmlValue): Html {
  const headers = JSON.stringify({ 'x-csrf-token': ctx.csrfToken });
  return html`<!doctype html>
<html lang="en">
${head(ctx.assets, options.title, options.chart ?? false)}
<body hx-headers="${headers}">
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="/overview">ztrisk <small>risk dashboard</small></a>
    <nav class="mainnav" aria-label="Main"><ul class="nav">
      ${NAV.map(
        (n) =>
          html`<li><a href="${n.href}"${options.section === n.key ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )}
    </ul></nav>
    <div class="whoami">
      <span class="who" title="Signed in as ${ctx.actor}">Account <span class="mono">${ctx.accountId.slice(0, 12)}${ctx.accountId.length > 12 ? '…' : ''}</span></span>
      ${ctx.multipleAccounts ? html`<a href="/account">Switch account</a>` : ''}
      <form method="post" action="/logout">${csrfField(ctx.csrfToken)}<button class="linkish" type="submit">Sign out</button></form>
    </div>
  </div>
</header>
<main id="main" tabindex="-1">
  <div id="flash" aria-live="polite">${ctx.flash ? html`<div class="notice notice-ok" role="status"><p>${ctx.flash}</p></div>` : ''}</div>
  ${content}
</main>
<footer><div class="inner">
  <span>Signed in as <span class="mono">${ctx.actor}</span> · ${accessSummary(ctx.access)}</span>
  ${options.geolocated ? html`<span>${attributionLink(ctx.geoAttribution)}</span>` : ''}
</div></footer>
</body>
</html>`;
}

function accessSummary(access: Access): string {
  const parts = [access.write ? 'read and write' : access.read ? 'read only' : 'no configuration access'];
  parts.push(access.pii ? 'user data visible' : 'no user data (needs PII Read)');
  return parts.join(', ');
}

/** A page outside the signed-in frame (sign-in, errors before sign-in). */
export function barePage(assets: Assets, title: string, content: HtmlValue): Html {
  return html`<!doctype html>
<html lang="en">
${head(assets, title, false)}
<body>
<header class="topbar"><div class="topbar-inner"><a class="brand" href="/">ztrisk <small>risk dashboard</small></a></div></header>
<main id="main">${content}</main>
</body>
</html>`;
}

/** The notice shown in place of user data when the principal lacks `Zero Trust: PII Read`. */
export function needsPiiNotice(what: string): Html {
  return html`<div class="notice notice-warn" role="note" data-testid="needs-pii">
  <p><strong>Needs PII Read.</strong> ${what} is user data: your credentials do not hold
  <span class="mono">Zero Trust: PII Read</span> on this account, as the API requires for it.</p>
</div>`;
}

/** The notice shown when the principal lacks `Zero Trust Read`. */
export function needsReadNotice(what: string): Html {
  return html`<div class="notice notice-warn" role="note">
  <p><strong>Needs Zero Trust Read.</strong> Your credentials do not allow reading ${what} on this account.</p>
</div>`;
}

/** Previous/next links for a paged list, keeping the other query parameters. */
export function pager(
  basePath: string,
  query: Readonly<Record<string, string | undefined>>,
  page: number,
  perPage: number,
  total: number,
  noun: string,
): Html {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const link = (p: number): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
    if (p > 1) params.set('page', String(p));
    const qs = params.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  return html`<nav class="pager" aria-label="Pages">
  <span class="muted small">${total === 0 ? `No ${noun}` : `${first}–${last} of ${total} ${noun}`}</span>
  <span class="actions">
    ${page > 1 ? html`<a class="btn btn-secondary btn-small" href="${link(page - 1)}" rel="prev">Previous</a>` : html`<a class="btn btn-secondary btn-small" aria-disabled="true">Previous</a>`}
    <span class="small">Page ${page} of ${pages}</span>
    ${page < pages ? html`<a class="btn btn-secondary btn-small" href="${link(page + 1)}" rel="next">Next</a>` : html`<a class="btn btn-secondary btn-small" aria-disabled="true">Next</a>`}
  </span>
</nav>`;
}
