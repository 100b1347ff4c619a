import type { AuditEntry, Page } from '../../domain/types.js';
import { timeTag } from '../format.js';
import { type Html, html } from '../html.js';
import { needsReadNotice, type PageContext, page, pager } from '../layout.js';

/** Audit entries per page. */
export const AUDIT_PER_PAGE = 50;

/** Actions the audit trail records (suggestions for the filter; any text is accepted). */
export const AUDIT_ACTIONS: readonly string[] = [
  'user.reset',
  'behaviors.update',
  'behavior_settings.update',
  'integration.create',
  'integration.update',
  'integration.delete',
  'token.create',
  'token.revoke',
  'global_key.create',
];

/** The audit page's filters. */
export interface AuditFilters {
  readonly actor: string | undefined;
  readonly action: string | undefined;
  readonly page: number;
}

/** What the audit page shows. */
export interface AuditView {
  readonly filters: AuditFilters;
  /** Undefined without `Zero Trust Read`. */
  readonly entries: Page<AuditEntry> | undefined;
}

function change(e: AuditEntry): Html {
  if ((e.before === null || e.before === undefined) && (e.after === null || e.after === undefined))
    return html``;
  return html`<details class="raw"><summary>Before and after</summary><pre>${JSON.stringify({ before: e.before ?? null, after: e.after ?? null }, null, 2)}</pre></details>`;
}

function target(e: AuditEntry): Html {
  if (e.targetType === 'user')
    return html`user <a class="mono" href="/users/${e.targetId}">${e.targetId}</a>`;
  if (e.targetType === 'integration') return html`integration <span class="mono">${e.targetId}</span>`;
  return html`${e.targetType} <span class="mono">${e.targetId}</span>`;
}

/** The audit trail, newest first, filterable by actor and action. */
export function auditPage(ctx: PageContext, view: AuditView): Html {
  const f = view.filters;
  const entries = view.entries;
  return page(
    ctx,
    { title: 'Audit log', section: 'audit' },
    html`<h1>Audit log</h1>
${
  entries
    ? html`<section class="panel" aria-label="Audit entries">
  <form class="filters" method="get" action="/audit" role="search">
    <div class="field field-grow">
      <label for="actor">Actor</label>
      <input id="actor" name="actor" type="text" value="${f.actor ?? ''}" placeholder="token:… or cli" maxlength="200">
    </div>
    <div class="field field-grow">
      <label for="action">Action</label>
      <input id="action" name="action" type="text" list="audit-actions" value="${f.action ?? ''}" placeholder="user.reset" maxlength="100">
      <datalist id="audit-actions">${AUDIT_ACTIONS.map((a) => html`<option value="${a}"></option>`)}</datalist>
    </div>
    <div class="actions">
      <button class="btn" type="submit">Filter</button>
      <a class="btn btn-secondary" href="/audit">Clear</a>
      <a class="btn btn-secondary" href="/audit?actor=${encodeURIComponent(ctx.actor)}">Mine</a>
    </div>
  </form>
  <div class="table-wrap"><table data-testid="audit-table">
    <thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Reason</th></tr></thead>
    <tbody>${
      entries.items.length === 0
        ? html`<tr><td colspan="5" class="empty">No audit entry matches.</td></tr>`
        : entries.items.map(
            (e) => html`<tr data-action="${e.action}">
      <td>${timeTag(e.at, ctx.nowMs)}</td>
      <td class="mono small">${e.actor}</td>
      <td class="nowrap"><span class="small code">${e.action}</span></td>
      <td class="small">${target(e)}${change(e)}</td>
      <td>${e.reason ?? html`<span class="muted">–</span>`}</td>
    </tr>`,
          )
    }</tbody>
  </table></div>
  ${pager('/audit', { actor: f.actor, action: f.action }, f.page, AUDIT_PER_PAGE, entries.totalCount, 'entries')}
</section>`
    : needsReadNotice('the audit log')
}`,
  );
}
