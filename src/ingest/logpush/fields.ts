/**
 * Tolerant readers for Logpush record fields (LOGPUSH.md §8: empty values arrive as `""`, `[]`, `{}`, `0`,
 * `false`, `null` or an omitted key). Each reader returns `undefined` (or an empty array) for a missing,
 * empty or ill-typed value and never throws; only own properties are read, so a key such as `constructor`
 * never reaches `Object.prototype`.
 */

/** A parsed Logpush record: one JSON object of an NDJSON delivery. */
export type LogpushRecord = Readonly<Record<string, unknown>>;

/** True for a JSON object (not `null`, not an array). */
export function isRecord(value: unknown): value is LogpushRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record's own value for `key`, or `undefined`. */
export function fieldValue(record: LogpushRecord, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A trimmed, non-empty string field; `undefined` when missing, empty or not a string. */
export function readString(record: LogpushRecord, key: string): string | undefined {
  return nonEmptyString(fieldValue(record, key));
}

/** The value as a trimmed, non-empty string, or `undefined`. */
export function nonEmptyString(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/**
 * A boolean field where `false` is meaningful (`Allowed`, `PostureEvaluatedResult`): `true`/`false`, or the
 * strings `"true"`/`"false"` in any case. `undefined` when missing or anything else.
 */
export function readBoolean(record: LogpushRecord, key: string): boolean | undefined {
  return asBoolean(fieldValue(record, key));
}

/** The value as a boolean (`true`, `false`, `"true"`, `"false"`), or `undefined`. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}

/** The value as a finite number: a number or a decimal string such as `"67"`; otherwise `undefined`. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * An array of non-negative integers (category ids), without duplicates, in first-seen order. Numeric
 * strings are accepted; other elements are dropped. A lone number is read as a one-element array.
 */
export function readIntegerArray(record: LogpushRecord, key: string): number[] {
  const value = fieldValue(record, key);
  const items: readonly unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const seen = new Set<number>();
  for (const item of items) {
    const number = asNumber(item);
    if (number !== undefined && Number.isSafeInteger(number) && number >= 0) seen.add(number);
  }
  return [...seen];
}

/**
 * An array of trimmed, non-empty strings, without duplicates, in first-seen order; other elements are
 * dropped. A lone string is read as a one-element array.
 */
export function readStringArray(record: LogpushRecord, key: string): string[] {
  const value = fieldValue(record, key);
  const items: readonly unknown[] = Array.isArray(value) ? value : [value];
  const seen = new Set<string>();
  for (const item of items) {
    const text = nonEmptyString(item);
    if (text !== undefined) seen.add(text);
  }
  return [...seen];
}

/**
 * An object field that may also arrive as a JSON string holding an object (`PostureReceivedJSON`);
 * `undefined` when missing, empty or unparsable.
 */
export function readObject(record: LogpushRecord, key: string): LogpushRecord | undefined {
  const value = fieldValue(record, key);
  if (isRecord(value)) return value;
  const text = nonEmptyString(value);
  if (text === undefined || !text.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
