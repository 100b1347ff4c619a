import type { BehaviorKey } from '../domain/behaviors.js';
import { compareEventTime, type PostureResultEvent, type SecurityEvent } from '../domain/security-event.js';
import { dedupeKey, type HistoryRequest } from './detector.js';

/** The first result of an episode (a run of results in a condition) and the result before it. */
export interface EpisodeStart {
  /** The first result in the condition. */
  readonly start: PostureResultEvent;
  /** The result just before it (not in the condition); absent when the start is the first result known. */
  readonly previous?: PostureResultEvent;
}

/** The history a posture episode needs: the nearest result of the same device and check on each side. */
export function episodeHistory(event: SecurityEvent): HistoryRequest[] {
  if (event.type !== 'posture_result') return [];
  return [
    {
      kind: 'neighbours',
      types: ['posture_result'],
      aroundMs: event.timeMs,
      aroundId: event.id,
      count: 1,
      filter: { deviceId: event.deviceId, checkType: event.checkType },
    },
  ];
}

/**
 * Finds the episode start that `event` reveals, for "one occurrence per device per condition until it
 * clears". Results are those of the same user, device and check type, in event-time order (ties by id):
 * - `event` in the condition whose previous result is not (or which has none) starts an episode;
 * - `event` not in the condition whose next result is in it re-arms: that next result starts an episode
 *   (so a clearing result arriving late still reveals the episode after it).
 *
 * Complete whatever the arrival order: an episode of the full history is reported (under the key of
 * {@link episodeKey}) at the latest when the later of its first result and the result before it is
 * detected, since that detection sees both as neighbours.
 * An in-condition result after another in-condition result reveals nothing: its episode's start did.
 */
export function findEpisodeStart(
  event: PostureResultEvent,
  history: readonly SecurityEvent[],
  inCondition: (result: PostureResultEvent) => boolean,
): EpisodeStart | undefined {
  let previous: PostureResultEvent | undefined;
  let next: PostureResultEvent | undefined;
  for (const e of history) {
    if (
      e.type !== 'posture_result' ||
      e.id === event.id ||
      e.user.id !== event.user.id ||
      e.deviceId !== event.deviceId ||
      e.checkType !== event.checkType
    ) {
      continue;
    }
    const order = compareEventTime(e, event);
    if (order < 0 && (!previous || compareEventTime(e, previous) > 0)) previous = e;
    if (order > 0 && (!next || compareEventTime(e, next) < 0)) next = e;
  }
  if (inCondition(event)) {
    if (previous && inCondition(previous)) return undefined;
    return previous ? { start: event, previous } : { start: event };
  }
  if (next && inCondition(next)) return { start: next, previous: event };
  return undefined;
}

/**
 * The dedupe key of an episode: `<behavior>:<user>:<device>:after:<previous id>`, or `…:first` when no
 * result of that device and check is known before it. Keyed by the result that precedes the episode, not
 * by the episode's first result, so results in the condition arriving late, inside or just before a
 * known episode, keep its key; in-order arrival, one batch, or re-delivery give exactly one occurrence
 * per episode. Limit: a key chosen while the result before the episode was not yet stored (`first`, or
 * `after:` an older result) differs from the final one, so results arriving out of order around an
 * episode's start can record a second occurrence for it. Never fewer: see `findEpisodeStart`.
 */
export function episodeKey(behavior: BehaviorKey, episode: EpisodeStart): string {
  const { start, previous } = episode;
  const tail = previous ? ['after', previous.id] : ['first'];
  return dedupeKey(behavior, start.user.id, start.deviceId, ...tail);
}

/** Evidence common to posture findings. */
export function describePosture(episode: EpisodeStart): Record<string, unknown> {
  const { start, previous } = episode;
  return {
    device_id: start.deviceId,
    check_type: start.checkType,
    check_id: start.checkId,
    check_name: start.checkName,
    passed: start.passed,
    previous_event_id: previous?.id,
    previous_timestamp: previous?.timestamp,
    source_event_ids: [start.id],
  };
}
