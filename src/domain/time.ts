/** Largest epoch ms with a four-digit year (9999-12-31T23:59:59.999Z): the fast path of formatTimestamp. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const DAY_MS = 86_400_000;

/** Formats an instant as RFC 3339 UTC with milliseconds and `Z` (the wire and storage format). */
export function formatTimestamp(value: Date | number): string {
  // Same string as toISOString, built by hand for 1970–9999 (toISOString costs several times more).
  if (typeof value === 'number' && value >= 0 && value <= LAST_FOUR_DIGIT_YEAR_MS) {
    return formatEpochMs(Math.floor(value));
  }
  return new Date(value).toISOString();
}

/**
 * The {@link formatTimestamp} form of a date-time that {@link parseRfc3339} read as `timeMs`: the value
 * itself when it is already in that form (UTC, `T`, `Z`, exactly three fraction digits), which formatting
 * again would reproduce, else the formatted instant.
 */
export function canonicalTimestamp(value: string, timeMs: number): string {
  if (
    value.length === 24 &&
    value.charCodeAt(10) === T_UPPER &&
    value.charCodeAt(19) === DOT &&
    value.charCodeAt(23) === Z_UPPER
  ) {
    return value;
  }
  return formatTimestamp(timeMs);
}

/**
 * Parses an RFC 3339 date-time (any offset, optional fraction) into epoch milliseconds; `undefined` if
 * it is not one. Sub-millisecond digits are truncated.
 */
export function parseRfc3339(value: string): number | undefined {
  // By hand, exactly `^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`.
  const n = value.length;
  if (n < 20) return undefined;
  const y = digitsAt(value, 0, 4);
  const mo = digitsAt(value, 5, 2);
  const d = digitsAt(value, 8, 2);
  const h = digitsAt(value, 11, 2);
  const mi = digitsAt(value, 14, 2);
  const s = digitsAt(value, 17, 2);
  const sep = value.charCodeAt(10);
  if (
    y < 0 ||
    mo < 0 ||
    d < 0 ||
    h < 0 ||
    mi < 0 ||
    s < 0 ||
    value.charCodeAt(4) !== DASH ||
    value.charCodeAt(7) !== DASH ||
    (sep !== T_UPPER && sep !== T_LOWER && sep !== SPACE) ||
    value.charCodeAt(13) !== COLON ||
    value.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  let i = 19;
  let fraction = 0;
  if (value.charCodeAt(i) === DOT) {
    i += 1;
    const start = i;
    for (; i < n && isDigit(value.charCodeAt(i)); i += 1) {
      if (i - start < 3) fraction = fraction * 10 + (value.charCodeAt(i) - ZERO);
    }
    const digits = i - start;
    if (digits === 0) return undefined;
    if (digits === 1) fraction *= 100;
    else if (digits === 2) fraction *= 10;
  }
  let offsetMinutes = 0;
  const zone = value.charCodeAt(i);
  if (zone === Z_UPPER || zone === Z_LOWER) {
    if (i + 1 !== n) return undefined;
  } else if (zone === PLUS || zone === DASH) {
    const oh = digitsAt(value, i + 1, 2);
    const om = digitsAt(value, i + 4, 2);
    if (i + 6 !== n || oh < 0 || om < 0 || value.charCodeAt(i + 3) !== COLON) return undefined;
    offsetMinutes = (zone === DASH ? -1 : 1) * (oh * 60 + om);
  } else return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, mi, s, fraction) - offsetMinutes * 60_000;
  // Date.UTC maps years 0–99 to 1900–1999; set the full year explicitly.
  const utc = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, fraction));
  utc.setUTCFullYear(y, mo - 1, d);
  return utc.getTime() - offsetMinutes * 60_000;
}

const ZERO = 0x30;
const DASH = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const DOT = 0x2e;
const SPACE = 0x20;
const T_UPPER = 0x54;
const T_LOWER = 0x74;
const Z_UPPER = 0x5a;
const Z_LOWER = 0x7a;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9;
}

/** The decimal number of `count` ASCII digits at `start`, or −1 if one of them is not a digit. */
function digitsAt(value: string, start: number, count: number): number {
  let out = 0;
  for (let i = start; i < start + count; i += 1) {
    const code = value.charCodeAt(i); // NaN past the end: not a digit
    if (!isDigit(code)) return -1;
    out = out * 10 + (code - ZERO);
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** `toISOString` of a non-negative integer epoch ms up to year 9999 (civil date by H. Hinnant's algorithm). */
function formatEpochMs(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const z = days + 719_468; // days since 0000-03-01
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const leapDays =
    Math.floor(dayOfEra / 1_460) - Math.floor(dayOfEra / 36_524) + Math.floor(dayOfEra / 146_096);
  const yearOfEra = Math.floor((dayOfEra - leapDays) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153); // month from March = 0
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1_000);
  const milli = rest - second * 1_000;
  const msText = milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : `${milli}`;
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${msText}Z`;
}
