import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_THRESHOLDS,
  type DetectorThresholds,
  fromThresholdsWire,
  toThresholdsWire,
  validateThresholds,
} from './thresholds.js';

function accepted(result: ReturnType<typeof validateThresholds>): DetectorThresholds {
  if ('problems' in result) assert.fail(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.value;
}

function rejected(result: ReturnType<typeof validateThresholds>) {
  if (!('problems' in result)) assert.fail('expected problems');
  return result.problems;
}

describe('DEFAULT_THRESHOLDS', () => {
  it('are the documented defaults', () => {
    assert.deepEqual(toThresholdsWire(DEFAULT_THRESHOLDS), {
      imp_travel: { min_speed_kmh: 1000, min_distance_km: 500, default_accuracy_km: 50 },
      high_dlp: { min_count: 15, window_seconds: 60 },
      failed_logins: { min_count: 5, window_minutes: 10 },
      crowdstrike_zta: { low_max_score: 50, medium_max_score: 79 },
    });
  });
  it('cannot be mutated', () => {
    assert.ok(Object.isFrozen(DEFAULT_THRESHOLDS));
    assert.ok(Object.isFrozen(DEFAULT_THRESHOLDS.highDlp));
  });
  it('round-trip through the wire shape', () => {
    assert.deepEqual(fromThresholdsWire(toThresholdsWire(DEFAULT_THRESHOLDS)), DEFAULT_THRESHOLDS);
  });
});

describe('validateThresholds', () => {
  it('returns the current values for an empty update', () => {
    assert.deepEqual(accepted(validateThresholds({})), DEFAULT_THRESHOLDS);
  });

  it('merges a partial update over the current values', () => {
    const current = accepted(validateThresholds({ high_dlp: { min_count: 20 } }));
    const next = accepted(validateThresholds({ imp_travel: { min_speed_kmh: 900 } }, current));
    assert.equal(next.highDlp.minCount, 20);
    assert.equal(next.highDlp.windowSeconds, 60);
    assert.equal(next.impossibleTravel.minSpeedKmh, 900);
    assert.equal(next.impossibleTravel.minDistanceKm, 500);
  });

  it('accepts a full document', () => {
    const wire = {
      imp_travel: { min_speed_kmh: 800.5, min_distance_km: 0, default_accuracy_km: 0 },
      high_dlp: { min_count: 1, window_seconds: 3600 },
      failed_logins: { min_count: 10_000, window_minutes: 1440 },
      crowdstrike_zta: { low_max_score: 0, medium_max_score: 100 },
    };
    assert.deepEqual(toThresholdsWire(accepted(validateThresholds(wire))), wire);
  });

  const invalid: { name: string; input: unknown; pointer: string | undefined }[] = [
    { name: 'a non-object', input: [], pointer: undefined },
    { name: 'null', input: null, pointer: undefined },
    { name: 'an unknown group', input: { imp_travle: {} }, pointer: '/imp_travle' },
    { name: 'a group that is not an object', input: { high_dlp: 15 }, pointer: '/high_dlp' },
    { name: 'an unknown member', input: { high_dlp: { count: 15 } }, pointer: '/high_dlp/count' },
    { name: 'a string number', input: { high_dlp: { min_count: '15' } }, pointer: '/high_dlp/min_count' },
    { name: 'null for a number', input: { high_dlp: { min_count: null } }, pointer: '/high_dlp/min_count' },
    { name: 'a fractional count', input: { high_dlp: { min_count: 1.5 } }, pointer: '/high_dlp/min_count' },
    { name: 'a zero count', input: { failed_logins: { min_count: 0 } }, pointer: '/failed_logins/min_count' },
    {
      name: 'a zero speed',
      input: { imp_travel: { min_speed_kmh: 0 } },
      pointer: '/imp_travel/min_speed_kmh',
    },
    {
      name: 'a negative distance',
      input: { imp_travel: { min_distance_km: -1 } },
      pointer: '/imp_travel/min_distance_km',
    },
    {
      name: 'an infinite speed',
      input: { imp_travel: { min_speed_kmh: Number.POSITIVE_INFINITY } },
      pointer: '/imp_travel/min_speed_kmh',
    },
    {
      name: 'a window over an hour',
      input: { high_dlp: { window_seconds: 3601 } },
      pointer: '/high_dlp/window_seconds',
    },
    {
      name: 'a window over a day',
      input: { failed_logins: { window_minutes: 1441 } },
      pointer: '/failed_logins/window_minutes',
    },
    {
      name: 'a score over 100',
      input: { crowdstrike_zta: { medium_max_score: 101 } },
      pointer: '/crowdstrike_zta/medium_max_score',
    },
    {
      name: 'a medium band not above the low band (medium given)',
      input: { crowdstrike_zta: { medium_max_score: 50 } },
      pointer: '/crowdstrike_zta/medium_max_score',
    },
    {
      name: 'a medium band not above the low band (low given)',
      input: { crowdstrike_zta: { low_max_score: 79 } },
      pointer: '/crowdstrike_zta/low_max_score',
    },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name} with pointer ${c.pointer ?? '(none)'}`, () => {
      const problems = rejected(validateThresholds(c.input));
      assert.equal(problems.length, 1);
      assert.equal(problems[0]?.pointer, c.pointer);
    });
  }

  it('reports every problem at once', () => {
    const problems = rejected(
      validateThresholds({
        high_dlp: { min_count: -1, window_seconds: 'x' },
        nope: {},
        imp_travel: { speed: 1 },
      }),
    );
    assert.deepEqual(problems.map((p) => p.pointer).sort(), [
      '/high_dlp/min_count',
      '/high_dlp/window_seconds',
      '/imp_travel/speed',
      '/nope',
    ]);
  });

  it('escapes pointer tokens (RFC 6901)', () => {
    const problems = rejected(validateThresholds({ 'a/b~c': {} }));
    assert.equal(problems[0]?.pointer, '/a~1b~0c');
  });

  it('does not change the current values when it rejects', () => {
    const current = accepted(validateThresholds({ high_dlp: { min_count: 20 } }));
    rejected(validateThresholds({ high_dlp: { min_count: 0 } }, current));
    assert.equal(current.highDlp.minCount, 20);
  });
});
