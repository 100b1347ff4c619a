import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SecurityEvent } from '../../domain/security-event.js';
import { LOGPUSH_DATASETS, type LogpushDataset } from './datasets.js';
import { type MapResult, mapLogpushRecord } from './map-record.js';

const ctx = { accountId: '5f3c9a1e7b2d4c6e8f0a1b2c3d4e5f60' };

const ALICE = '3f1c2d4e-8b7a-4c1d-9e2f-6a5b4c3d2e1f';
const BOB = '7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
const CAROL = 'e2a8f4c6-1b3d-4e5f-a7c9-8d0b2f4e6a81';
const DAVE = '0b9d7f5e-3c1a-4b2d-9e8f-7a6c5d4e3f21';
const ERIN = '5c7e9a1b-2d4f-4a6c-8e0b-1d3f5a7c9e42';
const NAMES: Readonly<Record<string, string>> = {
  [ALICE]: 'alice',
  [BOB]: 'bob',
  [CAROL]: 'carol',
  [DAVE]: 'dave',
  [ERIN]: 'erin',
};

function fixture(dataset: string): unknown[] {
  const url = new URL(`../../../../shared/fixtures/logpush/${dataset}.ndjson`, import.meta.url);
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line): unknown => JSON.parse(line));
}

function mapAll(dataset: LogpushDataset): MapResult[] {
  return fixture(dataset).map((record) => mapLogpushRecord(dataset, record, ctx));
}

function eventsOf(results: readonly MapResult[]): readonly SecurityEvent[] {
  return results.flatMap((result) => (result.kind === 'events' ? result.events : []));
}

/** One line per event: `type user time detail…`, to compare a whole fixture at a glance. */
function summary(event: SecurityEvent): string {
  const who = NAMES[event.user.id] ?? event.user.id;
  const head = `${event.type} ${who} ${event.timestamp.slice(11, 23)}`;
  switch (event.type) {
    case 'sign_in':
      return `${head} ${event.outcome} ${event.ip}`;
    case 'dlp_match':
      return `${head} ${event.direction} ${event.profiles.length}`;
    case 'file_verdict':
      return `${head} ${event.verdict} ${event.blocked ? 'blocked' : 'allowed'} ${event.fileName}`;
    case 'http_request':
      return `${head} ${event.host} [${event.categoryIds}] ${event.blocked ? 'blocked' : 'allowed'}`;
    case 'dns_request':
      return `${head} ${event.domain} [${event.categoryIds}] ${event.blocked ? 'blocked' : 'allowed'}`;
    case 'posture_result':
      return `${head} ${event.checkType} ${event.passed} ${JSON.stringify(event.sentinelOne ?? event.crowdStrike ?? null)}`;
  }
}

describe('mapLogpushRecord on the access_requests fixture', () => {
  const results = mapAll('access_requests');

  it('maps the nine logins and skips alice’s logout', () => {
    assert.deepEqual(eventsOf(results).map(summary), [
      'sign_in dave 04:30:00.000 success 198.51.100.23',
      'sign_in carol 09:12:30.000 success 192.0.2.45',
      'sign_in carol 11:47:05.000 success 192.0.2.45',
      'sign_in alice 13:05:11.000 success 198.51.100.23',
      'sign_in alice 13:35:42.000 success 203.0.113.77',
      'sign_in bob 13:52:03.000 failure 198.51.100.61',
      'sign_in bob 13:52:41.000 failure 198.51.100.61',
      'sign_in bob 13:54:10.000 success 198.51.100.61',
      'sign_in dave 13:58:27.000 success 192.0.2.45',
    ]);
    assert.deepEqual(results[9], { kind: 'skipped', reason: 'Action "logout" is not a sign-in' });
  });

  it('maps alice’s first login field by field, without a location', () => {
    assert.deepEqual(results[3], {
      kind: 'events',
      clientCountry: 'US',
      events: [
        {
          id: '8a1f2c3d4e5b6a70:signin',
          accountId: ctx.accountId,
          type: 'sign_in',
          timestamp: '2026-03-02T13:05:11.000Z',
          timeMs: Date.UTC(2026, 2, 2, 13, 5, 11),
          user: { id: ALICE, email: 'alice.ng@acme-corp.example', name: 'alice.ng@acme-corp.example' },
          ip: '198.51.100.23',
          outcome: 'success',
          app: 'wiki.acme-corp.example',
          method: 'okta',
          source: { kind: 'logpush', dataset: 'access_requests', recordId: '8a1f2c3d4e5b6a70' },
        },
      ],
    });
  });

  it('upper-cases carol’s lowercase country', () => {
    assert.deepEqual(
      results.map((result) => (result.kind === 'events' ? result.clientCountry : result.kind)),
      ['US', 'GB', 'GB', 'US', 'JP', 'US', 'US', 'US', 'GB', 'skipped'],
    );
  });
});

describe('mapLogpushRecord on the gateway_http fixture', () => {
  const results = mapAll('gateway_http');
  const events = eventsOf(results);

  it('maps every record to an http_request', () => {
    assert.ok(results.every((result) => result.kind === 'events'));
    assert.equal(events.filter((event) => event.type === 'http_request').length, 19);
  });

  it('maps bob’s 16 uploads to 16 upload DLP matches within 39 seconds, and carol’s one', () => {
    const dlp = events.filter((event) => event.type === 'dlp_match');
    const bob = dlp.filter((event) => event.user.id === BOB);
    assert.equal(bob.length, 16);
    assert.ok(bob.every((event) => event.direction === 'upload' && event.id.endsWith(':dlp')));
    assert.equal((bob.at(-1)?.timeMs ?? 0) - (bob[0]?.timeMs ?? 0), 39_000);
    assert.deepEqual(dlp.filter((event) => event.user.id !== BOB).map(summary), [
      'dlp_match carol 13:47:33.000 upload 1',
    ]);
  });

  it('keeps each matched profile once', () => {
    const first = events.find((event) => event.id === '10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:dlp');
    assert.deepEqual(first?.type === 'dlp_match' && first.profiles, [
      { id: 'c8e4a2f0-6b1d-4e3c-9a7f-0d2b4f6e8a1c' },
      { id: 'e0a2c4e6-8b1d-4f3a-9c5e-7b9d1f3a5c4d' },
    ]);
  });

  it('maps alice’s malware ZIP to a blocked request in [21,117] and a malicious file verdict', () => {
    const alice = results[1];
    assert.equal(alice?.kind, 'events');
    const [request, file, ...rest] = alice?.kind === 'events' ? alice.events : [];
    assert.deepEqual(rest, []);
    assert.equal(
      request?.type === 'http_request' && summary(request),
      'http_request alice 13:41:07.000 files.malware-cdn.example [21,117] blocked',
    );
    assert.deepEqual(file, {
      id: '02b8d4f6a0c3e5a7b9d1f3a5c7e9b1d2:file',
      accountId: ctx.accountId,
      type: 'file_verdict',
      timestamp: '2026-03-02T13:41:07.000Z',
      timeMs: Date.UTC(2026, 2, 2, 13, 41, 7),
      user: { id: ALICE, email: 'alice.ng@acme-corp.example', name: 'alice.ng@acme-corp.example' },
      ip: '203.0.113.77',
      deviceId: '2b7e1f0a-54c3-11ef-8a1d-0a58a9feac02',
      verdict: 'malicious',
      direction: 'download',
      blocked: true,
      fileName: 'invoice_0302.zip',
      sha256: '9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f',
      reason: 'malware',
      host: 'files.malware-cdn.example',
      url: 'https://files.malware-cdn.example/dl/invoice_0302.zip',
      source: { kind: 'logpush', dataset: 'gateway_http', recordId: '02b8d4f6a0c3e5a7b9d1f3a5c7e9b1d2' },
    });
  });

  it('yields no other file verdict', () => {
    assert.deepEqual(
      events.filter((event) => event.type === 'file_verdict').map((event) => event.id),
      ['02b8d4f6a0c3e5a7b9d1f3a5c7e9b1d2:file'],
    );
  });

  it('maps carol’s benign request as allowed in [6,90]', () => {
    assert.deepEqual(results[0]?.kind === 'events' && results[0].events.map(summary), [
      'http_request carol 13:20:14.000 docs.python.org [6,90] allowed',
    ]);
  });
});

describe('mapLogpushRecord on the gateway_dns fixture (unixnano numbers)', () => {
  const results = mapAll('gateway_dns');

  it('maps nine queries with millisecond-exact times and skips the non-identity one', () => {
    assert.deepEqual(eventsOf(results).map(summary), [
      'dns_request carol 13:19:58.412 docs.python.org [6,90] allowed',
      'dns_request alice 13:40:58.731 files.malware-cdn.example [21,117] blocked',
      'dns_request bob 13:44:12.088 secure-login.acme-c0rp.example [21,131] allowed',
      'dns_request carol 13:46:30.905 fresh-deals-0302.example [32,177] allowed',
      'dns_request erin 13:49:05.250 static.cdn-assets.example [26,81,21,80] allowed',
      'dns_request dave 13:55:41.017 exploit-archive.example [17,102] allowed',
      'dns_request dave 13:57:02.640 tactical-gear-shop.example [29,166] allowed',
      'dns_request bob 14:05:19.322 adult-videos.example [2,133,34,182] blocked',
      'dns_request alice 14:06:44.501 github.com [26,109] allowed',
    ]);
    assert.equal(results[9]?.kind, 'skipped');
    assert.match(results[9]?.kind === 'skipped' ? results[9].reason : '', /^no real identity/);
  });

  it('keeps erin’s CNAME-only C2 category and ids the event by QueryID', () => {
    const erin = eventsOf(results).find((event) => event.user.id === ERIN);
    assert.ok(erin?.type === 'dns_request');
    assert.ok(erin.categoryIds.includes(80));
    assert.equal(erin.id, '6f0c2a4e-8b1d-4f3a-a5c7-9e1b3d5f7a05:dns');
    assert.equal(erin.resolverDecision, 'allowedOnNoPolicyMatch');
    assert.equal(erin.timeMs, 1772459345250);
  });
});

describe('mapLogpushRecord on the device_posture_results fixture', () => {
  const results = mapAll('device_posture_results');

  it('maps all eight results, with S1 and CrowdStrike reports only for S2S checks', () => {
    assert.deepEqual(eventsOf(results).map(summary), [
      'posture_result alice 13:00:05.000 sentinelone_s2s true {"infected":false,"activeThreats":0,"isActive":true,"networkStatus":"connected","operationalState":"na"}',
      'posture_result carol 13:10:00.000 crowdstrike_s2s true {"overall":88,"os":92,"sensorConfig":85}',
      'posture_result dave 13:10:00.000 crowdstrike_s2s false {"overall":42,"os":61,"sensorConfig":38}',
      'posture_result erin 13:10:00.000 crowdstrike_s2s false {"overall":67,"os":74,"sensorConfig":63}',
      'posture_result bob 13:15:22.000 os_version true null',
      'posture_result dave 13:15:40.000 os_version false null',
      'posture_result erin 13:16:03.000 sentinelone true null',
      'posture_result bob 14:20:00.000 sentinelone_s2s false {"infected":true,"activeThreats":2,"isActive":true,"networkStatus":"connected","operationalState":"na"}',
    ]);
  });

  it('maps bob’s infected device field by field, with a hash id and no recordId', () => {
    const bob = eventsOf(results).at(-1);
    assert.ok(bob?.type === 'posture_result');
    assert.match(bob.id, /^sha256-[0-9a-f]{32}:posture$/);
    assert.deepEqual(bob, {
      id: bob.id,
      accountId: ctx.accountId,
      type: 'posture_result',
      timestamp: '2026-03-02T14:20:00.000Z',
      timeMs: Date.UTC(2026, 2, 2, 14, 20),
      user: { id: BOB, email: 'bob.okafor@acme-corp.example', name: 'bob.okafor@acme-corp.example' },
      deviceId: '9c41d2b8-54c3-11ef-8a1d-0a58a9feac07',
      checkType: 'sentinelone_s2s',
      checkId: '5e7a9c1e-3b5d-4f7a-9c1e-3b5d7f9a1c2e',
      checkName: 'SentinelOne - no active threats',
      passed: false,
      sentinelOne: {
        infected: true,
        activeThreats: 2,
        isActive: true,
        networkStatus: 'connected',
        operationalState: 'na',
      },
      source: { kind: 'logpush', dataset: 'device_posture_results' },
    });
  });
});

describe('mapLogpushRecord ids', () => {
  for (const dataset of LOGPUSH_DATASETS) {
    it(`gives the same ids to a re-delivered ${dataset} batch, and unique ids within it`, () => {
      const first = eventsOf(mapAll(dataset)).map((event) => event.id);
      const second = eventsOf(mapAll(dataset)).map((event) => event.id);
      assert.deepEqual(second, first);
      assert.equal(new Set(first).size, first.length);
    });
  }

  it('does not depend on the key order of a record', () => {
    const [record] = fixture('device_posture_results');
    assert.ok(typeof record === 'object' && record !== null);
    const reversed = Object.fromEntries(Object.entries(record).reverse());
    const ids = [record, reversed].map((value) => {
      const result = mapLogpushRecord('device_posture_results', value, ctx);
      return result.kind === 'events' ? result.events[0]?.id : undefined;
    });
    assert.ok(ids[0]);
    assert.equal(ids[1], ids[0]);
  });
});

describe('mapLogpushRecord on what is not a record', () => {
  const [validation] = fixture('_validation_test');

  for (const dataset of LOGPUSH_DATASETS) {
    it(`skips the destination validation payload for ${dataset}`, () => {
      assert.deepEqual(mapLogpushRecord(dataset, validation, ctx), {
        kind: 'skipped',
        reason: 'Logpush destination test payload',
      });
    });
  }

  for (const value of [null, 42, 'text', true, [], [{ Action: 'login' }]]) {
    it(`reports ${JSON.stringify(value)} as invalid at the record itself`, () => {
      assert.deepEqual(mapLogpushRecord('access_requests', value, ctx), {
        kind: 'invalid',
        problems: [{ message: 'must be a JSON object (one Logpush record)', pointer: '' }],
      });
    });
  }

  it('skips a dataset it does not know instead of throwing', () => {
    const result = mapLogpushRecord('gateway_network' as LogpushDataset, {}, ctx);
    assert.equal(result.kind, 'skipped');
  });
});

describe('mapLogpushRecord never throws', () => {
  const odd: unknown[] = [
    undefined,
    null,
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    '{}',
    [],
    {},
    { content: 'tests', extra: 1 },
    { Action: 'login', Allowed: 'yes', CreatedAt: {}, UserUID: [], Email: 42 },
    { Action: ['login'], CreatedAt: Number.MAX_VALUE, UserUID: ALICE, Email: null },
    { Datetime: -5, UserID: ALICE, CategoryIDs: 'x', UploadMatchedDlpProfiles: [null, 1, {}, ''] },
    { Datetime: '2026-03-02T13:05:11Z', UserID: BOB, URL: 'http://[', QueryName: '.', QueryCategoryIDs: {} },
    {
      Timestamp: '9'.repeat(400),
      UserUID: CAROL,
      DeviceID: 7,
      PostureCheckType: 'crowdstrike_s2s',
      PostureReceivedJSON: '{"overall":',
    },
    {
      Timestamp: 1,
      UserUID: DAVE,
      DeviceID: 'd',
      PostureCheckType: 'sentinelone_s2s',
      PostureReceivedJSON: '[]',
    },
    { constructor: 'x', toString: 1, __proto__: { Email: 'inherited@example.com' }, hasOwnProperty: null },
    JSON.parse('{"__proto__":{"UserUID":"x"},"CreatedAt":"2026-03-02T00:00:00Z"}'),
    deeplyNested(10_000),
    {
      Timestamp: '2026-03-02T14:20:00Z',
      UserUID: BOB,
      DeviceID: 'd',
      PostureCheckType: 'sentinelone_s2s',
      PostureReceivedJSON: deeplyNested(10_000),
      Deep: JSON.parse(`${'['.repeat(5_000)}${']'.repeat(5_000)}`),
    },
  ];

  for (const dataset of LOGPUSH_DATASETS) {
    it(`returns a result for odd values in ${dataset}`, () => {
      for (const value of odd) {
        const result = mapLogpushRecord(dataset, value, ctx);
        assert.ok(['events', 'skipped', 'invalid'].includes(result.kind));
        assert.doesNotThrow(() =>
          mapLogpushRecord(dataset, { PostureReceivedJSON: value, Anything: value }, ctx),
        );
      }
    });

    it(`returns a result for arbitrary JSON values and records in ${dataset}`, () => {
      const fields = fc.constantFrom(
        'Action',
        'Allowed',
        'CreatedAt',
        'Datetime',
        'Timestamp',
        'UserUID',
        'UserID',
        'Email',
        'RayID',
        'RequestID',
        'QueryID',
        'QueryName',
        'QueryCategoryIDs',
        'ResolverDecision',
        'HTTPHost',
        'URL',
        'CategoryIDs',
        'UploadMatchedDlpProfiles',
        'DownloadMatchedDlpProfiles',
        'BlockedFileReason',
        'BlockedFileName',
        'Quarantined',
        'DeviceID',
        'PostureCheckType',
        'PostureEvaluatedResult',
        'PostureReceivedJSON',
        'Country',
        'SourceIPCountryCode',
      );
      const value = fc.oneof(
        fc.jsonValue(),
        fc.constantFrom(
          ALICE,
          'non_identity@x.cloudflareaccess.com',
          'login',
          'blockedRule',
          '1772458858731000000',
        ),
      );
      const record = fc.oneof(fc.jsonValue(), fc.dictionary(fields, value));
      fc.assert(
        fc.property(record, (input) => {
          const result = mapLogpushRecord(dataset, input, ctx);
          if (result.kind === 'events') {
            assert.ok(result.events.length > 0);
            for (const event of result.events) assert.ok(Number.isSafeInteger(event.timeMs));
          }
          if (result.kind === 'invalid') assert.ok(result.problems.length > 0);
        }),
        { numRuns: 500 },
      );
    });
  }
});

/** A chain of objects `depth` levels deep (as JSON.parse could produce), to exhaust naive recursion. */
function deeplyNested(depth: number): unknown {
  let value: unknown = {};
  for (let level = 0; level < depth; level++) value = { PostureReceivedJSON: value, infected: [level] };
  return value;
}
