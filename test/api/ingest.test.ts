import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createGeolocator } from '../../src/ingest/geo/geolocator.js';
import { loadOverridesFile } from '../../src/ingest/geo/overrides.js';
import { enableBehaviors } from '../support/builders.js';
import { ACCOUNT, assertError, base, startTestApp, type TestApp } from '../support/harness.js';

const EVENTS = `/client/v4/accounts/${ACCOUNT}/ztrisk/events`;
const LOGPUSH = (dataset: string) => `/client/v4/accounts/${ACCOUNT}/ztrisk/logpush/${dataset}`;
const FIXTURES = new URL('../../../shared/fixtures/logpush/', import.meta.url);
const OVERRIDES = new URL('../../src/ingest/geo/testdata/logpush-fixtures.overrides.json', import.meta.url);

interface IngestResult {
  accepted: number;
  duplicates: number;
  skipped: number;
  rejected: { index: number; errors: { code: number; message: string; pointer: string }[] }[];
  risk_events: number;
}

function aSignIn(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'sign_in',
    timestamp: '2026-03-02T10:00:00Z',
    user: { id: '5f0c7a4e-0c3e-4c55-9a43-0b1d1f2a9e01', email: 'alice@acme-corp.example', name: 'Alice' },
    outcome: 'success',
    location: { lat: 40.7128, lon: -74.006, city: 'New York', country: 'US' },
    ...over,
  };
}

describe('ingestion API', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({
      services: {
        geolocator: createGeolocator({ mmdbPaths: [], overrides: loadOverridesFile(OVERRIDES.pathname) }),
        ingestLimits: { maxRecords: 100, maxBytes: 64 * 1024 },
      },
    });
    t.clock.set('2026-03-03T00:00:00.000Z');
    await enableBehaviors(t.services, ACCOUNT, {
      imp_travel: 'high',
      high_dlp: 'medium',
      failed_logins: 'medium',
      sentinel_one: 'medium',
      crowdstrike_low_zta: 'high',
      crowdstrike_medium_zta: 'medium',
      malicious_file: 'high',
      security_risk_domain: 'high',
      high_risk_domain: 'medium',
    });
  });
  after(async () => t.close());

  async function post(
    path: string,
    payload: string | Buffer,
    headers: Record<string, string> = {},
    token?: string,
  ) {
    return t.request('POST', path, { raw: payload, headers, ...(token !== undefined ? { token } : {}) });
  }

  it('accepts a JSON array, an {"events": [...]} object and NDJSON, each event once', async () => {
    const a = await post(EVENTS, JSON.stringify([aSignIn(), aSignIn()]), {
      'content-type': 'application/json',
    });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.deepEqual(a.json.result, { accepted: 2, duplicates: 0, skipped: 0, rejected: [], risk_events: 0 });
    const b = await post(EVENTS, JSON.stringify({ events: [aSignIn()] }));
    assert.equal((b.json.result as IngestResult).accepted, 1);
    const nd = `${JSON.stringify(aSignIn())}\n\n${JSON.stringify(aSignIn())}\n`;
    const c = await post(EVENTS, nd, { 'content-type': 'application/x-ndjson' });
    assert.equal((c.json.result as IngestResult).accepted, 2);
  });

  it('accepts gzip with Content-Encoding and counts a re-sent id as a duplicate, never a second detection', async () => {
    const user = { id: randomUUID(), email: 'tokyo@acme-corp.example', name: 'T' };
    const ny = aSignIn({ user, timestamp: '2026-03-02T13:05:11Z' });
    const tokyo = aSignIn({
      user,
      timestamp: '2026-03-02T13:35:42Z',
      location: { lat: 35.6762, lon: 139.6503, city: 'Tokyo', country: 'JP' },
    });
    const body = gzipSync(JSON.stringify([ny, tokyo]));
    const first = await post(EVENTS, body, {
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.json.result, {
      accepted: 2,
      duplicates: 0,
      skipped: 0,
      rejected: [],
      risk_events: 1,
    });
    const again = await post(EVENTS, body, { 'content-encoding': 'gzip' });
    assert.deepEqual(again.json.result, {
      accepted: 0,
      duplicates: 2,
      skipped: 0,
      rejected: [],
      risk_events: 0,
    });
    const user1 = await t.request('GET', `${base()}/${user.id}`);
    const events = (
      user1.json.result as { events: { name: string; event_details: Record<string, unknown> }[] }
    ).events;
    assert.equal(events.length, 1);
    assert.equal(events[0]?.name, 'Impossible Travel');
    assert.ok(Number(events[0]?.event_details.distance_km) > 10_000);
  });

  it('stores valid events even when others in the batch are invalid, reporting each problem with its pointer', async () => {
    const good = aSignIn();
    const res = await post(
      EVENTS,
      JSON.stringify([
        good,
        aSignIn({ user: { id: 'nope' } }),
        aSignIn({ type: 'teleport' }),
        aSignIn({ outcome: 'maybe', timestamp: 'yesterday' }),
        'not an object',
      ]),
    );
    assert.equal(res.status, 200);
    const r = res.json.result as IngestResult;
    assert.equal(r.accepted, 1);
    assert.deepEqual(
      r.rejected.map((x) => [x.index, x.errors.map((e) => e.pointer).sort()]),
      [
        [1, ['/user/id']],
        [2, ['/type']],
        [3, ['/outcome', '/timestamp']],
        [4, ['']],
      ],
    );
    assert.ok(r.rejected.every((x) => x.errors.every((e) => e.code === 1002 && e.message.length > 0)));
    const dup = await post(EVENTS, JSON.stringify([good]));
    assert.equal((dup.json.result as IngestResult).duplicates, 1, 'the valid one was stored');
  });

  it('rejects an NDJSON line that is not JSON without losing the others', async () => {
    const res = await post(EVENTS, `${JSON.stringify(aSignIn())}\n{broken\n${JSON.stringify(aSignIn())}\n`);
    const r = res.json.result as IngestResult;
    assert.equal(r.accepted, 2);
    assert.deepEqual(
      r.rejected.map((x) => x.index),
      [1],
    );
  });

  it('rejects events more than 5 minutes in the future and skips non-identity traffic', async () => {
    const res = await post(
      EVENTS,
      JSON.stringify([
        aSignIn({ timestamp: '2026-03-03T00:05:01Z' }),
        aSignIn({ user: { id: randomUUID(), email: 'non_identity@acme-corp.cloudflareaccess.com' } }),
      ]),
    );
    const r = res.json.result as IngestResult;
    assert.deepEqual(
      r.rejected.map((x) => [x.index, x.errors[0]?.pointer]),
      [[0, '/timestamp']],
    );
    assert.equal(r.skipped, 1);
  });

  it('enforces the record and byte limits with 413, and answers 400 for a corrupt body', async () => {
    const many = JSON.stringify(Array.from({ length: 101 }, () => aSignIn()));
    assertError(await post(EVENTS, many), 413, 1001);
    const huge = JSON.stringify([aSignIn({ padding: 'x'.repeat(70 * 1024) })]);
    assertError(await post(EVENTS, huge), 413, 1001);
    const bomb = gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20));
    assertError(await post(EVENTS, bomb, { 'content-encoding': 'gzip' }), 413, 1001);
    assertError(
      await post(EVENTS, Buffer.from([0x1f, 0x8b, 1, 2, 3]), { 'content-encoding': 'gzip' }),
      400,
      1001,
    );
    assertError(await post(EVENTS, '[1,'), 400, 1001);
    assertError(await post(EVENTS, 'x', { 'content-encoding': 'br' }), 400, 1001);
  });

  it('lets a Risk Ingest token ingest and nothing else; Write may ingest; Read may not', async () => {
    const ingestOnly = await t.token(['Zero Trust: Risk Ingest']);
    const res = await post(EVENTS, JSON.stringify([aSignIn()]), {}, ingestOnly);
    assert.equal(res.status, 200);
    assertError(await t.request('POST', `${base()}/${randomUUID()}/reset`, { token: ingestOnly }), 403, 9109);
    assertError(await t.request('GET', `${base()}/summary`, { token: ingestOnly }), 403, 9109);
    assertError(await t.request('GET', `${base()}/behaviors`, { token: ingestOnly }), 403, 9109);
    const write = await t.token(['Zero Trust Write']);
    assert.equal((await post(EVENTS, JSON.stringify([aSignIn()]), {}, write)).status, 200);
    const read = await t.token(['Zero Trust Read']);
    assertError(await post(EVENTS, JSON.stringify([aSignIn()]), {}, read), 403, 9109);
    assertError(await post(EVENTS, '[]', {}, 'bogus'), 401, 10000);
  });

  it('answers the Logpush destination test payload with 200 and 404s an unknown dataset clearly', async () => {
    const test = readFileSync(new URL('_validation_test.ndjson', FIXTURES));
    const res = await post(LOGPUSH('gateway_http'), gzipSync(test), { 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal((res.json.result as IngestResult).skipped, 1);
    const unknown = await post(LOGPUSH('gateway_network'), gzipSync(test), { 'content-encoding': 'gzip' });
    assertError(unknown, 404, 1404, { message: /Unknown Logpush dataset "gateway_network"/ });
  });

  it('maps every fixture record as Logpush delivers it (gzip NDJSON) and detects the expected behaviors', async () => {
    for (const dataset of ['access_requests', 'gateway_http', 'gateway_dns', 'device_posture_results']) {
      const body = gzipSync(readFileSync(new URL(`${dataset}.ndjson`, FIXTURES)));
      const res = await post(LOGPUSH(dataset), body, { 'content-encoding': 'gzip' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual((res.json.result as IngestResult).rejected, [], dataset);
    }
    const summary = await t.request('GET', `${base()}/summary?per_page=1000`);
    const emails = (summary.json.result as { users: { email: string; max_risk_level: string }[] }).users.map(
      (u) => u.email,
    );
    for (const who of ['alice', 'bob', 'carol', 'dave', 'erin']) {
      assert.ok(
        emails.some((e) => e.startsWith(who)),
        `${who} scored`,
      );
    }
  });

  it('reads and updates detector thresholds with validation and audit', async () => {
    const path = `/client/v4/accounts/${ACCOUNT}/ztrisk/behavior_settings`;
    const got = await t.request('GET', path);
    assert.equal(got.status, 200);
    assert.equal((got.json.result as { high_dlp: { min_count: number } }).high_dlp.min_count, 15);
    const put = await t.request('PUT', path, { body: { high_dlp: { min_count: 20 } } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual((put.json.result as { high_dlp: unknown }).high_dlp, {
      min_count: 20,
      window_seconds: 60,
    });
    const bad = await t.request('PUT', path, { body: { high_dlp: { min_count: -1, windw: 3 }, nope: {} } });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      (bad.json.errors as { source: { pointer: string } }[]).map((e) => e.source.pointer).sort(),
      ['/high_dlp/min_count', '/high_dlp/windw', '/nope'],
    );
    const after1 = await t.request('GET', path);
    assert.equal((after1.json.result as { high_dlp: { min_count: number } }).high_dlp.min_count, 20);
    const audit = await t.request(
      'GET',
      `/client/v4/accounts/${ACCOUNT}/ztrisk/audit?action=behavior_settings.update`,
    );
    assert.equal((audit.json.result as unknown[]).length, 1);
    await t.request('PUT', path, { body: { high_dlp: { min_count: 15 } } });
  });
});
