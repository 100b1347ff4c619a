import { BEHAVIOR_CATALOG } from '../../domain/behaviors.js';
import { RISK_LEVELS } from '../../domain/risk-level.js';
import type { Page, UserRisk } from '../../domain/types.js';
import { formatCount, levelBadge, timeTag } from '../format.js';
import { type Html, html } from '../html.js';
import { needsPiiNotice, type PageContext, page, pager } from '../layout.js';

/** The users table's filters, as they appear in the query string. */
export interface UserFilters {
  readonly level: string | undefined;
  readonly behavior: string | undefined;
  readonly q: string | undefined;
  readonly sort: UserSort;
  readonly page: number;
}

/** Orders of the users table (the summary's orders). */
export type UserSort = 'recent' | 'level' | 'events';

/** Sort keys and their labels, default first. */
export const USER_SORTS: readonly { readonly key: UserSort; readonly label: string }[] = [
  { key: 'recent', label: 'Newest activity' },
  { key: 'level', label: 'Highest level' },
  { key: 'events', label: 'Most risk events' },
];

/** Users per page of the table. */
export const USERS_PER_PAGE = 25;

/** What the users page shows; `users` is undefined without PII Read. */
export interface UsersView {
  readonly filters: UserFilters;
  readonly users: Page<UserRisk> | undefined;
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
}

function filtersForm(f: UserFilters): Html {
  return html`<form class="filters" method="get" action="/users" role="search"
  hx-get="/users" hx-trigger="submit, change, input changed delay:350ms from:#q" hx-select="#users-results"
  hx-target="#users-results" hx-swap="outerHTML" hx-push-url="true" hx-indicator="#users-loading">
  <div class="field field-grow">
    <label for="q">Search email or name</label>
    <input id="q" name="q" type="search" value="${f.q ?? ''}" maxlength="200" placeholder="alice@ or Alice">
  </div>
  <div class="field">
    <label for="level">Level</label>
    <select id="level" name="level">
      ${option('', 'Any level', f.level)}
      ${[...RISK_LEVELS].reverse().map((l) => option(l, l, f.level))}
    </select>
  </div>
  <div class="field">
    <label for="behavior">Behavior</label>
    <select id="behavior" name="behavior">
      ${option('', 'Any behavior', f.behavior)}
      ${BEHAVIOR_CATALOG.map((b) => option(b.key, b.name, f.behavior))}
    </select>
  </div>
  <div class="field">
    <label for="sort">Sort by</label>
    <select id="sort" name="sort">
      ${USER_SORTS.map((o) => option(o.key, o.label, f.sort))}
    </select>
  </div>
  <div class="actions">
    <button class="btn" type="submit">Filter</button>
    <a class="btn btn-secondary" href="/users">Clear</a>
    <span id="users-loading" class="htmx-indicator muted small" aria-hidden="true">Loading…</span>
  </div>
</form>`;
}

function usersTable(ctx: PageContext, view: UsersView, users: Page<UserRisk>): Html {
  const f = view.filters;
  const filtered = f.level || f.behavior || f.q;
  return html`<div id="users-results" aria-live="polite">
  <div class="table-wrap"><table class="cards" data-testid="users-table">
    <caption class="sr-only">Scored users${filtered ? ' matching the filters' : ''}</caption>
    <thead><tr>
      <th scope="col">User</th><th scope="col">Level</th><th class="num" scope="col">Risk events</th>
      <th scope="col">Last event</th><th scope="col" class="col-optional">User id</th>
    </tr></thead>
    <tbody>
    ${
      users.items.length === 0
        ? html`<tr><td colspan="5" class="empty">${filtered ? 'No scored user matches these filters.' : 'No user has risk events since their last reset.'}</td></tr>`
        : users.items.map(
            (u) => html`<tr data-user-id="${u.userId}">
      <td><a href="/users/${u.userId}">${u.name || u.email || u.userId}</a>${u.name && u.email ? html`<div class="muted small">${u.email}</div>` : ''}</td>
      <td data-label="Level">${levelBadge(u.riskLevel)}</td>
      <td class="num" data-label="Risk events">${formatCount(u.eventCount)}</td>
      <td data-label="Last event">${timeTag(u.lastEvent, ctx.nowMs)}</td>
      <td class="col-optional mono small">${u.userId}</td>
    </tr>`,
          )
    }
    </tbody>
  </table></div>
  ${pager(
    '/users',
    { level: f.level, behavior: f.behavior, q: f.q, sort: f.sort === 'recent' ? undefined : f.sort },
    f.page,
    USERS_PER_PAGE,
    users.totalCount,
    'users',
  )}
</div>`;
}

/** The paged, filterable table of scored users. */
export function usersPage(ctx: PageContext, view: UsersView): Html {
  return page(
    ctx,
    { title: 'Users', section: 'users' },
    html`<h1>Users</h1>
${
  view.users
    ? html`<p class="muted">Users with at least one risk event since their last reset, newest activity first.</p>
<section class="panel" aria-label="Scored users">
  ${filtersForm(view.filters)}
  ${usersTable(ctx, view, view.users)}
</section>`
    : needsPiiNotice('The list of users')
}`,
  );
}
