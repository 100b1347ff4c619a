import type { Detector, DetectorContext, HistoryRequest } from '../detectors/detector.js';
import { resolveBehaviorSettings } from '../domain/behaviors.js';
import type { Problem } from '../domain/errors.js';
import type { SecurityEvent } from '../domain/security-event.js';
import { formatTimestamp } from '../domain/time.js';
import type { NewRiskEvent } from '../domain/types.js';
import { type BatchRecord, decodeBody, splitRecords } from '../ingest/batch.js';
import { mapGenericEvent } from '../ingest/events/generic-event.js';
import type { Geolocator } from '../ingest/geo/geolocator.js';
import type { LogpushDataset } from '../ingest/logpush/datasets.js';
import { mapLogpushRecord } from '../ingest/logpush/map-record.js';
import type { MapResult } from '../ingest/map-result.js';
import { type Metrics, NO_METRICS } from '../metrics/metrics.js';
import type { DetectionPlan } from '../store/store.js';
import type { ServiceDeps } from './deps.js';
import type { DetectorSettingsService } from './detector-settings.js';
import { type LevelChangeListener, notifyLevelChanges, riskEventOf } from './risk.js';

/** One input record (by its position in the request, file or stream) and what mapping it gave. */
export interface IngestInput {
  readonly index: number;
  readonly result: MapResult;
}

/** A rejected input record and why (v4 error items; `pointer` is into the record). */
export interface Rejection {
  readonly index: number;
  readonly errors: readonly { readonly code: number; readonly message: string; readonly pointer: string }[];
}

/** What an ingestion did, counted per input record. */
export interface IngestSummary {
  /** Records whose events were newly stored. */
  accepted: number;
  /** Records whose events were all stored before (re-deliveries). */
  duplicates: number;
  /** Records deliberately not scored (no real identity, logouts, test payloads…). */
  skipped: number;
  rejected: Rejection[];
  /** Risk events recorded by detection. */
  riskEvents: number;
}

const NO_REQUESTS: readonly HistoryRequest[] = Object.freeze([]);

/** Events dated further ahead than this are rejected (clock skew tolerance). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Events per store transaction. */
const CHUNK_EVENTS = 5000;

/** Limits of one ingestion request or file chunk. */
export interface IngestLimits {
  /** Most records per request. */
  readonly maxRecords: number;
  /** Largest body in bytes, after decompression (and as received). */
  readonly maxBytes: number;
}

/** Default limits: 10,000 records and 10 MiB per request. */
export const DEFAULT_INGEST_LIMITS: IngestLimits = Object.freeze({
  maxRecords: 10_000,
  maxBytes: 10 * 1024 * 1024,
});

/** Where records come from, which decides how they are mapped. */
export type RecordSource =
  | { readonly kind: 'events' }
  | { readonly kind: 'logpush'; readonly dataset: LogpushDataset };

/** Options of the ingest service: the outside parts it needs, built once by the composition root. */
export interface IngestOptions {
  readonly limits?: IngestLimits;
  readonly geolocator: Geolocator;
  /** Every detector (the plain list); only those of enabled behaviors run. */
  readonly detectors: readonly Detector[];
  readonly detectorSettings: DetectorSettingsService;
  readonly levelListeners?: readonly LevelChangeListener[];
  /** Ingestion and detection counters. */
  readonly metrics?: Metrics;
}

/** The event with the location of its address, when it has none and some detector reads it. */
function located(
  event: SecurityEvent,
  geolocator: Geolocator,
  detectors: readonly Detector[],
): SecurityEvent {
  if (event.location !== undefined || event.ip === undefined) return event;
  if (!detectors.some((d) => d.readsLocation?.(event))) return event;
  const found = geolocator.lookup(event.ip);
  if (found.kind === 'located') return { ...event, location: found.location };
  if (found.kind === 'ignored') return { ...event, travelIgnored: true };
  return event;
}

/**
 * Ingestion: mapped records → geolocation → store (deduplicated by event id) → detectors of enabled
 * behaviors → risk events, all per account. Every source (HTTP events, Logpush, CLI files, NATS) calls
 * {@link ingest} with records it has mapped.
 */
export function createIngestService(deps: ServiceDeps, options: IngestOptions) {
  const { store } = deps;

  async function planFor(accountId: string, now: number): Promise<DetectionPlan> {
    const settings = new Map(
      resolveBehaviorSettings(await store.getBehaviorSettings(accountId)).map((s) => [s.key, s]),
    );
    const active = options.detectors.filter((d) => settings.get(d.behavior)?.enabled);
    const ctx: DetectorContext = { nowMs: now, thresholds: await options.detectorSettings.get(accountId) };
    return {
      historyFor(event) {
        // Called for every stored event: plain loops, no intermediate arrays for the common "none".
        let requests: readonly HistoryRequest[] = NO_REQUESTS;
        for (const d of active) {
          if (!d.accepts(event)) continue;
          const asked = d.history(event, ctx.thresholds);
          if (asked.length > 0) requests = requests.length === 0 ? asked : [...requests, ...asked];
        }
        return requests;
      },
      detect(event, history) {
        const out: NewRiskEvent[] = [];
        for (const d of active) {
          if (!d.accepts(event)) continue;
          for (const finding of d.detect(event, history, ctx)) {
            const risk = riskEventOf(finding, settings.get(finding.behavior));
            if (risk) out.push(risk);
          }
        }
        return out;
      },
    };
  }

  const limits = options.limits ?? DEFAULT_INGEST_LIMITS;
  const metrics = options.metrics ?? NO_METRICS;

  /** Maps parsed records of a source to ingest inputs (pure; never throws). */
  function mapRecords(
    accountId: string,
    source: RecordSource,
    records: readonly BatchRecord[],
  ): IngestInput[] {
    return records.map((r) => {
      if ('parseError' in r)
        return {
          index: r.index,
          result: { kind: 'invalid', problems: [{ message: r.parseError, pointer: '' }] },
        };
      if (source.kind === 'events')
        return { index: r.index, result: mapGenericEvent(r.value, { accountId }) };
      if (isLogpushTestPayload(r.value)) {
        return { index: r.index, result: { kind: 'skipped', reason: 'Logpush destination test payload' } };
      }
      return { index: r.index, result: mapLogpushRecord(source.dataset, r.value, { accountId }) };
    });
  }

  const service = {
    limits,
    mapRecords,

    /**
     * Decodes (gzip), splits (JSON array, `{ "events": [...] }`, one object or NDJSON), maps and ingests
     * one request body: what the HTTP endpoints call.
     */
    async ingestBody(
      accountId: string,
      source: RecordSource,
      body: Buffer | undefined,
      contentEncoding: string | undefined,
    ): Promise<IngestSummary> {
      const decoded = body ? await decodeBody(body, contentEncoding, limits.maxBytes) : Buffer.alloc(0);
      const records = splitRecords(decoded, limits, source.kind === 'events' ? 'events' : undefined);
      return service.ingest(accountId, mapRecords(accountId, source, records));
    },

    /**
     * Stores and scores mapped records of one account. Valid records are stored even when others are
     * invalid; a record is acknowledged (accepted or duplicate) only once its events are committed.
     */
    async ingest(accountId: string, inputs: readonly IngestInput[]): Promise<IngestSummary> {
      const now = deps.now();
      const summary: IngestSummary = { accepted: 0, duplicates: 0, skipped: 0, rejected: [], riskEvents: 0 };
      const pending: { index: number; events: SecurityEvent[] }[] = [];
      const latest = now + MAX_FUTURE_SKEW_MS;
      for (const input of inputs) {
        const r = input.result;
        if (r.kind === 'skipped') summary.skipped += 1;
        else if (r.kind === 'invalid') summary.rejected.push(rejection(input.index, r.problems));
        else if (r.events.some((e) => e.timeMs > latest)) {
          summary.rejected.push(
            rejection(input.index, [
              { message: 'is more than 5 minutes in the future', pointer: '/timestamp' },
            ]),
          );
        } else if (r.events.length === 0) summary.skipped += 1;
        else
          pending.push({
            index: input.index,
            events: r.events.map((e) => located(e, options.geolocator, options.detectors)),
          });
      }
      if (pending.length === 0) return summary;

      const plan = await planFor(accountId, now);
      const claimed = new Set<string>();
      let chunk: typeof pending = [];
      let chunkSize = 0;
      const flush = async (): Promise<void> => {
        if (chunk.length === 0) return;
        const result = await store.ingestEvents(
          accountId,
          chunk.flatMap((p) => p.events),
          plan,
          formatTimestamp(deps.now()),
        );
        for (const p of chunk) {
          const fresh = p.events.filter((e) => result.insertedIds.has(e.id) && !claimed.has(e.id));
          for (const e of fresh) claimed.add(e.id);
          if (fresh.length > 0) summary.accepted += 1;
          else summary.duplicates += 1;
        }
        summary.riskEvents += result.recorded.length;
        const byBehavior = new Map<string, number>();
        for (const r of result.recorded) byBehavior.set(r.behavior, (byBehavior.get(r.behavior) ?? 0) + 1);
        for (const [behavior, n] of byBehavior) metrics.countDetections(behavior, n);
        await notifyLevelChanges(options.levelListeners ?? [], result.changes);
        chunk = [];
        chunkSize = 0;
      };
      for (const p of pending) {
        chunk.push(p);
        chunkSize += p.events.length;
        if (chunkSize >= CHUNK_EVENTS) await flush();
      }
      await flush();
      const source = inputs.length > 0 ? sourceOf(pending[0]?.events[0]) : 'unknown';
      metrics.countIngested(source, 'accepted', summary.accepted);
      metrics.countIngested(source, 'duplicate', summary.duplicates);
      metrics.countIngested(source, 'skipped', summary.skipped);
      metrics.countIngested(source, 'rejected', summary.rejected.length);
      return summary;
    },
  };
  return service;
}

function sourceOf(event: SecurityEvent | undefined): string {
  if (!event) return 'unknown';
  return event.source.dataset ? `${event.source.kind}:${event.source.dataset}` : event.source.kind;
}

/** Cloudflare's Logpush destination check: a single `{"content":"tests"}` record (LOGPUSH.md §1.2). */
function isLogpushTestPayload(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    (value as { content?: unknown }).content === 'tests'
  );
}

function rejection(index: number, problems: readonly Problem[]): Rejection {
  return {
    index,
    errors: problems.slice(0, 50).map((p) => ({ code: 1002, message: p.message, pointer: p.pointer ?? '' })),
  };
}

/** The ingest service's functions. */
export type IngestService = ReturnType<typeof createIngestService>;
