import { parseRfc3339 } from '../../domain/time.js';

/**
 * How a Logpush timestamp was written, as detected from its shape. The first five are the job's
 * `timestamp_format` values (LOGPUSH.md §1.5); `unixmilli` and `unixmicro` are integers whose magnitude
 * says milliseconds or microseconds, accepted because third-party senders produce them.
 */
export type LogpushTimestampFormat =
  | 'rfc3339'
  | 'rfc3339ms'
  | 'rfc3339ns'
  | 'unix'
  | 'unixmilli'
  | 'unixmicro'
  | 'unixnano';

/** The outcome of {@link parseLogpushTimestamp}: epoch milliseconds and the detected format, or why not. */
export type LogpushTimestamp =
  | { readonly ok: true; readonly timeMs: number; readonly format: LogpushTimestampFormat }
  | { readonly ok: false; readonly message: string };

/** Largest instant a `Date` can hold, in epoch ms. */
const MAX_TIME_MS = 8.64e15;

/**
 * Integer magnitudes above which a Unix timestamp is read as nanoseconds, microseconds or milliseconds
 * (else seconds), per LOGPUSH.md §1.5. Seconds stay below 1e12 until the year 33658 and nanoseconds pass
 * 1e18 in September 2001, so current values are never ambiguous.
 */
const NANO_ABOVE = 10n ** 18n;
const MICRO_ABOVE = 10n ** 15n;
const MILLI_ABOVE = 10n ** 12n;

const NUMERIC = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a Logpush timestamp (a field typed "int or string") into epoch milliseconds, detecting the job's
 * `timestamp_format` from the value, since the receiver does not know it: an RFC 3339 string (any
 * fraction, any offset), or a Unix integer as a number or a numeric string, read as seconds, milliseconds,
 * microseconds or nanoseconds by magnitude. Sub-millisecond digits are truncated.
 *
 * `unixnano` values exceed `Number.MAX_SAFE_INTEGER`: as strings they are converted exactly; as numbers
 * (what `JSON.parse` makes of them) they carry up to ~128 ns of rounding error, so a value within 0.5 µs of a
 * whole millisecond is taken as that millisecond rather than truncated to the one before.
 * Zero, negative values and instants beyond the range of `Date` are rejected.
 */
export function parseLogpushTimestamp(value: unknown): LogpushTimestamp {
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value === 'bigint') return fromDigits(value.toString(), undefined);
  if (typeof value !== 'string') {
    return { ok: false, message: 'must be an RFC 3339 string or a Unix timestamp number' };
  }
  const text = value.trim();
  if (text === '') return { ok: false, message: 'is empty' };
  const numeric = NUMERIC.exec(text);
  if (numeric) return fromDigits(numeric[1] ?? '', numeric[2]);
  const timeMs = isCalendarDate(text) ? parseRfc3339(text) : undefined;
  if (timeMs === undefined) {
    return { ok: false, message: 'is neither an RFC 3339 date-time nor a Unix timestamp' };
  }
  return inRange(timeMs, rfc3339Format(text));
}

function fromNumber(value: number): LogpushTimestamp {
  if (!Number.isFinite(value)) return { ok: false, message: 'must be a finite number' };
  if (value <= 0) return { ok: false, message: 'must be a positive Unix timestamp' };
  if (value > Number(NANO_ABOVE)) return inRange(wholeMs(value / 1e6), 'unixnano');
  // Below 2^53 integers are exact and so is their division by 1000 when it has no remainder.
  if (value > Number(MICRO_ABOVE)) return inRange(Math.floor(value / 1e3), 'unixmicro');
  if (value > Number(MILLI_ABOVE)) return inRange(Math.floor(value), 'unixmilli');
  return inRange(wholeMs(value * 1e3), 'unix');
}

/**
 * Milliseconds from an inexact float that should be one: the error of a nanosecond integer rounded by
 * `JSON.parse` (≤ 128 ns) or of a fractional seconds value, plus that of the scaling, stays below 0.5 µs,
 * so a value that close to a whole millisecond is taken as it; anything else is truncated.
 */
function wholeMs(scaledMs: number): number {
  const nearest = Math.round(scaledMs);
  return Math.abs(scaledMs - nearest) < 5e-4 ? nearest : Math.floor(scaledMs);
}

/** Exact conversion of a decimal numeral (integer digits, optional fraction digits). */
function fromDigits(integer: string, fraction: string | undefined): LogpushTimestamp {
  const whole = BigInt(integer);
  if (whole === 0n && !/[1-9]/.test(fraction ?? '')) {
    return { ok: false, message: 'must be a positive Unix timestamp' };
  }
  if (whole > NANO_ABOVE) return inRange(Number(whole / 1_000_000n), 'unixnano');
  if (whole > MICRO_ABOVE) return inRange(Number(whole / 1_000n), 'unixmicro');
  if (whole > MILLI_ABOVE) return inRange(Number(whole), 'unixmilli');
  const millis = BigInt(`${fraction ?? ''}000`.slice(0, 3));
  return inRange(Number(whole * 1_000n + millis), 'unix');
}

/** False for a day past the end of its month (`2026-02-30`), which `Date.parse` would silently roll over. */
function isCalendarDate(text: string): boolean {
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!date) return false;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}

function rfc3339Format(text: string): LogpushTimestampFormat {
  const digits = /:\d{2}\.(\d+)/.exec(text)?.[1]?.length ?? 0;
  if (digits === 0) return 'rfc3339';
  return digits <= 3 ? 'rfc3339ms' : 'rfc3339ns';
}

function inRange(timeMs: number, format: LogpushTimestampFormat): LogpushTimestamp {
  if (!Number.isSafeInteger(timeMs) || timeMs <= 0 || timeMs > MAX_TIME_MS) {
    return { ok: false, message: 'is outside the range of representable dates' };
  }
  return { ok: true, timeMs, format };
}
