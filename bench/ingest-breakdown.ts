import Database from 'better-sqlite3';
import type { HistoryRequest } from '../src/detectors/detector.js';
import { DETECTORS } from '../src/detectors/detectors.js';
import { DEFAULT_THRESHOLDS } from '../src/detectors/thresholds.js';
import type { BehaviorKey } from '../src/domain/behaviors.js';
import type { SecurityEvent } from '../src/domain/security-event.js';
import { mapGenericEvent } from '../src/ingest/events/generic-event.js';
import { createGeolocator } from '../src/ingest/geo/geolocator.js';
import {
  ACCOUNT,
  baselineRun,
  DEFAULT_INGEST_BENCH,
  engineRun,
  prepare,
  SPAN_MS,
  START_MS,
} from './ingest.js';
import { machineNote, progress, timeMs } from './measure.js';
import { generateWorkload } from './workload.js';

const floorStatements = new Map<string, { before: Database.Statement; after?: Database.Statement }>();

/**
 * A history request run the cheapest way better-sqlite3 allows: statements prepared once per request
 * shape (keyed without building SQL), payload strings plucked, then parsed. The floor for what
 * `queryEvents` does, to size its overhead.
 */
function floorQuery(db: Database.Database, userId: string, request: HistoryRequest): number {
  const f = request.filter;
  const shape = `${request.kind}|${request.types.join(',')}|${f?.outcome !== undefined ? 'o' : ''}${f?.travelLocated ? 't' : ''}${f?.deviceId !== undefined ? 'd' : ''}${f?.checkType !== undefined ? 'c' : ''}`;
  let st = floorStatements.get(shape);
  if (!st) {
    const where = ['account_id = ?', 'user_id = ?', `type IN (${request.types.map(() => '?').join(', ')})`];
    if (f?.outcome !== undefined) where.push('outcome = ?');
    if (f?.travelLocated) where.push('travel_located = 1');
    if (f?.deviceId !== undefined) where.push('device_id = ?');
    if (f?.checkType !== undefined) where.push('check_type = ?');
    const base = where.join(' AND ');
    st =
      request.kind === 'window'
        ? {
            before: db
              .prepare(
                `SELECT payload FROM events WHERE ${base} AND ts_ms BETWEEN ? AND ? ORDER BY ts_ms, event_id`,
              )
              .pluck(),
          }
        : {
            before: db
              .prepare(
                `SELECT payload FROM events WHERE ${base} AND (ts_ms < ? OR (ts_ms = ? AND event_id < ?)) ORDER BY ts_ms DESC, event_id DESC LIMIT ?`,
              )
              .pluck(),
            after: db
              .prepare(
                `SELECT payload FROM events WHERE ${base} AND (ts_ms > ? OR (ts_ms = ? AND event_id > ?)) ORDER BY ts_ms ASC, event_id ASC LIMIT ?`,
              )
              .pluck(),
          };
    floorStatements.set(shape, st);
  }
  const args: unknown[] = [ACCOUNT, userId, ...request.types];
  if (f?.outcome !== undefined) args.push(f.outcome);
  if (f?.deviceId !== undefined) args.push(f.deviceId);
  if (f?.checkType !== undefined) args.push(f.checkType);
  let found: unknown[];
  if (request.kind === 'window') found = st.before.all(...args, request.fromMs, request.toMs);
  else {
    const around = [request.aroundMs, request.aroundMs, request.aroundId, request.count];
    found = [...st.before.all(...args, ...around), ...(st.after?.all(...args, ...around) ?? [])];
  }
  for (const payload of found) JSON.parse(String(payload));
  return found.length;
}

/**
 * Where ingestion time goes, by ablation (not part of `npm run bench`; run it by hand):
 * `node --import tsx bench/ingest-breakdown.ts`. Each line is one run on a fresh SQLite file of the same
 * 100,000 events; differences between lines are the cost of what was added.
 */
async function main(): Promise<void> {
  const options = DEFAULT_INGEST_BENCH;
  const workload = generateWorkload({
    events: options.events,
    users: options.users,
    startMs: START_MS,
    spanMs: SPAN_MS,
    seed: 1,
  });
  const warm = generateWorkload({
    events: 20_000,
    users: options.users,
    startMs: START_MS,
    spanMs: SPAN_MS,
    seed: 2,
  });
  const data = prepare(workload.events, options.chunkEvents);
  const warmData = prepare(warm.events, options.chunkEvents);
  const geolocator = createGeolocator();
  progress('breakdown: warming up');
  baselineRun(warmData);
  await engineRun(warmData, geolocator, 'records');

  const lines: string[] = [];
  const report = (label: string, ms: number): void => {
    const line = `${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round((data.events / ms) * 1000)
      .toLocaleString('en-US')
      .padStart(8)} events/s`;
    lines.push(line);
    progress(line);
  };

  report('baseline: plain insert of the same rows', baselineRun(data));

  const records = data.records.flat();
  let mapped: SecurityEvent[] = [];
  report(
    'mapGenericEvent alone (validate + map, no store)',
    await timeMs(() => {
      mapped = records.flatMap((r) => {
        if (!('value' in r)) return [];
        const result = mapGenericEvent(r.value, { accountId: ACCOUNT });
        return result.kind === 'events' ? result.events : [];
      });
    }),
  );
  report(
    'JSON.stringify of the mapped events (the payload column)',
    await timeMs(() => {
      for (const e of mapped) JSON.stringify(e);
    }),
  );
  report(
    'engine, no behavior enabled (map + store only)',
    (await engineRun(data, geolocator, 'records', [])).ms,
  );

  const single: readonly BehaviorKey[] = [
    'imp_travel',
    'high_dlp',
    'failed_logins',
    'sentinel_one',
    'crowdstrike_low_zta',
    'malicious_file',
    'security_risk_domain',
  ];
  for (const key of single) {
    report(`engine, only ${key}`, (await engineRun(data, geolocator, 'records', [key])).ms);
  }

  // History requests the enabled detectors make for this workload, and what replaying them costs.
  const requests: { userId: string; request: HistoryRequest }[] = [];
  for (const e of mapped) {
    for (const d of DETECTORS) {
      if (!d.accepts(e)) continue;
      for (const request of d.history(e, DEFAULT_THRESHOLDS)) requests.push({ userId: e.user.id, request });
    }
  }
  const sqlQueries = requests.reduce((n, r) => n + (r.request.kind === 'neighbours' ? 2 : 1), 0);
  let rows = 0;
  let replayMs = 0;
  let floorMs = 0;
  let floorRows = 0;
  const all = await engineRun(data, geolocator, 'records', undefined, async (store, dbPath) => {
    replayMs = await timeMs(async () => {
      for (const r of requests) rows += (await store.queryUserEvents(ACCOUNT, r.userId, r.request)).length;
    });
    const db = new Database(dbPath, { readonly: true });
    floorMs = await timeMs(() => {
      for (const r of requests) floorRows += floorQuery(db, r.userId, r.request);
    });
    db.close();
  });
  report('engine, all nine behaviors', all.ms);
  report(
    `replay of the ${requests.length.toLocaleString('en-US')} history requests (${sqlQueries.toLocaleString('en-US')} SQL queries, ${rows.toLocaleString('en-US')} rows)`,
    replayMs,
  );
  report(
    `the same with one prepared statement per request shape, pluck, no spread (${floorRows.toLocaleString('en-US')} rows)`,
    floorMs,
  );
  geolocator.close();
  process.stdout.write(`${machineNote()}\n\n${lines.join('\n')}\n`);
}

await main();
