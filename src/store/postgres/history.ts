import type pg from 'pg';
import type { HistoryRequest } from '../../detectors/detector.js';
import type { SecurityEvent } from '../../domain/security-event.js';
import { EVENT_COLUMNS, type EventRow, eventFromRow } from '../rows.js';

/** One history request of one event, flattened to a single event type (see {@link fetchHistories}). */
interface FlatRequest {
  /** Index of the event whose history this is. */
  readonly owner: number;
  readonly userId: string;
  readonly type: string;
  readonly request: HistoryRequest;
}

const FILTER_COLUMNS = `
  AND (r.outcome IS NULL OR e.outcome = r.outcome)
  AND (r.located IS NULL OR e.travel_located)
  AND (r.device_id IS NULL OR e.device_id = r.device_id)
  AND (r.check_type IS NULL OR e.check_type = r.check_type)`;

/** Window requests: every matching event in `[from_ms, to_ms]`, one index range per request. */
const WINDOW_SQL = `
SELECT r.i, h.event_id
FROM unnest($2::int[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::text[], $8::bool[], $9::text[], $10::text[])
  AS r(i, user_id, type, from_ms, to_ms, outcome, located, device_id, check_type)
CROSS JOIN LATERAL (
  SELECT e.event_id FROM events e
  WHERE e.account_id = $1 AND e.user_id = r.user_id AND e.type = r.type
    AND e.ts_ms BETWEEN r.from_ms AND r.to_ms ${FILTER_COLUMNS}
) h`;

/**
 * Neighbour requests: the `n` matching events just before and just after the anchor in (time, id) order,
 * each side one index range scan read backwards or forwards with a LIMIT.
 */
const NEIGHBOURS_SQL = `
SELECT r.i, h.event_id
FROM unnest($2::int[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::int[], $8::text[], $9::bool[], $10::text[], $11::text[])
  AS r(i, user_id, type, around_ms, around_id, n, outcome, located, device_id, check_type)
CROSS JOIN LATERAL (
  (SELECT e.event_id FROM events e
   WHERE e.account_id = $1 AND e.user_id = r.user_id AND e.type = r.type
     AND (e.ts_ms, e.event_id) < (r.around_ms, r.around_id) ${FILTER_COLUMNS}
   ORDER BY e.ts_ms DESC, e.event_id DESC LIMIT r.n)
  UNION ALL
  (SELECT e.event_id FROM events e
   WHERE e.account_id = $1 AND e.user_id = r.user_id AND e.type = r.type
     AND (e.ts_ms, e.event_id) > (r.around_ms, r.around_id) ${FILTER_COLUMNS}
   ORDER BY e.ts_ms ASC, e.event_id ASC LIMIT r.n)
) h`;

function filterParams(
  request: HistoryRequest,
): [string | null, boolean | null, string | null, string | null] {
  const f = request.filter;
  return [f?.outcome ?? null, f?.travelLocated ? true : null, f?.deviceId ?? null, f?.checkType ?? null];
}

/**
 * The history of many events at once, in three round trips whatever their number: every window
 * request in one query, every neighbour request in another (each a LATERAL index scan per request), then
 * the payloads of the distinct events found that are not already in `known` (the batch's own events).
 *
 * A request naming several event types is split into one request per type: for a window that is the
 * same set; for neighbours it may return more events than asked (the nearest of each type), which the
 * Detector contract allows, and it keeps every scan on the `(account, user, type, time, id)` index in
 * index order.
 *
 * `requests[i]` are the requests of event `users[i]`'s history; the result has one array per event.
 */
export async function fetchHistories(
  client: pg.PoolClient,
  accountId: string,
  users: readonly string[],
  requests: readonly (readonly HistoryRequest[])[],
  known: ReadonlyMap<string, SecurityEvent>,
): Promise<SecurityEvent[][]> {
  const flat: FlatRequest[] = [];
  requests.forEach((list, owner) => {
    const userId = users[owner] ?? '';
    for (const request of list) {
      for (const type of new Set(request.types)) flat.push({ owner, userId, type, request });
    }
  });
  const hits: { owner: number; eventId: string }[] = [];
  const windows = flat.filter((r) => r.request.kind === 'window');
  if (windows.length > 0) {
    const cols = windows.map((r) => {
      const q = r.request;
      return q.kind === 'window' ? [r.owner, r.userId, r.type, q.fromMs, q.toMs, ...filterParams(q)] : [];
    });
    const result = await client.query<{ i: number; event_id: string }>({
      name: 'ztrisk_history_window',
      text: WINDOW_SQL,
      values: [accountId, ...columns(cols, 9)],
    });
    for (const row of result.rows) hits.push({ owner: row.i, eventId: row.event_id });
  }
  const neighbours = flat.filter((r) => r.request.kind === 'neighbours');
  if (neighbours.length > 0) {
    const cols = neighbours.map((r) => {
      const q = r.request;
      return q.kind === 'neighbours'
        ? [r.owner, r.userId, r.type, q.aroundMs, q.aroundId, q.count, ...filterParams(q)]
        : [];
    });
    const result = await client.query<{ i: number; event_id: string }>({
      name: 'ztrisk_history_neighbours',
      text: NEIGHBOURS_SQL,
      values: [accountId, ...columns(cols, 10)],
    });
    for (const row of result.rows) hits.push({ owner: row.i, eventId: row.event_id });
  }

  const loaded = new Map(known);
  const missing = [...new Set(hits.map((h) => h.eventId))].filter((id) => !loaded.has(id));
  if (missing.length > 0) {
    const result = await client.query<EventRow>({
      name: 'ztrisk_history_payloads',
      text: `SELECT ${EVENT_COLUMNS} FROM events WHERE account_id = $1 AND event_id = ANY ($2::text[])`,
      values: [accountId, missing],
    });
    for (const row of result.rows) loaded.set(row.event_id, eventFromRow(accountId, row));
  }
  const out: SecurityEvent[][] = requests.map(() => []);
  for (const h of hits) {
    const event = loaded.get(h.eventId);
    if (event) out[h.owner]?.push(event);
  }
  return out;
}

/** Transposes rows of `width` values into `width` column arrays (for `unnest`). */
export function columns(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => []);
  for (const row of rows) for (let c = 0; c < width; c += 1) out[c]?.push(row[c] ?? null);
  return out;
}
