import { createHash } from 'node:crypto';
import type { LogpushDataset } from './datasets.js';
import { type LogpushRecord, readString } from './fields.js';

/**
 * The stable key of a record, from which its event ids are derived (`<key>:<suffix>`), so that a
 * re-delivered batch (LOGPUSH.md §1.4) yields the same ids and storing it again is a no-op.
 * `recordId` is the source's own id when the record has one.
 */
export interface RecordKey {
  readonly key: string;
  readonly recordId?: string;
}

/** Nesting depth beyond which the canonical form stops descending (guards the stack against hostile input). */
const MAX_CANONICAL_DEPTH = 32;

/**
 * The key of a record: its own id field (`RayID`, `RequestID`, `QueryID`) when non-empty, otherwise
 * `sha256-` and the first 32 hex digits of the SHA-256 of the dataset name and the record's canonical
 * JSON (keys sorted). Hashing is deterministic and does no I/O, so the mapper stays pure.
 */
export function recordKey(dataset: LogpushDataset, record: LogpushRecord, idField?: string): RecordKey {
  const recordId = idField === undefined ? undefined : readString(record, idField);
  if (recordId !== undefined) return { key: recordId, recordId };
  const digest = createHash('sha256')
    .update(`${dataset}\n${canonicalJson(record)}`)
    .digest('hex');
  return { key: `sha256-${digest.slice(0, 32)}` };
}

/**
 * JSON with object keys sorted at every level, so that two records with the same content give the same
 * text whatever their key order. Values below {@link MAX_CANONICAL_DEPTH} levels are replaced by a marker.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_CANONICAL_DEPTH) return '"…"';
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item, depth + 1)}`);
    return `{${members.join(',')}}`;
  }
  return 'null';
}
