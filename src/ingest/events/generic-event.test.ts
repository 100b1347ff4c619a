import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SecurityEvent } from '../../domain/security-event.js';
import type { MapResult } from '../map-result.js';
import { type GenericEventType, mapGenericEvent } from './generic-event.js';

const ctx = { accountId: 'acc' };
const ALICE = '3F1C2D4E-8B7A-4C1D-9E2F-6A5B4C3D2E1F';
const ALICE_LOWER = ALICE.toLowerCase();

/** Every optional member of the wire, with the members around them: what a "full" event sends. */
const FULL_COMMON = {
  id: 'e1',
  timestamp: '2026-03-02T15:05:11.5+02:00',
  user: { id: ALICE, email: 'alice@acme-corp.example', name: 'Alice Ng' },
  ip: '198.51.100.23',
  device_id: 'dev-1',
};
const MINIMAL_COMMON = { id: 'e2', timestamp: '2026-03-02T13:05:11.000Z', user: { id: ALICE } };

/** The mapped members of FULL_COMMON, in the order events carry them. */
const FULL_BASE = {
  id: 'e1',
  accountId: 'acc',
  timestamp: '2026-03-02T13:05:11.500Z',
  timeMs: 1_772_456_711_500,
  user: { id: ALICE_LOWER, email: 'alice@acme-corp.example', name: 'Alice Ng' },
  ip: '198.51.100.23',
  deviceId: 'dev-1',
  source: { kind: 'events' },
} as const;
const MINIMAL_BASE = {
  id: 'e2',
  accountId: 'acc',
  timestamp: '2026-03-02T13:05:11.000Z',
  timeMs: 1_772_456_711_000,
  user: { id: ALICE_LOWER, email: '', name: '' },
  source: { kind: 'events' },
} as const;

/** Equal members and the same key order (the order is the stored JSON payload). */
function assertMapsTo(result: MapResult, expected: SecurityEvent): void {
  assert.deepStrictEqual(result, { kind: 'events', events: [expected] });
  assert.equal(JSON.stringify(result), JSON.stringify({ kind: 'events', events: [expected] }));
}

describe('mapGenericEvent', () => {
  const cases: [string, Record<string, unknown>, SecurityEvent][] = [
    [
      'a sign-in with every member',
      {
        ...FULL_COMMON,
        type: 'sign_in',
        outcome: 'success',
        location: { lat: 51.5, lon: -0.12, country: 'gb', city: 'London', accuracy_km: 20 },
        app: 'wiki.acme-corp.example',
        method: 'okta',
      },
      {
        id: 'e1',
        accountId: 'acc',
        timestamp: '2026-03-02T13:05:11.500Z',
        timeMs: 1_772_456_711_500,
        user: { id: ALICE_LOWER, email: 'alice@acme-corp.example', name: 'Alice Ng' },
        ip: '198.51.100.23',
        location: { lat: 51.5, lon: -0.12, country: 'GB', city: 'London', accuracyKm: 20, source: 'event' },
        deviceId: 'dev-1',
        source: { kind: 'events' },
        type: 'sign_in',
        outcome: 'success',
        app: 'wiki.acme-corp.example',
        method: 'okta',
      },
    ],
    [
      'a minimal sign-in',
      { ...MINIMAL_COMMON, type: 'sign_in', outcome: 'failure' },
      { ...MINIMAL_BASE, type: 'sign_in', outcome: 'failure' },
    ],
    [
      'a DLP match with duplicate profiles',
      {
        ...FULL_COMMON,
        type: 'dlp_match',
        profiles: [{ id: 'p1', name: 'Credit cards' }, { id: 'p2' }, { id: 'p1', name: 'again' }],
        direction: 'both',
        host: 'upload.example.com',
        url: 'https://upload.example.com/x',
      },
      {
        ...FULL_BASE,
        type: 'dlp_match',
        profiles: [{ id: 'p1', name: 'Credit cards' }, { id: 'p2' }],
        direction: 'both',
        host: 'upload.example.com',
        url: 'https://upload.example.com/x',
      },
    ],
    [
      'a minimal DLP match',
      { ...MINIMAL_COMMON, type: 'dlp_match', profiles: [{ id: 'p1' }] },
      { ...MINIMAL_BASE, type: 'dlp_match', profiles: [{ id: 'p1' }], direction: 'upload' },
    ],
    [
      'a file verdict with every member',
      {
        ...FULL_COMMON,
        type: 'file_verdict',
        verdict: 'malicious',
        direction: 'download',
        blocked: true,
        file_name: 'a.exe',
        sha256: 'AB'.repeat(32),
        reason: 'malware',
        host: 'files.example.com',
        url: 'https://files.example.com/a.exe',
      },
      {
        ...FULL_BASE,
        type: 'file_verdict',
        verdict: 'malicious',
        direction: 'download',
        blocked: true,
        fileName: 'a.exe',
        sha256: 'ab'.repeat(32),
        reason: 'malware',
        host: 'files.example.com',
        url: 'https://files.example.com/a.exe',
      },
    ],
    [
      'a minimal file verdict',
      { ...MINIMAL_COMMON, type: 'file_verdict', verdict: 'clean', direction: 'upload' },
      { ...MINIMAL_BASE, type: 'file_verdict', verdict: 'clean', direction: 'upload', blocked: false },
    ],
    [
      'a DNS request for a fully qualified name',
      {
        ...FULL_COMMON,
        type: 'dns_request',
        domain: 'Mail.Example.COM.',
        category_ids: [7, 80],
        blocked: true,
        resolver_decision: 'blockedByCategory',
      },
      {
        ...FULL_BASE,
        type: 'dns_request',
        domain: 'mail.example.com',
        categoryIds: [7, 80],
        blocked: true,
        resolverDecision: 'blockedByCategory',
      },
    ],
    [
      'a minimal DNS request',
      { ...MINIMAL_COMMON, type: 'dns_request', domain: 'example.com' },
      { ...MINIMAL_BASE, type: 'dns_request', domain: 'example.com', categoryIds: [], blocked: false },
    ],
    [
      'an HTTP request with every member',
      {
        ...FULL_COMMON,
        type: 'http_request',
        host: 'Docs.Example.ORG',
        url: 'https://docs.example.org/a',
        category_ids: [2],
        blocked: false,
        action: 'allow',
      },
      {
        ...FULL_BASE,
        type: 'http_request',
        host: 'docs.example.org',
        categoryIds: [2],
        blocked: false,
        url: 'https://docs.example.org/a',
        action: 'allow',
      },
    ],
    [
      'a minimal HTTP request',
      { ...MINIMAL_COMMON, type: 'http_request', host: 'example.com' },
      { ...MINIMAL_BASE, type: 'http_request', host: 'example.com', categoryIds: [], blocked: false },
    ],
    [
      'a posture result with both vendor reports',
      {
        ...FULL_COMMON,
        type: 'posture_result',
        check_type: 'sentinelone_s2s',
        check_id: 'rule-1',
        check_name: 'S1',
        passed: false,
        sentinelone: {
          infected: true,
          active_threats: 2,
          is_active: true,
          network_status: 'connected',
          operational_state: 'na',
        },
        crowdstrike: { overall: 40, os: 50, sensor_config: 60 },
      },
      {
        ...FULL_BASE,
        type: 'posture_result',
        checkType: 'sentinelone_s2s',
        checkId: 'rule-1',
        checkName: 'S1',
        passed: false,
        sentinelOne: {
          infected: true,
          activeThreats: 2,
          isActive: true,
          networkStatus: 'connected',
          operationalState: 'na',
        },
        crowdStrike: { overall: 40, os: 50, sensorConfig: 60 },
      },
    ],
    [
      'a posture result with empty vendor reports',
      {
        ...MINIMAL_COMMON,
        type: 'posture_result',
        device_id: 'dev-2',
        check_type: 'crowdstrike_s2s',
        sentinelone: {},
        crowdstrike: {},
      },
      {
        id: 'e2',
        accountId: 'acc',
        timestamp: '2026-03-02T13:05:11.000Z',
        timeMs: 1_772_456_711_000,
        user: { id: ALICE_LOWER, email: '', name: '' },
        deviceId: 'dev-2',
        source: { kind: 'events' },
        type: 'posture_result',
        checkType: 'crowdstrike_s2s',
        sentinelOne: {},
        crowdStrike: {},
      },
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(`maps ${name}, absent members staying absent`, () => {
      assertMapsTo(mapGenericEvent(input, ctx), expected);
    });
  }

  it('keeps the source given by the caller', () => {
    const result = mapGenericEvent(
      { ...MINIMAL_COMMON, type: 'sign_in', outcome: 'failure' },
      {
        ...ctx,
        source: { kind: 'nats' },
      },
    );
    assertMapsTo(result, { ...MINIMAL_BASE, source: { kind: 'nats' }, type: 'sign_in', outcome: 'failure' });
  });

  it('skips the non_identity@ placeholder whatever its case', () => {
    const input = {
      ...MINIMAL_COMMON,
      type: 'sign_in',
      outcome: 'success',
      user: { id: ALICE, email: 'NON_IDENTITY@acme.cloudflareaccess.com' },
    };
    assert.deepStrictEqual(mapGenericEvent(input, ctx), {
      kind: 'skipped',
      reason: 'no real identity (non_identity@ placeholder)',
    });
  });

  const invalid: [string, unknown, { message: string; pointer: string }[]][] = [
    ['an array', [1], [{ message: 'must be a JSON object', pointer: '' }]],
    [
      'an unknown type',
      { type: 'logout' },
      [
        {
          message:
            'must be one of: sign_in, dlp_match, file_verdict, dns_request, http_request, posture_result',
          pointer: '/type',
        },
      ],
    ],
    [
      'bad members',
      {
        id: '',
        timestamp: 'yesterday',
        type: 'sign_in',
        outcome: 'maybe',
        user: { id: 'nope' },
        ip: '1.2.3',
        location: { lat: 91, lon: 0, country: 'GBR' },
      },
      [
        { message: 'must be at least 1 characters', pointer: '/id' },
        { message: 'must be a UUID', pointer: '/user/id' },
        { message: 'must be an IPv4 or IPv6 address', pointer: '/ip' },
        { message: 'must be <= 90', pointer: '/location/lat' },
        { message: 'has an invalid format', pointer: '/location/country' },
        { message: 'must be one of: success, failure', pointer: '/outcome' },
        { message: 'must be an RFC 3339 date-time', pointer: '/timestamp' },
      ],
    ],
    [
      'an impossible date',
      { ...MINIMAL_COMMON, timestamp: '2026-02-30T00:00:00Z', type: 'dns_request', domain: 'x' },
      [{ message: 'must be an RFC 3339 date-time', pointer: '/timestamp' }],
    ],
  ];
  for (const [name, input, problems] of invalid) {
    it(`rejects ${name} with pointed problems`, () => {
      assert.deepStrictEqual(mapGenericEvent(input, ctx), { kind: 'invalid', problems });
    });
  }

  it('maps an optional wire member to its event member exactly when it is sent', () => {
    const text = fc.string({ minLength: 1, maxLength: 8 });
    const report = <T extends Record<string, fc.Arbitrary<unknown>>>(members: T) =>
      fc.record(members, { requiredKeys: [] });
    /** Optional wire members of each type, with the event member each maps to. */
    const members: Record<GenericEventType, Record<string, [string, fc.Arbitrary<unknown>]>> = {
      sign_in: { app: ['app', text], method: ['method', text] },
      dlp_match: { host: ['host', text], url: ['url', text] },
      file_verdict: {
        file_name: ['fileName', text],
        sha256: ['sha256', fc.constant('0F'.repeat(32))],
        reason: ['reason', text],
        host: ['host', text],
        url: ['url', text],
      },
      dns_request: { resolver_decision: ['resolverDecision', text] },
      http_request: { url: ['url', text], action: ['action', text] },
      posture_result: {
        check_id: ['checkId', text],
        check_name: ['checkName', text],
        passed: ['passed', fc.boolean()],
        sentinelone: [
          'sentinelOne',
          report({ infected: fc.boolean(), active_threats: fc.nat(3), is_active: fc.boolean() }),
        ],
        crowdstrike: [
          'crowdStrike',
          report({ overall: fc.nat(100), os: fc.nat(100), sensor_config: fc.nat(100) }),
        ],
      },
    };
    const common: Record<string, [string, fc.Arbitrary<unknown>]> = {
      ip: ['ip', fc.constant('192.0.2.1')],
      location: [
        'location',
        report({ lat: fc.constant(1), lon: fc.constant(2), city: text, accuracy_km: fc.nat(50) }),
      ],
    };
    const required: Record<GenericEventType, Record<string, unknown>> = {
      sign_in: { outcome: 'success' },
      dlp_match: { profiles: [{ id: 'p1' }] },
      file_verdict: { verdict: 'clean', direction: 'upload' },
      dns_request: { domain: 'example.com' },
      http_request: { host: 'example.com' },
      posture_result: { device_id: 'dev-1', check_type: 'crowdstrike_s2s' },
    };
    const wireOf = (t: GenericEventType) => {
      const all = { ...common, ...members[t] };
      const arbitraries = Object.fromEntries(Object.entries(all).map(([k, [, a]]) => [k, a]));
      return fc.record(arbitraries, { requiredKeys: [] }).map((sent) => ({ t, all, sent }));
    };
    const types = Object.keys(required) as GenericEventType[];
    fc.assert(
      fc.property(fc.oneof(...types.map(wireOf)), ({ t, all, sent }) => {
        const location = sent.location as Record<string, unknown> | undefined;
        const wire = {
          ...MINIMAL_COMMON,
          type: t,
          ...sent,
          ...(location ? { location: { lat: 1, lon: 2, ...location } } : {}),
          ...required[t],
        };
        const result = mapGenericEvent(wire, ctx);
        assert.equal(result.kind, 'events');
        const event = (result.kind === 'events' ? result.events[0] : {}) as Record<string, unknown>;
        for (const [key, [member]] of Object.entries(all)) {
          assert.equal(member in event, key in sent, `${t}: ${key} sent, ${member} mapped`);
        }
        for (const [key, member] of [
          ['sentinelone', 'sentinelOne'],
          ['crowdstrike', 'crowdStrike'],
        ] as const) {
          const reported = sent[key] as Record<string, unknown> | undefined;
          if (reported === undefined) continue;
          const names = Object.keys(reported).map((k) =>
            k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
          );
          assert.deepStrictEqual(Object.keys(event[member] as object), names);
        }
        const undefinedMembers = JSON.stringify(event, (_k, v: unknown) => (v === undefined ? '\u0000' : v));
        assert.ok(!undefinedMembers.includes('\\u0000'), 'no member is present as undefined');
      }),
      { numRuns: 300 },
    );
  });
});
