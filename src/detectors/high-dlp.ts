import type { DlpMatchEvent, DlpProfileRef, SecurityEvent } from '../domain/security-event.js';
import { formatTimestamp } from '../domain/time.js';
import { burstHistoryRange, findBurst } from './burst.js';
import { type Detector, dedupeKey, findingFor, sourceEventIds } from './detector.js';

const MAX_PROFILES = 20;

function profilesOf(events: readonly SecurityEvent[]): DlpProfileRef[] {
  const byId = new Map<string, DlpProfileRef>();
  for (const e of events) {
    if (e.type !== 'dlp_match') continue;
    for (const p of e.profiles) if (!byId.has(p.id) || p.name !== undefined) byId.set(p.id, p);
  }
  return [...byId.values()].slice(0, MAX_PROFILES);
}

/**
 * `high_dlp`: a burst of DLP matches. Fires when at least `thresholds.highDlp.minCount` (default 15)
 * `dlp_match` events of the user lie within `thresholds.highDlp.windowSeconds` (default 60) of event
 * time, window inclusive (first and last match exactly 60 s apart count; 61 s apart do not). Defaults:
 * Cloudflare's "15 or more times within one minute" (LOGPUSH.md §4.2, API.md §8). One matched request
 * counts once whatever the number of profiles.
 *
 * One occurrence per burst: the dedupe key is `high_dlp:<user>:<grid start>`, the burst's first
 * qualifying window start rounded down to the window grid (rule and limits: `findBurst`). The finding is
 * dated when the burst's first window reached the count; `details` describe that window.
 */
export const highDlp: Detector = {
  behavior: 'high_dlp',
  accepts: (event) => event.type === 'dlp_match',
  history(event, thresholds) {
    const range = burstHistoryRange(event.timeMs, thresholds.highDlp.windowSeconds * 1000);
    return [{ kind: 'window', types: ['dlp_match'], ...range }];
  },
  detect(event, history, ctx) {
    if (event.type !== 'dlp_match') return [];
    const { minCount, windowSeconds } = ctx.thresholds.highDlp;
    const matches = history.filter(
      (e): e is DlpMatchEvent => e.type === 'dlp_match' && e.user.id === event.user.id,
    );
    const burst = findBurst(event, matches, { minCount, windowMs: windowSeconds * 1000 });
    if (!burst) return [];
    const window = burst.windowEvents;
    return [
      findingFor(event.user, {
        behavior: 'high_dlp',
        timestamp: burst.crossing.timestamp,
        details: {
          count: window.length,
          min_count: minCount,
          window_seconds: windowSeconds,
          first_timestamp: burst.anchor.timestamp,
          last_timestamp: window[window.length - 1]?.timestamp,
          burst_id: formatTimestamp(burst.gridStartMs),
          sustained: burst.sustained,
          profiles: profilesOf(window),
          source_event_ids: sourceEventIds(window),
        },
        dedupeKey: dedupeKey('high_dlp', event.user.id, formatTimestamp(burst.gridStartMs)),
      }),
    ];
  },
};
