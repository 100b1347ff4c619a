import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEHAVIOR_KEYS } from '../domain/behaviors.js';
import type { SecurityEvent } from '../domain/security-event.js';
import { DETECTORS, detectorFor } from './detectors.js';
import {
  aContext,
  aDlpMatch,
  aDnsRequest,
  aFailedSignIn,
  aFileVerdict,
  anHttpRequest,
  aPostureResult,
  aSignIn,
  PLACES,
} from './test-builders.js';

const SAMPLES: readonly SecurityEvent[] = [
  aSignIn({ location: PLACES.tokyo }),
  aFailedSignIn(),
  aDlpMatch(),
  aFileVerdict(),
  aDnsRequest({ categoryIds: [21, 17] }),
  anHttpRequest({ categoryIds: [32, 29] }),
  aPostureResult({ checkType: 'sentinelone_s2s', passed: false, sentinelOne: { infected: true } }),
  aPostureResult({ checkType: 'crowdstrike_s2s', crowdStrike: { overall: 10 } }),
];

describe('DETECTORS', () => {
  it('has one detector per catalog behavior, in catalog order', () => {
    assert.deepEqual(
      DETECTORS.map((d) => d.behavior),
      BEHAVIOR_KEYS,
    );
  });

  it('finds each detector by behavior', () => {
    for (const key of BEHAVIOR_KEYS) assert.equal(detectorFor(key).behavior, key);
  });

  it('returns nothing for events a detector does not accept, and only its own behavior otherwise', () => {
    for (const detector of DETECTORS) {
      for (const event of SAMPLES) {
        const findings = detector.detect(event, [event], aContext());
        if (!detector.accepts(event)) assert.deepEqual(findings, [], `${detector.behavior} on ${event.type}`);
        for (const f of findings) {
          assert.equal(f.behavior, detector.behavior);
          assert.equal(f.userId, event.user.id);
          assert.ok(Array.isArray(f.details.source_event_ids));
          assert.ok(f.dedupeKey.startsWith(`${detector.behavior}:`));
        }
      }
    }
  });

  it('asks only for history of event types it can use, in bounded requests', () => {
    const ctx = aContext();
    for (const detector of DETECTORS) {
      for (const event of SAMPLES.filter((e) => detector.accepts(e))) {
        for (const request of detector.history(event, ctx.thresholds)) {
          assert.ok(request.types.length > 0);
          if (request.kind === 'window') assert.ok(request.toMs - request.fromMs <= 24 * 3_600_000);
          else assert.ok(request.count >= 1 && request.count <= 10);
        }
      }
    }
  });

  it('produces JSON-safe details (no Infinity, no NaN)', () => {
    const jump = [
      aSignIn({ id: 'a', at: 0, location: PLACES.newYork }),
      aSignIn({ id: 'b', at: 0, location: PLACES.tokyo }),
    ];
    for (const detector of DETECTORS) {
      for (const event of [...SAMPLES, ...jump]) {
        for (const f of detector.detect(event, jump, aContext())) {
          const json = JSON.stringify(f.details);
          assert.ok(!/Infinity|NaN/.test(json), json);
        }
      }
    }
  });
});
