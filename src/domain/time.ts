/** Formats an instant as RFC 3339 UTC with milliseconds and `Z` (the wire and storage format). */
export function formatTimestamp(value: Date | number): string {
  return new Date(value).toISOString();
}

/**
 * Parses an RFC 3339 date-time (any offset, optional fraction) into epoch milliseconds; `undefined` if
 * it is not one. Sub-millisecond digits are truncated.
 */
export function parseRfc3339(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  // Date.parse rolls impossible dates over (2026-02-30 → 2 March): reject them instead.
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  if (calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const ms = Date.parse(value.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : undefined;
}
