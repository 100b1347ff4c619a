import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalTimestamp, formatTimestamp, parseRfc3339 } from './time.js';

describe('parseRfc3339', () => {
  const cases: [string, string | undefined][] = [
    ['2026-03-02T13:05:11Z', '2026-03-02T13:05:11.000Z'],
    ['2026-03-02T13:05:11.123456789Z', '2026-03-02T13:05:11.123Z'],
    ['2026-03-02T15:05:11+02:00', '2026-03-02T13:05:11.000Z'],
    ['2026-03-02t13:05:11z', '2026-03-02T13:05:11.000Z'],
    ['2026-02-30T00:00:00Z', undefined],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2025-02-29T00:00:00Z', undefined],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['2026-13-01T00:00:00Z', undefined],
    ['2026-03-02T24:00:00Z', undefined],
    ['2026-03-02', undefined],
    ['yesterday', undefined],
    ['2026-03-02T13:05:11', undefined],
    ['2026-03-02 13:05:11.5-00:30', '2026-03-02T13:35:11.500Z'],
    ['2026-03-02T13:05:11.Z', undefined],
    ['2026-03-02T13:05:11+0200', undefined],
    ['2026-03-02T13:05:11Z ', undefined],
    ['٢٠٢٦-03-02T13:05:11Z', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)} as ${expected ?? 'not a date-time'}`, () => {
      const ms = parseRfc3339(input);
      assert.equal(ms === undefined ? undefined : formatTimestamp(ms), expected);
    });
  }
});

/** The definition parseRfc3339 implements by hand: the RFC 3339 regex, then calendar checks. */
function referenceParse(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  if (d < 1 || d > days || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, m[7] ? Number(m[7].slice(1, 4).padEnd(3, '0')) : 0);
  const zone = m[8] ?? 'Z';
  const offset = /[Zz]/.test(zone)
    ? 0
    : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  return date.getTime() - offset * 60_000;
}

describe('parseRfc3339 and formatTimestamp against their definitions', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const nearlyDateTimes = fc
    .tuple(
      fc.nat(9999),
      fc.nat(13),
      fc.nat(32),
      fc.nat(25),
      fc.nat(60),
      fc.nat(60),
      fc.constantFrom('', '.', '.1', '.12', '.123', '.123456789', '.x'),
      fc.constantFrom('Z', 'z', '+00:00', '-23:59', '+99:99', '+1:00', '', 'Z ', '+01:00x'),
      fc.constantFrom('T', 't', ' ', '_'),
    )
    .map(
      ([y, mo, d, h, mi, s, fraction, zone, sep]) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fraction}${zone}`,
    );
  const scrambled = fc
    .array(fc.constantFrom(...'0123456789-:Tt Zz.+x'), { maxLength: 32 })
    .map((chars) => chars.join(''));
  const isoStrings = fc
    .date({ min: new Date(-62_167_219_200_000), max: new Date(253_402_300_799_999) })
    .map((d) => (Number.isNaN(d.getTime()) ? '' : d.toISOString()));

  it('parses exactly what the RFC 3339 regex and the calendar accept', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyDateTimes, scrambled, isoStrings), (value) => {
        assert.equal(parseRfc3339(value), referenceParse(value), value);
      }),
      { numRuns: 5_000 },
    );
  });

  it('formats every instant as toISOString does, and throws where it throws', () => {
    const instants = fc.oneof(
      fc.integer({ min: -1e16, max: 1e16 }),
      fc.integer({ min: 0, max: 253_402_300_800_001 }),
      fc.double({ noNaN: false }),
      fc.constantFrom(
        -0,
        0.5,
        -0.5,
        253_402_300_799_999,
        253_402_300_799_999.5,
        253_402_300_800_000,
        8.64e15,
      ),
    );
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (error) {
        return error instanceof RangeError ? 'RangeError' : 'other error';
      }
    };
    fc.assert(
      fc.property(instants, (ms) => {
        assert.equal(
          outcome(() => formatTimestamp(ms)),
          outcome(() => new Date(ms).toISOString()),
        );
      }),
      { numRuns: 5_000 },
    );
  });

  it('keeps an already canonical date-time as it is, else formats the instant', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyDateTimes, isoStrings), (value) => {
        const ms = parseRfc3339(value);
        if (ms !== undefined) assert.equal(canonicalTimestamp(value, ms), formatTimestamp(ms));
      }),
      { numRuns: 5_000 },
    );
  });
});
