import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import type { RiskLevel } from '../../src/domain/risk-level.js';
import {
  POLL_DELIVERY_METHOD,
  PUSH_DELIVERY_METHOD,
  RISK_LEVEL_CHANGE_EVENT,
  STREAM_UPDATED_EVENT,
  VERIFICATION_EVENT,
} from '../../src/domain/streams.js';
import { createMemoryKeyRing } from '../../src/signals/keys.js';
import type { ResolveAll } from '../../src/signals/target-guard.js';
import { aFinding, enableBehaviors } from '../support/builders.js';
import { ACCOUNT, OTHER_ACCOUNT, PUBLIC_URL, startTestApp, type TestApp } from '../support/harness.js';

/**
 * The Shared Signals transmitter in process (SSF.md): discovery, JWKS, the stream management API with
 * SSF's error bodies, verification, RFC 8936 polling with ack and setErrs, subjects, transmitter status
 * changes, key rotation and delivery health. Push delivery over real HTTP is in test/e2e/ssf-*.e2e.test.ts.
 */

const ISSUER = `${PUBLIC_URL}/ssf/${ACCOUNT}`;
const SSF = `/ssf/${ACCOUNT}`;

/** DNS for the tests: names under .internal resolve privately, everything else to a public address. */
const resolveAll: ResolveAll = async (host) => [
  { address: host.endsWith('.internal') ? '10.1.2.3' : '93.184.216.34', family: 4 },
];

interface Response {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
  json: Record<string, unknown>;
}

describe('Shared Signals transmitter (in process)', () => {
  let t: TestApp;
  let receiverToken = '';
  const keyRing = createMemoryKeyRing();

  before(async () => {
    t = await startTestApp({ services: { signals: { keyRing, resolveAll, longPollMs: 300 } } });
    receiverToken = await t.token(['Zero Trust: PII Read']);
    await enableBehaviors(t.services, ACCOUNT, {
      high_dlp: 'low',
      failed_logins: 'medium',
      malicious_file: 'high',
    });
  });
  after(async () => t.close());

  async function call(
    method: string,
    url: string,
    options: { body?: unknown; token?: string | null; raw?: string } = {},
  ): Promise<Response> {
    const token = options.token === undefined ? receiverToken : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    const body: unknown = res.body.length > 0 ? JSON.parse(res.body) : undefined;
    return {
      status: res.statusCode,
      headers: res.headers,
      body,
      json: (body ?? {}) as Record<string, unknown>,
    };
  }

  function assertSsfError(res: Response, status: number, err: string, description?: RegExp): void {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.json).sort(), ['description', 'err']);
    assert.equal(res.json.err, err);
    assert.equal(typeof res.json.description, 'string');
    if (description) assert.match(String(res.json.description), description);
  }

  const LEVEL_BEHAVIOR: Record<RiskLevel, 'high_dlp' | 'failed_logins' | 'malicious_file'> = {
    low: 'high_dlp',
    medium: 'failed_logins',
    high: 'malicious_file',
  };

  /** Records a finding at the current clock time that puts the user's level at least at `level`. */
  async function detect(userId: string, email: string, level: RiskLevel) {
    t.clock.advance(1000);
    return t.services.risk.recordFindings(ACCOUNT, [
      aFinding({
        userId,
        email,
        behavior: LEVEL_BEHAVIOR[level],
        timestamp: new Date(t.clock.now()).toISOString(),
      }),
    ]);
  }

  async function createStream(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await call('POST', `${SSF}/streams`, { body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.json;
  }

  async function jwks(): Promise<JSONWebKeySet> {
    const res = await call('GET', `${SSF}/jwks.json`, { token: null });
    assert.equal(res.status, 200);
    return res.json as unknown as JSONWebKeySet;
  }

  async function poll(streamId: string, body: Record<string, unknown>) {
    const res = await call('POST', `${SSF}/poll/${streamId}`, { body });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.json as { sets: Record<string, string>; moreAvailable: boolean };
  }

  async function verifySet(set: string, aud: string) {
    const { payload, protectedHeader } = await jwtVerify(set, createLocalJWKSet(await jwks()), {
      issuer: ISSUER,
      audience: aud,
      typ: 'secevent+jwt',
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, undefined);
    assert.equal(payload.exp, undefined);
    assert.equal(Object.keys(payload.events as object).length, 1);
    return {
      payload: payload as Record<string, unknown> & { events: Record<string, Record<string, unknown>> },
      protectedHeader,
    };
  }

  describe('discovery', () => {
    it('serves the path-inserted metadata of the account transmitter with every SSF 1.0 field', async () => {
      const res = await call('GET', `/.well-known/ssf-configuration/ssf/${ACCOUNT}`, { token: null });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, {
        spec_version: '1_0',
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/jwks.json`,
        delivery_methods_supported: [PUSH_DELIVERY_METHOD, POLL_DELIVERY_METHOD],
        configuration_endpoint: `${ISSUER}/streams`,
        status_endpoint: `${ISSUER}/streams/status`,
        add_subject_endpoint: `${ISSUER}/subjects/add`,
        remove_subject_endpoint: `${ISSUER}/subjects/remove`,
        verification_endpoint: `${ISSUER}/verify`,
        authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
        default_subjects: 'ALL',
      });
    });

    it("serves the same document at an Okta integration's well_known_url", async () => {
      const created = await t.request('POST', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations`, {
        body: { integration_type: 'Okta', tenant_url: 'https://acme.okta.example' },
      });
      const result = created.json.result as { well_known_url: string; id: string };
      assert.equal(result.well_known_url, `${PUBLIC_URL}/.well-known/sse-configuration/${result.id}/`);
      const res = await call('GET', result.well_known_url.slice(PUBLIC_URL.length), { token: null });
      assert.equal(res.status, 200);
      assert.equal(res.json.issuer, ISSUER);
      await t.request('DELETE', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations/${result.id}`);
    });

    it('answers 404 in SSF shape for unknown accounts and integrations', async () => {
      assertSsfError(
        await call('GET', '/.well-known/ssf-configuration/ssf/nobody', { token: null }),
        404,
        'not_found',
      );
      assertSsfError(
        await call('GET', `/.well-known/sse-configuration/${randomUUID()}/`, { token: null }),
        404,
        'not_found',
      );
      assertSsfError(
        await call('GET', '/.well-known/sse-configuration/not-a-uuid/', { token: null }),
        404,
        'not_found',
      );
      assertSsfError(await call('GET', '/ssf/nobody/jwks.json', { token: null }), 404, 'not_found');
      assertSsfError(await call('GET', `${SSF}/no-such-endpoint`), 404, 'not_found');
    });

    it('publishes an RS256 JWKS without private members', async () => {
      const { keys } = await jwks();
      assert.equal(keys.length, 1);
      assert.equal(keys[0]?.alg, 'RS256');
      assert.equal(keys[0]?.kty, 'RSA');
      assert.equal((keys[0] as Record<string, unknown>).d, undefined);
    });
  });

  describe('security', () => {
    const endpoints: [string, string, unknown][] = [
      ['POST', `${SSF}/streams`, {}],
      ['GET', `${SSF}/streams`, undefined],
      ['PATCH', `${SSF}/streams`, { stream_id: 'x' }],
      ['PUT', `${SSF}/streams`, { stream_id: 'x' }],
      ['DELETE', `${SSF}/streams?stream_id=x`, undefined],
      ['GET', `${SSF}/streams/status?stream_id=x`, undefined],
      ['POST', `${SSF}/streams/status`, { stream_id: 'x', status: 'paused' }],
      ['POST', `${SSF}/subjects/add`, { stream_id: 'x', subject: { format: 'email', email: 'a@b.c' } }],
      ['POST', `${SSF}/subjects/remove`, { stream_id: 'x', subject: { format: 'email', email: 'a@b.c' } }],
      ['POST', `${SSF}/verify`, { stream_id: 'x' }],
      ['POST', `${SSF}/poll/x`, {}],
    ];
    for (const [method, url, body] of endpoints) {
      it(`${method} ${url.replace(SSF, '…')}: no token 401, bad token 401, without PII Read 403, other account 403`, async () => {
        const none = await call(method, url, { body, token: null });
        assertSsfError(none, 401, 'authentication_failed');
        assert.equal(none.headers['www-authenticate'], 'Bearer');
        assertSsfError(
          await call(method, url, { body, token: 'A'.repeat(40) }),
          401,
          'authentication_failed',
        );
        const readWrite = await t.token(['Zero Trust Read', 'Zero Trust Write', 'Zero Trust: Risk Ingest']);
        assertSsfError(await call(method, url, { body, token: readWrite }), 403, 'access_denied');
        const elsewhere = await t.token(['Zero Trust: PII Read'], [OTHER_ACCOUNT]);
        assertSsfError(await call(method, url, { body, token: elsewhere }), 403, 'access_denied');
      });
    }

    const refusedTargets = [
      'https://169.254.169.254/latest/meta-data/',
      'https://127.0.0.1/events',
      'https://[::1]/events',
      'https://10.0.0.8/events',
      'https://100.64.1.1/events',
      'https://receiver.internal/events',
      'http://receiver.example/events',
    ];
    for (const endpoint of refusedTargets) {
      it(`refuses the push endpoint ${endpoint} while private targets are not allowed`, async () => {
        const res = await call('POST', `${SSF}/streams`, {
          body: { delivery: { method: PUSH_DELIVERY_METHOD, endpoint_url: endpoint } },
        });
        assertSsfError(res, 400, 'invalid_request', /delivery\/endpoint_url/);
      });
    }

    it('refuses a push endpoint changed to a refused address by PATCH, and keeps the stream as it was', async () => {
      const stream = await createStream({
        delivery: { method: PUSH_DELIVERY_METHOD, endpoint_url: 'https://receiver.example/e' },
      });
      const res = await call('PATCH', `${SSF}/streams`, {
        body: {
          stream_id: stream.stream_id,
          delivery: { method: PUSH_DELIVERY_METHOD, endpoint_url: 'https://169.254.169.254/' },
        },
      });
      assertSsfError(res, 400, 'invalid_request');
      const now = await call('GET', `${SSF}/streams?stream_id=${stream.stream_id}`);
      assert.deepEqual(now.json.delivery, {
        method: PUSH_DELIVERY_METHOD,
        endpoint_url: 'https://receiver.example/e',
      });
      await call('DELETE', `${SSF}/streams?stream_id=${stream.stream_id}`);
    });
  });

  describe('stream management', () => {
    it('creates a poll stream when no delivery is given, with a unique poll URL and transmitter fields', async () => {
      const a = await createStream({
        description: 'SIEM',
        events_requested: [RISK_LEVEL_CHANGE_EVENT, 'urn:unknown'],
      });
      const b = await createStream({});
      const id = String(a.stream_id);
      assert.deepEqual(a, {
        stream_id: id,
        iss: ISSUER,
        aud: `${ISSUER}/poll/${id}`,
        events_supported: [RISK_LEVEL_CHANGE_EVENT],
        events_requested: [RISK_LEVEL_CHANGE_EVENT, 'urn:unknown'],
        events_delivered: [RISK_LEVEL_CHANGE_EVENT],
        delivery: { method: POLL_DELIVERY_METHOD, endpoint_url: `${ISSUER}/poll/${id}` },
        min_verification_interval: 30,
        description: 'SIEM',
        format: 'email',
      });
      assert.notEqual(
        (b.delivery as { endpoint_url: string }).endpoint_url,
        (a.delivery as { endpoint_url: string }).endpoint_url,
      );
      const list = await call('GET', `${SSF}/streams`);
      assert.ok((list.body as { stream_id: string }[]).some((s) => s.stream_id === id));
      for (const s of [a, b])
        assert.equal((await call('DELETE', `${SSF}/streams?stream_id=${s.stream_id}`)).status, 204);
    });

    it('reads, patches, replaces and deletes a stream; the authorization header is never shown', async () => {
      const created = await createStream({
        delivery: {
          method: PUSH_DELIVERY_METHOD,
          endpoint_url: 'https://receiver.example/e',
          authorization_header: 'Bearer s3cret',
        },
        description: 'first',
        format: 'complex',
      });
      const id = created.stream_id as string;
      assert.equal(JSON.stringify(created).includes('s3cret'), false);
      const read = await call('GET', `${SSF}/streams?stream_id=${id}`);
      assert.deepEqual(read.json, created);
      const patched = await call('PATCH', `${SSF}/streams`, {
        body: { stream_id: id, description: 'second', iss: ISSUER },
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.json.description, 'second');
      assert.equal(patched.json.format, 'complex');
      const replaced = await call('PUT', `${SSF}/streams`, {
        body: {
          stream_id: id,
          delivery: { method: PUSH_DELIVERY_METHOD, endpoint_url: 'https://receiver.example/f' },
        },
      });
      assert.equal(replaced.status, 200);
      assert.equal(replaced.json.description, undefined);
      assert.equal(replaced.json.format, 'email');
      assert.equal(replaced.json.aud, 'https://receiver.example/f');
      assertSsfError(
        await call('PATCH', `${SSF}/streams`, { body: { stream_id: id, iss: 'https://evil.example' } }),
        400,
        'invalid_request',
        /iss/,
      );
      assertSsfError(
        await call('PATCH', `${SSF}/streams`, { body: { description: 'x' } }),
        400,
        'invalid_request',
        /stream_id/,
      );
      assertSsfError(
        await call('PATCH', `${SSF}/streams`, { body: { stream_id: randomUUID() } }),
        404,
        'not_found',
      );
      assertSsfError(await call('PATCH', `${SSF}/streams`, { raw: '{not json' }), 400, 'invalid_request');
      assertSsfError(
        await call('POST', `${SSF}/streams`, { body: { delivery: { method: 'urn:nope' } } }),
        400,
        'invalid_request',
      );
      assert.equal((await call('DELETE', `${SSF}/streams?stream_id=${id}`)).status, 204);
      assertSsfError(await call('GET', `${SSF}/streams?stream_id=${id}`), 404, 'not_found');
      assertSsfError(await call('DELETE', `${SSF}/streams?stream_id=${id}`), 404, 'not_found');
      assertSsfError(await call('DELETE', `${SSF}/streams`), 400, 'invalid_request');
    });

    it('reads and sets the status with a reason', async () => {
      const id = (await createStream({})).stream_id as string;
      assert.deepEqual((await call('GET', `${SSF}/streams/status?stream_id=${id}`)).json, {
        stream_id: id,
        status: 'enabled',
      });
      const set = await call('POST', `${SSF}/streams/status`, {
        body: { stream_id: id, status: 'paused', reason: 'maintenance' },
      });
      assert.deepEqual(set.json, { stream_id: id, status: 'paused', reason: 'maintenance' });
      assert.deepEqual((await call('GET', `${SSF}/streams/status?stream_id=${id}`)).json, set.json);
      assertSsfError(
        await call('POST', `${SSF}/streams/status`, { body: { stream_id: id, status: 'sleeping' } }),
        400,
        'invalid_request',
      );
      assertSsfError(await call('GET', `${SSF}/streams/status?stream_id=${randomUUID()}`), 404, 'not_found');
      await call('DELETE', `${SSF}/streams?stream_id=${id}`);
    });
  });

  describe('poll delivery', () => {
    it('verification sends a SET with the state and the stream as subject; too soon is 429', async () => {
      const stream = await createStream({});
      const id = stream.stream_id as string;
      assert.equal(
        (await call('POST', `${SSF}/verify`, { body: { stream_id: id, state: 'st-1' } })).status,
        204,
      );
      const again = await call('POST', `${SSF}/verify`, { body: { stream_id: id, state: 'st-2' } });
      assertSsfError(again, 429, 'too_many_requests');
      assert.equal(again.headers['retry-after'], '30');
      t.clock.advance(30_000);
      assert.equal(
        (await call('POST', `${SSF}/verify`, { body: { stream_id: id, state: 'st-3' } })).status,
        204,
      );
      const polled = await poll(id, { returnImmediately: true });
      const states = [];
      for (const set of Object.values(polled.sets)) {
        const { payload } = await verifySet(set, `${ISSUER}/poll/${id}`);
        assert.deepEqual(payload.sub_id, { format: 'opaque', id });
        states.push(payload.events[VERIFICATION_EVENT]?.state);
      }
      assert.deepEqual(states, ['st-1', 'st-3']);
      assertSsfError(
        await call('POST', `${SSF}/verify`, { body: { stream_id: randomUUID() } }),
        404,
        'not_found',
      );
      await call('DELETE', `${SSF}/streams?stream_id=${id}`);
    });

    it('hands out risk-level-change SETs in order until acknowledged; setErrs count as failures', async () => {
      const id = (await createStream({})).stream_id as string;
      const user = randomUUID();
      await detect(user, 'carol@acme.example', 'low');
      await detect(user, 'carol@acme.example', 'low');
      await detect(user, 'carol@acme.example', 'high');
      await t.services.risk.resetUser(ACCOUNT, user, 'cli', 'false positive');
      const first = await poll(id, { maxEvents: 2, returnImmediately: true });
      assert.equal(first.moreAvailable, true);
      const jtis = Object.keys(first.sets);
      assert.equal(jtis.length, 2);
      const all = await poll(id, { maxEvents: 10, returnImmediately: true });
      assert.deepEqual(
        Object.keys(all.sets).slice(0, 2),
        jtis,
        'unacknowledged SETs are handed out again, in order',
      );
      assert.equal(all.moreAvailable, false);
      const events = [];
      const txns = new Set<unknown>();
      for (const set of Object.values(all.sets)) {
        const { payload, protectedHeader } = await verifySet(set, `${ISSUER}/poll/${id}`);
        assert.equal(protectedHeader.typ, 'secevent+jwt');
        assert.deepEqual(payload.sub_id, { format: 'email', email: 'carol@acme.example' });
        assert.equal(typeof payload.txn, 'string');
        txns.add(payload.txn);
        events.push(payload.events[RISK_LEVEL_CHANGE_EVENT]);
      }
      assert.equal(txns.size, 3);
      assert.deepEqual(
        events.map((e) => [e?.previous_level, e?.current_level, e?.risk_reason, e?.initiating_entity]),
        [
          [undefined, 'LOW', 'high_dlp', 'system'],
          ['LOW', 'HIGH', 'malicious_file', 'system'],
          ['HIGH', 'LOW', 'ADMIN_RESET', 'admin'],
        ],
      );
      assert.deepEqual(events[2]?.reason_admin, { en: 'false positive' });
      const [a, b, c] = Object.keys(all.sets);
      const acked = await poll(id, {
        ack: [a],
        setErrs: { [b ?? '']: { err: 'invalid_key', description: 'unknown kid' } },
        returnImmediately: true,
      });
      assert.deepEqual(Object.keys(acked.sets), [c]);
      await poll(id, { ack: [c], maxEvents: 0 });
      assert.deepEqual((await poll(id, { returnImmediately: true })).sets, {});
      const health = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/streams`);
      const mine = (health.json.result as Record<string, unknown>[]).find((h) => h.stream_id === id);
      assert.equal(mine?.delivered, 2);
      assert.equal(mine?.failed, 1);
      assert.equal(mine?.backlog, 0);
      assert.match(String(mine?.last_error), /invalid_key/);
      await call('DELETE', `${SSF}/streams?stream_id=${id}`);
    });

    it('a poll without returnImmediately waits for a SET up to the long-poll limit', async () => {
      const id = (await createStream({})).stream_id as string;
      const started = Date.now();
      const empty = await poll(id, {});
      assert.deepEqual(empty.sets, {});
      assert.ok(Date.now() - started >= 250);
      const waiting = poll(id, {});
      setTimeout(() => void detect(randomUUID(), 'dan@acme.example', 'medium'), 50);
      assert.equal(Object.keys((await waiting).sets).length, 1);
      await call('DELETE', `${SSF}/streams?stream_id=${id}`);
    });

    it('a removed subject gets no SETs on that stream until it is added back', async () => {
      const id = (await createStream({})).stream_id as string;
      const erin = randomUUID();
      const frank = randomUUID();
      const subject = { format: 'email', email: 'Erin@Acme.example' };
      const removed = await call('POST', `${SSF}/subjects/remove`, { body: { stream_id: id, subject } });
      assert.equal(removed.status, 200);
      assert.equal(removed.body, undefined);
      await detect(erin, 'erin@acme.example', 'medium');
      await detect(frank, 'frank@acme.example', 'medium');
      const polled = await poll(id, { returnImmediately: true });
      const subjects = [];
      for (const set of Object.values(polled.sets))
        subjects.push((await verifySet(set, `${ISSUER}/poll/${id}`)).payload.sub_id);
      assert.deepEqual(subjects, [{ format: 'email', email: 'frank@acme.example' }]);
      assert.equal(
        (await call('POST', `${SSF}/subjects/add`, { body: { stream_id: id, subject } })).status,
        200,
      );
      await detect(erin, 'erin@acme.example', 'high');
      const after = await poll(id, { ack: Object.keys(polled.sets), returnImmediately: true });
      assert.equal(Object.keys(after.sets).length, 1);
      assertSsfError(
        await call('POST', `${SSF}/subjects/remove`, {
          body: { stream_id: id, subject: { format: 'phone_number', phone_number: '+1' } },
        }),
        400,
        'invalid_request',
      );
      assertSsfError(
        await call('POST', `${SSF}/subjects/add`, { body: { stream_id: randomUUID(), subject } }),
        404,
        'not_found',
      );
      await call('DELETE', `${SSF}/streams?stream_id=${id}`);
    });

    it('a transmitter status change sends stream-updated; paused holds risk SETs, disabled drops them', async () => {
      const id = (await createStream({})).stream_id as string;
      const admin = `/client/v4/accounts/${ACCOUNT}/ztrisk/streams/${id}/status`;
      const paused = await t.request('POST', admin, { body: { status: 'paused', reason: 'maintenance' } });
      assert.deepEqual(paused.json.result, { stream_id: id, status: 'paused', reason: 'maintenance' });
      const gina = randomUUID();
      await detect(gina, 'gina@acme.example', 'low');
      const whilePaused = await poll(id, { returnImmediately: true });
      const [notice] = Object.values(whilePaused.sets);
      assert.equal(Object.keys(whilePaused.sets).length, 1, 'only the control event while paused');
      assert.deepEqual(
        (await verifySet(notice ?? '', `${ISSUER}/poll/${id}`)).payload.events[STREAM_UPDATED_EVENT],
        {
          status: 'paused',
          reason: 'maintenance',
        },
      );
      await t.request('POST', admin, { body: { status: 'enabled' } });
      const resumed = await poll(id, { ack: Object.keys(whilePaused.sets), returnImmediately: true });
      const kinds = [];
      for (const set of Object.values(resumed.sets))
        kinds.push(Object.keys((await verifySet(set, `${ISSUER}/poll/${id}`)).payload.events)[0]);
      assert.deepEqual(kinds, [RISK_LEVEL_CHANGE_EVENT, STREAM_UPDATED_EVENT]);
      await call('POST', `${SSF}/streams/status`, { body: { stream_id: id, status: 'disabled' } });
      await detect(gina, 'gina@acme.example', 'high');
      await call('POST', `${SSF}/streams/status`, { body: { stream_id: id, status: 'enabled' } });
      const afterDisable = await poll(id, { ack: Object.keys(resumed.sets), returnImmediately: true });
      assert.deepEqual(
        afterDisable.sets,
        {},
        'changes while disabled are dropped, and a receiver change sends no stream-updated',
      );
      const bad = await t.request('POST', admin, { body: { status: 'sleeping' } });
      assert.equal(bad.status, 400);
      await call('DELETE', `${SSF}/streams?stream_id=${id}`);
    });

    it('after a key rotation the old key stays in the JWKS until its SETs are acknowledged', async () => {
      const id = (await createStream({})).stream_id as string;
      await detect(randomUUID(), 'hana@acme.example', 'medium');
      const polled = await poll(id, { returnImmediately: true });
      const [set] = Object.values(polled.sets);
      assert.ok(set);
      const oldKid = decodeProtectedHeader(set).kid;
      const rotated = await keyRing.rotate();
      assert.equal(rotated.retired, oldKid);
      assert.deepEqual((await jwks()).keys.map((k) => k.kid).sort(), [oldKid, rotated.active].sort());
      const again = await poll(id, { returnImmediately: true });
      assert.deepEqual(Object.values(again.sets), [set], 'a SET is re-sent byte for byte');
      await verifySet(set, `${ISSUER}/poll/${id}`);
      await poll(id, { ack: Object.keys(polled.sets), maxEvents: 0 });
      assert.deepEqual(
        (await jwks()).keys.map((k) => k.kid),
        [rotated.active],
      );
      await call('DELETE', `${SSF}/streams?stream_id=${id}`);
    });

    it('a poll of a push stream or an unknown stream is 404, a bad poll body 400', async () => {
      const push = await createStream({
        delivery: { method: PUSH_DELIVERY_METHOD, endpoint_url: 'https://receiver.example/e' },
      });
      assertSsfError(await call('POST', `${SSF}/poll/${push.stream_id}`, { body: {} }), 404, 'not_found');
      assertSsfError(await call('POST', `${SSF}/poll/${randomUUID()}`, { body: {} }), 404, 'not_found');
      const id = (await createStream({})).stream_id as string;
      assertSsfError(
        await call('POST', `${SSF}/poll/${id}`, { body: { maxEvents: -1, ack: 'x' } }),
        400,
        'invalid_request',
      );
      for (const s of [push.stream_id, id]) await call('DELETE', `${SSF}/streams?stream_id=${s}`);
    });
  });
});
