import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareEventTime,
  type GeoLocation,
  isSecurityEventType,
  SECURITY_EVENT_TYPES,
  type SignInEvent,
  travelLocation,
} from './security-event.js';

const TOKYO: GeoLocation = { lat: 35.6762, lon: 139.6503, city: 'Tokyo', country: 'JP', source: 'geoip' };

function aSignIn(o: Partial<SignInEvent>): SignInEvent {
  return {
    id: 'e1',
    accountId: 'a1',
    type: 'sign_in',
    timestamp: '2026-03-02T13:05:11.000Z',
    timeMs: Date.parse('2026-03-02T13:05:11.000Z'),
    user: { id: '3f1c2d4e-8b7a-4c1d-9e2f-6a5b4c3d2e1f', email: 'alice.ng@acme-corp.example', name: 'Alice' },
    outcome: 'success',
    source: { kind: 'events' },
    ...o,
  };
}

describe('compareEventTime', () => {
  it('orders by event time first', () => {
    assert.ok(compareEventTime({ timeMs: 1, id: 'z' }, { timeMs: 2, id: 'a' }) < 0);
    assert.ok(compareEventTime({ timeMs: 2, id: 'a' }, { timeMs: 1, id: 'z' }) > 0);
  });
  it('breaks ties by id so that the order is total', () => {
    assert.ok(compareEventTime({ timeMs: 1, id: 'a' }, { timeMs: 1, id: 'b' }) < 0);
    assert.ok(compareEventTime({ timeMs: 1, id: 'b' }, { timeMs: 1, id: 'a' }) > 0);
    assert.equal(compareEventTime({ timeMs: 1, id: 'a' }, { timeMs: 1, id: 'a' }), 0);
  });
});

describe('travelLocation', () => {
  it('is the location of an ordinary event', () => {
    assert.deepEqual(travelLocation(aSignIn({ location: TOKYO })), TOKYO);
  });
  it('is unknown for a travel-ignored address, even if a location slipped through', () => {
    assert.equal(travelLocation(aSignIn({ location: TOKYO, travelIgnored: true })), undefined);
  });
  it('is unknown without a location', () => {
    assert.equal(travelLocation(aSignIn({})), undefined);
  });
});

describe('isSecurityEventType', () => {
  it('accepts every listed type and nothing else', () => {
    for (const type of SECURITY_EVENT_TYPES) assert.ok(isSecurityEventType(type));
    for (const other of ['logout', 'SIGN_IN', '', 3, undefined])
      assert.equal(isSecurityEventType(other), false);
  });
});
