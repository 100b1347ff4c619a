import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEvidence, formatDuration, roundSignificant } from './evidence.js';

describe('describeEvidence', () => {
  const cases: readonly [string, string, Record<string, unknown>, string][] = [
    [
      'impossible travel with distance, speed, limit and addresses',
      'imp_travel',
      {
        from: { city: 'New York', country: 'US', ip: '198.51.100.7', location_source: 'event' },
        to: { city: 'Tokyo', country: 'JP', ip: '203.0.113.5', location_source: 'geoip' },
        distance_km: 10_853.2,
        elapsed_minutes: 31,
        speed_kmh: 21_006.2,
        min_speed_kmh: 1000,
      },
      'Signed in from Tokyo, JP 31 min after New York, US: 10,850 km, 21,000 km/h; faster than the 1,000 km/h limit (198.51.100.7 → 203.0.113.5).',
    ],
    [
      'impossible travel at the same instant, places by coordinates',
      'imp_travel',
      {
        from: { lat: 1.234, lon: 2 },
        to: { country: 'FR' },
        distance_km: 800,
        elapsed_minutes: 0,
        speed_kmh: null,
      },
      'Signed in from FR 0 s after 1.23, 2.00: 800 km, at the same instant.',
    ],
    [
      'a DLP burst with profiles',
      'high_dlp',
      {
        count: 17,
        min_count: 15,
        window_seconds: 60,
        profiles: [{ id: 'p1', name: 'Credit cards' }, { id: 'p2' }],
      },
      '17 DLP matches within 60 s (threshold 15); profiles: Credit cards, p2.',
    ],
    [
      'failed sign-ins',
      'failed_logins',
      { count: 6, min_count: 5, window_minutes: 10, ips: ['192.0.2.1'], apps: ['vpn.example.com'] },
      '6 failed sign-ins within 10 min (threshold 5) from 192.0.2.1 to vpn.example.com.',
    ],
    [
      'SentinelOne',
      'sentinel_one',
      { device_id: 'dev-1', check_name: 'S1', active_threats: 2, infected: true },
      'SentinelOne reports 2 active threats, infected on device dev-1 (check “S1”).',
    ],
    [
      'CrowdStrike low band',
      'crowdstrike_low_zta',
      { device_id: 'dev-2', band: 'low', worst_score: 31, overall: 31, os: 70, low_max_score: 50 },
      'CrowdStrike ZTA score 31 (low band 0–50) on device dev-2: overall 31, OS 70.',
    ],
    [
      'CrowdStrike medium band',
      'crowdstrike_medium_zta',
      { band: 'medium', worst_score: 60, low_max_score: 50, medium_max_score: 79 },
      'CrowdStrike ZTA score 60 (medium band 51–79) on the device.',
    ],
    [
      'a blocked malicious download',
      'malicious_file',
      {
        direction: 'download',
        file_name: 'invoice.exe',
        reason: 'malware',
        host: 'files.example',
        blocked: true,
      },
      'Downloaded invoice.exe, flagged malicious (malware), from files.example; blocked by Gateway, still counted.',
    ],
    [
      'a security-risk DNS query',
      'security_risk_domain',
      { request_type: 'dns', domain: 'c2.example', matched_category_ids: [80, 117], blocked: false },
      'Resolved c2.example, a security-risk domain (categories 80, 117); allowed by Gateway.',
    ],
    [
      'a high-risk visit',
      'high_risk_domain',
      { request_type: 'http', domain: 'gore.example', matched_category_ids: [165] },
      'Visited gore.example, a high-risk content domain (categories 165).',
    ],
    ['an unknown behavior', 'something_new', { x: 1 }, 'See the recorded details.'],
    [
      'travel with no details at all',
      'imp_travel',
      {},
      'Signed in from an unknown place after an unknown place.',
    ],
  ];
  for (const [label, behavior, details, expected] of cases) {
    it(label, () => {
      assert.equal(describeEvidence(behavior, details).summary, expected);
    });
  }

  it('reports the places of a travel with their location sources', () => {
    const { places } = describeEvidence('imp_travel', {
      from: { city: 'Oslo', location_source: 'override' },
      to: { city: 'Lima', location_source: 'geoip' },
    });
    assert.deepEqual(places, [
      { label: 'Oslo', source: 'override' },
      { label: 'Lima', source: 'geoip' },
    ]);
  });
});

describe('formatting', () => {
  const durations: readonly [number, string][] = [
    [0.5, '30 s'],
    [31, '31 min'],
    [60, '1 h'],
    [135, '2 h 15 min'],
    [4320, '3.0 days'],
  ];
  for (const [minutes, expected] of durations) {
    it(`${minutes} min reads ${expected}`, () => {
      assert.equal(formatDuration(minutes), expected);
    });
  }

  it('rounds to three significant digits', () => {
    assert.equal(roundSignificant(21_006.2), 21_000);
    assert.equal(roundSignificant(1234), 1230);
    assert.equal(roundSignificant(987.6), 988);
    assert.equal(roundSignificant(12.3), 12);
  });
});
