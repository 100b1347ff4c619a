import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PostureResultEvent } from '../domain/security-event.js';
import { reportsSentinelOneThreat, sentinelOne } from './sentinel-one.js';
import { aPostureResult, ingest, oneByOne, USERS } from './test-builders.js';

const T0 = Date.UTC(2026, 2, 2, 10);

function s1(o: Parameters<typeof aPostureResult>[0] = {}): PostureResultEvent {
  return aPostureResult({ checkType: 'sentinelone_s2s', ...o });
}

describe('sentinel_one', () => {
  const conditions = [
    { name: 'infected', result: s1({ passed: false, sentinelOne: { infected: true } }), threat: true },
    {
      name: 'active threats',
      result: s1({ sentinelOne: { infected: false, activeThreats: 3 } }),
      threat: true,
    },
    {
      name: 'infected even if the check passed',
      result: s1({ passed: true, sentinelOne: { infected: true } }),
      threat: true,
    },
    {
      name: 'a failed evaluation of another configured attribute',
      result: s1({ passed: false, sentinelOne: { isActive: false, operationalState: 'fully_disabled' } }),
      threat: true,
    },
    {
      name: 'a clean passing report',
      result: s1({ passed: true, sentinelOne: { infected: false, activeThreats: 0 } }),
      threat: false,
    },
    { name: 'a failed result without any SentinelOne report', result: s1({ passed: false }), threat: false },
    {
      name: 'the client-side sentinelone check (agent presence only)',
      result: aPostureResult({ checkType: 'sentinelone', passed: false, sentinelOne: { infected: true } }),
      threat: false,
    },
  ];
  for (const c of conditions) {
    it(`${c.threat ? 'counts' : 'does not count'} ${c.name}`, () => {
      assert.equal(reportsSentinelOneThreat(c.result), c.threat);
      assert.equal(ingest(sentinelOne, [[c.result]]).length, c.threat ? 1 : 0);
    });
  }

  it("fires for bob's fixture device (infected, 2 active threats) and not for alice's", () => {
    const bob = s1({
      id: 'bob-s1',
      user: USERS.bob,
      deviceId: '9c41d2b8-54c3-11ef-8a1d-0a58a9feac07',
      at: '2026-03-02T14:20:00Z',
      passed: false,
      checkName: 'SentinelOne - no active threats',
      sentinelOne: {
        infected: true,
        activeThreats: 2,
        isActive: true,
        networkStatus: 'connected',
        operationalState: 'na',
      },
    });
    const alice = s1({
      user: USERS.alice,
      deviceId: '2b7e1f0a-54c3-11ef-8a1d-0a58a9feac02',
      at: '2026-03-02T13:00:05Z',
      passed: true,
      sentinelOne: {
        infected: false,
        activeThreats: 0,
        isActive: true,
        networkStatus: 'connected',
        operationalState: 'na',
      },
    });
    const findings = ingest(sentinelOne, oneByOne([alice, bob]));
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.equal(finding?.userId, USERS.bob.id);
    assert.equal(finding?.timestamp, '2026-03-02T14:20:00.000Z');
    assert.equal(
      finding?.dedupeKey,
      `sentinel_one:${USERS.bob.id}:9c41d2b8-54c3-11ef-8a1d-0a58a9feac07:first`,
    );
    assert.deepEqual(finding?.details, {
      device_id: '9c41d2b8-54c3-11ef-8a1d-0a58a9feac07',
      check_type: 'sentinelone_s2s',
      check_id: undefined,
      check_name: 'SentinelOne - no active threats',
      passed: false,
      previous_event_id: undefined,
      previous_timestamp: undefined,
      source_event_ids: ['bob-s1'],
      infected: true,
      active_threats: 2,
      is_active: true,
      network_status: 'connected',
      operational_state: 'na',
    });
  });

  it('fires once per device until the threat clears, then again', () => {
    const threat = (id: string, minutes: number) =>
      s1({ id, at: T0 + minutes * 60_000, passed: false, sentinelOne: { infected: true } });
    const clean = (id: string, minutes: number) =>
      s1({ id, at: T0 + minutes * 60_000, passed: true, sentinelOne: { infected: false, activeThreats: 0 } });
    const results = [clean('c0', 0), threat('t1', 5), threat('t2', 10), clean('c1', 15), threat('t3', 20)];
    const keys = ingest(sentinelOne, oneByOne(results)).map((f) => f.dedupeKey);
    assert.deepEqual(keys, [
      `sentinel_one:${USERS.alice.id}:device-1:after:c0`,
      `sentinel_one:${USERS.alice.id}:device-1:after:c1`,
    ]);
  });

  it('accepts sentinelone_s2s results only, clean ones included (they re-arm)', () => {
    assert.equal(sentinelOne.accepts(s1({ passed: true })), true);
    assert.equal(sentinelOne.accepts(aPostureResult({ checkType: 'crowdstrike_s2s' })), false);
    assert.equal(sentinelOne.accepts(aPostureResult({ checkType: 'sentinelone' })), false);
  });
});
