/** Formats an instant as RFC 3339 UTC with milliseconds and `Z` (the wire and storage format). */
export function formatTimestamp(value: Date | number): string {
  return new Date(value).toISOString();
}

/**
 * Parses an RFC 3339 date-time (any offset, optional fraction) into epoch milliseconds; `undefined` if
 * it is not one. Sub-millisecond digits are truncated.
 */
export function parseRfc3339(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const fraction = m[7] ? Number(m[7].slice(1, 4).padEnd(3, '0')) : 0;
  const zone = m[8] ?? 'Z';
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  // Date.UTC maps years 0–99 to 1900–1999; set the full year explicitly.
  const utc = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, fraction));
  utc.setUTCFullYear(y, mo - 1, d);
  return utc.getTime() - offsetMinutes * 60_000;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
