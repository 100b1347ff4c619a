import { type Html, html } from './html.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return integer.format(n);
}

/** `2026-03-02 12:00 UTC`: minute precision, always UTC (the server knows no viewer time zone). */
export function formatUtc(timestamp: string | number): string {
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return String(timestamp);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "5 min ago", "3 h ago", "2 days ago", "in 4 min" (clock skew). */
export function formatAgo(timestamp: string, nowMs: number): string {
  const ms = Date.parse(timestamp);
  if (!Number.isFinite(ms)) return '';
  const diff = nowMs - ms;
  const abs = Math.abs(diff);
  let text: string;
  if (abs < 60_000) return 'just now';
  if (abs < 3_600_000) text = `${Math.round(abs / 60_000)} min`;
  else if (abs < 48 * 3_600_000) text = `${Math.round(abs / 3_600_000)} h`;
  else text = `${Math.round(abs / 86_400_000)} days`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** A `<time>` element: UTC text, relative time as tooltip, machine-readable datetime. */
export function timeTag(timestamp: string | undefined, nowMs: number): Html {
  if (timestamp === undefined) return html`<span class="muted">never</span>`;
  return html`<time datetime="${timestamp}" title="${formatAgo(timestamp, nowMs)}">${formatUtc(timestamp)}</time>`;
}

/** A level badge; unscored users get a neutral one. */
export function levelBadge(level: string | undefined): Html {
  if (level === undefined) return html`<span class="badge badge-none">none</span>`;
  return html`<span class="badge badge-${level}">${level}</span>`;
}
