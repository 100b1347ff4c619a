import { type Problem, pointer } from '../../domain/errors.js';
import type { EventSource, EventUser } from '../../domain/security-event.js';
import { formatTimestamp } from '../../domain/time.js';
import type { LogpushDataset } from './datasets.js';
import { fieldValue, type LogpushRecord, readString } from './fields.js';
import { resolveIdentity } from './identity.js';
import type { MapSkipped } from './map-result.js';
import { recordKey } from './record-key.js';
import { parseLogpushTimestamp } from './timestamps.js';

/** Where a dataset keeps the fields every event needs (LOGPUSH.md §2). */
export interface CommonFieldNames {
  readonly dataset: LogpushDataset;
  /** The record's own unique id; absent (or empty in a record) means the key is a hash of the record. */
  readonly id?: string;
  readonly time: string;
  readonly userId: string;
  readonly email: string;
  readonly ip?: string;
  readonly country?: string;
  readonly device?: string;
}

/** The part of every security event that comes from the shared fields. */
export interface CommonEventFields {
  readonly accountId: string;
  readonly timestamp: string;
  readonly timeMs: number;
  readonly user: EventUser;
  readonly ip?: string;
  readonly deviceId?: string;
  readonly source: EventSource;
}

/**
 * The shared fields of a record, or why it is skipped. When `problems` is non-empty `fields` is absent and
 * the record is invalid; the dataset mapper adds its own problems so that all are reported at once.
 */
export type CommonRead =
  | MapSkipped
  | {
      readonly kind: 'read';
      readonly fields: CommonEventFields | undefined;
      readonly problems: Problem[];
      /** Stable record key; event ids are `<key>:<suffix>`. */
      readonly key: string;
      readonly clientCountry?: string;
    };

const COUNTRY = /^[A-Z]{2}$/;

/**
 * Reads the user, time, key and client fields of a record. Records without a real identity are skipped
 * before anything else is checked; a missing or unparsable time is a problem.
 */
export function readCommonFields(
  names: CommonFieldNames,
  record: LogpushRecord,
  ctx: { readonly accountId: string },
): CommonRead {
  const identity = resolveIdentity(record, names.userId, names.email);
  if (identity.kind === 'skip') return { kind: 'skipped', reason: identity.reason };
  const problems: Problem[] = identity.kind === 'problem' ? [identity.problem] : [];

  const rawTime = fieldValue(record, names.time);
  const time = isEmptyValue(rawTime) ? undefined : parseLogpushTimestamp(rawTime);
  if (time === undefined) problems.push({ message: 'is required', pointer: pointer(names.time) });
  else if (!time.ok) problems.push({ message: time.message, pointer: pointer(names.time) });

  const { key, recordId } = recordKey(names.dataset, record, names.id);
  const country = names.country === undefined ? undefined : readString(record, names.country)?.toUpperCase();
  const clientCountry = country !== undefined && COUNTRY.test(country) ? country : undefined;
  const base = {
    kind: 'read' as const,
    problems,
    key,
    ...(clientCountry === undefined ? {} : { clientCountry }),
  };
  if (identity.kind !== 'user' || time === undefined || !time.ok) return { ...base, fields: undefined };

  const ip = names.ip === undefined ? undefined : readString(record, names.ip);
  const deviceId = names.device === undefined ? undefined : readString(record, names.device);
  const source: EventSource = {
    kind: 'logpush',
    dataset: names.dataset,
    ...(recordId === undefined ? {} : { recordId }),
  };
  const fields: CommonEventFields = {
    accountId: ctx.accountId,
    timestamp: formatTimestamp(time.timeMs),
    timeMs: time.timeMs,
    user: identity.user,
    ...(ip === undefined ? {} : { ip }),
    ...(deviceId === undefined ? {} : { deviceId }),
    source,
  };
  return { ...base, fields };
}

/** Logpush's encodings of "no value" for a scalar (LOGPUSH.md §8). */
function isEmptyValue(value: unknown): boolean {
  return (
    value === undefined || value === null || value === 0 || (typeof value === 'string' && value.trim() === '')
  );
}

/** The id of one event of a record: `<key>:<suffix>` (`…:signin`, `…:http`, `…:dlp`, `…:file`, …). */
export function eventId(key: string, suffix: string): string {
  return `${key}:${suffix}`;
}
