import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTimestamp, parseRfc3339 } from './time.js';

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
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)} as ${expected ?? 'not a date-time'}`, () => {
      const ms = parseRfc3339(input);
      assert.equal(ms === undefined ? undefined : formatTimestamp(ms), expected);
    });
  }
});
