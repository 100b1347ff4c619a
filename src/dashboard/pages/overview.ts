import type { BehaviorView } from '../../services/behaviors.js';
import type { OverviewRange, RiskOverview } from '../../services/insights.js';
import { formatAgo, formatCount, formatUtc, levelBadge, timeTag } from '../format.js';
import { type Html, html } from '../html.js';
import { needsPiiNotice, needsReadNotice, type PageContext, page } from '../layout.js';

/** What the overview shows; parts the principal may not see are undefined. */
export interface OverviewView {
  readonly range: OverviewRange;
  /** Undefined without `Zero Trust: PII Read` (every number here is derived from user data). */
  readonly overview: RiskOverview | undefined;
  /** Undefined without `Zero Trust Read`. */
  readonly behaviors: readonly BehaviorView[] | undefined;
}

const RANGE_LABELS: Readonly<Record<OverviewRange, string>> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

function stat(kind: string, label: string, value: string, href: string, note?: string): Html {
  return html`<a class="stat stat-${kind}" href="${href}" data-testid="stat-${kind}">
  <span class="label">${label}</span>
  <span class="value">${value}</span>
  ${note ? html`<span class="muted small">${note}</span>` : ''}
</a>`;
}

function rangeSwitch(current: OverviewRange): Html {
  return html`<nav class="range-switch" aria-label="Period">
  ${(Object.keys(RANGE_LABELS) as OverviewRange[]).map(
    (
      r,
    ) => html`<a href="/overview?range=${r}" hx-get="/overview?range=${r}" hx-select="#range-panels" hx-target="#range-panels"
      hx-swap="outerHTML" hx-push-url="true" aria-current="${r === current ? 'true' : 'false'}" aria-label="${RANGE_LABELS[r]}">${r}</a>`,
  )}
</nav>`;
}

function bucketLabel(startMs: number, bucketMs: number): string {
  const start = formatUtc(startMs);
  return bucketMs >= 86_400_000 ? start.slice(0, 10) : start;
}

function chartPanel(o: RiskOverview): Html {
  const t = o.timeline;
  const data = JSON.stringify({
    bucketMs: t.bucketMs,
    starts: t.starts,
    high: t.counts.high,
    medium: t.counts.medium,
    low: t.counts.low,
  });
  return html`<section class="panel" aria-labelledby="chart-title">
  <div class="panel-head">
    <h2 id="chart-title">Risk events over time <span class="muted small">· ${RANGE_LABELS[o.range]} · ${formatCount(t.total)} events</span></h2>
    ${rangeSwitch(o.range)}
  </div>
  <div class="chart" data-chart="${data}" role="img" aria-label="Stacked bar chart of risk events per ${t.bucketMs >= 86_400_000 ? 'day' : `${t.bucketMs / 3_600_000} hours`} by level, ${RANGE_LABELS[o.range].toLowerCase()}; the table below has the same numbers."></div>
  <div class="legend"><span><span class="swatch swatch-high"></span>high</span><span><span class="swatch swatch-medium"></span>medium</span><span><span class="swatch swatch-low"></span>low</span><span class="small" data-chart-readout aria-live="off"></span></div>
  <details class="raw"><summary>Show as a table</summary>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">${t.bucketMs >= 86_400_000 ? 'Day (UTC)' : 'From (UTC)'}</th><th class="num" scope="col">High</th><th class="num" scope="col">Medium</th><th class="num" scope="col">Low</th></tr></thead>
      <tbody>${t.starts.map(
        (s, i) =>
          html`<tr><td>${bucketLabel(s, t.bucketMs)}</td><td class="num">${t.counts.high[i] ?? 0}</td><td class="num">${t.counts.medium[i] ?? 0}</td><td class="num">${t.counts.low[i] ?? 0}</td></tr>`,
      )}</tbody>
    </table></div>
  </details>
</section>`;
}

function topBehaviorsPanel(o: RiskOverview): Html {
  const max = Math.max(1, ...o.topBehaviors.map((b) => b.count));
  return html`<section class="panel" aria-labelledby="top-title">
  <h2 id="top-title">Top behaviors <span class="muted small">· ${RANGE_LABELS[o.range]}</span></h2>
  ${
    o.topBehaviors.length === 0
      ? html`<p class="empty">No risk events in this period.</p>`
      : html`<ul class="bar-list" data-testid="top-behaviors">${o.topBehaviors.map(
          (b) => html`<li>
        <a href="/users?behavior=${b.behavior}">${b.name}</a><span class="num">${formatCount(b.count)}</span>
        <meter min="0" max="${max}" value="${b.count}" aria-label="${b.name}: ${b.count} risk events"></meter>
      </li>`,
        )}</ul>`
  }
</section>`;
}

function recentChangesPanel(o: RiskOverview, nowMs: number): Html {
  return html`<section class="panel" aria-labelledby="recent-title">
  <h2 id="recent-title">Recent level changes</h2>
  ${
    o.recentChanges.length === 0
      ? html`<p class="empty">No user's level has changed yet.</p>`
      : html`<div class="table-wrap"><table data-testid="recent-changes">
    <thead><tr><th scope="col">User</th><th scope="col">Level now</th><th scope="col">Changed</th></tr></thead>
    <tbody>${o.recentChanges.map(
      (c) => html`<tr>
      <td class="wrap"><a href="/users/${c.user.userId}">${c.user.email || c.user.name || c.user.userId}</a></td>
      <td>${c.user.riskLevel ? levelBadge(c.user.riskLevel) : html`<span class="badge badge-none">reset</span>`}</td>
      <td class="nowrap"><span title="${formatUtc(c.levelChangedAt)}">${formatAgo(c.levelChangedAt, nowMs)}</span></td>
    </tr>`,
    )}</tbody></table></div>`
  }
</section>`;
}

function behaviorsNotice(ctx: PageContext, behaviors: readonly BehaviorView[]): Html {
  const enabled = behaviors.filter((b) => b.enabled).length;
  if (enabled > 0) return html``;
  return html`<div class="notice notice-warn" role="note" data-testid="no-behaviors">
  <p><strong>No behavior is enabled, so ztrisk records no risk.</strong> All behaviors start disabled, as in
  Cloudflare. ${
    ctx.access.write
      ? html`<a href="/behaviors">Enable behaviors</a> to start scoring users.`
      : html`Ask someone with <span class="mono">Zero Trust Write</span> to enable them on the <a href="/behaviors">Behaviors</a> page.`
  }</p>
</div>`;
}

/** The overview page. */
export function overviewPage(ctx: PageContext, view: OverviewView): Html {
  const o = view.overview;
  const b = view.behaviors;
  const enabled = b ? b.filter((x) => x.enabled).length : undefined;
  return page(
    ctx,
    { title: 'Overview', section: 'overview', chart: o !== undefined },
    html`<h1>Overview</h1>
${b ? behaviorsNotice(ctx, b) : ''}
<div class="grid grid-4">
  ${
    o
      ? [
          stat('high', 'High risk users', formatCount(o.levels.high), '/users?level=high'),
          stat('medium', 'Medium risk users', formatCount(o.levels.medium), '/users?level=medium'),
          stat('low', 'Low risk users', formatCount(o.levels.low), '/users?level=low'),
        ]
      : ''
  }
  ${
    b && enabled !== undefined
      ? stat(
          'behaviors',
          'Behaviors enabled',
          `${enabled} of ${b.length}`,
          '/behaviors',
          enabled === 0 ? 'none: nothing is scored' : undefined,
        )
      : ''
  }
</div>
${o ? '' : needsPiiNotice('The risk overview (users by level, risk events, recent changes)')}
${b ? '' : needsReadNotice('behaviors')}
${
  o
    ? html`<div id="range-panels">
  ${chartPanel(o)}
  <div class="grid grid-2">
    ${topBehaviorsPanel(o)}
    ${recentChangesPanel(o, ctx.nowMs)}
  </div>
</div>`
    : ''
}
<p class="muted small">Risk events are counted by their event time, in UTC buckets. As of ${timeTag(new Date(ctx.nowMs).toISOString(), ctx.nowMs)}.</p>`,
  );
}
