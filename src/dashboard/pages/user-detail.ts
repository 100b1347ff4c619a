import type { Page, RiskEvent, UserRisk } from '../../domain/types.js';
import type { Attribution } from '../../ingest/geo/geolocator.js';
import { describeEvidence } from '../evidence.js';
import { formatCount, levelBadge, timeTag } from '../format.js';
import { type Html, html } from '../html.js';
import { attributionLink, csrfField, type PageContext, page, pager } from '../layout.js';

/** Risk events per page of the timeline. */
export const EVENTS_PER_PAGE = 50;

/** What the user page shows. */
export interface UserDetailView {
  readonly user: UserRisk;
  /** Risk events since the last reset (one page). */
  readonly events: Page<RiskEvent>;
  readonly page: number;
  /** Risk events at or before the last reset, when the older history is shown. */
  readonly history: Page<RiskEvent> | undefined;
}

const SOURCE_LABELS: Readonly<Record<string, string>> = {
  event: 'location sent with the event',
  geoip: 'IP geolocation',
  override: "operator's override",
};

/** True when any event of the list names a place found by IP geolocation. */
export function usesGeolocation(events: readonly RiskEvent[]): boolean {
  return events.some((e) => describeEvidence(e.behavior, e.details).places.some((p) => p.source === 'geoip'));
}

function eventItem(e: RiskEvent, ctx: PageContext, attribution: Attribution | undefined): Html {
  const evidence = describeEvidence(e.behavior, e.details);
  return html`<li class="lvl-${e.riskLevel}" data-risk-event="${e.id}">
  <div class="when">${timeTag(e.timestamp, ctx.nowMs)} · ${levelBadge(e.riskLevel)}</div>
  <div class="what">${e.name}</div>
  <p class="evidence" data-testid="evidence">${evidence.summary}</p>
  ${
    evidence.places.length > 0
      ? html`<p class="small muted" data-testid="locations">Locations: ${evidence.places.map(
          (p, i) =>
            html`${i > 0 ? '; ' : ''}${p.label} (${SOURCE_LABELS[p.source ?? ''] ?? 'source unknown'})`,
        )}${
          attribution && evidence.places.some((p) => p.source === 'geoip')
            ? html` · ${attributionLink(attribution)}`
            : ''
        }</p>`
      : ''
  }
  <details class="raw"><summary>Recorded details</summary><pre>${JSON.stringify(e.details, null, 2)}</pre></details>
</li>`;
}

function timeline(events: readonly RiskEvent[], ctx: PageContext, empty: string): Html {
  if (events.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<ol class="timeline" reversed>${events.map((e) => eventItem(e, ctx, ctx.geoAttribution))}</ol>`;
}

function resetForm(ctx: PageContext, user: UserRisk): Html {
  if (!ctx.access.write) {
    return html`<p class="muted small" data-testid="no-reset">Resetting risk needs <span class="mono">Zero Trust Write</span>.</p>`;
  }
  return html`<details class="confirm" data-testid="reset">
  <summary>Reset risk…</summary>
  <form method="post" action="/users/${user.userId}/reset" class="stack">
    ${csrfField(ctx.csrfToken)}
    <p class="small">Resetting clears this user's level now: they leave the users table until a new risk event,
    integrations are told the level dropped, and the reset is recorded in the audit log. Nothing is deleted.</p>
    <div class="field">
      <label for="reason">Reason (optional, kept in the audit log)</label>
      <textarea id="reason" name="reason" maxlength="500" placeholder="e.g. confirmed travel with the user"></textarea>
    </div>
    <button class="btn btn-danger" type="submit">Confirm reset</button>
  </form>
</details>`;
}

function historySection(ctx: PageContext, view: UserDetailView): Html {
  const u = view.user;
  const href = `/users/${u.userId}`;
  if (u.lastResetTime === undefined) {
    return html`<section id="history" class="panel" aria-labelledby="history-title"><h2 id="history-title">Older history</h2>
<p class="muted">Never reset: every risk event of this user is in the timeline above.</p></section>`;
  }
  if (!view.history) {
    return html`<section id="history" class="panel" aria-labelledby="history-title"><h2 id="history-title">Older history</h2>
<p><a class="btn btn-secondary" href="${href}?history=1#history" hx-get="${href}?history=1" hx-select="#history" hx-target="#history"
  hx-swap="outerHTML" aria-expanded="false" aria-controls="history">Show risk events before the last reset</a></p></section>`;
  }
  return html`<section id="history" class="panel" aria-labelledby="history-title">
  <div class="panel-head"><h2 id="history-title">Older history <span class="muted small">· before the reset of ${timeTag(u.lastResetTime, ctx.nowMs)}</span></h2>
  <a class="btn btn-secondary btn-small" href="${href}#history" hx-get="${href}" hx-select="#history" hx-target="#history"
    hx-swap="outerHTML" aria-expanded="true" aria-controls="history">Hide</a></div>
  ${view.history.totalCount > view.history.items.length ? html`<p class="muted small">Showing the newest ${view.history.items.length} of ${view.history.totalCount}.</p>` : ''}
  ${timeline(view.history.items, ctx, 'No risk events before the last reset.')}
</section>`;
}

/** One user: level, last reset, evidence timeline since the reset, older history, reset action. */
export function userDetailPage(ctx: PageContext, view: UserDetailView): Html {
  const u = view.user;
  const shown = [...view.events.items, ...(view.history?.items ?? [])];
  return page(
    ctx,
    { title: u.email || u.name || u.userId, section: 'users', geolocated: usesGeolocation(shown) },
    html`<p class="small"><a href="/users">← Users</a></p>
<h1>${u.name || u.email || u.userId} ${levelBadge(u.riskLevel)}</h1>
<section class="panel" aria-label="Risk state">
  <dl class="kv">
    <dt>Email</dt><dd>${u.email || html`<span class="muted">unknown</span>`}</dd>
    <dt>Level</dt><dd data-testid="level">${u.riskLevel ?? 'not scored (no risk event since the last reset)'}</dd>
    <dt>Risk events since reset</dt><dd>${formatCount(u.eventCount)}</dd>
    <dt>Last event</dt><dd>${timeTag(u.lastEvent, ctx.nowMs)}</dd>
    <dt>Last reset</dt><dd data-testid="last-reset">${timeTag(u.lastResetTime, ctx.nowMs)}</dd>
    <dt>User id</dt><dd class="mono">${u.userId}</dd>
  </dl>
  ${resetForm(ctx, u)}
</section>
<section class="panel" aria-labelledby="timeline-title">
  <h2 id="timeline-title">${u.lastResetTime ? 'Risk events since the last reset' : 'Risk events'} <span class="muted small">· newest first</span></h2>
  ${timeline(view.events.items, ctx, 'No risk events since the last reset.')}
  ${view.events.totalCount > EVENTS_PER_PAGE ? pager(`/users/${u.userId}`, {}, view.page, EVENTS_PER_PAGE, view.events.totalCount, 'risk events') : ''}
</section>
${historySection(ctx, view)}`,
  );
}
