import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CITY_ACCURACY_KM, DEFAULT_COUNTRY_ACCURACY_KM, normaliseCityRecord } from './city-record.js';

describe('normaliseCityRecord', () => {
  it('normalises the ip-location-db (DB-IP Lite) shape with the default city accuracy', () => {
    const record = {
      city: 'Mountain View',
      country_code: 'US',
      latitude: 37.422000885009766,
      longitude: -122.08499908447266,
      postcode: '',
      state1: 'California',
      state2: '',
      timezone: '',
    };
    assert.deepEqual(normaliseCityRecord(record), {
      lat: 37.422,
      lon: -122.085,
      country: 'US',
      city: 'Mountain View',
      region: 'California',
      accuracyKm: DEFAULT_CITY_ACCURACY_KM,
      source: 'geoip',
    });
  });

  it('normalises a GeoLite2 City record, keeping its accuracy radius', () => {
    const record = {
      city: { geoname_id: 2643743, names: { de: 'London', en: 'London', fr: 'Londres' } },
      continent: { code: 'EU', geoname_id: 6255148, names: { en: 'Europe' } },
      country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom' } },
      location: { accuracy_radius: 100, latitude: 51.5142, longitude: -0.0931, time_zone: 'Europe/London' },
      postal: { code: 'EC2V' },
      registered_country: { geoname_id: 6252001, iso_code: 'US', names: { en: 'United States' } },
      subdivisions: [{ geoname_id: 6269131, iso_code: 'ENG', names: { en: 'England' } }],
    };
    assert.deepEqual(normaliseCityRecord(record), {
      lat: 51.5142,
      lon: -0.0931,
      country: 'GB',
      city: 'London',
      region: 'England',
      accuracyKm: 100,
      source: 'geoip',
    });
  });

  it('gives a country-level record (no city) the country accuracy', () => {
    const record = {
      country: { iso_code: 'de', names: { en: 'Germany' } },
      location: { latitude: 51.2993, longitude: 9.491 },
    };
    assert.deepEqual(normaliseCityRecord(record), {
      lat: 51.2993,
      lon: 9.491,
      country: 'DE',
      accuracyKm: DEFAULT_COUNTRY_ACCURACY_KM,
      source: 'geoip',
    });
  });

  it('uses another language when a GeoIP2 name has no English form', () => {
    const location = normaliseCityRecord({
      city: { names: { ja: '東京' } },
      location: { latitude: 35.6, longitude: 139.7 },
    });
    assert.equal(location?.city, '東京');
  });

  const unusable: [string, unknown][] = [
    ['null', null],
    ['a string', 'US'],
    ['no coordinates (GeoLite2 country only)', { country: { iso_code: 'US' } }],
    ['latitude out of range', { latitude: 91, longitude: 0, country_code: 'US' }],
    ['coordinates as strings', { latitude: '40.7', longitude: '-74', country_code: 'US' }],
    ['non-finite longitude', { location: { latitude: 1, longitude: Number.NaN } }],
  ];
  for (const [what, record] of unusable) {
    it(`returns undefined for ${what}`, () => {
      assert.equal(normaliseCityRecord(record), undefined);
    });
  }

  it('drops a country that is not two letters and empty names', () => {
    const location = normaliseCityRecord({
      latitude: 1,
      longitude: 2,
      country_code: 'USA',
      city: ' ',
      state1: '',
    });
    assert.deepEqual(location, { lat: 1, lon: 2, accuracyKm: DEFAULT_COUNTRY_ACCURACY_KM, source: 'geoip' });
  });
});
