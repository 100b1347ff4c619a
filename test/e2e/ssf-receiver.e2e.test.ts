import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RiskLevel } from '../../src/domain/risk-level.js';
import { RISK_LEVEL_CHANGE_EVENT, VERIFICATION_EVENT } from '../../src/domain/streams.js';
import { aFinding, enableBehaviors } from '../support/builders.js';
import {
  claimsOf,
  startReceiver,
  type TestReceiver,
  verifyReceivedSet,
  waitFor,
} from '../support/receiver.js';
import { type RunningZtrisk, startZtrisk } from '../support/ztrisk.js';

/**
 * A generic SSF receiver over real HTTP against the composed ztrisk (real SQLite file, the delivery
 * worker running): it discovers the transmitter, creates a push stream and a poll stream through the
 * configuration endpoint, verifies, pauses (held, then delivered in order), disables (dropped), polls
 * with ack and setErrs, and removes a subject.
 */

const ACCOUNT = randomUUID().replace(/-/g, '');
const PUSH_PATH = '/ssf/events';

interface Metadata {
  issuer: string;
  jwks_uri: string;
  configuration_endpoint: string;
  status_endpoint: string;
  add_subject_endpoint: string;
  remove_subject_endpoint: string;
  verification_endpoint: string;
}

describe('a generic SSF receiver: push and poll streams over HTTP', { timeout: 60_000 }, () => {
  let z: RunningZtrisk;
  let receiver: TestReceiver;
  let token = '';
  let meta: Metadata;
  let push = { id: '', aud: '' };
  let poll = { id: '', url: '' };

  const LEVEL_BEHAVIOR = { low: 'high_dlp', medium: 'failed_logins', high: 'malicious_file' } as const;

  async function detect(userId: string, email: string, level: RiskLevel): Promise<void> {
    await z.ztrisk.services.risk.recordFindings(ACCOUNT, [
      aFinding({ userId, email, behavior: LEVEL_BEHAVIOR[level], timestamp: new Date().toISOString() }),
    ]);
    // Findings dated in the same millisecond as a reset would not count after it.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }

  async function reset(userId: string): Promise<void> {
    await z.ztrisk.services.risk.resetUser(ACCOUNT, userId, 'cli', 'cleared by the SOC');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }

  async function ssf(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  }

  async function verified(set: string, audience: string) {
    return verifyReceivedSet(set, { jwksUri: meta.jwks_uri, issuer: meta.issuer, audience });
  }

  async function pushedEvents(from: number) {
    const out = [];
    for (const set of receiver.accepted(PUSH_PATH).slice(from)) out.push(await verified(set, push.aud));
    return out;
  }

  async function pollOnce(body: Record<string, unknown>) {
    const res = await ssf('POST', poll.url, body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return res.json as { sets: Record<string, string>; moreAvailable: boolean };
  }

  before(async () => {
    z = await startZtrisk();
    receiver = await startReceiver();
    const created = await z.ztrisk.services.credentials.createToken({
      name: 'receiver',
      grants: [{ accountId: ACCOUNT, permission: 'Zero Trust: PII Read' }],
      actor: 'cli',
    });
    token = created.secret;
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

  it('discovers the transmitter at its path-inserted well-known URL', async () => {
    const res = await fetch(`${z.url}/.well-known/ssf-configuration/ssf/${ACCOUNT}`);
    assert.equal(res.status, 200);
    meta = (await res.json()) as Metadata;
    assert.equal(meta.issuer, `${z.url}/ssf/${ACCOUNT}`);
    assert.equal((await fetch(meta.jwks_uri)).status, 200);
  });

  it('creates a push stream and a poll stream through the configuration endpoint', async () => {
    const p = await ssf('POST', meta.configuration_endpoint, {
      delivery: {
        method: 'urn:ietf:rfc:8935',
        endpoint_url: `${receiver.url}${PUSH_PATH}`,
        authorization_header: 'Bearer receiver-secret',
      },
      events_requested: [RISK_LEVEL_CHANGE_EVENT],
      description: 'push receiver',
    });
    assert.equal(p.status, 201);
    const pj = p.json as { stream_id: string; aud: string; events_delivered: string[] };
    push = { id: pj.stream_id, aud: pj.aud };
    assert.deepEqual(pj.events_delivered, [RISK_LEVEL_CHANGE_EVENT]);
    const q = await ssf('POST', meta.configuration_endpoint, { events_requested: [RISK_LEVEL_CHANGE_EVENT] });
    assert.equal(q.status, 201);
    const qj = q.json as { stream_id: string; delivery: { method: string; endpoint_url: string } };
    assert.equal(qj.delivery.method, 'urn:ietf:rfc:8936');
    poll = { id: qj.stream_id, url: qj.delivery.endpoint_url };
    const list = await ssf('GET', meta.configuration_endpoint);
    assert.deepEqual(
      (list.json as { stream_id: string }[]).map((s) => s.stream_id).sort(),
      [push.id, poll.id].sort(),
    );
  });

  it('verification: 204, then a verification SET with the state arrives at the push endpoint', async () => {
    const res = await ssf('POST', meta.verification_endpoint, { stream_id: push.id, state: 'vrf-1' });
    assert.equal(res.status, 204);
    await waitFor(() => receiver.accepted(PUSH_PATH).length >= 1, 'the verification SET');
    const request = receiver.requests.find((r) => r.path === PUSH_PATH);
    assert.equal(request?.headers.authorization, 'Bearer receiver-secret');
    assert.equal(request?.headers['content-type'], 'application/secevent+jwt');
    const [event] = await pushedEvents(0);
    assert.deepEqual(event?.events[VERIFICATION_EVENT], { state: 'vrf-1' });
    assert.deepEqual(event?.sub_id, { format: 'opaque', id: push.id });
    const tooSoon = await ssf('POST', meta.verification_endpoint, { stream_id: push.id, state: 'vrf-2' });
    assert.equal(tooSoon.status, 429);
  });

  it('a risk change reaches both streams with the same txn and different jtis', async () => {
    const user = randomUUID();
    const before = receiver.accepted(PUSH_PATH).length;
    await detect(user, 'ivy@acme.example', 'medium');
    await waitFor(() => receiver.accepted(PUSH_PATH).length >= before + 1, 'the pushed risk SET');
    const [pushed] = await pushedEvents(before);
    const polled = await pollOnce({ returnImmediately: true });
    const [pollSet] = Object.values(polled.sets);
    assert.ok(pushed && pollSet);
    const pollClaims = await verified(pollSet, poll.url);
    assert.equal(pushed.txn, pollClaims.txn);
    assert.notEqual(pushed.jti, pollClaims.jti);
    assert.equal(pushed.events[RISK_LEVEL_CHANGE_EVENT]?.current_level, 'MEDIUM');
    await pollOnce({ ack: Object.keys(polled.sets), maxEvents: 0 });
  });

  it('pause holds events; resume delivers them in order', async () => {
    const user = randomUUID();
    const paused = await ssf('POST', meta.status_endpoint, {
      stream_id: push.id,
      status: 'paused',
      reason: 'deploying',
    });
    assert.deepEqual(paused.json, { stream_id: push.id, status: 'paused', reason: 'deploying' });
    const before = receiver.accepted(PUSH_PATH).length;
    await detect(user, 'jo@acme.example', 'low');
    await detect(user, 'jo@acme.example', 'high');
    await reset(user);
    await detect(user, 'jo@acme.example', 'medium');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.accepted(PUSH_PATH).length, before, 'nothing is pushed while paused');
    await ssf('POST', meta.status_endpoint, { stream_id: push.id, status: 'enabled' });
    await waitFor(() => receiver.accepted(PUSH_PATH).length >= before + 4, 'the held SETs');
    const events = (await pushedEvents(before)).map((p) => p.events[RISK_LEVEL_CHANGE_EVENT]);
    assert.deepEqual(
      events.map((e) => [e?.previous_level, e?.current_level, e?.risk_reason]),
      [
        [undefined, 'LOW', 'high_dlp'],
        ['LOW', 'HIGH', 'malicious_file'],
        ['HIGH', 'LOW', 'ADMIN_RESET'],
        [undefined, 'MEDIUM', 'failed_logins'],
      ],
    );
    assert.deepEqual(events[2]?.reason_admin, { en: 'cleared by the SOC' });
  });

  it('disable drops events: nothing arrives for changes made while disabled', async () => {
    const user = randomUUID();
    await ssf('POST', meta.status_endpoint, { stream_id: push.id, status: 'disabled' });
    const before = receiver.accepted(PUSH_PATH).length;
    await detect(user, 'kim@acme.example', 'high');
    await ssf('POST', meta.status_endpoint, { stream_id: push.id, status: 'enabled' });
    await detect(randomUUID(), 'lea@acme.example', 'low');
    await waitFor(() => receiver.accepted(PUSH_PATH).length >= before + 1, 'the SET after re-enabling');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await pushedEvents(before);
    assert.deepEqual(
      after.map((p) => p.sub_id),
      [{ format: 'email', email: 'lea@acme.example' }],
    );
  });

  it('polls with maxEvents, ack and setErrs; a removed subject is not delivered on that stream', async () => {
    const removed = await ssf('POST', meta.remove_subject_endpoint, {
      stream_id: poll.id,
      subject: { format: 'email', email: 'mo@acme.example' },
    });
    assert.equal(removed.status, 200);
    // Drain what the earlier tests left on the poll stream.
    const leftover = await pollOnce({ returnImmediately: true, maxEvents: 100 });
    await pollOnce({ ack: Object.keys(leftover.sets), maxEvents: 0 });
    const pushedBefore = receiver.accepted(PUSH_PATH).length;
    await detect(randomUUID(), 'mo@acme.example', 'high');
    await detect(randomUUID(), 'nia@acme.example', 'low');
    await detect(randomUUID(), 'oz@acme.example', 'medium');
    const first = await pollOnce({ returnImmediately: true, maxEvents: 1 });
    assert.equal(Object.keys(first.sets).length, 1);
    assert.equal(first.moreAvailable, true);
    const [nia] = Object.keys(first.sets);
    const second = await pollOnce({ ack: [nia], returnImmediately: true, maxEvents: 10 });
    const subjects = [];
    for (const set of Object.values(second.sets)) subjects.push((await verified(set, poll.url)).sub_id);
    assert.deepEqual(subjects, [{ format: 'email', email: 'oz@acme.example' }]);
    assert.equal(second.moreAvailable, false);
    const withErr = await pollOnce({
      setErrs: { [Object.keys(second.sets)[0] ?? '']: { err: 'invalid_issuer', description: 'test' } },
      returnImmediately: true,
    });
    assert.deepEqual(withErr.sets, {});
    await waitFor(
      () => receiver.accepted(PUSH_PATH).length >= pushedBefore + 3,
      'the push stream gets all three',
    );
    const pushedSubjects = (await pushedEvents(pushedBefore)).map((p) => p.sub_id.email);
    assert.deepEqual(pushedSubjects, ['mo@acme.example', 'nia@acme.example', 'oz@acme.example']);
    assert.equal(
      new Set(receiver.accepted(PUSH_PATH).map((s) => claimsOf(s).jti)).size,
      receiver.accepted(PUSH_PATH).length,
    );
  });

  it('delivery health is readable through the ztrisk extension endpoint', async () => {
    const admin = await z.ztrisk.services.credentials.createToken({
      name: 'reader',
      grants: [{ accountId: ACCOUNT, permission: 'Zero Trust Read' }],
      actor: 'cli',
    });
    const res = await fetch(`${z.url}/client/v4/accounts/${ACCOUNT}/ztrisk/streams`, {
      headers: { authorization: `Bearer ${admin.secret}` },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { result: Record<string, unknown>[] };
    const pushHealth = body.result.find((h) => h.stream_id === push.id);
    const pollHealth = body.result.find((h) => h.stream_id === poll.id);
    assert.equal(pushHealth?.delivery_method, 'push');
    assert.equal(pushHealth?.backlog, 0);
    assert.equal(pushHealth?.delivered, receiver.accepted(PUSH_PATH).length);
    assert.equal(typeof pushHealth?.last_success_at, 'string');
    assert.equal(pollHealth?.failed, 1);
    assert.match(String(pollHealth?.last_error), /invalid_issuer/);
    const deleted = await ssf('DELETE', `${meta.configuration_endpoint}?stream_id=${poll.id}`);
    assert.equal(deleted.status, 204);
  });
});
