import type { HistoryRequest } from '../detectors/detector.js';
import { matchesHistoryFilter } from '../detectors/history.js';
import { compareEventTime, type SecurityEvent, type SecurityEventType } from '../domain/security-event.js';

/** A position in the event-time order (`compareEventTime`). */
type TimeKey = Pick<SecurityEvent, 'timeMs' | 'id'>;

/**
 * One user's stored events of one type, newest part only. Invariant: every stored event of the series
 * whose time key is `>= floor` is in `events` (sorted, unique ids); `floor` undefined means the series is
 * the user's complete history of that type.
 */
interface Series {
  readonly events: SecurityEvent[];
  floor: TimeKey | undefined;
}

/** Bounds of a {@link RecentHistory}. */
export interface RecentHistoryLimits {
  /**
   * Most events kept in all series together, each series counting one more (so that series of users
   * without events are bounded too); least recently used series are dropped beyond it.
   */
  readonly maxEvents: number;
  /** Most events kept per (account, user, type); older ones are dropped (the series' floor rises). */
  readonly maxPerSeries: number;
}

/** 100,000 events (tens of MB), at most 128 per user and event type. */
export const DEFAULT_RECENT_HISTORY_LIMITS: RecentHistoryLimits = Object.freeze({
  maxEvents: 100_000,
  maxPerSeries: 128,
});

function seriesKey(accountId: string, userId: string, type: string): string {
  return `${accountId}\u0000${userId}\u0000${type}`;
}

/** Index of the first event of `events` (sorted) whose key is greater than `key`. */
function upperBound(events: readonly SecurityEvent[], key: TimeKey): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEventTime(events[mid] as SecurityEvent, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first event of `events` (sorted) at or after `timeMs`. */
function firstAtOrAfter(events: readonly SecurityEvent[], timeMs: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid] as SecurityEvent).timeMs < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A bounded in-memory copy of users' recent stored events, per (account, user, event type), that answers
 * detection history requests without SQL when it provably holds every event the request selects, and
 * says `undefined` otherwise (the caller then asks the database).
 *
 * It is only correct while its owner is the only writer of the events it caches: the owner must
 * {@link add} every event it stores, {@link clear} when a transaction that added events rolls back, and
 * {@link clear} when another writer may have stored events (SQLite's `data_version`). Pure: no I/O.
 */
export class RecentHistory {
  private readonly series = new Map<string, Series>();
  /** Events held. */
  private total = 0;
  /** Event types of which a series was loaded since the last clear: others need no lookup in add. */
  private readonly typesHeld = new Set<string>();

  constructor(private readonly limits: RecentHistoryLimits = DEFAULT_RECENT_HISTORY_LIMITS) {}

  /** Events held now (all series). */
  get size(): number {
    return this.total;
  }

  /** Whether a series is held for this user and type. */
  has(accountId: string, userId: string, type: SecurityEventType): boolean {
    return this.series.has(seriesKey(accountId, userId, type));
  }

  /**
   * Installs a series read from the store: `newestFirst` is the user's newest stored events of the type
   * in descending time order, read with a limit of `limit + 1` (one more than wanted, to learn whether
   * older ones exist).
   */
  load(
    accountId: string,
    userId: string,
    type: SecurityEventType,
    newestFirst: readonly SecurityEvent[],
    limit: number,
  ): void {
    if (this.limits.maxEvents <= 0 || this.limits.maxPerSeries <= 0) return;
    const key = seriesKey(accountId, userId, type);
    this.drop(key);
    this.typesHeld.add(type);
    const keep = Math.min(limit, this.limits.maxPerSeries);
    const kept = newestFirst.slice(0, keep).reverse();
    const oldest = kept[0];
    const floor =
      newestFirst.length <= keep || !oldest ? undefined : { timeMs: oldest.timeMs, id: oldest.id };
    this.series.set(key, { events: kept, floor });
    this.total += kept.length;
    this.evict();
  }

  /** A newly stored event: joins its series when that series is held and the event is inside it. */
  add(event: SecurityEvent, accountId: string): void {
    if (!this.typesHeld.has(event.type)) return;
    const key = seriesKey(accountId, event.user.id, event.type);
    const s = this.series.get(key);
    if (!s) return;
    if (s.floor && compareEventTime(event, s.floor) < 0) return;
    const at = upperBound(s.events, event);
    if (at > 0 && (s.events[at - 1] as SecurityEvent).id === event.id) return;
    s.events.splice(at, 0, event);
    this.total += 1;
    if (s.events.length > this.limits.maxPerSeries) {
      s.events.shift();
      this.total -= 1;
      const oldest = s.events[0] as SecurityEvent;
      s.floor = { timeMs: oldest.timeMs, id: oldest.id };
    }
    this.evict();
  }

  /**
   * The stored events the request selects (same set as the store's query, any order), or `undefined`
   * when no series is held for it or the series cannot prove it holds them all.
   */
  answer(accountId: string, userId: string, request: HistoryRequest): SecurityEvent[] | undefined {
    if (request.types.length === 0) return [];
    if (request.types.length !== 1) return undefined;
    const key = seriesKey(accountId, userId, request.types[0] as string);
    const s = this.series.get(key);
    if (!s) return undefined;
    // Least recently used order: a hit moves the series to the end.
    this.series.delete(key);
    this.series.set(key, s);
    const { events, floor } = s;
    const out: SecurityEvent[] = [];
    if (request.kind === 'window') {
      if (floor && request.fromMs <= floor.timeMs) return undefined;
      for (let i = firstAtOrAfter(events, request.fromMs); i < events.length; i += 1) {
        const e = events[i] as SecurityEvent;
        if (e.timeMs > request.toMs) break;
        if (matchesHistoryFilter(e, request.filter)) out.push(e);
      }
      return out;
    }
    const anchor = { timeMs: request.aroundMs, id: request.aroundId };
    if (floor && compareEventTime(anchor, floor) < 0) return undefined;
    const split = upperBound(events, anchor);
    let before = 0;
    for (let i = split - 1; i >= 0 && before < request.count; i -= 1) {
      const e = events[i] as SecurityEvent;
      if (e.id === anchor.id && e.timeMs === anchor.timeMs) continue;
      if (matchesHistoryFilter(e, request.filter)) {
        out.push(e);
        before += 1;
      }
    }
    if (before < request.count && floor) return undefined;
    let after = 0;
    for (let i = split; i < events.length && after < request.count; i += 1) {
      const e = events[i] as SecurityEvent;
      if (matchesHistoryFilter(e, request.filter)) {
        out.push(e);
        after += 1;
      }
    }
    return out;
  }

  /** Forgets everything (another writer, or a rolled-back transaction). */
  clear(): void {
    this.series.clear();
    this.typesHeld.clear();
    this.total = 0;
  }

  private drop(key: string): void {
    const s = this.series.get(key);
    if (!s) return;
    this.total -= s.events.length;
    this.series.delete(key);
  }

  private evict(): void {
    while (this.total + this.series.size > this.limits.maxEvents) {
      const oldest = this.series.keys().next();
      if (oldest.done) return;
      this.drop(oldest.value);
    }
  }
}
