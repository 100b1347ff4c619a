import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GeoOverridesFileError, loadOverridesFile, parseOverrides } from './overrides.js';

const fixturePath = fileURLToPath(new URL('./testdata/logpush-fixtures.overrides.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ztrisk-geo-overrides-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(json: unknown) {
  const parsed = parseOverrides(json);
  assert.ok('problems' in parsed, 'expected problems');
  return parsed.problems;
}

describe('parseOverrides', () => {
  it('accepts locations and ignores, normalising CIDRs and country codes', () => {
    const parsed = parseOverrides({
      note: 'ours',
      overrides: [
        {
          cidr: '198.51.100.0/24',
          location: { lat: 40.7128, lon: -74.006, city: 'New York', country: 'us' },
        },
        { cidr: '2001:DB8:0100::/48', ignore: true, note: 'corporate VPN egress' },
        { cidr: '192.0.2.45', location: { lat: 51.5074, lon: -0.1278, accuracyKm: 5, region: 'England' } },
      ],
    });
    assert.deepEqual(parsed, {
      overrides: [
        {
          cidr: '198.51.100.0/24',
          location: { lat: 40.7128, lon: -74.006, city: 'New York', country: 'US' },
        },
        { cidr: '2001:db8:100::/48', ignore: true, note: 'corporate VPN egress' },
        { cidr: '192.0.2.45/32', location: { lat: 51.5074, lon: -0.1278, accuracyKm: 5, region: 'England' } },
      ],
    });
  });

  it('accepts an empty list', () => {
    assert.deepEqual(parseOverrides({ overrides: [] }), { overrides: [] });
  });

  const invalid: [string, unknown, { pointer: string; message: RegExp }[]][] = [
    ['a non-object document', [], [{ pointer: '', message: /must be an object with an "overrides" array/ }]],
    ['a missing list', {}, [{ pointer: '/overrides', message: /is required/ }]],
    [
      'a list that is not an array',
      { overrides: {} },
      [{ pointer: '/overrides', message: /must be an array/ }],
    ],
    [
      'an unknown top-level member',
      { overrides: [], overide: [] },
      [{ pointer: '/overide', message: /unknown member; allowed: "overrides", "note"/ }],
    ],
    [
      'an entry that is not an object',
      { overrides: ['10.0.0.0/8'] },
      [{ pointer: '/overrides/0', message: /must be an object/ }],
    ],
    [
      'a bad CIDR',
      { overrides: [{ cidr: '198.51.100.0/33', ignore: true }] },
      [
        {
          pointer: '/overrides/0/cidr',
          message: /"198\.51\.100\.0\/33" is not a valid CIDR: prefix length must be/,
        },
      ],
    ],
    [
      'host bits set',
      { overrides: [{ cidr: '198.51.100.7/24', ignore: true }] },
      [{ pointer: '/overrides/0/cidr', message: /the network is 198\.51\.100\.0\/24/ }],
    ],
    [
      'a missing CIDR',
      { overrides: [{ ignore: true }] },
      [{ pointer: '/overrides/0/cidr', message: /is required/ }],
    ],
    [
      'both location and ignore',
      { overrides: [{ cidr: '10.0.0.0/8', ignore: true, location: { lat: 0, lon: 0 } }] },
      [{ pointer: '/overrides/0', message: /has both "location" and "ignore"/ }],
    ],
    [
      'neither location nor ignore',
      { overrides: [{ cidr: '10.0.0.0/8' }] },
      [{ pointer: '/overrides/0', message: /needs either "location" or "ignore": true/ }],
    ],
    [
      'ignore: false',
      { overrides: [{ cidr: '10.0.0.0/8', ignore: false }] },
      [{ pointer: '/overrides/0/ignore', message: /must be true/ }],
    ],
    [
      'latitude and longitude out of range',
      { overrides: [{ cidr: '10.0.0.0/8', location: { lat: 91, lon: -180.5 } }] },
      [
        { pointer: '/overrides/0/location/lat', message: /from -90 to 90 \(degrees\)/ },
        { pointer: '/overrides/0/location/lon', message: /from -180 to 180 \(degrees\)/ },
      ],
    ],
    [
      'a misspelt longitude',
      { overrides: [{ cidr: '10.0.0.0/8', location: { lat: 1, lng: 2 } }] },
      [
        { pointer: '/overrides/0/location/lng', message: /unknown member \(did you mean "lon"\?\)/ },
        { pointer: '/overrides/0/location/lon', message: /is required/ },
      ],
    ],
    [
      'a bad country and accuracy',
      { overrides: [{ cidr: '10.0.0.0/8', location: { lat: 1, lon: 2, country: 'USA', accuracyKm: -1 } }] },
      [
        { pointer: '/overrides/0/location/accuracyKm', message: /must be a number from 0/ },
        { pointer: '/overrides/0/location/country', message: /ISO 3166-1 alpha-2/ },
      ],
    ],
    [
      'the same network twice (in different spellings)',
      {
        overrides: [
          { cidr: '2001:db8::/32', ignore: true },
          { cidr: '2001:0DB8::/32', ignore: true },
        ],
      },
      [
        {
          pointer: '/overrides/1/cidr',
          message: /network 2001:db8::\/32 is already given at \/overrides\/0/,
        },
      ],
    ],
  ];
  for (const [what, json, expected] of invalid) {
    it(`reports ${what}`, () => {
      const problems = problemsOf(json);
      assert.deepEqual(
        problems.map((p) => p.pointer),
        expected.map((e) => e.pointer),
      );
      problems.forEach((problem, i) => {
        assert.match(problem.message, expected[i]?.message ?? /^$/);
      });
    });
  }

  it('reports every problem of every entry at once', () => {
    const problems = problemsOf({
      overrides: [
        { cidr: 'nope', ignore: true },
        { cidr: '10.0.0.0/8', location: { lat: 'x', lon: 0 } },
      ],
    });
    assert.deepEqual(
      problems.map((p) => p.pointer),
      ['/overrides/0/cidr', '/overrides/1/location/lat'],
    );
  });
});

describe('loadOverridesFile', () => {
  it('loads the Logpush fixture stubs', () => {
    const overrides = loadOverridesFile(fixturePath);
    assert.equal(overrides.length, 6);
    assert.deepEqual(overrides[0], {
      cidr: '198.51.100.23/32',
      location: { lat: 40.7128, lon: -74.006, city: 'New York', country: 'US' },
    });
  });

  it('names the file and every problem with its pointer', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({ overrides: [{ cidr: '10.0.0.1/8', location: { lat: 100, lon: 0 } }] }),
    );
    assert.throws(
      () => loadOverridesFile(path),
      (error: unknown) => {
        assert.ok(error instanceof GeoOverridesFileError);
        assert.equal(error.path, path);
        assert.match(error.message, new RegExp(`invalid geolocation overrides file ${path}:`));
        assert.match(error.message, /\/overrides\/0\/cidr: "10\.0\.0\.1\/8" is not a valid CIDR/);
        assert.match(error.message, /\/overrides\/0\/location\/lat: must be a number from -90 to 90/);
        assert.equal(error.problems.length, 2);
        return true;
      },
    );
  });

  it('explains a JSON syntax error', () => {
    const path = join(dir, 'syntax.json');
    writeFileSync(path, '{ "overrides": [ }');
    assert.throws(
      () => loadOverridesFile(path),
      /invalid geolocation overrides file .*syntax\.json:\n {2}not valid JSON: /,
    );
  });

  it('explains a missing file', () => {
    assert.throws(
      () => loadOverridesFile(join(dir, 'missing.json')),
      /invalid geolocation overrides file .*missing\.json:\n {2}cannot read the file: ENOENT/,
    );
  });
});
