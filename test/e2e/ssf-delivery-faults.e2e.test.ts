import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RiskLevel } from '../../src/domain/risk-level.js';
import { RISK_LEVEL_CHANGE_EVENT } from '../../src/domain/streams.js';
import { aFinding, enableBehaviors } from '../support/builders.js';
import {
  claimsOf,
  startReceiver,
  type TestReceiver,
  verifyReceivedSet,
  waitFor,
} from '../support/receiver.js';
import { runCli, type Server, startServer } from '../support/server.js';
import { createToken, type RunningZtrisk, startZtrisk } from '../support/ztrisk.js';

/**
 * SET delivery when things go wrong: a receiver that answers 503 for a while, one that asks to slow down
 * with 429 + Retry-After, one that rejects a SET with 400 (a permanent failure, not retried), one that is
 * not listening at all, and a transmitter killed with SIGKILL while SETs are pending.
 */

const LEVEL_BEHAVIOR = { low: 'high_dlp', medium: 'failed_logins', high: 'malicious_file' } as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function levelsOf(sets: readonly string[]): [unknown, unknown][] {
  return sets.map((s) => {
    const event = (claimsOf(s).events as Record<string, Record<string, unknown>>)[RISK_LEVEL_CHANGE_EVENT];
    return [event?.previous_level, event?.current_level];
  });
}

describe('SET delivery faults (in process, real HTTP)', { timeout: 60_000 }, () => {
  const ACCOUNT = randomUUID().replace(/-/g, '');
  let z: RunningZtrisk;
  let receiver: TestReceiver;
  let token = '';

  async function detect(userId: string, level: RiskLevel): Promise<void> {
    await z.ztrisk.services.risk.recordFindings(ACCOUNT, [
      aFinding({
        userId,
        email: `${userId.slice(0, 8)}@acme.example`,
        behavior: LEVEL_BEHAVIOR[level],
        timestamp: new Date().toISOString(),
      }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }

  async function pushStream(path: string, endpoint = `${receiver.url}${path}`): Promise<string> {
    const res = await fetch(`${z.url}/ssf/${ACCOUNT}/streams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: endpoint } }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { stream_id: string }).stream_id;
  }

  async function health(streamId: string) {
    const views = await z.ztrisk.services.streams.health(ACCOUNT);
    const found = views.find((v) => v.streamId === streamId);
    assert.ok(found);
    return found.health;
  }

  before(async () => {
    z = await startZtrisk();
    receiver = await startReceiver();
    token = (
      await z.ztrisk.services.credentials.createToken({
        name: 'receiver',
        grants: [{ accountId: ACCOUNT, permission: 'Zero Trust: PII Read' }],
        actor: 'cli',
      })
    ).secret;
    await enableBehaviors(z.ztrisk.services, ACCOUNT, {
      high_dlp: 'low',
      failed_logins: 'medium',
      malicious_file: 'high',
    });
  });

  after(async () => {
    await z.close();
    await receiver.close();
  });

  it('a receiver answering 503 for a while gets every SET once it recovers, in order', async () => {
    const path = '/flaky';
    let failures = 0;
    receiver.answer = ({ path: p }) => {
      if (p === path && failures < 6) {
        failures += 1;
        return { status: 503, body: '{"err":"unavailable"}' };
      }
      return { status: 202 };
    };
    const stream = await pushStream(path);
    const user = randomUUID();
    await detect(user, 'low');
    await detect(user, 'medium');
    await detect(user, 'high');
    await z.ztrisk.services.risk.resetUser(ACCOUNT, user, 'cli');
    await waitFor(() => receiver.accepted(path).length >= 4, 'all four SETs after the outage');
    assert.equal(failures, 6);
    assert.deepEqual(levelsOf(receiver.accepted(path)), [
      [undefined, 'LOW'],
      ['LOW', 'MEDIUM'],
      ['MEDIUM', 'HIGH'],
      ['HIGH', 'LOW'],
    ]);
    const attempts = receiver.requests.filter((r) => r.path === path);
    const first = attempts[0]?.body;
    assert.ok(
      attempts.filter((r) => r.body === first).length >= 2,
      'the first SET was retried byte for byte',
    );
    const h = await health(stream);
    assert.equal(h.delivered, 4);
    assert.equal(h.failed, 0);
    assert.equal(h.backlog, 0);
    assert.match(h.lastError ?? '', /HTTP 503/);
  });

  it('429 with Retry-After is honoured before the next attempt', async () => {
    const path = '/slow-down';
    let told = false;
    receiver.answer = ({ path: p }) => {
      if (p === path && !told) {
        told = true;
        return { status: 429, headers: { 'retry-after': '1' } };
      }
      return { status: 202 };
    };
    await pushStream(path);
    await detect(randomUUID(), 'medium');
    await waitFor(() => receiver.accepted(path).length >= 1, 'the SET after Retry-After');
    const [refused, accepted] = receiver.requests.filter((r) => r.path === path);
    assert.ok(refused && accepted);
    const gapMs = accepted.at - refused.at;
    assert.ok(gapMs >= 950, `retried after ${gapMs} ms, before Retry-After (1 s)`);
  });

  it('a 400 is recorded as a permanent failure and not retried; later SETs still flow', async () => {
    const path = '/rejecting';
    let rejected = 0;
    receiver.answer = ({ path: p }) => {
      if (p === path && rejected === 0) {
        rejected += 1;
        return { status: 400, body: '{"err":"invalid_audience","description":"not for me"}' };
      }
      return { status: 202 };
    };
    const stream = await pushStream(path);
    const user = randomUUID();
    await detect(user, 'low');
    await waitFor(() => receiver.requests.some((r) => r.path === path), 'the rejected SET');
    await detect(user, 'high');
    await waitFor(() => receiver.accepted(path).length >= 1, 'the next SET');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const attempts = receiver.requests.filter((r) => r.path === path);
    assert.equal(attempts.length, 2, 'the rejected SET was sent once');
    assert.deepEqual(levelsOf(receiver.accepted(path)), [['LOW', 'HIGH']]);
    const h = await health(stream);
    assert.equal(h.failed, 1);
    assert.equal(h.delivered, 1);
    assert.equal(h.backlog, 0);
    assert.equal(h.lastError, 'HTTP 400 invalid_audience: not for me');
  });

  it('a receiver that is not listening: network errors are retried and visible as the last error', async () => {
    const port = await freePort();
    const stream = await pushStream('', `http://127.0.0.1:${port}/nobody`);
    await detect(randomUUID(), 'low');
    const deadline = Date.now() + 5000;
    let h = await health(stream);
    while (h.lastError === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      h = await health(stream);
    }
    assert.match(h.lastError ?? '', /network error/);
    assert.equal(h.backlog, 1);
    assert.equal(h.failed, 0);
  });
});

describe('SET delivery survives SIGKILL of the transmitter', { timeout: 60_000 }, () => {
  const ACCOUNT = randomUUID().replace(/-/g, '');
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-ssf-kill-'));
  const dbPath = join(dir, 'ztrisk.db');
  const PATH = '/after-crash';
  let receiver: TestReceiver;
  let server: Server | undefined;
  let token = '';
  let port = 0;
  let clockMs = Date.now() - 60_000;

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    if (!server) throw new Error('no server');
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  }

  async function maliciousFile(userId: string, level: RiskLevel): Promise<void> {
    const zt = `/client/v4/accounts/${ACCOUNT}`;
    await api('PUT', `${zt}/zt_risk_scoring/behaviors`, {
      behaviors: { malicious_file: { enabled: true, risk_level: level } },
    });
    clockMs += 1000;
    await api('POST', `${zt}/ztrisk/events`, [
      {
        id: randomUUID(),
        type: 'file_verdict',
        timestamp: new Date(clockMs).toISOString(),
        user: { id: userId, email: `${userId.slice(0, 8)}@acme.example`, name: 'U' },
        verdict: 'malicious',
        direction: 'download',
      },
    ]);
  }

  before(async () => {
    process.env.ZTRISK_SSF_ALLOW_PRIVATE_TARGETS = 'true';
    process.env.ZTRISK_SSF_WORKER_INTERVAL_MS = '50';
    process.env.ZTRISK_SSF_RETRY_BASE_MS = '50';
    process.env.ZTRISK_SSF_RETRY_MAX_MS = '200';
    process.env.ZTRISK_SSF_PUSH_TIMEOUT_MS = '1000';
    process.env.ZTRISK_LOG_LEVEL = 'silent';
    process.env.ZTRISK_GEOIP_MMDB = 'none';
    receiver = await startReceiver();
    token = await createToken(dbPath, ACCOUNT);
    port = await freePort();
  });

  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pending SETs are all delivered, in order, after a SIGKILL and a restart', async () => {
    receiver.answer = () => ({ status: 503 });
    server = await startServer(dbPath, ['--port', String(port)]);
    const created = await api('POST', `/ssf/${ACCOUNT}/streams`, {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${receiver.url}${PATH}` },
    });
    const audience = String(created.aud);
    const u = randomUUID();
    const v = randomUUID();
    await maliciousFile(u, 'medium');
    await maliciousFile(u, 'high');
    await maliciousFile(v, 'low');
    await api('POST', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/${u}/reset`, {
      reason: 'before the crash',
    });
    await waitFor(() => receiver.requests.length >= 4, 'delivery attempts before the crash');
    const sentBeforeCrash = new Set(receiver.requests.map((r) => r.body));
    server.child.kill('SIGKILL');
    assert.deepEqual(await server.exited, { code: null, signal: 'SIGKILL' });

    receiver.answer = () => ({ status: 202 });
    server = await startServer(dbPath, ['--port', String(port)]);
    await waitFor(
      () => new Set(receiver.accepted(PATH).map((s) => claimsOf(s).jti)).size >= 4,
      'all four SETs after the restart',
      20_000,
    );
    const accepted = receiver.accepted(PATH);
    const issuer = `${server.url}/ssf/${ACCOUNT}`;
    for (const set of accepted)
      await verifyReceivedSet(set, { jwksUri: `${issuer}/jwks.json`, issuer, audience });
    const ofUser = (id: string) =>
      accepted.filter(
        (s) => (claimsOf(s).sub_id as { email: string }).email === `${id.slice(0, 8)}@acme.example`,
      );
    assert.deepEqual(levelsOf(ofUser(u)), [
      [undefined, 'MEDIUM'],
      ['MEDIUM', 'HIGH'],
      ['HIGH', 'LOW'],
    ]);
    assert.deepEqual(levelsOf(ofUser(v)), [[undefined, 'LOW']]);
    assert.ok(
      accepted.some((s) => sentBeforeCrash.has(s)),
      'a SET signed before the crash is re-sent byte for byte after it',
    );
  });

  it('ztrisk keys rotate-signing makes a new key active and removes the old one once nothing is pending', async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const before = readdirSync(join(dir, 'keys')).filter((f) => f.endsWith('.pem'));
    assert.equal(before.length, 1);
    const out = await runCli(['keys', 'rotate-signing', '--db', `sqlite:${dbPath}`]);
    const active = /active signing key: (\S+)/.exec(out)?.[1];
    assert.ok(active, out);
    assert.match(out, new RegExp(`removed signing key: ${before[0]?.replace('.pem', '')}`));
    assert.doesNotMatch(out, /PRIVATE KEY/);
    assert.deepEqual(
      readdirSync(join(dir, 'keys')).filter((f) => f.endsWith('.pem')),
      [`${active}.pem`],
    );
  });
});
