import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import Cloudflare from 'cloudflare';
import { BEHAVIOR_CATALOG } from '../../src/domain/behaviors.js';
import { onlyLine, ROOT, runCli, type Server, startServer } from '../support/server.js';

/**
 * End to end: every Logpush fixture posted to a running `ztrisk serve` exactly as a Logpush HTTP
 * destination would (gzip NDJSON, token in the Authorization header from `header_Authorization`), then
 * the resulting risk read back through the official `cloudflare` client.
 */

const ACCOUNT = 'e2e0logpush0000000000000000000ac';
const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'logpush');
const OVERRIDES = join(ROOT, 'src', 'ingest', 'geo', 'testdata', 'logpush-fixtures.overrides.json');
const DATASETS = [
  '_validation_test',
  'access_requests',
  'gateway_http',
  'gateway_dns',
  'device_posture_results',
];

const ALICE = '3f1c2d4e-8b7a-4c1d-9e2f-6a5b4c3d2e1f';

describe('Logpush fixtures through a running server, checked with the official client', {
  timeout: 60_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-logpush-e2e-'));
  const dbPath = join(dir, 'ztrisk.db');
  let server: Server | undefined;
  let cf: Cloudflare;
  let ingestToken = '';

  before(async () => {
    const admin = onlyLine(
      await runCli([
        'tokens',
        'create',
        '--account',
        ACCOUNT,
        '--permission',
        'Zero Trust Write',
        '--permission',
        'Zero Trust: PII Read',
        '--db',
        `sqlite:${dbPath}`,
      ]),
    );
    ingestToken = onlyLine(
      await runCli([
        'tokens',
        'create',
        '--account',
        ACCOUNT,
        '--permission',
        'Zero Trust: Risk Ingest',
        '--db',
        `sqlite:${dbPath}`,
      ]),
    );
    server = await startServer(dbPath, ['--geoip-mmdb', 'none', '--geo-overrides', OVERRIDES]);
    cf = new Cloudflare({
      baseURL: `${server.url}/client/v4`,
      apiToken: admin,
      apiEmail: null,
      apiKey: null,
      userServiceKey: null,
    });
    await cf.zeroTrust.riskScoring.behaviours.update({
      account_id: ACCOUNT,
      behaviors: Object.fromEntries(
        BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: true, risk_level: b.defaultLevel }]),
      ),
    });
  });

  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts every fixture file posted as gzip NDJSON, twice, the second time as duplicates', async () => {
    assert.ok(server);
    for (const round of [1, 2]) {
      for (const name of DATASETS) {
        const dataset = name === '_validation_test' ? 'gateway_http' : name;
        const body = gzipSync(readFileSync(join(FIXTURES, `${name}.ndjson`)));
        const res = await fetch(
          `${server.url}/client/v4/accounts/${ACCOUNT}/ztrisk/logpush/${dataset}?header_Authorization=x`,
          {
            method: 'POST',
            headers: { 'content-encoding': 'gzip', authorization: `Bearer ${ingestToken}` },
            body,
          },
        );
        const json = (await res.json()) as {
          success: boolean;
          result: { accepted: number; duplicates: number; rejected: unknown[] };
        };
        assert.equal(res.status, 200, `${name}: ${JSON.stringify(json)}`);
        assert.deepEqual(json.result.rejected, [], name);
        if (round === 2) assert.equal(json.result.accepted, 0, `${name} second delivery`);
      }
    }
  });

  it('scores every fixture scenario of LOGPUSH.md §8', async () => {
    const summary = await cf.zeroTrust.riskScoring.summary.get({ account_id: ACCOUNT });
    const byEmail = new Map(summary.users.map((u) => [u.email.split('.')[0] ?? '', u]));
    assert.equal(byEmail.get('alice')?.max_risk_level, 'high');
    assert.equal(byEmail.get('bob')?.max_risk_level, 'high');
    assert.equal(byEmail.get('dave')?.max_risk_level, 'high');
    assert.ok(
      !summary.users.some((u) => u.email.startsWith('non_identity')),
      'non-identity traffic is never scored',
    );

    const names = async (email: string) => {
      const u = summary.users.find((x) => x.email.startsWith(email));
      assert.ok(u, `${email} is scored`);
      const risk = await cf.zeroTrust.riskScoring.get(u.user_id, { account_id: ACCOUNT });
      return risk.events.map((e) => e.name).sort();
    };
    assert.deepEqual(await names('alice'), [
      'Impossible Travel',
      'Malicious File Interaction',
      'Suspicious Security Domain Visited',
      'Suspicious Security Domain Visited',
    ]);
    const bob = await names('bob');
    for (const n of [
      'High Number of DLP Policies Triggered',
      'SentinelOne Infection Detected',
      'High Risk Domain Visited',
    ]) {
      assert.ok(bob.includes(n), `bob: ${n} in ${bob.join(', ')}`);
    }
    assert.ok(!bob.includes('Repeated Failed Logins'), 'two failures are below the default threshold of 5');
    assert.ok((await names('dave')).includes('CrowdStrike Low ZTA Score'));
    assert.ok(
      !(await names('dave')).includes('Impossible Travel'),
      'New York → London at ≈590 km/h is plausible',
    );
    const erin = await names('erin');
    assert.ok(erin.includes('CrowdStrike Medium ZTA Score'));
    assert.ok(erin.includes('Suspicious Security Domain Visited'), 'C2 via a CNAME category');
  });

  it('explains impossible travel with places, distance and speed', async () => {
    const alice = await cf.zeroTrust.riskScoring.get(ALICE, { account_id: ACCOUNT });
    const travel = alice.events.find((e) => e.name === 'Impossible Travel');
    assert.ok(travel, JSON.stringify(alice.events.map((e) => e.name)));
    assert.equal(travel.timestamp, '2026-03-02T13:35:42.000Z');
    const d = travel.event_details as Record<string, unknown>;
    assert.ok(Math.abs(Number(d.distance_km) - 10_850) < 50, `distance ${String(d.distance_km)}`);
    assert.ok(Number(d.speed_kmh) > 15_000);
    assert.equal((d.from as { city: string }).city, 'New York');
    assert.equal((d.to as { city: string }).city, 'Tokyo');
  });
});
