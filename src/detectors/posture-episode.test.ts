import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PostureResultEvent } from '../domain/security-event.js';
import { episodeHistory, findEpisodeStart } from './posture-episode.js';
import { sentinelOne } from './sentinel-one.js';
import {
  aDlpMatch,
  aPostureResult,
  detectWith,
  ingest,
  oneByOne,
  permutations,
  USERS,
} from './test-builders.js';

const T0 = Date.UTC(2026, 2, 2, 10);

function result(id: string, minutes: number, threat: boolean): PostureResultEvent {
  return aPostureResult({
    id,
    at: T0 + minutes * 60_000,
    checkType: 'sentinelone_s2s',
    passed: !threat,
    sentinelOne: { infected: threat, activeThreats: threat ? 1 : 0 },
  });
}

const key = (tail: string) => `sentinel_one:${USERS.alice.id}:device-1:${tail}`;
const inThreat = (r: PostureResultEvent) => r.sentinelOne?.infected === true;

// clean, threat, threat, clean, threat, clean: two episodes, after c0 and after c1.
const HISTORY = [
  result('c0', 0, false),
  result('t1', 5, true),
  result('t2', 10, true),
  result('c1', 15, false),
  result('t3', 20, true),
  result('c2', 25, false),
];
const EXPECTED = [key('after:c0'), key('after:c1')];

describe('posture episodes', () => {
  it('records exactly one occurrence per episode when results arrive in order', () => {
    assert.deepEqual(
      ingest(sentinelOne, oneByOne(HISTORY)).map((f) => f.dedupeKey),
      EXPECTED,
    );
  });

  it('records exactly one occurrence per episode when results arrive in one batch, or again', () => {
    assert.deepEqual(
      ingest(sentinelOne, [HISTORY, HISTORY]).map((f) => f.dedupeKey),
      EXPECTED,
    );
  });

  it('limit: in reverse order, a threat stored before the result preceding it is keyed as a guess', () => {
    // t3 arrives before c1: nothing is known before it, so it is keyed 'first'; c1 then reveals after:c1.
    assert.deepEqual(
      ingest(sentinelOne, oneByOne([...HISTORY].reverse()))
        .map((f) => f.dedupeKey)
        .sort(),
      [...EXPECTED, key('first')],
    );
  });

  it('never misses an episode, whatever the arrival order (720 orders)', () => {
    let exact = 0;
    for (const order of permutations(HISTORY)) {
      const keys = new Set(ingest(sentinelOne, oneByOne(order)).map((f) => f.dedupeKey));
      for (const k of EXPECTED)
        assert.ok(keys.has(k), `${k} missing for ${order.map((e) => e.id).join(',')}`);
      // Limit: only an early guess ('first', before c0 was stored) can add an occurrence.
      for (const k of keys) assert.ok(EXPECTED.includes(k) || k === key('first'), k);
      if (keys.size === EXPECTED.length) exact++;
    }
    assert.ok(exact > 0);
  });

  it('keeps the key when threat results arrive late inside or before a known episode', () => {
    const [c0, t1, t2, c1, t3] = HISTORY;
    assert.ok(c0 && t1 && t2 && c1 && t3);
    assert.deepEqual(
      ingest(sentinelOne, oneByOne([c0, t2, t1, c1, t3])).map((f) => f.dedupeKey),
      EXPECTED,
    );
  });

  it('reveals the episode after a clearing result that arrives late between threats', () => {
    const [c0, t1, t2, c1, t3] = HISTORY;
    assert.ok(c0 && t1 && t2 && c1 && t3);
    const keys = ingest(sentinelOne, oneByOne([c0, t1, t2, t3, c1])).map((f) => f.dedupeKey);
    assert.deepEqual(keys, EXPECTED);
    const [, split] = ingest(sentinelOne, oneByOne([c0, t1, t2, t3, c1]));
    assert.equal(split?.timestamp, t3.timestamp);
    assert.deepEqual(split?.details.source_event_ids, ['t3']);
  });

  it('gives the same finding whichever result of the pair is detected last', () => {
    const [c0, t1] = HISTORY;
    assert.ok(c0 && t1);
    assert.deepEqual(detectWith(sentinelOne, t1, [c0]), detectWith(sentinelOne, c0, [t1]));
  });

  it('only compares results of the same user, device and check type', () => {
    const t1 = result('t1', 5, true);
    const others = [
      { ...result('x1', 4, true), deviceId: 'other-device' },
      { ...result('x2', 4, true), checkType: 'crowdstrike_s2s' },
      { ...result('x3', 4, true), user: USERS.bob },
      aDlpMatch({ at: T0 + 4 * 60_000 }),
    ];
    assert.deepEqual(findEpisodeStart(t1, others, inThreat), { start: t1 });
  });

  it('asks for the nearest result of the same device and check on each side', () => {
    const event = result('t1', 5, true);
    assert.deepEqual(episodeHistory(event), [
      {
        kind: 'neighbours',
        types: ['posture_result'],
        aroundMs: event.timeMs,
        aroundId: 't1',
        count: 1,
        filter: { deviceId: 'device-1', checkType: 'sentinelone_s2s' },
      },
    ]);
    assert.deepEqual(episodeHistory(aDlpMatch()), []);
  });
});
