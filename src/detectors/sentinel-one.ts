import type { PostureResultEvent } from '../domain/security-event.js';
import { type Detector, findingFor } from './detector.js';
import { describePosture, episodeHistory, episodeKey, findEpisodeStart } from './posture-episode.js';

/**
 * True when a `sentinelone_s2s` result reports a threat: `infected`, or `activeThreats` above 0, or a
 * failed evaluation (`passed === false`) of a result carrying SentinelOne attributes, i.e. another
 * configured attribute failing (LOGPUSH.md §6.3, §7). A failed result without any SentinelOne report (the
 * vendor did not answer) is not a threat.
 */
export function reportsSentinelOneThreat(result: PostureResultEvent): boolean {
  if (result.checkType !== 'sentinelone_s2s') return false;
  const report = result.sentinelOne;
  if (!report) return false;
  if (report.infected === true || (report.activeThreats ?? 0) > 0) return true;
  return result.passed === false;
}

/**
 * `sentinel_one`: SentinelOne reports an active threat or infection on the user's device (Cloudflare's
 * "SentinelOne Infection Detected", LOGPUSH.md §6.3; only `sentinelone_s2s` results carry threat status,
 * §6.1). No tunable threshold.
 *
 * One occurrence per device until it clears: fires for the first threat result after a result without
 * threat (or the first result known); dedupe key and limits in `episodeKey`.
 */
export const sentinelOne: Detector = {
  behavior: 'sentinel_one',
  accepts: (event) => event.type === 'posture_result' && event.checkType === 'sentinelone_s2s',
  history: (event) => episodeHistory(event),
  detect(event, history) {
    if (event.type !== 'posture_result' || event.checkType !== 'sentinelone_s2s') return [];
    const episode = findEpisodeStart(event, history, reportsSentinelOneThreat);
    if (!episode) return [];
    const report = episode.start.sentinelOne;
    return [
      findingFor(episode.start.user, {
        behavior: 'sentinel_one',
        timestamp: episode.start.timestamp,
        details: {
          ...describePosture(episode),
          infected: report?.infected,
          active_threats: report?.activeThreats,
          is_active: report?.isActive,
          network_status: report?.networkStatus,
          operational_state: report?.operationalState,
        },
        dedupeKey: episodeKey('sentinel_one', episode),
      }),
    ];
  },
};
