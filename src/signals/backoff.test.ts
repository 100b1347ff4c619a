import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RETRY_AFTER_MS, retryDelayMs } from './backoff.js';
import { classifyPushResponse, parseRetryAfter } from './push.js';

const POLICY = { baseMs: 1000, maxMs: 60_000 };

describe('retry backoff', () => {
  const cases: [number, number, number][] = [
    // attempts, random, expected delay
    [1, 0, 500],
    [1, 0.999_999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [7, 0, 30_000],
    [10, 0, 30_000],
    [10, 0.999_999, 60_000],
  ];
  for (const [attempts, random, expected] of cases) {
    it(`after ${attempts} failed attempts with random ${random}: ${expected} ms`, () => {
      assert.equal(
        retryDelayMs(attempts, POLICY, undefined, () => random),
        expected,
      );
    });
  }

  it('never retries sooner than Retry-After, which is capped at one hour', () => {
    assert.equal(
      retryDelayMs(1, POLICY, 5000, () => 0),
      5000,
    );
    assert.equal(
      retryDelayMs(1, POLICY, 100, () => 0),
      500,
    );
    assert.equal(
      retryDelayMs(1, POLICY, 10 * MAX_RETRY_AFTER_MS, () => 0),
      MAX_RETRY_AFTER_MS,
    );
  });
});

describe('push responses', () => {
  const now = Date.parse('2026-03-02T12:00:00Z');
  const cases: [number, string, string | undefined, string][] = [
    [202, '', undefined, 'delivered'],
    [200, '', undefined, 'delivered'],
    [400, '{"err":"invalid_audience","description":"wrong aud"}', undefined, 'permanent'],
    [401, '', undefined, 'permanent'],
    [404, '', undefined, 'permanent'],
    [302, '', undefined, 'permanent'],
    [408, '', undefined, 'retry'],
    [429, '', '7', 'retry'],
    [500, '', undefined, 'retry'],
    [503, '', 'Mon, 02 Mar 2026 12:00:30 GMT', 'retry'],
  ];
  for (const [status, body, retryAfter, kind] of cases) {
    it(`HTTP ${status} is ${kind}`, () => {
      assert.equal(classifyPushResponse(status, body, retryAfter, now).kind, kind);
    });
  }

  it('reads the RFC 8935 error body into the recorded error', () => {
    const r = classifyPushResponse(
      400,
      '{"err":"invalid_audience","description":"wrong aud"}',
      undefined,
      now,
    );
    assert.deepEqual(r, { kind: 'permanent', error: 'HTTP 400 invalid_audience: wrong aud' });
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter('Mon, 02 Mar 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Mon, 02 Mar 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
