import { compareEventTime, type SecurityEvent } from '../domain/security-event.js';
import type { HistoryFilter, HistoryRequest } from './detector.js';

/** True when the event satisfies every member of the filter (an absent filter matches everything). */
export function matchesHistoryFilter(event: SecurityEvent, filter: HistoryFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.outcome !== undefined && (event.type !== 'sign_in' || event.outcome !== filter.outcome))
    return false;
  if (filter.travelLocated && (event.location === undefined || event.travelIgnored === true)) return false;
  if (filter.deviceId !== undefined && event.deviceId !== filter.deviceId) return false;
  if (
    filter.checkType !== undefined &&
    (event.type !== 'posture_result' || event.checkType !== filter.checkType)
  ) {
    return false;
  }
  return true;
}

/**
 * The reference semantics of {@link HistoryRequest}: the events among `candidates` (one user's events)
 * that the requests select, without duplicate ids, in event-time order. Stores implement the same
 * selection with indexed queries; the ingest service may use this function to add the events of the
 * batch being ingested, and tests use it to stand in for the store.
 */
export function selectHistory(
  requests: readonly HistoryRequest[],
  candidates: Iterable<SecurityEvent>,
): SecurityEvent[] {
  const pool = [...candidates];
  const selected = new Map<string, SecurityEvent>();
  for (const request of requests) {
    for (const event of selectOne(request, pool)) selected.set(event.id, event);
  }
  return [...selected.values()].sort(compareEventTime);
}

function selectOne(request: HistoryRequest, pool: readonly SecurityEvent[]): SecurityEvent[] {
  const matching = pool.filter(
    (e) => request.types.includes(e.type) && matchesHistoryFilter(e, request.filter),
  );
  if (request.kind === 'window') {
    return matching.filter((e) => e.timeMs >= request.fromMs && e.timeMs <= request.toMs);
  }
  const anchor = { timeMs: request.aroundMs, id: request.aroundId };
  const sorted = uniqueByTime(matching);
  const before = sorted.filter((e) => compareEventTime(e, anchor) < 0).slice(-request.count);
  const after = sorted.filter((e) => compareEventTime(e, anchor) > 0).slice(0, request.count);
  return [...before, ...after];
}

/**
 * The events without duplicate ids (the first of each id wins), in event-time order (ties by id).
 * Linear when the input is already in that order (as stores return history), else a sort.
 */
export function uniqueByTime<E extends SecurityEvent>(events: Iterable<E>): E[] {
  const seen = new Set<string>();
  const out: E[] = [];
  let ordered = true;
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const last = out[out.length - 1];
    if (last && compareEventTime(last, e) > 0) ordered = false;
    out.push(e);
  }
  return ordered ? out : out.sort(compareEventTime);
}
