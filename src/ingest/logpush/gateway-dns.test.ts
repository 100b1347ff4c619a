import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DnsRequestEvent } from '../../domain/security-event.js';
import { mapGatewayDns } from './gateway-dns.js';
import type { MapResult } from './map-result.js';

const ctx = { accountId: 'acc' };
const ERIN = '5c7e9a1b-2d4f-4a6c-8e0b-1d3f5a7c9e42';

function aQuery(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CNAMECategoryIDs: [21, 80],
    Datetime: 1772459345250000000,
    DeviceID: '8e4a0c6b-54c3-11ef-8a1d-0a58a9feac23',
    Email: 'erin.walsh@acme-corp.example',
    InitialCategoryIDs: [26, 81],
    QueryCategoryIDs: [26, 81, 21, 80],
    QueryID: '6f0c2a4e-8b1d-4f3a-a5c7-9e1b3d5f7a05',
    QueryName: 'static.cdn-assets.example',
    ResolvedIPCategoryIDs: [],
    ResolverDecision: 'allowedOnNoPolicyMatch',
    SrcIP: '192.0.2.45',
    SrcIPCountryCode: 'GB',
    UserID: ERIN,
    ...overrides,
  };
}

function theEvent(result: MapResult): DnsRequestEvent {
  assert.equal(result.kind, 'events');
  const [event, ...rest] = result.kind === 'events' ? result.events : [];
  assert.deepEqual(rest, []);
  assert.ok(event?.type === 'dns_request');
  return event;
}

describe('mapGatewayDns', () => {
  it('maps a query field by field', () => {
    assert.deepEqual(mapGatewayDns(aQuery(), ctx), {
      kind: 'events',
      clientCountry: 'GB',
      events: [
        {
          id: '6f0c2a4e-8b1d-4f3a-a5c7-9e1b3d5f7a05:dns',
          accountId: 'acc',
          type: 'dns_request',
          timestamp: '2026-03-02T13:49:05.250Z',
          timeMs: 1772459345250,
          user: { id: ERIN, email: 'erin.walsh@acme-corp.example', name: 'erin.walsh@acme-corp.example' },
          ip: '192.0.2.45',
          deviceId: '8e4a0c6b-54c3-11ef-8a1d-0a58a9feac23',
          domain: 'static.cdn-assets.example',
          categoryIds: [26, 81, 21, 80],
          blocked: false,
          resolverDecision: 'allowedOnNoPolicyMatch',
          source: {
            kind: 'logpush',
            dataset: 'gateway_dns',
            recordId: '6f0c2a4e-8b1d-4f3a-a5c7-9e1b3d5f7a05',
          },
        },
      ],
    });
  });

  const categories: [string, Record<string, unknown>, number[]][] = [
    ['QueryCategoryIDs, not InitialCategoryIDs', { InitialCategoryIDs: [26] }, [26, 81, 21, 80]],
    ['an empty QueryCategoryIDs as no category', { QueryCategoryIDs: [] }, []],
    [
      'the union of the parts when QueryCategoryIDs is not exported',
      { QueryCategoryIDs: undefined },
      [26, 81, 21, 80],
    ],
    [
      'the union of the parts when QueryCategoryIDs is null',
      { QueryCategoryIDs: null, ResolvedIPCategoryIDs: [21, 117] },
      [26, 81, 21, 117, 80],
    ],
    ['numeric strings, without duplicates', { QueryCategoryIDs: ['21', 80, 80, 'x'] }, [21, 80]],
  ];
  for (const [name, overrides, expected] of categories) {
    it(`reads ${name}`, () =>
      assert.deepEqual(theEvent(mapGatewayDns(aQuery(overrides), ctx)).categoryIds, expected));
  }

  const decisions: [unknown, boolean][] = [
    ['blockedByCategory', true],
    ['blockedAlwaysCategory', true],
    ['blockedRule', true],
    ['blockedSomethingNew', true],
    ['allowedRule', false],
    ['overrideApplied', false],
    ['overrideForSafeSearch', false],
    ['', false],
    [null, false],
  ];
  for (const [ResolverDecision, blocked] of decisions) {
    it(`reads ResolverDecision ${JSON.stringify(ResolverDecision)} as ${blocked ? 'blocked' : 'allowed'}`, () => {
      assert.equal(theEvent(mapGatewayDns(aQuery({ ResolverDecision }), ctx)).blocked, blocked);
    });
  }

  const names: [string, string][] = [
    ['Static.CDN-Assets.Example.', 'static.cdn-assets.example'],
    ['.', '.'],
  ];
  for (const [QueryName, domain] of names) {
    it(`normalizes QueryName ${QueryName} to ${domain}`, () => {
      assert.equal(theEvent(mapGatewayDns(aQuery({ QueryName }), ctx)).domain, domain);
    });
  }

  it('omits an absent resolver decision, device and address', () => {
    const event = theEvent(
      mapGatewayDns(aQuery({ ResolverDecision: null, DeviceID: '', SrcIP: undefined }), ctx),
    );
    assert.equal('resolverDecision' in event, false);
    assert.equal('deviceId' in event, false);
    assert.equal('ip' in event, false);
  });

  const times: [string, unknown, number][] = [
    ['a unixnano string', '1772459345250999999', 1772459345250],
    ['an rfc3339ms string', '2026-03-02T13:49:05.250Z', 1772459345250],
    ['unix seconds', 1772459345, 1772459345000],
  ];
  for (const [name, Datetime, timeMs] of times) {
    it(`reads ${name} Datetime`, () =>
      assert.equal(theEvent(mapGatewayDns(aQuery({ Datetime }), ctx)).timeMs, timeMs));
  }

  it('reports a query without a name or a time as invalid, all problems at once', () => {
    assert.deepEqual(mapGatewayDns(aQuery({ QueryName: '', Datetime: 0 }), ctx), {
      kind: 'invalid',
      problems: [
        { message: 'is required', pointer: '/Datetime' },
        { message: 'is required', pointer: '/QueryName' },
      ],
    });
  });

  it('skips non-identity queries', () => {
    const result = mapGatewayDns(
      aQuery({ UserID: '', Email: 'non_identity@acme-corp.cloudflareaccess.com' }),
      ctx,
    );
    assert.equal(result.kind, 'skipped');
  });
});
