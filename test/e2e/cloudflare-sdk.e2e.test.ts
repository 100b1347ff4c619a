import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Cloudflare, { NotFoundError } from 'cloudflare';
import type { Finding } from '../../src/domain/finding.js';
import { createServices, type Services } from '../../src/services/services.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { assertValidResponse } from '../support/openapi.js';
import { onlyLine, runCli, type Server, startServer } from '../support/server.js';

/**
 * End to end: `ztrisk serve` as a child process on a real SQLite file, credentials made with the CLI,
 * and every zt_risk_scoring method of the official `cloudflare` npm client (7.x) against real state.
 */

const ACCOUNT = randomUUID().replace(/-/g, '');
const OWNER_EMAIL = 'E2E.Owner@Example.com';

/** GET with a bearer token through plain fetch, for validating the raw wire body. */
async function rawGet(url: string, token: string | undefined): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { status: res.status, body: await res.json() };
}

function isNotFound1404(error: unknown): boolean {
  assert.ok(error instanceof NotFoundError, `expected NotFoundError, got ${String(error)}`);
  assert.equal(error.status, 404);
  assert.equal(error.errors[0]?.code, 1404);
  return true;
}

describe('ztrisk serve driven by the official cloudflare npm client', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-e2e-'));
  const dbPath = join(dir, 'ztrisk.db');
  let server: Server | undefined;
  let token = '';
  let readToken = '';
  let globalKey = '';
  let localStore: Store | undefined;

  function srv(): Server {
    if (!server) throw new Error('server not started');
    return server;
  }

  /** A client over `/client/v4` with the Write + PII Read token (and no other credentials). */
  function client(options: { baseURL?: string; apiToken?: string } = {}): Cloudflare {
    return new Cloudflare({
      baseURL: options.baseURL ?? `${srv().url}/client/v4`,
      apiToken: options.apiToken ?? token,
      apiEmail: null,
      apiKey: null,
      userServiceKey: null,
    });
  }

  function services(): Services {
    localStore ??= createSqliteStore({ path: dbPath });
    return createServices({ store: localStore, now: Date.now });
  }

  before(async () => {
    server = await startServer(dbPath);
    const db = `sqlite:${dbPath}`;
    const [writeOut, readOut, keyOut] = await Promise.all([
      runCli([
        'tokens',
        'create',
        '--account',
        ACCOUNT,
        '--permission',
        'Zero Trust Write',
        '--permission',
        'Zero Trust: PII Read',
        '--db',
        db,
      ]),
      runCli(['tokens', 'create', '--account', ACCOUNT, '--permission', 'Zero Trust Read', '--db', db]),
      runCli(['keys', 'create', '--email', OWNER_EMAIL, '--account', ACCOUNT, '--db', db]),
    ]);
    token = onlyLine(writeOut);
    readToken = onlyLine(readOut);
    globalKey = onlyLine(keyOut);
  });

  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await localStore?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists, gets, updates, finds by reference and deletes an integration', async () => {
    const cf = client();
    const integrations = cf.zeroTrust.riskScoring.integrations;
    const referenceId = `e2e-${randomUUID()}`;

    const created = await integrations.create({
      account_id: ACCOUNT,
      integration_type: 'Okta',
      tenant_url: 'https://e2e.okta.example',
      reference_id: referenceId,
    });
    assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(created.account_tag, ACCOUNT);
    assert.equal(created.integration_type, 'Okta');
    assert.equal(created.reference_id, referenceId);
    assert.equal(created.tenant_url, 'https://e2e.okta.example');
    assert.equal(created.active, true);
    assert.equal(created.well_known_url, `${srv().url}/.well-known/sse-configuration/${created.id}/`);

    const listed: string[] = [];
    for await (const i of integrations.list({ account_id: ACCOUNT })) listed.push(i.id);
    assert.deepEqual(listed, [created.id]);

    const got = await integrations.get(created.id, { account_id: ACCOUNT });
    assert.deepEqual(got, created);

    const updated = await integrations.update(created.id, {
      account_id: ACCOUNT,
      active: false,
      tenant_url: 'https://e2e-2.okta.example',
    });
    assert.equal(updated.active, false);
    assert.equal(updated.tenant_url, 'https://e2e-2.okta.example');
    assert.equal(updated.reference_id, referenceId, 'reference_id is unchanged when omitted');
    assert.equal(updated.created_at, created.created_at);

    const byReference = await integrations.references.get(referenceId, { account_id: ACCOUNT });
    assert.deepEqual(byReference, updated);

    const raw = await rawGet(
      `${srv().url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations`,
      token,
    );
    assert.equal(raw.status, 200);
    assertValidResponse('dlp-zt-risk-score-integration-list', raw.status, raw.body);

    const deleted = await integrations.delete(created.id, { account_id: ACCOUNT });
    assert.equal(deleted, null);

    await assert.rejects(integrations.get(created.id, { account_id: ACCOUNT }), isNotFound1404);
    await assert.rejects(integrations.delete(created.id, { account_id: ACCOUNT }), isNotFound1404);
    const gone = await rawGet(
      `${srv().url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations/${created.id}`,
      token,
    );
    assert.equal(gone.status, 404);
    assertValidResponse('dlp-zt-risk-score-integration-get', gone.status, gone.body);
  });

  it('gets behaviors and applies a partial update as a merge', async () => {
    const behaviours = client().zeroTrust.riskScoring.behaviours;
    const initial = await behaviours.get({ account_id: ACCOUNT });
    assert.equal(initial.behaviors.imp_travel?.enabled, false);
    assert.equal(initial.behaviors.imp_travel?.name, 'Impossible Travel');

    const afterFirst = await behaviours.update({
      account_id: ACCOUNT,
      behaviors: { imp_travel: { enabled: true, risk_level: 'high' } },
    });
    assert.deepEqual(afterFirst.behaviors.imp_travel, { enabled: true, risk_level: 'high' });
    assert.deepEqual(afterFirst.behaviors.high_dlp, { enabled: false, risk_level: 'medium' });

    await behaviours.update({
      account_id: ACCOUNT,
      behaviors: { high_dlp: { enabled: true, risk_level: 'medium' } },
    });
    const merged = await behaviours.get({ account_id: ACCOUNT });
    assert.deepEqual(
      Object.keys(merged.behaviors),
      Object.keys(initial.behaviors),
      'every catalog key, in order',
    );
    assert.equal(merged.behaviors.imp_travel?.enabled, true, 'the earlier update is kept');
    assert.equal(merged.behaviors.high_dlp?.enabled, true);
    assert.equal(merged.behaviors.sentinel_one?.enabled, false, 'unlisted keys keep their settings');

    const raw = await rawGet(
      `${srv().url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`,
      readToken,
    );
    assert.equal(raw.status, 200);
    assertValidResponse('dlp-risk-score-behaviors-get', raw.status, raw.body);
  });

  it('shows recorded risk in get user and summary, and clears it on reset', async () => {
    const cf = client();
    const rs = cf.zeroTrust.riskScoring;
    const userId = randomUUID();
    const now = Date.now();
    const findings: Finding[] = [
      {
        userId,
        email: 'carol@example.com',
        name: 'Carol',
        behavior: 'imp_travel',
        timestamp: new Date(now - 120_000).toISOString(),
        details: { source: 'e2e', n: 1 },
        dedupeKey: `e2e-imp-${userId}`,
      },
      {
        userId,
        email: 'carol@example.com',
        name: 'Carol',
        behavior: 'high_dlp',
        timestamp: new Date(now - 60_000).toISOString(),
        details: { source: 'e2e', n: 2 },
        dedupeKey: `e2e-dlp-${userId}`,
      },
    ];
    const recorded = await services().risk.recordFindings(ACCOUNT, findings);
    assert.equal(recorded.recorded.length, 2, 'both behaviors were enabled through the SDK');

    const user = await rs.get(userId, { account_id: ACCOUNT });
    assert.equal(user.name, 'Carol');
    assert.equal(user.email, 'carol@example.com');
    assert.equal(user.risk_level, 'high', 'the highest level among the events');
    assert.deepEqual(
      user.events.map((e) => [e.name, e.risk_level, e.timestamp]),
      [
        ['High Number of DLP Policies Triggered', 'medium', findings[1]?.timestamp],
        ['Impossible Travel', 'high', findings[0]?.timestamp],
      ],
      'newest first',
    );
    assert.equal(user.last_reset_time, null);

    const rawUser = await rawGet(
      `${srv().url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/${userId}`,
      token,
    );
    assert.equal(rawUser.status, 200);
    assertValidResponse('dlp-risk-score-summary-get-for-user', rawUser.status, rawUser.body);

    const summary = await rs.summary.get({ account_id: ACCOUNT });
    const row = summary.users.find((u) => u.user_id === userId);
    assert.ok(row, 'the user is in the summary');
    assert.equal(row.event_count, 2);
    assert.equal(row.max_risk_level, 'high');
    assert.equal(row.last_event, findings[1]?.timestamp);

    const rawSummary = await rawGet(
      `${srv().url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/summary`,
      token,
    );
    assert.equal(rawSummary.status, 200);
    assertValidResponse('dlp-risk-score-summary-get', rawSummary.status, rawSummary.body);

    const reset = await rs.reset(userId, { account_id: ACCOUNT });
    assert.deepEqual(reset, {});

    const summaryAfter = await rs.summary.get({ account_id: ACCOUNT });
    assert.equal(
      summaryAfter.users.find((u) => u.user_id === userId),
      undefined,
      'the summary omits a reset user',
    );

    const userAfter = await rs.get(userId, { account_id: ACCOUNT });
    assert.deepEqual(userAfter.events, []);
    assert.equal('risk_level' in userAfter, false, 'risk_level is omitted, not null');
    assert.equal(typeof userAfter.last_reset_time, 'string');
    assert.ok(
      Date.parse(userAfter.last_reset_time ?? '') >= now - 1000,
      `last_reset_time ${userAfter.last_reset_time} is the time of the reset`,
    );

    await assert.rejects(rs.get(randomUUID(), { account_id: ACCOUNT }), isNotFound1404);
  });

  it('serves the same API at the bare host (baseURL without /client/v4)', async () => {
    const cf = client({ baseURL: srv().url });
    const behaviors = await cf.zeroTrust.riskScoring.behaviours.get({ account_id: ACCOUNT });
    assert.equal(behaviors.behaviors.imp_travel?.enabled, true);
    const listed = await cf.zeroTrust.riskScoring.integrations.list({ account_id: ACCOUNT });
    assert.ok(Array.isArray(listed.result));
  });

  it('accepts a Global API key made with the CLI (email in another case)', async () => {
    const cf = new Cloudflare({
      baseURL: `${srv().url}/client/v4`,
      apiToken: null,
      apiEmail: OWNER_EMAIL.toLowerCase(),
      apiKey: globalKey,
      userServiceKey: null,
    });
    const summary = await cf.zeroTrust.riskScoring.summary.get({ account_id: ACCOUNT });
    assert.ok(Array.isArray(summary.users));
  });

  it('answers a request without credentials with a valid 401 failure envelope', async () => {
    const raw = await rawGet(`${srv().url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/summary`, undefined);
    assert.equal(raw.status, 401);
    assertValidResponse('dlp-risk-score-summary-get', raw.status, raw.body);
  });

  it('exits with code 0 on SIGTERM and never logged a secret', async () => {
    const s = srv();
    s.child.kill('SIGTERM');
    const { code, signal } = await s.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
    const log = s.stderr();
    assert.ok(
      log.includes('incoming request'),
      'the server logged no requests: the secret check would be vacuous',
    );
    for (const secret of [token, readToken, globalKey])
      assert.ok(!log.includes(secret), 'a secret is in the log');
  });
});
