import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SignInEvent } from '../../domain/security-event.js';
import { mapAccessRequest } from './access-requests.js';
import type { MapResult } from './map-result.js';

const ctx = { accountId: 'acc' };
const ALICE = '3f1c2d4e-8b7a-4c1d-9e2f-6a5b4c3d2e1f';

function aLogin(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Action: 'login',
    Allowed: true,
    AppDomain: 'wiki.acme-corp.example',
    AppUUID: '6b1f0d2e-8c4a-4e3b-9f5d-2a7c1e0b8d64',
    Connection: 'okta',
    Country: 'US',
    CreatedAt: '2026-03-02T13:05:11Z',
    Email: 'alice.ng@acme-corp.example',
    IPAddress: '198.51.100.23',
    RayID: '8a1f2c3d4e5b6a70',
    UserUID: ALICE,
    ...overrides,
  };
}

function theEvent(result: MapResult): SignInEvent {
  assert.equal(result.kind, 'events');
  const [event, ...rest] = result.kind === 'events' ? result.events : [];
  assert.deepEqual(rest, []);
  assert.ok(event?.type === 'sign_in');
  return event;
}

describe('mapAccessRequest', () => {
  const outcomes: [string, Record<string, unknown>, SignInEvent['outcome']][] = [
    ['Allowed true', {}, 'success'],
    ['Allowed false', { Allowed: false }, 'failure'],
    ['Allowed "false" as a string', { Allowed: 'false' }, 'failure'],
    ['Action in upper case', { Action: 'LOGIN' }, 'success'],
  ];
  for (const [name, overrides, outcome] of outcomes) {
    it(`maps a login with ${name} to a ${outcome}`, () => {
      assert.equal(theEvent(mapAccessRequest(aLogin(overrides), ctx)).outcome, outcome);
    });
  }

  const skips: [string, Record<string, unknown>, string][] = [
    ['a logout', { Action: 'logout' }, 'Action "logout" is not a sign-in'],
    ['an unknown action', { Action: 'refresh' }, 'Action "refresh" is not a sign-in'],
    ['a missing action', { Action: undefined }, 'no Action: not a sign-in'],
    ['an empty action', { Action: '' }, 'no Action: not a sign-in'],
    ['a login without a user', { UserUID: '', Email: '' }, 'no real identity: empty user'],
    [
      'a non-identity login',
      { UserUID: '', Email: 'non_identity@acme-corp.cloudflareaccess.com' },
      'no real identity: non-identity traffic (non_identity@…)',
    ],
    [
      'a login with an email but no UUID',
      { UserUID: null },
      'no user UUID in UserUID: users are keyed by UUID, not email',
    ],
  ];
  for (const [name, overrides, reason] of skips) {
    it(`skips ${name}`, () => {
      assert.deepEqual(mapAccessRequest(aLogin(overrides), ctx), { kind: 'skipped', reason });
    });
  }

  const invalids: [string, Record<string, unknown>, { message: string; pointer: string }[]][] = [
    ['no time', { CreatedAt: undefined }, [{ message: 'is required', pointer: '/CreatedAt' }]],
    ['a null time', { CreatedAt: null }, [{ message: 'is required', pointer: '/CreatedAt' }]],
    [
      'no Allowed',
      { Allowed: null },
      [{ message: 'is required for a login (true or false)', pointer: '/Allowed' }],
    ],
    [
      'a bad user id, a bad time and no Allowed (all reported)',
      { UserUID: 'alice', CreatedAt: 'yesterday', Allowed: undefined },
      [
        { message: 'must be a UUID', pointer: '/UserUID' },
        { message: 'is neither an RFC 3339 date-time nor a Unix timestamp', pointer: '/CreatedAt' },
        { message: 'is required for a login (true or false)', pointer: '/Allowed' },
      ],
    ],
  ];
  for (const [name, overrides, problems] of invalids) {
    it(`reports a login with ${name} as invalid`, () => {
      assert.deepEqual(mapAccessRequest(aLogin(overrides), ctx), { kind: 'invalid', problems });
    });
  }

  const times: [string, unknown][] = [
    ['rfc3339', '2026-03-02T13:05:11Z'],
    ['rfc3339ms', '2026-03-02T13:05:11.000Z'],
    ['unix', 1772456711],
    ['unix as a string', '1772456711'],
    ['unixnano', 1772456711000000000],
    ['unixnano as a string', '1772456711000000000'],
  ];
  for (const [format, CreatedAt] of times) {
    it(`reads a ${format} CreatedAt`, () => {
      const event = theEvent(mapAccessRequest(aLogin({ CreatedAt }), ctx));
      assert.equal(event.timestamp, '2026-03-02T13:05:11.000Z');
      assert.equal(event.timeMs, Date.UTC(2026, 2, 2, 13, 5, 11));
    });
  }

  it('leaves out empty optional fields and an unusable country', () => {
    const result = mapAccessRequest(
      aLogin({ AppDomain: '', Connection: null, IPAddress: undefined, Country: 'usa', Extra: { x: 1 } }),
      ctx,
    );
    assert.deepEqual(result, {
      kind: 'events',
      events: [
        {
          id: '8a1f2c3d4e5b6a70:signin',
          accountId: 'acc',
          type: 'sign_in',
          timestamp: '2026-03-02T13:05:11.000Z',
          timeMs: Date.UTC(2026, 2, 2, 13, 5, 11),
          user: { id: ALICE, email: 'alice.ng@acme-corp.example', name: 'alice.ng@acme-corp.example' },
          outcome: 'success',
          source: { kind: 'logpush', dataset: 'access_requests', recordId: '8a1f2c3d4e5b6a70' },
        },
      ],
    });
  });

  it('upper-cases a lowercase country', () => {
    const result = mapAccessRequest(aLogin({ Country: 'gb' }), ctx);
    assert.equal(result.kind === 'events' && result.clientCountry, 'GB');
  });

  it('derives a stable hash id when RayID is empty', () => {
    const first = theEvent(mapAccessRequest(aLogin({ RayID: '' }), ctx));
    const second = theEvent(mapAccessRequest(aLogin({ RayID: '' }), ctx));
    assert.match(first.id, /^sha256-[0-9a-f]{32}:signin$/);
    assert.equal(second.id, first.id);
    assert.deepEqual(first.source, { kind: 'logpush', dataset: 'access_requests' });
    const other = theEvent(mapAccessRequest(aLogin({ RayID: '', CreatedAt: '2026-03-02T13:05:12Z' }), ctx));
    assert.notEqual(other.id, first.id);
  });
});
