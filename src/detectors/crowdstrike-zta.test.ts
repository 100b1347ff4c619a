import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CrowdStrikeReport, PostureResultEvent } from '../domain/security-event.js';
import { crowdStrikeLowZta, crowdStrikeMediumZta, worstZtaScore, ztaBand } from './crowdstrike-zta.js';
import { aContext, aPostureResult, ingest, oneByOne, USERS } from './test-builders.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

const T0 = Date.UTC(2026, 2, 2, 10);

function cs(
  crowdStrike: CrowdStrikeReport,
  o: Parameters<typeof aPostureResult>[0] = {},
): PostureResultEvent {
  return aPostureResult({ checkType: 'crowdstrike_s2s', crowdStrike, ...o });
}

describe('CrowdStrike ZTA bands', () => {
  const cases: { name: string; report: CrowdStrikeReport; band: 'low' | 'medium' | undefined }[] = [
    { name: 'overall 0 is low', report: { overall: 0 }, band: 'low' },
    { name: 'overall 50 is low', report: { overall: 50 }, band: 'low' },
    { name: 'overall 51 is medium', report: { overall: 51 }, band: 'medium' },
    { name: 'overall 50.5 is medium', report: { overall: 50.5 }, band: 'medium' },
    { name: 'overall 79 is medium', report: { overall: 79 }, band: 'medium' },
    { name: 'overall 80 is neither', report: { overall: 80 }, band: undefined },
    {
      name: 'a low OS score makes the device low',
      report: { overall: 90, os: 45, sensorConfig: 95 },
      band: 'low',
    },
    {
      name: 'a medium sensor score makes the device medium',
      report: { overall: 90, os: 85, sensorConfig: 60 },
      band: 'medium',
    },
    {
      name: 'the worst score decides: low wins over medium',
      report: { overall: 42, os: 61, sensorConfig: 38 },
      band: 'low',
    },
    { name: 'no scores are neither', report: {}, band: undefined },
    {
      name: 'out-of-range and non-finite scores are ignored',
      report: { overall: 101, os: Number.NaN, sensorConfig: -1 },
      band: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = cs(c.report);
      assert.equal(ztaBand(result, DEFAULT_THRESHOLDS.crowdStrike), c.band);
      assert.equal(ingest(crowdStrikeLowZta, [[result]]).length, c.band === 'low' ? 1 : 0);
      assert.equal(ingest(crowdStrikeMediumZta, [[result]]).length, c.band === 'medium' ? 1 : 0);
    });
  }

  it('ignores scores of other check types', () => {
    assert.equal(
      worstZtaScore(aPostureResult({ checkType: 'custom_s2s', crowdStrike: { overall: 10 } })),
      undefined,
    );
  });

  it('follows the account thresholds', () => {
    const thresholds = { ...DEFAULT_THRESHOLDS, crowdStrike: { lowMaxScore: 30, mediumMaxScore: 60 } };
    const result = cs({ overall: 42 });
    assert.equal(ingest(crowdStrikeLowZta, [[result]], aContext(thresholds)).length, 0);
    assert.equal(ingest(crowdStrikeMediumZta, [[result]], aContext(thresholds)).length, 1);
  });
});

describe('crowdstrike fixture scenarios (LOGPUSH.md §8)', () => {
  const carol = cs(
    { overall: 88, os: 92, sensorConfig: 85 },
    { user: USERS.carol, deviceId: 'carol-x1', at: T0 },
  );
  const erin = cs(
    { overall: 67, os: 74, sensorConfig: 63 },
    { user: USERS.erin, deviceId: 'erin-t14', at: T0 },
  );
  const dave = cs(
    { overall: 42, os: 61, sensorConfig: 38 },
    { user: USERS.dave, deviceId: 'dave-ws07', at: T0 },
  );
  const all = [carol, erin, dave];

  it('dave (42) is low, and only low', () => {
    assert.deepEqual(
      ingest(crowdStrikeLowZta, oneByOne(all)).map((f) => f.userId),
      [USERS.dave.id],
    );
  });

  it('erin (67) is medium; carol (88) is neither', () => {
    const [finding, ...rest] = ingest(crowdStrikeMediumZta, oneByOne(all));
    assert.equal(rest.length, 0);
    assert.equal(finding?.userId, USERS.erin.id);
    assert.equal(finding?.dedupeKey, `crowdstrike_medium_zta:${USERS.erin.id}:erin-t14:first`);
    assert.equal(finding?.details.band, 'medium');
    assert.equal(finding?.details.worst_score, 63);
    assert.equal(finding?.details.overall, 67);
  });
});

describe('CrowdStrike episodes', () => {
  const at = (minutes: number) => T0 + minutes * 60_000;

  it('fires once per device per band until it leaves the band', () => {
    const results = [
      cs({ overall: 40 }, { id: 'r1', at: at(0) }),
      cs({ overall: 45 }, { id: 'r2', at: at(5) }),
      cs({ overall: 70 }, { id: 'r3', at: at(10) }),
      cs({ overall: 72 }, { id: 'r4', at: at(15) }),
      cs({ overall: 30 }, { id: 'r5', at: at(20) }),
      cs({ overall: 95 }, { id: 'r6', at: at(25) }),
      cs({ overall: 60 }, { id: 'r7', at: at(30) }),
    ];
    const low = ingest(crowdStrikeLowZta, oneByOne(results)).map((f) => f.details.source_event_ids);
    const medium = ingest(crowdStrikeMediumZta, oneByOne(results)).map((f) => f.details.source_event_ids);
    assert.deepEqual(low, [['r1'], ['r5']]);
    assert.deepEqual(medium, [['r3'], ['r7']]);
  });

  it('keeps devices apart', () => {
    const results = [
      cs({ overall: 40 }, { deviceId: 'laptop', at: at(0) }),
      cs({ overall: 40 }, { deviceId: 'desktop', at: at(1) }),
      cs({ overall: 41 }, { deviceId: 'laptop', at: at(2) }),
    ];
    assert.equal(ingest(crowdStrikeLowZta, oneByOne(results)).length, 2);
  });

  it('accepts crowdstrike_s2s results only', () => {
    assert.equal(crowdStrikeLowZta.accepts(cs({ overall: 99 })), true);
    assert.equal(crowdStrikeMediumZta.accepts(aPostureResult({ checkType: 'sentinelone_s2s' })), false);
  });
});
