import type { Problem } from '../../domain/errors.js';
import type { SecurityEvent } from '../../domain/security-event.js';
import type { MapResult as IngestMapResult } from '../map-result.js';

/**
 * What one Logpush record maps to: the shared ingest {@link IngestMapResult} (`events`, `skipped` with a
 * short stable reason, or `invalid` with RFC 6901 pointers into the record, `''` for the record itself),
 * whose `events` variant also carries `clientCountry`: the client country the record itself reports
 * (ISO 3166-1 alpha-2, upper-cased), for the ingestion service to check or complete geolocation with.
 * Events never carry a `location`, since no dataset carries coordinates (LOGPUSH.md §2).
 */
export type MapResult =
  | (Extract<IngestMapResult, { readonly kind: 'events' }> & { readonly clientCountry?: string })
  | Exclude<IngestMapResult, { readonly kind: 'events' }>;

/** The `skipped` variant of {@link MapResult}. */
export type MapSkipped = Extract<MapResult, { readonly kind: 'skipped' }>;

/** Builds a `skipped` result. */
export function skipped(reason: string): MapSkipped {
  return { kind: 'skipped', reason };
}

/** Builds an `events` result, with the record's client country when it reports one. */
export function mapped(events: readonly SecurityEvent[], clientCountry: string | undefined): MapResult {
  return { kind: 'events', events, ...(clientCountry === undefined ? {} : { clientCountry }) };
}

/** Builds an `invalid` result. */
export function invalidRecord(problems: readonly Problem[]): MapResult {
  return { kind: 'invalid', problems };
}
