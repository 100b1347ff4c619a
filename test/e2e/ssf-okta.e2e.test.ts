import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OKTA_USER_RISK_CHANGE_EVENT } from '../../src/domain/streams.js';
import {
  claimsOf,
  startReceiver,
  type TestReceiver,
  verifyReceivedSet,
  waitFor,
} from '../support/receiver.js';
import { type Server, startServer } from '../support/server.js';
import { createToken } from '../support/ztrisk.js';

/**
 * An Okta-like receiver against `ztrisk serve` (a child process on a real SQLite file): the admin creates
 * an Okta integration pointing at a local listener; the receiver reads the integration's well-known
 * document and JWKS over HTTP, verifies every SET it is pushed, and sees a rise after a detection, nothing
 * for a detection that does not change the level, a drop after a reset, and nothing while inactive.
 */

const ACCOUNT = randomUUID().replace(/-/g, '');
const OKTA_PATH = '/security/api/v1/security-events';

describe('Okta integration: risk changes pushed to a local Okta-like receiver', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-ssf-okta-'));
  const dbPath = join(dir, 'ztrisk.db');
  let server: Server | undefined;
  let receiver: TestReceiver;
  let token = '';
  let integrationId = '';
  let tenantUrl = '';
  let discovered = { issuer: '', jwksUri: '' };
  const alice = { id: randomUUID(), email: 'alice@acme.example', name: 'Alice' };
  const bob = { id: randomUUID(), email: 'bob@acme.example', name: 'Bob' };
  let clockMs = Date.now() - 60_000;

  function srv(): Server {
    if (!server) throw new Error('server not started');
    return server;
  }

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${srv().url}/client/v4/accounts/${ACCOUNT}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(json));
    return json;
  }

  /** Ingests one malicious file upload by the user (a `malicious_file` finding). */
  async function maliciousFile(user: typeof alice): Promise<void> {
    clockMs += 1000;
    const result = await api('POST', '/ztrisk/events', [
      {
        id: randomUUID(),
        type: 'file_verdict',
        timestamp: new Date(clockMs).toISOString(),
        user,
        verdict: 'malicious',
        direction: 'upload',
        file_name: 'invoice.pdf.exe',
      },
    ]);
    assert.equal((result.result as { risk_events: number }).risk_events, 1);
  }

  async function setLevel(level: string): Promise<void> {
    await api('PUT', '/zt_risk_scoring/behaviors', {
      behaviors: { malicious_file: { enabled: true, risk_level: level } },
    });
  }

  /** Verifies the n-th SET the receiver accepted and returns its Okta event. */
  async function oktaEvent(index: number) {
    const set = receiver.accepted(OKTA_PATH)[index];
    assert.ok(set, `SET #${index} was not received`);
    const payload = await verifyReceivedSet(set, { ...discovered, audience: tenantUrl });
    const event = payload.events[OKTA_USER_RISK_CHANGE_EVENT];
    assert.ok(event, 'an Okta user-risk-change event');
    return { payload, event };
  }

  before(async () => {
    process.env.ZTRISK_SSF_ALLOW_PRIVATE_TARGETS = 'true';
    process.env.ZTRISK_SSF_WORKER_INTERVAL_MS = '50';
    process.env.ZTRISK_SSF_RETRY_BASE_MS = '50';
    process.env.ZTRISK_LOG_LEVEL = 'warn';
    receiver = await startReceiver();
    tenantUrl = receiver.url;
    token = await createToken(dbPath, ACCOUNT);
    server = await startServer(dbPath);
  });

  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an admin creates an Okta integration; its well_known_url and JWKS are fetched over HTTP', async () => {
    await setLevel('medium');
    const created = await api('POST', '/zt_risk_scoring/integrations', {
      integration_type: 'Okta',
      tenant_url: tenantUrl,
    });
    const integration = created.result as { id: string; well_known_url: string; active: boolean };
    integrationId = integration.id;
    assert.equal(integration.active, true);
    assert.equal(integration.well_known_url, `${srv().url}/.well-known/sse-configuration/${integrationId}/`);
    const res = await fetch(integration.well_known_url);
    assert.equal(res.status, 200);
    const metadata = (await res.json()) as Record<string, unknown>;
    assert.equal(metadata.spec_version, '1_0');
    assert.deepEqual(metadata.delivery_methods_supported, ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936']);
    discovered = { issuer: String(metadata.issuer), jwksUri: String(metadata.jwks_uri) };
    assert.equal(discovered.issuer, `${srv().url}/ssf/${ACCOUNT}`);
    const jwks = (await (await fetch(discovered.jwksUri)).json()) as { keys: { alg: string; kty: string }[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.alg, 'RS256');
  });

  it('a detection that raises the level is pushed as a signed user-risk-change (none → medium)', async () => {
    await maliciousFile(alice);
    await waitFor(() => receiver.accepted(OKTA_PATH).length >= 1, 'the first SET');
    const request = receiver.requests.find((r) => r.path === OKTA_PATH);
    assert.equal(request?.headers['content-type'], 'application/secevent+jwt');
    const { payload, event } = await oktaEvent(0);
    assert.equal(payload.iss, discovered.issuer);
    assert.deepEqual(payload.sub_id, { format: 'complex', user: { format: 'email', email: alice.email } });
    assert.deepEqual(event.subject, { user: { format: 'email', email: alice.email } });
    assert.equal(event.previous_level, 'none');
    assert.equal(event.current_level, 'medium');
    assert.equal(event.initiating_entity, 'system');
    assert.equal(typeof event.event_timestamp, 'number');
  });

  it('a detection that does not change the level sends nothing; the next change is the next SET', async () => {
    await maliciousFile(alice);
    await setLevel('high');
    await maliciousFile(alice);
    await waitFor(() => receiver.accepted(OKTA_PATH).length >= 2, 'the second SET');
    const { event } = await oktaEvent(1);
    assert.deepEqual([event.previous_level, event.current_level], ['medium', 'high']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.accepted(OKTA_PATH).length, 2, 'no SET for the detection that kept the level');
  });

  it('a reset drops the level: high → none, initiated by admin, with the audit reason', async () => {
    await api('POST', `/zt_risk_scoring/${alice.id}/reset`, { reason: 'confirmed false positive' });
    await waitFor(() => receiver.accepted(OKTA_PATH).length >= 3, 'the reset SET');
    const { payload, event } = await oktaEvent(2);
    assert.deepEqual([event.previous_level, event.current_level], ['high', 'none']);
    assert.equal(event.initiating_entity, 'admin');
    assert.deepEqual(event.reason_admin, { en: 'confirmed false positive' });
    const txns = receiver.accepted(OKTA_PATH).map((s) => claimsOf(s).txn);
    const jtis = receiver.accepted(OKTA_PATH).map((s) => claimsOf(s).jti);
    assert.equal(new Set(txns).size, 3);
    assert.equal(new Set(jtis).size, 3);
    assert.equal(payload.aud, tenantUrl);
  });

  it('nothing is sent while the integration is inactive, not even after it is reactivated', async () => {
    await api('PUT', `/zt_risk_scoring/integrations/${integrationId}`, {
      tenant_url: tenantUrl,
      active: false,
    });
    await maliciousFile(bob);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.accepted(OKTA_PATH).length, 3);
    await api('PUT', `/zt_risk_scoring/integrations/${integrationId}`, {
      tenant_url: tenantUrl,
      active: true,
    });
    await api('POST', `/zt_risk_scoring/${bob.id}/reset`);
    await waitFor(() => receiver.accepted(OKTA_PATH).length >= 4, 'the SET after reactivation');
    const { payload, event } = await oktaEvent(3);
    assert.deepEqual(payload.sub_id, { format: 'complex', user: { format: 'email', email: bob.email } });
    assert.deepEqual(
      [event.previous_level, event.current_level],
      ['high', 'none'],
      "bob's rise while inactive was never sent",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.accepted(OKTA_PATH).length, 4);
  });

  it('exports the delivery backlog of the integration as a Prometheus gauge', async () => {
    const res = await fetch(`${srv().url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(
      text,
      new RegExp(
        `ztrisk_ssf_delivery_backlog\\{account="${ACCOUNT}",stream="${integrationId}",kind="integration"\\} 0`,
      ),
    );
  });

  it('deleting the integration stops export and forgets its well-known document', async () => {
    await api('DELETE', `/zt_risk_scoring/integrations/${integrationId}`);
    await maliciousFile(bob);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.accepted(OKTA_PATH).length, 4);
    const gone = await fetch(`${srv().url}/.well-known/sse-configuration/${integrationId}/`);
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { err: string }).err, 'not_found');
    assert.ok(receiver.requests.every((r) => r.status === 202));
  });
});
