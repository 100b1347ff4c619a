import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { BEHAVIOR_CATALOG, type BehaviorKey } from '../src/domain/behaviors.js';
import type { BatchRecord } from '../src/ingest/batch.js';
import type { GenericEvent } from '../src/ingest/events/generic-event.js';
import { createGeolocator, type Geolocator } from '../src/ingest/geo/geolocator.js';
import type { BehaviorUpdate } from '../src/services/behaviors.js';
import { createServices } from '../src/services/services.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { type BenchRow, formatTable, machineNote, median, progress, tempDir, timeMs } from './measure.js';
import { chunksOf, generateWorkload } from './workload.js';

/** Options of the ingestion benchmark. */
export interface IngestBenchOptions {
  /** Events per measured run. */
  readonly events: number;
  readonly users: number;
  /** Events per `ingest` call and per baseline transaction (the service's own chunk size). */
  readonly chunkEvents: number;
  /** Measured runs of each variant; the median is reported. */
  readonly repetitions: number;
  /** Events pushed through every variant once before measuring (JIT, caches, page cache). */
  readonly warmupEvents: number;
}

/** 100,000 events of 2,000 users in chunks of 5,000, three runs each. */
export const DEFAULT_INGEST_BENCH: IngestBenchOptions = Object.freeze({
  events: 100_000,
  users: 2_000,
  chunkEvents: 5_000,
  repetitions: 3,
  warmupEvents: 20_000,
});

/** Rows for the table and notes about the workload. */
export interface IngestBenchResult {
  readonly rows: BenchRow[];
  readonly notes: string[];
}

/** The account every run ingests into. */
export const ACCOUNT = '0123456789abcdef0123456789abcdef';
/** Start of the workload's day. */
export const START_MS = Date.parse('2026-03-01T00:00:00.000Z');
/** The workload's span: one day. */
export const SPAN_MS = 24 * 3_600_000;
/** The service clock: an hour after the last event, so nothing is "in the future". */
const NOW_MS = START_MS + SPAN_MS + 3_600_000;
const EVENTS_SOURCE = { kind: 'events' } as const;
/** The store's own insert statement (`sqlite-store.ts`), so the baseline writes the same rows the same way. */
const INSERT_EVENT = `INSERT INTO events (account_id, event_id, user_id, type, ts_ms, outcome, device_id, check_type, travel_located, payload, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, event_id) DO NOTHING`;

/** A workload ready to ingest: the same events as split records and as gzip NDJSON bodies. */
export interface Prepared {
  /** Already-split records per chunk, as `splitRecords` would give them. */
  readonly records: BatchRecord[][];
  /** Gzipped NDJSON per chunk, as a Logpush-style client would send it. */
  readonly gzipped: Buffer[];
  readonly events: number;
}

/** Splits events into chunks of records and gzipped NDJSON bodies (outside any timing). */
export function prepare(events: readonly GenericEvent[], chunkEvents: number): Prepared {
  const chunks = chunksOf(events, chunkEvents);
  return {
    // Through JSON, as splitRecords gives them (objects of the same shape as parsed request bodies).
    records: chunks.map((chunk) =>
      chunk.map((value, index) => ({ index, value: JSON.parse(JSON.stringify(value)) })),
    ),
    gzipped: chunks.map((chunk) => gzipSync(`${chunk.map((e) => JSON.stringify(e)).join('\n')}\n`)),
    events: events.length,
  };
}

/** What the engine reported over a run, summed over chunks. */
export interface EngineTotals {
  accepted: number;
  rejected: number;
  skipped: number;
  riskEvents: number;
}

/**
 * One run of the engine on a fresh SQLite file: every behavior enabled, each chunk through
 * `mapRecords` + `ingest` (mode `records`) or through `ingestBody` with a gzip NDJSON body (`http`).
 * `enabled` lists the behaviors to enable (default: all nine).
 */
export async function engineRun(
  data: Prepared,
  geolocator: Geolocator,
  mode: 'records' | 'http',
  enabled: readonly BehaviorKey[] = BEHAVIOR_CATALOG.map((b) => b.key),
  afterwards?: (store: Store, dbPath: string) => Promise<void>,
): Promise<{ ms: number; totals: EngineTotals }> {
  const dir = tempDir('ingest');
  const dbPath = join(dir.path, 'ztrisk.db');
  const store = createSqliteStore({ path: dbPath });
  try {
    await store.migrate();
    const services = createServices({ store, now: () => NOW_MS }, { geolocator });
    await store.ensureAccount(ACCOUNT, new Date(NOW_MS).toISOString());
    const settings = new Map<string, BehaviorUpdate>(
      BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: enabled.includes(b.key), riskLevel: b.defaultLevel }]),
    );
    await services.behaviors.update(ACCOUNT, settings, 'cli');
    const totals: EngineTotals = { accepted: 0, rejected: 0, skipped: 0, riskEvents: 0 };
    const ms = await timeMs(async () => {
      for (let c = 0; c < data.records.length; c += 1) {
        const summary =
          mode === 'records'
            ? await services.ingest.ingest(
                ACCOUNT,
                services.ingest.mapRecords(ACCOUNT, EVENTS_SOURCE, data.records[c] ?? []),
              )
            : await services.ingest.ingestBody(ACCOUNT, EVENTS_SOURCE, data.gzipped[c], 'gzip');
        totals.accepted += summary.accepted;
        totals.rejected += summary.rejected.length;
        totals.skipped += summary.skipped;
        totals.riskEvents += summary.riskEvents;
      }
    });
    if (totals.accepted !== data.events) {
      throw new Error(
        `engine (${mode}) accepted ${totals.accepted} of ${data.events}: ${JSON.stringify(totals)}`,
      );
    }
    if (afterwards) await afterwards(store, dbPath);
    return { ms, totals };
  } finally {
    await store.close();
    dir.remove();
  }
}

/**
 * The baseline: what storing alone costs. The same rows into the same schema (every migration, so the
 * same `events` table and index), same pragmas, the store's insert statement prepared once, one
 * transaction per chunk, the record as the JSON payload; no validation, no mapping, no detection.
 */
export function baselineRun(data: Prepared): number {
  const dir = tempDir('baseline');
  const db = new Database(join(dir.path, 'plain.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL'); // the store's durability setting: an acknowledged event survives power loss
    for (const m of SQLITE_MIGRATIONS) db.exec(m.sql);
    const insert = db.prepare(INSERT_EVENT);
    const receivedAt = new Date(NOW_MS).toISOString();
    const insertChunk = db.transaction((records: readonly BatchRecord[]) => {
      for (const r of records) {
        if (!('value' in r)) continue;
        const e = r.value as GenericEvent;
        insert.run(
          ACCOUNT,
          e.id,
          e.user.id,
          e.type,
          Date.parse(e.timestamp),
          e.type === 'sign_in' ? e.outcome : null,
          e.device_id ?? null,
          e.type === 'posture_result' ? e.check_type : null,
          e.type === 'sign_in' && e.location !== undefined ? 1 : 0,
          JSON.stringify(e),
          receivedAt,
        );
      }
    });
    const start = process.hrtime.bigint();
    for (const chunk of data.records) insertChunk.immediate(chunk);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const stored = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events').get()?.n;
    if (stored !== data.events) throw new Error(`baseline stored ${stored} of ${data.events}`);
    return ms;
  } finally {
    db.close();
    dir.remove();
  }
}

/**
 * Ingestion throughput: events/s through map → store → all nine detectors on a SQLite file (WAL), as
 * already-split records and as gzip NDJSON bodies, against a plain batched insert of the same rows.
 */
export async function runIngestBench(
  options: IngestBenchOptions = DEFAULT_INGEST_BENCH,
  only?: 'records',
): Promise<IngestBenchResult> {
  progress(`ingest: generating ${options.events.toLocaleString('en-US')} events`);
  const workload = generateWorkload({
    events: options.events,
    users: options.users,
    startMs: START_MS,
    spanMs: SPAN_MS,
    seed: 1,
  });
  const warm = generateWorkload({
    events: options.warmupEvents,
    users: options.users,
    startMs: START_MS,
    spanMs: SPAN_MS,
    seed: 2,
  });
  const data = prepare(workload.events, options.chunkEvents);
  const warmData = prepare(warm.events, options.chunkEvents);
  progress('ingest: loading the bundled DB-IP geolocation data (as the composition root does)');
  const geolocator = createGeolocator();

  progress('ingest: warming up');
  baselineRun(warmData);
  await engineRun(warmData, geolocator, 'records');
  if (only === undefined) await engineRun(warmData, geolocator, 'http');

  const baselineMs: number[] = [];
  const recordsMs: number[] = [];
  const httpMs: number[] = [];
  let totals: EngineTotals | undefined;
  for (let rep = 1; rep <= options.repetitions; rep += 1) {
    baselineMs.push(baselineRun(data));
    const records = await engineRun(data, geolocator, 'records');
    recordsMs.push(records.ms);
    totals = records.totals;
    if (only === undefined) httpMs.push((await engineRun(data, geolocator, 'http')).ms);
    progress(
      `ingest: run ${rep}/${options.repetitions}: baseline ${baselineMs.at(-1)?.toFixed(0)} ms, ` +
        `records ${recordsMs.at(-1)?.toFixed(0)} ms${only === undefined ? `, http ${httpMs.at(-1)?.toFixed(0)} ms` : ''}`,
    );
  }
  geolocator.close?.();

  const perSecond = (ms: number): number => (data.events / ms) * 1000;
  const baseline = perSecond(median(baselineMs));
  const baselineName = 'plain better-sqlite3 insert of the same rows, 1 transaction per 5,000';
  const rows: BenchRow[] = [
    {
      benchmark: 'ingest: records → map → store → 9 detectors',
      unit: 'events/s',
      value: perSecond(median(recordsMs)),
      baseline,
      baselineName,
    },
  ];
  if (only === undefined) {
    rows.push({
      benchmark: 'ingest: ingestBody (gzip NDJSON) → … → 9 detectors',
      unit: 'events/s',
      value: perSecond(median(httpMs)),
      baseline,
      baselineName,
    });
  }
  const mix = Object.entries(workload.mix)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const notes = [
    `ingest workload: ${data.events.toLocaleString('en-US')} generic events of ${options.users.toLocaleString('en-US')} users over 24 h, ` +
      `chunks of ${options.chunkEvents.toLocaleString('en-US')}, ${workload.outOfOrder} delivered late; mix: ${mix}.`,
    `ingest: every run on a fresh SQLite file (WAL, synchronous=FULL, as the store); median of ${options.repetitions} runs after a ` +
      `${options.warmupEvents.toLocaleString('en-US')}-event warm-up; all nine behaviors enabled; ` +
      `${totals?.riskEvents ?? 0} risk events recorded per run.`,
  ];
  return { rows, notes };
}

const invokedDirectly = import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href;
if (invokedDirectly) {
  // `node --cpu-prof --import tsx bench/ingest.ts --records-only` profiles the engine path alone.
  const recordsOnly = process.argv.includes('--records-only');
  const result = await runIngestBench(
    recordsOnly ? { ...DEFAULT_INGEST_BENCH, repetitions: 1 } : DEFAULT_INGEST_BENCH,
    recordsOnly ? 'records' : undefined,
  );
  process.stdout.write(`${machineNote()}\n\n${formatTable(result.rows)}\n\n${result.notes.join('\n')}\n`);
}
