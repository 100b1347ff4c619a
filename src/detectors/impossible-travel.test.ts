import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EARTH_RADIUS_KM } from '../domain/geo.js';
import type { GeoLocation, SignInEvent } from '../domain/security-event.js';
import { assessTravel, impossibleTravel } from './impossible-travel.js';
import {
  aContext,
  aFailedSignIn,
  aSignIn,
  detectWith,
  ingest,
  oneByOne,
  PLACES,
  permutations,
  USERS,
} from './test-builders.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 10);
const KM_PER_DEGREE = (EARTH_RADIUS_KM * Math.PI) / 180;

/** A point on the equator `km` east of 0°, with an exact accuracy radius (0 unless given). */
function equatorAt(km: number, accuracyKm = 0): GeoLocation {
  return { lat: 0, lon: km / KM_PER_DEGREE, accuracyKm, source: 'event' };
}

function pair(from: GeoLocation, to: GeoLocation, elapsedMs: number): [SignInEvent, SignInEvent] {
  return [
    aSignIn({ id: 'a', at: T0, location: from }),
    aSignIn({ id: 'b', at: T0 + elapsedMs, location: to }),
  ];
}

function fires(events: readonly SignInEvent[]): boolean {
  return ingest(impossibleTravel, [events]).length > 0;
}

describe('imp_travel', () => {
  describe('fixture scenarios (LOGPUSH.md §8)', () => {
    const aliceNy = aSignIn({
      id: 'ray-8a1f2c3d4e5b6a70',
      user: USERS.alice,
      at: '2026-03-02T13:05:11Z',
      ip: '198.51.100.23',
      location: PLACES.newYork,
    });
    const aliceTokyo = aSignIn({
      id: 'ray-8a1f4b9e0c2d7a11',
      user: USERS.alice,
      at: '2026-03-02T13:35:42Z',
      ip: '203.0.113.77',
      location: PLACES.tokyo,
    });

    it('alice, New York 13:05:11Z then Tokyo 13:35:42Z, fires with about 10,850 km', () => {
      const findings = ingest(impossibleTravel, oneByOne([aliceNy, aliceTokyo]));
      assert.equal(findings.length, 1);
      const [finding] = findings;
      assert.ok(finding);
      assert.equal(finding.behavior, 'imp_travel');
      assert.equal(finding.userId, USERS.alice.id);
      assert.equal(finding.timestamp, '2026-03-02T13:35:42.000Z');
      assert.equal(finding.dedupeKey, 'imp_travel:ray-8a1f2c3d4e5b6a70:ray-8a1f4b9e0c2d7a11');
      const d = finding.details;
      assert.ok(Math.abs((d.distance_km as number) - 10_850) < 10, `distance ${d.distance_km}`);
      assert.equal(d.effective_distance_km, Math.round(((d.distance_km as number) - 100) * 10) / 10);
      assert.equal(d.elapsed_minutes, 30.52);
      assert.equal(d.elapsed_hours, 0.5086);
      assert.ok((d.speed_kmh as number) > 21_000 && (d.speed_kmh as number) < 21_300, `speed ${d.speed_kmh}`);
      assert.deepEqual(d.source_event_ids, ['ray-8a1f2c3d4e5b6a70', 'ray-8a1f4b9e0c2d7a11']);
      assert.deepEqual(d.from, {
        event_id: 'ray-8a1f2c3d4e5b6a70',
        timestamp: '2026-03-02T13:05:11.000Z',
        ip: '198.51.100.23',
        city: 'New York',
        country: 'US',
        lat: 40.7128,
        lon: -74.006,
        accuracy_km: undefined,
        location_source: 'geoip',
      });
      assert.equal((d.to as Record<string, unknown>).city, 'Tokyo');
    });

    it("alice's pair gives the same finding whichever sign-in arrives last", () => {
      assert.deepEqual(
        ingest(impossibleTravel, oneByOne([aliceTokyo, aliceNy])),
        ingest(impossibleTravel, oneByOne([aliceNy, aliceTokyo])),
      );
    });

    it('dave, New York 04:30 then London 13:58 (about 590 km/h), does not fire', () => {
      const events = [
        aSignIn({ user: USERS.dave, at: '2026-03-02T04:30:00Z', location: PLACES.newYork }),
        aSignIn({ user: USERS.dave, at: '2026-03-02T13:58:27Z', location: PLACES.london }),
      ];
      const travel = assessTravel(
        PLACES.newYork,
        PLACES.london,
        9.474 * HOUR_MS,
        DEFAULT_THRESHOLDS.impossibleTravel,
      );
      assert.ok(Math.abs(travel.distanceKm / 9.474 - 590) < 5);
      assert.deepEqual(ingest(impossibleTravel, oneByOne(events)), []);
    });

    it('carol, two London sign-ins, does not fire', () => {
      const events = [
        aSignIn({ user: USERS.carol, at: '2026-03-02T09:12:30Z', location: PLACES.london }),
        aSignIn({ user: USERS.carol, at: '2026-03-02T11:47:05Z', location: PLACES.london }),
      ];
      assert.deepEqual(ingest(impossibleTravel, [events]), []);
    });
  });

  describe('thresholds', () => {
    const km = 1000.5;
    const justInTime = (km / 1000) * HOUR_MS;
    const cases = [
      {
        name: 'just over 1,000 km/h fires',
        events: pair(equatorAt(0), equatorAt(km), justInTime * 0.999),
        fires: true,
      },
      {
        name: 'just under 1,000 km/h does not fire',
        events: pair(equatorAt(0), equatorAt(km), justInTime * 1.001),
        fires: false,
      },
      { name: 'just over 500 km fires', events: pair(equatorAt(0), equatorAt(500.5), 60_000), fires: true },
      {
        name: 'just under 500 km does not fire',
        events: pair(equatorAt(0), equatorAt(499.5), 60_000),
        fires: false,
      },
      {
        name: 'default accuracy (50 km per point) takes 550 km below 500',
        events: pair(
          { ...equatorAt(0), accuracyKm: undefined },
          { ...equatorAt(550), accuracyKm: undefined },
          60_000,
        ),
        fires: false,
      },
      {
        name: 'stated accuracy of 10 km per point leaves 530 km',
        events: pair(equatorAt(0, 10), equatorAt(550, 10), 60_000),
        fires: true,
      },
      {
        name: 'uncertainty lowers the speed too: New York to London in 5.5 h with default accuracy',
        events: pair(PLACES.newYork, PLACES.london, 5.5 * HOUR_MS),
        fires: false,
      },
      {
        name: 'New York to London in 5.5 h with exact locations is too fast',
        events: pair(
          { ...PLACES.newYork, accuracyKm: 0 },
          { ...PLACES.london, accuracyKm: 0 },
          5.5 * HOUR_MS,
        ),
        fires: true,
      },
      {
        name: 'zero elapsed time with real distance fires',
        events: pair(PLACES.newYork, PLACES.tokyo, 0),
        fires: true,
      },
      {
        name: 'zero elapsed time in the same place does not fire',
        events: pair(PLACES.tokyo, PLACES.tokyo, 0),
        fires: false,
      },
    ];
    for (const c of cases) it(c.name, () => assert.equal(fires(c.events), c.fires));

    it('reports an instantaneous jump with speed null (JSON has no Infinity)', () => {
      const [finding] = ingest(impossibleTravel, [pair(PLACES.newYork, PLACES.tokyo, 0)]);
      assert.equal(finding?.details.speed_kmh, null);
      assert.equal(finding?.details.elapsed_minutes, 0);
    });

    it('follows the account thresholds', () => {
      const thresholds = {
        ...DEFAULT_THRESHOLDS,
        impossibleTravel: { minSpeedKmh: 500, minDistanceKm: 500, defaultAccuracyKm: 50 },
      };
      const [ny, london] = pair(PLACES.newYork, PLACES.london, 9.474 * HOUR_MS);
      assert.equal(ingest(impossibleTravel, [[ny, london]], aContext(thresholds)).length, 1);
    });
  });

  describe('which sign-ins count', () => {
    it('never counts failed sign-ins', () => {
      const events = [
        aSignIn({ at: T0, location: PLACES.newYork }),
        aFailedSignIn({ at: T0 + 60_000, location: PLACES.tokyo }),
      ];
      assert.equal(fires(events), false);
    });

    it('never fires for an unknown place, and compares across it', () => {
      const ny = aSignIn({ id: 'ny', at: T0, location: PLACES.newYork });
      const unknown = aSignIn({ id: 'unknown', at: T0 + 10 * 60_000 });
      const vpn = aSignIn({ id: 'vpn', at: T0 + 20 * 60_000, ip: '192.0.2.99', travelIgnored: true });
      const tokyo = aSignIn({ id: 'tokyo', at: T0 + 30 * 60_000, location: PLACES.tokyo });
      assert.equal(impossibleTravel.accepts(unknown), false);
      assert.equal(impossibleTravel.accepts(vpn), false);
      const findings = ingest(impossibleTravel, oneByOne([ny, unknown, vpn, tokyo]));
      assert.deepEqual(
        findings.map((f) => f.dedupeKey),
        ['imp_travel:ny:tokyo'],
      );
    });

    it('never counts a travel-ignored address even when it has a location', () => {
      const events = [
        aSignIn({ at: T0, location: PLACES.newYork }),
        aSignIn({ at: T0 + 60_000, location: PLACES.tokyo, travelIgnored: true }),
      ];
      assert.equal(fires(events), false);
    });

    it('ignores invalid coordinates', () => {
      const events = [
        aSignIn({ at: T0, location: PLACES.newYork }),
        aSignIn({ at: T0 + 60_000, location: { lat: 95, lon: 0, source: 'event' } }),
      ];
      assert.equal(fires(events), false);
    });

    it('compares a sign-in landing between two others with both', () => {
      const london1 = aSignIn({ id: 'l1', at: T0, location: PLACES.london });
      const london2 = aSignIn({ id: 'l2', at: T0 + 10 * HOUR_MS, location: PLACES.london });
      const tokyo = aSignIn({ id: 't', at: T0 + 5 * HOUR_MS, location: PLACES.tokyo });
      const findings = detectWith(impossibleTravel, tokyo, [london1, london2]);
      assert.deepEqual(
        findings.map((f) => [f.dedupeKey, f.timestamp]),
        [
          ['imp_travel:l1:t', '2026-03-02T15:00:00.000Z'],
          ['imp_travel:l2:t', '2026-03-02T20:00:00.000Z'],
        ],
      );
    });

    it('compares with the nearest neighbours only, not with older sign-ins', () => {
      const tokyo = aSignIn({ id: 't', at: T0, location: PLACES.tokyo });
      const ny1 = aSignIn({ id: 'n1', at: T0 + 30 * 60_000, location: PLACES.newYork });
      const ny2 = aSignIn({ id: 'n2', at: T0 + 40 * 60_000, location: PLACES.newYork });
      assert.deepEqual(detectWith(impossibleTravel, ny2, [tokyo, ny1]), []);
    });

    it('does not compare a sign-in with itself or with duplicates of itself', () => {
      const ny = aSignIn({ id: 'n', at: T0, location: PLACES.newYork });
      const moved = { ...ny, location: PLACES.tokyo };
      assert.deepEqual(impossibleTravel.detect(ny, [ny, moved, ny], aContext()), []);
    });
  });

  describe('arrival order', () => {
    const ny1 = aSignIn({ id: 'ny1', at: T0, location: PLACES.newYork });
    const tokyo = aSignIn({ id: 'tokyo', at: T0 + 30 * 60_000, location: PLACES.tokyo });
    const ny2 = aSignIn({ id: 'ny2', at: T0 + 90 * 60_000, location: PLACES.newYork });
    for (const order of permutations([ny1, tokyo, ny2])) {
      it(`records the same pairs when sign-ins arrive ${order.map((e) => e.id).join(', ')}`, () => {
        const keys = ingest(impossibleTravel, oneByOne(order)).map((f) => f.dedupeKey);
        assert.deepEqual(keys.sort(), ['imp_travel:ny1:tokyo', 'imp_travel:ny2:tokyo']);
      });
    }

    it('gives the same findings when detection runs twice', () => {
      assert.deepEqual(
        detectWith(impossibleTravel, tokyo, [ny1, ny2]),
        detectWith(impossibleTravel, tokyo, [ny1, ny2, ny1]),
      );
    });

    it('limit: a sign-in arriving late between two compared ones adds its own pair', () => {
      const tokyoEarlier = aSignIn({ id: 'tokyo0', at: T0 + 20 * 60_000, location: PLACES.tokyo });
      const late = ingest(impossibleTravel, oneByOne([ny1, tokyo, tokyoEarlier])).map((f) => f.dedupeKey);
      assert.deepEqual(late.sort(), ['imp_travel:ny1:tokyo', 'imp_travel:ny1:tokyo0']);
      const together = ingest(impossibleTravel, [[ny1, tokyo, tokyoEarlier]]).map((f) => f.dedupeKey);
      assert.deepEqual(together, ['imp_travel:ny1:tokyo0']);
    });
  });

  it('asks for the nearest located successful sign-in on each side', () => {
    const event = aSignIn({ id: 'x', at: T0, location: PLACES.london });
    assert.deepEqual(impossibleTravel.history(event, DEFAULT_THRESHOLDS), [
      {
        kind: 'neighbours',
        types: ['sign_in'],
        aroundMs: T0,
        aroundId: 'x',
        count: 1,
        filter: { outcome: 'success', travelLocated: true },
      },
    ]);
  });
});
