import type { SecurityEvent } from '../domain/security-event.js';
import { uniqueByTime } from './history.js';

/**
 * How far back, in windows, a burst detector follows a burst before it treats it as sustained (see
 * {@link findBurst}). Ten windows: 10 minutes for DLP, 100 minutes for failed logins by default.
 */
export const BURST_LOOKBACK_WINDOWS = 10;

/** Threshold of a burst: at least `minCount` events whose times lie within `windowMs` of each other. */
export interface BurstOptions {
  readonly minCount: number;
  readonly windowMs: number;
}

/** A burst the trigger belongs to, as reported. */
export interface Burst<E extends SecurityEvent = SecurityEvent> {
  /** First event of the reported window: the burst's anchor. */
  readonly anchor: E;
  /** Events of the window `[anchor, anchor + windowMs]` (at least `minCount`), in event-time order. */
  readonly windowEvents: readonly E[];
  /** The event with which that window reached `minCount`: when the burst became one. */
  readonly crossing: E;
  /** The anchor's time rounded down to a multiple of `windowMs`: the burst's identity. */
  readonly gridStartMs: number;
  /** True when the burst began more than the lookback before and this is one of its later segments. */
  readonly sustained: boolean;
}

/**
 * The event-time range of history a burst detector needs for an event at `timeMs`: the lookback plus
 * two windows of margin before it (to know exactly where a burst starts), one window after it.
 */
export function burstHistoryRange(timeMs: number, windowMs: number): { fromMs: number; toMs: number } {
  return { fromMs: timeMs - (BURST_LOOKBACK_WINDOWS + 2) * windowMs, toMs: timeMs + windowMs };
}

/**
 * Finds the burst `trigger` belongs to among `countable` (events of the counted kind of the same user,
 * in any order, possibly with the trigger and duplicates), or `undefined` when it belongs to none.
 *
 * Definitions, in event-time order (ties by id), all windows inclusive (`last − first <= windowMs`):
 * - a *qualifying start* is an event `e` with at least `minCount` events in `[e, e + windowMs]`;
 * - a *burst* is a maximal chain of qualifying starts, each within `windowMs` of the previous one;
 *   the events it covers are those of its qualifying windows;
 * - the trigger belongs to the burst of the qualifying windows that contain it (they form one chain).
 *
 * Identity: the burst's first qualifying start (its anchor), rounded down to the `windowMs` grid, so
 * the key is the same whichever event triggers and whatever the arrival order, as long as the anchor
 * stays in the same grid cell. Two different bursts never share a cell: anchors less than a window
 * apart would be links of one chain.
 *
 * Bounded work: the chain is followed back at most {@link BURST_LOOKBACK_WINDOWS} windows. A burst
 * longer than that is *sustained*: a trigger further than the lookback from the burst's start is
 * anchored instead at the burst's first qualifying start within the trigger's lookback-sized period
 * (periods are aligned multiples of the lookback), so a sustained burst yields one more occurrence per
 * period instead of one per event.
 *
 * Limits (a second occurrence for what is arguably one burst):
 * - a late event dated at the start of a known burst (or making earlier activity qualify) moves the
 *   anchor earlier; the key changes only when the anchor crosses a grid line;
 * - a late event joining two bursts that were separate keeps both occurrences already recorded;
 * - changing the window changes the grid, so re-detection after a threshold change may yield new keys.
 * Linear in the number of events after sorting.
 */
export function findBurst<E extends SecurityEvent>(
  trigger: E,
  countable: readonly E[],
  options: BurstOptions,
): Burst<E> | undefined {
  const { minCount, windowMs } = options;
  // The trigger goes last: usually stored already (and skipped), so ordered history stays ordered.
  const events = uniqueByTime([...countable, trigger]);
  const n = events.length;
  const at = (index: number): E => events[index] as E;
  const time = (index: number): number => at(index).timeMs;
  const triggerIndex = events.findIndex((e) => e.id === trigger.id);

  // reach[j]: index of the last event within windowMs after event j (two pointers, linear).
  const reach = new Int32Array(n);
  for (let j = 0, k = 0; j < n; j++) {
    if (k < j) k = j;
    while (k + 1 < n && time(k + 1) - time(j) <= windowMs) k++;
    reach[j] = k;
  }
  const qualifies = (j: number): boolean => (reach[j] ?? j) - j + 1 >= minCount;

  // The earliest qualifying window that contains the trigger.
  let first = -1;
  for (let j = triggerIndex; j >= 0 && time(triggerIndex) - time(j) <= windowMs; j--) {
    if (qualifies(j)) first = j;
  }
  if (first < 0) return undefined;

  // Follow the chain of qualifying starts back from it, at most the lookback.
  const lookbackMs = BURST_LOOKBACK_WINDOWS * windowMs;
  const horizon = time(first) - lookbackMs;
  let anchor = first;
  let sustained = false;
  for (let j = first - 1; j >= 0 && time(anchor) - time(j) <= windowMs; j--) {
    if (!qualifies(j)) continue;
    if (time(j) < horizon) {
      sustained = true;
      break;
    }
    anchor = j;
  }
  if (sustained) {
    const periodStart = Math.floor(time(first) / lookbackMs) * lookbackMs;
    for (let j = first; j >= 0 && time(j) >= periodStart; j--) if (qualifies(j)) anchor = j;
  }

  const last = reach[anchor] ?? anchor;
  return {
    anchor: at(anchor),
    windowEvents: events.slice(anchor, last + 1),
    crossing: at(anchor + minCount - 1),
    gridStartMs: Math.floor(time(anchor) / windowMs) * windowMs,
    sustained,
  };
}
