import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EARTH_RADIUS_KM, greatCircleDistanceKm, isValidLatLon } from './geo.js';

const NEW_YORK = { lat: 40.7128, lon: -74.006 };
const TOKYO = { lat: 35.6762, lon: 139.6503 };
const LONDON = { lat: 51.5074, lon: -0.1278 };

describe('greatCircleDistanceKm', () => {
  const cases = [
    { name: 'New York to Tokyo is about 10,850 km', a: NEW_YORK, b: TOKYO, km: 10_852, toleranceKm: 5 },
    { name: 'New York to London is about 5,570 km', a: NEW_YORK, b: LONDON, km: 5_570, toleranceKm: 5 },
    { name: 'a point to itself is 0 km', a: LONDON, b: LONDON, km: 0, toleranceKm: 0 },
    {
      name: 'antipodes are half the circumference apart',
      a: { lat: 0, lon: 0 },
      b: { lat: 0, lon: 180 },
      km: Math.PI * EARTH_RADIUS_KM,
      toleranceKm: 1e-6,
    },
    {
      name: 'one degree along the equator is R·π/180',
      a: { lat: 0, lon: 10 },
      b: { lat: 0, lon: 11 },
      km: (EARTH_RADIUS_KM * Math.PI) / 180,
      toleranceKm: 1e-6,
    },
    {
      name: 'across the antimeridian takes the short way',
      a: { lat: 0, lon: 179.5 },
      b: { lat: 0, lon: -179.5 },
      km: 111.2,
      toleranceKm: 0.1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const km = greatCircleDistanceKm(c.a, c.b);
      assert.ok(Math.abs(km - c.km) <= c.toleranceKm, `${km} not within ${c.toleranceKm} of ${c.km}`);
    });
  }

  it('is symmetric', () => {
    assert.equal(greatCircleDistanceKm(NEW_YORK, TOKYO), greatCircleDistanceKm(TOKYO, NEW_YORK));
  });
});

describe('isValidLatLon', () => {
  const cases = [
    { point: NEW_YORK, valid: true },
    { point: { lat: 90, lon: 180 }, valid: true },
    { point: { lat: 90.1, lon: 0 }, valid: false },
    { point: { lat: 0, lon: -180.5 }, valid: false },
    { point: { lat: Number.NaN, lon: 0 }, valid: false },
    { point: { lat: 0, lon: Number.POSITIVE_INFINITY }, valid: false },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.point)} is ${c.valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(isValidLatLon(c.point), c.valid);
    });
  }
});
