import type { SignInEvent } from '../domain/security-event.js';
import { formatTimestamp } from '../domain/time.js';
import { burstHistoryRange, findBurst } from './burst.js';
import { type Detector, dedupeKey, findingFor, sourceEventIds } from './detector.js';

const MAX_LISTED = 20;

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))].slice(0, MAX_LISTED);
}

/**
 * `failed_logins` (ztrisk extension): a burst of failed sign-ins. Fires when at least
 * `thresholds.failedLogins.minCount` (default 5) `sign_in` events with outcome `failure` lie within
 * `thresholds.failedLogins.windowMinutes` (default 10) of event time, window inclusive. Defaults are
 * ztrisk's (API.md §8 leaves them to the detector; 5 in 10 minutes is the common lockout policy).
 *
 * One occurrence per burst: the dedupe key is `failed_logins:<user>:<grid start>`, the burst's first
 * qualifying window start rounded down to the window grid (rule and limits: `findBurst`). Successful
 * sign-ins in between neither break nor count towards a burst.
 */
export const failedLogins: Detector = {
  behavior: 'failed_logins',
  accepts: (event) => event.type === 'sign_in' && event.outcome === 'failure',
  history(event, thresholds) {
    const range = burstHistoryRange(event.timeMs, thresholds.failedLogins.windowMinutes * 60_000);
    return [{ kind: 'window', types: ['sign_in'], filter: { outcome: 'failure' }, ...range }];
  },
  detect(event, history, ctx) {
    if (event.type !== 'sign_in' || event.outcome !== 'failure') return [];
    const { minCount, windowMinutes } = ctx.thresholds.failedLogins;
    const failures = history.filter(
      (e): e is SignInEvent => e.type === 'sign_in' && e.outcome === 'failure' && e.user.id === event.user.id,
    );
    const burst = findBurst(event, failures, { minCount, windowMs: windowMinutes * 60_000 });
    if (!burst) return [];
    const window = burst.windowEvents;
    return [
      findingFor(event.user, {
        behavior: 'failed_logins',
        timestamp: burst.crossing.timestamp,
        details: {
          count: window.length,
          min_count: minCount,
          window_minutes: windowMinutes,
          first_timestamp: burst.anchor.timestamp,
          last_timestamp: window[window.length - 1]?.timestamp,
          burst_id: formatTimestamp(burst.gridStartMs),
          sustained: burst.sustained,
          ips: distinct(window.map((e) => e.ip)),
          apps: distinct(window.map((e) => e.app)),
          source_event_ids: sourceEventIds(window),
        },
        dedupeKey: dedupeKey('failed_logins', event.user.id, formatTimestamp(burst.gridStartMs)),
      }),
    ];
  },
};
