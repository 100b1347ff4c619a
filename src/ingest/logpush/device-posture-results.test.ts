import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PostureResultEvent } from '../../domain/security-event.js';
import { mapDevicePostureResult } from './device-posture-results.js';
import type { MapResult } from './map-result.js';

const ctx = { accountId: 'acc' };
const ERIN = '5c7e9a1b-2d4f-4a6c-8e0b-1d3f5a7c9e42';

function aResult(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DeviceID: '8e4a0c6b-54c3-11ef-8a1d-0a58a9feac23',
    Email: 'erin.walsh@acme-corp.example',
    PolicyID: '6f8b0d2f-4c6e-4a8b-8d2f-4c6e8a0b2d3f',
    PostureCheckName: 'CrowdStrike ZTA overall >= 80',
    PostureCheckType: 'crowdstrike_s2s',
    PostureEvaluatedResult: false,
    PostureExpectedJSON: { overall: '80', operator: '>=' },
    PostureReceivedJSON: { overall: '67', os: '74', sensor_config: '63', version: '2.1.0', state: 'online' },
    RegistrationID: 'd4f6a8c0-e2b4-4d6f-9a1c-3e5f7b9d1a57',
    Timestamp: '2026-03-02T13:10:00Z',
    UserUID: ERIN,
    ...overrides,
  };
}

function theEvent(result: MapResult): PostureResultEvent {
  assert.equal(result.kind, 'events', JSON.stringify(result));
  const [event, ...rest] = result.kind === 'events' ? result.events : [];
  assert.deepEqual(rest, []);
  assert.ok(event?.type === 'posture_result');
  return event;
}

describe('mapDevicePostureResult', () => {
  it('maps a CrowdStrike result with scores as strings, field by field', () => {
    const event = theEvent(mapDevicePostureResult(aResult(), ctx));
    assert.match(event.id, /^sha256-[0-9a-f]{32}:posture$/);
    assert.deepEqual(event, {
      id: event.id,
      accountId: 'acc',
      type: 'posture_result',
      timestamp: '2026-03-02T13:10:00.000Z',
      timeMs: Date.UTC(2026, 2, 2, 13, 10),
      user: { id: ERIN, email: 'erin.walsh@acme-corp.example', name: 'erin.walsh@acme-corp.example' },
      deviceId: '8e4a0c6b-54c3-11ef-8a1d-0a58a9feac23',
      checkType: 'crowdstrike_s2s',
      checkId: '6f8b0d2f-4c6e-4a8b-8d2f-4c6e8a0b2d3f',
      checkName: 'CrowdStrike ZTA overall >= 80',
      passed: false,
      crowdStrike: { overall: 67, os: 74, sensorConfig: 63 },
      source: { kind: 'logpush', dataset: 'device_posture_results' },
    });
  });

  const crowdStrike: [string, unknown, PostureResultEvent['crowdStrike']][] = [
    [
      'a JSON string',
      '{"overall":"67","os":74,"sensor_config":"63"}',
      { overall: 67, os: 74, sensorConfig: 63 },
    ],
    ['camelCase names', { overall: 42, sensorConfig: 38 }, { overall: 42, sensorConfig: 38 }],
    ['out-of-range and unreadable scores', { overall: 150, os: 'high', sensor_config: -1 }, {}],
    ['a null report', null, {}],
    ['an unparsable string', '{"overall":', {}],
    ['an empty object', {}, {}],
  ];
  for (const [name, PostureReceivedJSON, expected] of crowdStrike) {
    it(`reads CrowdStrike scores from ${name}`, () => {
      const event = theEvent(mapDevicePostureResult(aResult({ PostureReceivedJSON }), ctx));
      assert.deepEqual(event.crowdStrike, expected);
      assert.equal('sentinelOne' in event, false);
    });
  }

  const sentinelOne: [string, unknown, PostureResultEvent['sentinelOne']][] = [
    [
      'an infected device',
      {
        infected: true,
        active_threats: 2,
        is_active: true,
        network_status: 'connected',
        operational_state: 'na',
      },
      {
        infected: true,
        activeThreats: 2,
        isActive: true,
        networkStatus: 'connected',
        operationalState: 'na',
      },
    ],
    [
      'a clean device (false and 0 are values)',
      { infected: false, active_threats: 0 },
      { infected: false, activeThreats: 0 },
    ],
    [
      'strings and camelCase',
      '{"infected":"true","activeThreats":"3","isActive":"false"}',
      { infected: true, activeThreats: 3, isActive: false },
    ],
    ['unreadable values', { infected: 'maybe', active_threats: -2, network_status: '' }, {}],
  ];
  for (const [name, PostureReceivedJSON, expected] of sentinelOne) {
    it(`reads a SentinelOne report for ${name}`, () => {
      const record = aResult({ PostureCheckType: 'sentinelone_s2s', PostureReceivedJSON });
      const event = theEvent(mapDevicePostureResult(record, ctx));
      assert.deepEqual(event.sentinelOne, expected);
      assert.equal('crowdStrike' in event, false);
    });
  }

  it('keeps the client-side sentinelone check as a plain posture result', () => {
    const record = aResult({
      PostureCheckType: 'sentinelone',
      PostureEvaluatedResult: true,
      PostureReceivedJSON: { operating_system: 'linux', exists: true, running: true },
    });
    const event = theEvent(mapDevicePostureResult(record, ctx));
    assert.equal(event.checkType, 'sentinelone');
    assert.equal(event.passed, true);
    assert.equal('sentinelOne' in event, false);
    assert.equal('crowdStrike' in event, false);
  });

  it('lower-cases the check type', () => {
    assert.equal(
      theEvent(mapDevicePostureResult(aResult({ PostureCheckType: 'CrowdStrike_S2S' }), ctx)).checkType,
      'crowdstrike_s2s',
    );
  });

  const passes: [unknown, boolean | undefined][] = [
    [true, true],
    [false, false],
    ['false', false],
    [null, undefined],
    [undefined, undefined],
  ];
  for (const [PostureEvaluatedResult, passed] of passes) {
    it(`reads PostureEvaluatedResult ${JSON.stringify(PostureEvaluatedResult)} as passed ${passed}`, () => {
      const event = theEvent(mapDevicePostureResult(aResult({ PostureEvaluatedResult }), ctx));
      assert.equal(event.passed, passed);
      assert.equal('passed' in event, passed !== undefined);
    });
  }

  it('gives the same id to the same record and different ids to different results', () => {
    const id = (overrides: Record<string, unknown>) =>
      theEvent(mapDevicePostureResult(aResult(overrides), ctx)).id;
    assert.equal(id({}), id({}));
    assert.notEqual(id({}), id({ Timestamp: '2026-03-02T13:15:00Z' }));
    assert.notEqual(id({}), id({ PostureEvaluatedResult: true }));
  });

  it('reports a result without device, check type or time as invalid, all problems at once', () => {
    assert.deepEqual(
      mapDevicePostureResult(aResult({ DeviceID: '', PostureCheckType: null, Timestamp: undefined }), ctx),
      {
        kind: 'invalid',
        problems: [
          { message: 'is required', pointer: '/Timestamp' },
          { message: 'is required', pointer: '/PostureCheckType' },
          { message: 'is required', pointer: '/DeviceID' },
        ],
      },
    );
  });

  it('skips a result without a user', () => {
    assert.deepEqual(mapDevicePostureResult(aResult({ UserUID: '', Email: '' }), ctx), {
      kind: 'skipped',
      reason: 'no real identity: empty user',
    });
  });
});
