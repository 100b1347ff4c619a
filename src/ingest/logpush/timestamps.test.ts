import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LogpushTimestampFormat, parseLogpushTimestamp } from './timestamps.js';

/** 2026-03-02T13:40:58.731Z, the instant of alice's blocked DNS query in the fixtures. */
const T = Date.UTC(2026, 2, 2, 13, 40, 58, 731);
const T_SECONDS = Date.UTC(2026, 2, 2, 13, 40, 58);

describe('parseLogpushTimestamp', () => {
  const valid: [string, unknown, number, LogpushTimestampFormat][] = [
    ['rfc3339', '2026-03-02T13:40:58Z', T_SECONDS, 'rfc3339'],
    ['rfc3339ms', '2026-03-02T13:40:58.731Z', T, 'rfc3339ms'],
    ['rfc3339ns (sub-ms digits truncated)', '2026-03-02T13:40:58.731999999Z', T, 'rfc3339ns'],
    ['rfc3339 with an offset', '2026-03-02T14:40:58.731+01:00', T, 'rfc3339ms'],
    ['rfc3339 with surrounding spaces', ' 2026-03-02T13:40:58Z ', T_SECONDS, 'rfc3339'],
    ['unix seconds as a number', 1772458858, T_SECONDS, 'unix'],
    ['unix seconds as a string', '1772458858', T_SECONDS, 'unix'],
    ['unix seconds with a fraction', 1772458858.731, T, 'unix'],
    ['unix seconds with a fraction, as a string', '1772458858.7319', T, 'unix'],
    ['unix milliseconds', T, T, 'unixmilli'],
    ['unix microseconds', 1772458858731999, T, 'unixmicro'],
    ['unixnano as a number (rounded by JSON.parse)', 1772458858731000000, T, 'unixnano'],
    ['unixnano as a number parsed from JSON', JSON.parse('1772458858731000000'), T, 'unixnano'],
    ['unixnano as a string, exact', '1772458858731000000', T, 'unixnano'],
    ['unixnano as a string, sub-ms digits truncated', '1772458858731999999', T, 'unixnano'],
    ['unixnano as a bigint', 1772458858731999999n, T, 'unixnano'],
    ['unixnano one ns before the ms, as a string', '1772458858730999999', T - 1, 'unixnano'],
  ];
  for (const [name, input, timeMs, format] of valid) {
    it(`reads ${name}`, () => {
      assert.deepEqual(parseLogpushTimestamp(input), { ok: true, timeMs, format });
    });
  }

  it('keeps millisecond precision for every fixture unixnano number (beyond 2^53)', () => {
    for (const text of ['1772457598412000000', '1772459052088000000', '1772460450119000000']) {
      const number: unknown = JSON.parse(text);
      assert.ok(typeof number === 'number' && number > Number.MAX_SAFE_INTEGER);
      const expected = Number(BigInt(text) / 1_000_000n);
      assert.deepEqual(parseLogpushTimestamp(number), { ok: true, timeMs: expected, format: 'unixnano' });
      assert.deepEqual(parseLogpushTimestamp(text), { ok: true, timeMs: expected, format: 'unixnano' });
    }
  });

  it('agrees between number and string unixnano for every millisecond of a day sample', () => {
    for (let ms = T; ms < T + 5_000; ms += 7) {
      const text = `${ms}000000`;
      const fromNumber = parseLogpushTimestamp(Number(text));
      assert.deepEqual(fromNumber, parseLogpushTimestamp(text));
      assert.equal(fromNumber.ok && fromNumber.timeMs, ms);
    }
  });

  const rejected: [string, unknown][] = [
    ['an empty string', ''],
    ['blanks', '   '],
    ['zero', 0],
    ['"0"', '0'],
    ['a negative number', -1772458858],
    ['a negative numeral', '-1772458858'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a date without a time', '2026-03-02'],
    ['a date-time without a zone', '2026-03-02T13:40:58'],
    ['an impossible date', '2026-02-30T13:40:58Z'],
    ['free text', 'yesterday'],
    ['hex', '0x1f'],
    ['an instant past the Date range', '9'.repeat(30)],
    ['a huge number', Number.MAX_VALUE],
    ['null', null],
    ['a boolean', true],
    ['an object', {}],
    ['an array', [1772458858]],
  ];
  for (const [name, input] of rejected) {
    it(`rejects ${name}`, () => {
      const result = parseLogpushTimestamp(input);
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.message.length > 0);
    });
  }
});
