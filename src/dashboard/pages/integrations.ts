import type { Integration } from '../../domain/types.js';
import { formatCount, timeTag } from '../format.js';
import { type Html, html, safeUrl } from '../html.js';
import { csrfField, needsReadNotice, type PageContext, page } from '../layout.js';

/**
 * Delivery health of one Shared Signals stream (an Okta integration's push stream, or a receiver-managed
 * stream), as the integrations page shows it.
 */
export interface StreamHealth {
  readonly streamId: string;
  /** `integration`: an Okta integration's stream; `stream`: one a receiver configured over SSF. */
  readonly kind: 'integration' | 'stream';
  /** `enabled`, `paused`, `disabled` (SSF stream status). */
  readonly status: string;
  /** `push` or `poll`. */
  readonly delivery: string;
  readonly endpointUrl: string | undefined;
  /** RFC 3339 UTC ms of the last successful delivery (push accepted, or poll acknowledged). */
  readonly lastSuccessAt: string | undefined;
  readonly lastError: { readonly at: string | undefined; readonly message: string } | undefined;
  /** Security Event Tokens waiting to be delivered, and since when the oldest waits. */
  readonly backlog: number;
  readonly oldestPendingAt: string | undefined;
  /** Tokens delivered, and tokens that failed permanently. */
  readonly delivered: number;
  readonly failed: number;
}

/** Where the stream health comes from (an account's streams); absent until Shared Signals provides it. */
export type DeliveryHealthSource = (accountId: string) => Promise<readonly StreamHealth[]>;

/** A rejected create or edit form: which form, values as typed, problems by field. */
export interface IntegrationFormState {
  /** `new` for the create form, else the integration id. */
  readonly form: string;
  readonly values: Readonly<Record<string, string>>;
  readonly errors: Readonly<Record<string, string>>;
}

/** What the integrations page shows. */
export interface IntegrationsView {
  /** Undefined without `Zero Trust Read`. */
  readonly integrations: readonly Integration[] | undefined;
  readonly wellKnownUrl: (integrationId: string) => string;
  /** Undefined when delivery health could not be read. */
  readonly streams: readonly StreamHealth[] | undefined;
  readonly rejected?: IntegrationFormState;
}

function fieldError(id: string, error: string | undefined): Html {
  return error ? html`<p class="error-text" id="${id}-error" data-testid="field-error">${error}</p>` : html``;
}

function invalidAttrs(id: string, error: string | undefined): Html {
  return error ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``;
}

function createForm(ctx: PageContext, rejected: IntegrationFormState | undefined): Html {
  const state = rejected?.form === 'new' ? rejected : undefined;
  const errors = state?.errors ?? {};
  return html`<section class="panel" aria-labelledby="create-title" id="create">
  <h2 id="create-title">Add an Okta integration</h2>
  <form method="post" action="/integrations" class="stack" novalidate>
    ${csrfField(ctx.csrfToken)}
    <div class="form-grid">
      <div class="field">
        <label for="new-tenant">Okta tenant URL</label>
        <input id="new-tenant" name="tenant_url" type="url" required placeholder="https://example.okta.com" value="${state?.values.tenant_url ?? ''}"${invalidAttrs('new-tenant', errors.tenant_url)}>
        ${fieldError('new-tenant', errors.tenant_url)}
      </div>
      <div class="field">
        <label for="new-reference">Reference id (optional)</label>
        <input id="new-reference" name="reference_id" type="text" maxlength="255" value="${state?.values.reference_id ?? ''}" aria-describedby="new-reference-hint"${errors.reference_id ? html` aria-invalid="true"` : ''}>
        <p class="hint" id="new-reference-hint">Your own id for it; a random UUID when empty.</p>
        ${fieldError('new-reference', errors.reference_id)}
      </div>
    </div>
    ${errors._form ? html`<div class="notice notice-error" role="alert"><p>${errors._form}</p></div>` : ''}
    <button class="btn" type="submit">Add integration</button>
  </form>
</section>`;
}

function editForm(ctx: PageContext, i: Integration, rejected: IntegrationFormState | undefined): Html {
  const state = rejected?.form === i.id ? rejected : undefined;
  const errors = state?.errors ?? {};
  const v = state?.values;
  const active = v ? v.active === 'on' : i.active;
  const p = `edit-${i.id}`;
  return html`<details${state ? html` open` : ''}><summary>Edit</summary>
  <form method="post" action="/integrations/${i.id}" class="stack" novalidate>
    ${csrfField(ctx.csrfToken)}
    <div class="form-grid">
      <div class="field">
        <label for="${p}-tenant">Okta tenant URL</label>
        <input id="${p}-tenant" name="tenant_url" type="url" required value="${v?.tenant_url ?? i.tenantUrl}"${invalidAttrs(`${p}-tenant`, errors.tenant_url)}>
        ${fieldError(`${p}-tenant`, errors.tenant_url)}
      </div>
      <div class="field">
        <label for="${p}-reference">Reference id</label>
        <input id="${p}-reference" name="reference_id" type="text" maxlength="255" value="${v?.reference_id ?? i.referenceId}"${invalidAttrs(`${p}-reference`, errors.reference_id)}>
        ${fieldError(`${p}-reference`, errors.reference_id)}
      </div>
    </div>
    <div><input type="checkbox" id="${p}-active" name="active"${active ? html` checked` : ''}>
      <label for="${p}-active">Active (export level changes to this tenant)</label></div>
    <button class="btn" type="submit">Save changes</button>
  </form>
</details>`;
}

function deleteForm(ctx: PageContext, i: Integration): Html {
  return html`<details class="confirm"><summary>Delete…</summary>
  <form method="post" action="/integrations/${i.id}/delete" class="stack">
    ${csrfField(ctx.csrfToken)}
    <p class="small">Deleting stops exporting to ${i.tenantUrl} at once. Okta keeps its own copy of the configuration.</p>
    <button class="btn btn-danger" type="submit">Delete integration</button>
  </form>
</details>`;
}

function integrationCard(ctx: PageContext, view: IntegrationsView, i: Integration): Html {
  const urlId = `wk-${i.id}`;
  return html`<article class="panel" id="integration-${i.id}" data-integration="${i.id}">
  <div class="panel-head">
    <h3>${i.integrationType} · <a href="${safeUrl(i.tenantUrl)}" rel="noopener noreferrer">${i.tenantUrl}</a></h3>
    ${i.active ? html`<span class="badge badge-on">active</span>` : html`<span class="badge badge-off">inactive</span>`}
  </div>
  <dl class="kv">
    <dt>Integration id</dt><dd class="mono">${i.id}</dd>
    <dt>Reference id</dt><dd class="mono">${i.referenceId}</dd>
    <dt>Created</dt><dd>${timeTag(i.createdAt, ctx.nowMs)}</dd>
    <dt><label for="${urlId}">Well-known URL</label></dt>
    <dd><div class="copy-row">
      <input id="${urlId}" type="text" readonly value="${view.wellKnownUrl(i.id)}" class="mono">
      <button class="btn btn-secondary btn-small" type="button" data-copy="${urlId}" aria-describedby="${urlId}-status">Copy</button>
    </div><span id="${urlId}-status" class="sr-only" aria-live="polite"></span>
    <p class="hint">Paste it into Okta as the transmitter's well-known URL.</p></dd>
  </dl>
  ${ctx.access.write ? html`<div class="stack">${editForm(ctx, i, view.rejected)}${deleteForm(ctx, i)}</div>` : ''}
</article>`;
}

function streamsSection(ctx: PageContext, view: IntegrationsView): Html {
  const streams = view.streams;
  return html`<section class="panel" aria-labelledby="streams-title" id="streams">
  <h2 id="streams-title">Streams and delivery health</h2>
  ${
    streams === undefined
      ? html`<div class="notice notice-info" role="note" data-testid="delivery-health-unavailable"><p><strong>Delivery health not available.</strong>
  Stream status could not be read just now (see the server log); integrations above are still exported when active.</p></div>`
      : streams.length === 0
        ? html`<p class="empty">No Shared Signals stream has been configured by a receiver yet.</p>`
        : html`<div class="table-wrap"><table data-testid="streams-table">
    <thead><tr><th scope="col">Stream</th><th scope="col">Status</th><th scope="col">Last success</th>
    <th scope="col">Last error</th><th class="num" scope="col">Backlog</th><th class="num col-optional" scope="col">Delivered / failed</th></tr></thead>
    <tbody>${streams.map(
      (s) => html`<tr data-stream="${s.streamId}">
      <td class="wrap">${s.kind === 'integration' ? 'Okta integration' : 'SSF stream'} · ${s.delivery}
        ${s.endpointUrl ? html`<div class="mono small">${s.endpointUrl}</div>` : ''}<div class="mono small muted">${s.streamId}</div></td>
      <td>${s.status === 'enabled' ? html`<span class="badge badge-on">${s.status}</span>` : html`<span class="badge badge-off">${s.status}</span>`}</td>
      <td>${timeTag(s.lastSuccessAt, ctx.nowMs)}</td>
      <td>${s.lastError ? html`${s.lastError.at ? timeTag(s.lastError.at, ctx.nowMs) : ''}<div class="small">${s.lastError.message}</div>` : html`<span class="muted">none</span>`}</td>
      <td class="num">${formatCount(s.backlog)}${s.oldestPendingAt ? html`<div class="small muted">oldest ${timeTag(s.oldestPendingAt, ctx.nowMs)}</div>` : ''}</td>
      <td class="num col-optional">${formatCount(s.delivered)} / ${formatCount(s.failed)}</td>
    </tr>`,
    )}</tbody></table></div>`
  }
</section>`;
}

/** Okta integrations (create, edit, delete, copy the well-known URL) and stream delivery health. */
export function integrationsPage(ctx: PageContext, view: IntegrationsView): Html {
  const list = view.integrations;
  return page(
    ctx,
    { title: 'Integrations', section: 'integrations' },
    html`<h1>Integrations and streams</h1>
${
  list
    ? html`<p class="muted">Identity providers told about every change of a user's level, as Shared Signals risk-level changes.</p>
${list.length === 0 ? html`<div class="panel"><p class="empty">No integration yet.</p></div>` : list.map((i) => integrationCard(ctx, view, i))}
${ctx.access.write ? createForm(ctx, view.rejected) : html`<p class="muted small">Adding, editing or deleting integrations needs <span class="mono">Zero Trust Write</span>.</p>`}
${streamsSection(ctx, view)}`
    : needsReadNotice('integrations')
}`,
  );
}
