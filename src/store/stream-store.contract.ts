import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RiskLevel } from '../domain/risk-level.js';
import type { SignInEvent } from '../domain/security-event.js';
import {
  type ControlDelivery,
  type Delivery,
  RISK_LEVEL_CHANGE_EVENT,
  type Stream,
  userSubjectKey,
} from '../domain/streams.js';
import { formatTimestamp } from '../domain/time.js';
import type { Integration, NewRiskEvent } from '../domain/types.js';
import type { AuditMeta, Store } from './store.js';

const ACCOUNT = '0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c';
const OTHER_ACCOUNT = '0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d';
const USER_A = '00000000-0000-4000-8000-0000000000a1';
const USER_B = '00000000-0000-4000-8000-0000000000b2';
const BASE_MS = Date.UTC(2025, 5, 1, 9, 0, 0, 250);

/** RFC 3339 UTC ms, `seconds` after a fixed instant. */
function at(seconds: number): string {
  return formatTimestamp(BASE_MS + seconds * 1000);
}

function anAudit(seconds = 0, reason?: string): AuditMeta {
  return { actor: 'cli', at: at(seconds), ...(reason !== undefined ? { reason } : {}) };
}

function aStream(overrides: Partial<Stream> = {}): Stream {
  return {
    accountId: ACCOUNT,
    id: randomUUID(),
    description: undefined,
    eventsRequested: [RISK_LEVEL_CHANGE_EVENT],
    eventsDelivered: [RISK_LEVEL_CHANGE_EVENT],
    delivery: {
      method: 'push',
      endpointUrl: 'https://receiver.example/events',
      authorizationHeader: undefined,
    },
    subjectFormat: 'email',
    minVerificationIntervalSeconds: 30,
    status: 'enabled',
    statusReason: undefined,
    createdAt: at(0),
    updatedAt: at(0),
    lastVerificationAt: undefined,
    ...overrides,
  };
}

function anIntegration(overrides: Partial<Integration> = {}): Integration {
  return {
    id: randomUUID(),
    accountId: ACCOUNT,
    integrationType: 'Okta',
    referenceId: randomUUID(),
    tenantUrl: 'https://acme.okta.example',
    active: true,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function aRiskEvent(userId: string, level: RiskLevel, seconds: number): NewRiskEvent {
  const id = randomUUID();
  return {
    id,
    userId,
    email: `${userId.slice(-2)}@example.com`,
    behavior: 'malicious_file',
    behaviorName: 'Malicious File Interaction',
    riskLevel: level,
    timestamp: at(seconds),
    details: { behavior: 'malicious_file', source_event_ids: [id] },
    dedupeKey: `malicious_file:${id}`,
  };
}

function aControl(seconds: number, state = 'abc'): ControlDelivery {
  return { jti: randomUUID(), intent: { kind: 'verification', state }, at: at(seconds) };
}

/**
 * The Shared Signals part of the Store contract ({@link import('./stream-store.js').StreamStore}): streams,
 * the outbox filled by risk writes in the same transaction, leasing in per-subject order, outcomes,
 * polling and health. Run by {@link import('./store.contract.js').runStoreContract}.
 */
export function runStreamStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract (signals): ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    /** Raises (or keeps) USER's level with one risk event recorded at `seconds`. */
    async function detect(userId: string, level: RiskLevel, seconds: number, accountId = ACCOUNT) {
      return store.recordRiskEvents(accountId, [aRiskEvent(userId, level, seconds)], at(seconds));
    }

    async function leaseAll(
      seconds: number,
      leaseId: string = randomUUID(),
      leaseMs = 60_000,
    ): Promise<Delivery[]> {
      return store.leaseDeliveries(at(seconds), 100, leaseMs, leaseId);
    }

    async function pending(streamId: string, accountId = ACCOUNT): Promise<number> {
      const health = await store.listStreamHealth(accountId);
      return health.find((h) => h.streamId === streamId)?.backlog ?? 0;
    }

    describe('streams', () => {
      it('createStream then getStream and listStreams return it with every field as written', async () => {
        const push = aStream({
          description: 'SIEM',
          delivery: { method: 'push', endpointUrl: 'https://r.example/e', authorizationHeader: 'Bearer x' },
          subjectFormat: 'complex',
          createdAt: at(2),
          updatedAt: at(2),
        });
        const poll = aStream({
          delivery: { method: 'poll' },
          eventsRequested: ['urn:other'],
          eventsDelivered: [],
        });
        await store.createStream(push, anAudit());
        await store.createStream({ ...poll, createdAt: at(1), updatedAt: at(1) }, anAudit());
        assert.deepEqual(await store.getStream(ACCOUNT, push.id), push);
        assert.deepEqual(
          (await store.listStreams(ACCOUNT)).map((s) => s.id),
          [poll.id, push.id],
        );
        assert.equal(await store.getStream(OTHER_ACCOUNT, push.id), undefined);
        assert.deepEqual(await store.listStreams(OTHER_ACCOUNT), []);
        const audit = await store.listAudit(ACCOUNT, { page: 1, perPage: 10, action: 'stream.create' });
        assert.equal(audit.totalCount, 2);
      });

      it('updateStream replaces the configuration and is audited; undefined for an unknown stream', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        const updated = await store.updateStream(
          ACCOUNT,
          stream.id,
          {
            description: 'new',
            eventsRequested: [],
            eventsDelivered: [],
            delivery: { method: 'poll' },
            subjectFormat: 'iss_sub',
          },
          anAudit(5),
        );
        assert.deepEqual(updated, {
          ...stream,
          description: 'new',
          eventsRequested: [],
          eventsDelivered: [],
          delivery: { method: 'poll' },
          subjectFormat: 'iss_sub',
          updatedAt: at(5),
        });
        assert.deepEqual(await store.getStream(ACCOUNT, stream.id), updated);
        assert.equal(await store.updateStream(ACCOUNT, randomUUID(), { ...stream }, anAudit()), undefined);
        const audit = await store.listAudit(ACCOUNT, { page: 1, perPage: 10, action: 'stream.update' });
        assert.equal(audit.totalCount, 1);
      });

      it('deleteStream forgets the stream and its pending deliveries; false when absent', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'high', 1);
        assert.equal(await pending(stream.id), 1);
        assert.equal(await store.deleteStream(ACCOUNT, stream.id, anAudit(2)), true);
        assert.equal(await store.getStream(ACCOUNT, stream.id), undefined);
        assert.equal(await pending(stream.id), 0);
        assert.deepEqual(await leaseAll(10), []);
        assert.equal(await store.deleteStream(ACCOUNT, stream.id, anAudit(3)), false);
      });

      it('locateIntegration finds an integration by id in any account', async () => {
        const mine = anIntegration({ accountId: OTHER_ACCOUNT });
        await store.createIntegration(mine, anAudit());
        assert.deepEqual(await store.locateIntegration(mine.id), mine);
        assert.equal(await store.locateIntegration(randomUUID()), undefined);
      });
    });

    describe('the outbox is filled by risk writes', () => {
      it('a level change enqueues one delivery per active integration and enabled or paused stream', async () => {
        const integration = anIntegration();
        const inactive = anIntegration({ active: false });
        const enabled = aStream();
        const paused = aStream({ status: 'paused' });
        const disabled = aStream({ status: 'disabled' });
        const noRisk = aStream({ eventsRequested: [], eventsDelivered: [] });
        const elsewhere = aStream({ accountId: OTHER_ACCOUNT });
        for (const i of [integration, inactive]) await store.createIntegration(i, anAudit());
        for (const s of [enabled, paused, disabled, noRisk, elsewhere])
          await store.createStream(s, anAudit());
        const result = await detect(USER_A, 'medium', 1);
        const [change] = result.changes;
        assert.ok(change);
        const health = await store.listStreamHealth(ACCOUNT);
        assert.deepEqual(
          health.map((h) => [h.streamId, h.backlog]).sort(),
          [
            [enabled.id, 1],
            [integration.id, 1],
            [paused.id, 1],
          ].sort(),
        );
        assert.equal(health.find((h) => h.streamId === enabled.id)?.oldestPendingAt, at(1));
        const leased = await leaseAll(2);
        assert.deepEqual(leased.map((d) => d.streamId).sort(), [enabled.id, integration.id].sort());
        for (const d of leased) {
          assert.equal(d.txn, change.txn);
          assert.equal(d.subjectKey, userSubjectKey(USER_A));
          // The intent is kept as JSON: members whose value is undefined come back absent.
          assert.deepEqual(d.intent, JSON.parse(JSON.stringify({ kind: 'risk', change })));
          assert.equal(d.attempts, 0);
          assert.equal(d.signedSet, undefined);
          assert.equal(d.createdAt, at(1));
        }
        assert.equal(leased.find((d) => d.streamId === integration.id)?.target, 'integration');
        assert.equal(leased.find((d) => d.streamId === enabled.id)?.target, 'stream');
        assert.notEqual(leased[0]?.jti, leased[1]?.jti);
      });

      it('no level change enqueues nothing; each change has its own txn', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        const first = await detect(USER_A, 'high', 1);
        await detect(USER_A, 'high', 2);
        await detect(USER_A, 'low', 3);
        assert.equal(await pending(stream.id), 1);
        const reset = await store.resetUser(ACCOUNT, USER_A, anAudit(4, 'false positive'));
        assert.equal(await pending(stream.id), 2);
        assert.ok(reset?.change);
        assert.notEqual(reset.change.txn, first.changes[0]?.txn);
        assert.equal(reset.change.reason, 'false positive');
        assert.equal(first.changes[0]?.behavior, 'malicious_file');
      });

      it('ingestEvents enqueues the changes it makes in its transaction', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        const risk = aRiskEvent(USER_A, 'high', 1);
        await store.ingestEvents(
          ACCOUNT,
          [
            {
              id: randomUUID(),
              accountId: ACCOUNT,
              type: 'sign_in',
              timeMs: BASE_MS,
              timestamp: at(0),
              user: { id: USER_A, email: 'a1@example.com', name: 'A1' },
              outcome: 'success',
              source: { kind: 'events' },
            } satisfies SignInEvent,
          ],
          { historyFor: () => [], detect: () => [risk] },
          at(1),
        );
        assert.equal(await pending(stream.id), 1);
      });

      it('a removed subject gets nothing on that stream until added back', async () => {
        const stream = aStream();
        const other = aStream();
        await store.createStream(stream, anAudit());
        await store.createStream(other, anAudit());
        assert.equal(
          await store.setStreamSubject(ACCOUNT, stream.id, ['email:a1@example.com'], false, at(0)),
          true,
        );
        await detect(USER_A, 'low', 1);
        await detect(USER_B, 'low', 1);
        assert.equal(await pending(stream.id), 1);
        assert.equal(await pending(other.id), 2);
        await store.setStreamSubject(ACCOUNT, stream.id, ['email:a1@example.com'], true, at(2));
        await detect(USER_A, 'high', 3);
        assert.equal(await pending(stream.id), 2);
        await store.setStreamSubject(ACCOUNT, stream.id, [userSubjectKey(USER_B)], false, at(4));
        await detect(USER_B, 'high', 5);
        assert.equal(await pending(stream.id), 2);
        assert.equal(await store.setStreamSubject(ACCOUNT, randomUUID(), ['user:x'], false, at(0)), false);
      });
    });

    describe('leasing', () => {
      it('leases only the oldest pending delivery of each subject, then the next once it is done', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'low', 1);
        await detect(USER_B, 'low', 1);
        await detect(USER_A, 'medium', 2);
        await detect(USER_A, 'high', 3);
        const first = await leaseAll(10, 'lease-1');
        assert.deepEqual(
          first.map((d) => d.subjectKey),
          [userSubjectKey(USER_A), userSubjectKey(USER_B)],
        );
        assert.deepEqual(await leaseAll(10, 'lease-2'), [], 'leased deliveries are not handed out twice');
        const a = first[0];
        assert.ok(a);
        await store.finishDeliveries([{ ...a, leaseId: 'lease-1', kind: 'delivered', at: at(11) }]);
        const second = await leaseAll(12, 'lease-3');
        assert.equal(second.length, 1);
        assert.equal(second[0]?.subjectKey, userSubjectKey(USER_A));
        assert.ok((second[0]?.seq ?? 0) > a.seq);
        assert.equal((second[0]?.intent.kind === 'risk' && second[0].intent.change.current) || '', 'medium');
      });

      it('an expired lease is handed out again, and the old lease can no longer finish it', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'low', 1);
        const [d] = await leaseAll(10, 'old', 5000);
        assert.ok(d);
        assert.deepEqual(await leaseAll(14, 'early'), []);
        const [again] = await leaseAll(16, 'new');
        assert.equal(again?.jti, d.jti);
        await store.finishDeliveries([{ ...d, leaseId: 'old', kind: 'delivered', at: at(17) }]);
        assert.equal(await pending(stream.id), 1);
        await store.finishDeliveries([{ ...d, leaseId: 'new', kind: 'delivered', at: at(18) }]);
        assert.equal(await pending(stream.id), 0);
      });

      it('a retry keeps the delivery, counts the attempt, waits until nextAttemptAt and blocks its subject', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'low', 1);
        await detect(USER_A, 'high', 2);
        const [d] = await leaseAll(10, 'l1');
        assert.ok(d);
        await store.finishDeliveries([
          { ...d, leaseId: 'l1', kind: 'retry', at: at(11), error: 'HTTP 503', nextAttemptAt: at(20) },
        ]);
        assert.deepEqual(await leaseAll(19, 'l2'), []);
        const [again] = await leaseAll(20, 'l3');
        assert.equal(again?.jti, d.jti);
        assert.equal(again?.attempts, 1);
        const health = (await store.listStreamHealth(ACCOUNT)).find((h) => h.streamId === stream.id);
        assert.equal(health?.lastError, 'HTTP 503');
        assert.equal(health?.lastErrorAt, at(11));
        assert.equal(health?.failed, 0);
        assert.equal(health?.backlog, 2);
      });

      it('delivered and failed outcomes remove the delivery and are counted in the health', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'low', 1);
        await detect(USER_B, 'low', 1);
        const [a, b] = await leaseAll(10, 'l');
        assert.ok(a && b);
        await store.finishDeliveries([
          { ...a, leaseId: 'l', kind: 'delivered', at: at(11) },
          { ...b, leaseId: 'l', kind: 'failed', at: at(12), error: 'HTTP 400 invalid_audience' },
        ]);
        const [health] = await store.listStreamHealth(ACCOUNT);
        assert.deepEqual(health, {
          accountId: ACCOUNT,
          streamId: stream.id,
          backlog: 0,
          oldestPendingAt: undefined,
          lastSuccessAt: at(11),
          lastErrorAt: at(12),
          lastError: 'HTTP 400 invalid_audience',
          delivered: 1,
          failed: 1,
        });
      });

      it('a paused stream holds its risk deliveries; control deliveries still go; poll streams are never leased', async () => {
        const paused = aStream({ status: 'paused' });
        const poll = aStream({ delivery: { method: 'poll' } });
        await store.createStream(paused, anAudit());
        await store.createStream(poll, anAudit());
        await detect(USER_A, 'low', 1);
        assert.deepEqual(await leaseAll(2), []);
        await store.requestStreamVerification(ACCOUNT, paused.id, aControl(3), 30_000);
        const leased = await leaseAll(4);
        assert.deepEqual(
          leased.map((d) => [d.streamId, d.intent.kind]),
          [[paused.id, 'verification']],
        );
        await store.setStreamStatus(ACCOUNT, paused.id, 'enabled', undefined, anAudit(5));
        assert.deepEqual(
          (await leaseAll(6)).map((d) => d.intent.kind),
          ['risk'],
        );
      });

      it('an inactive or deleted integration drops its deliveries; a new tenant URL drops signatures', async () => {
        const integration = anIntegration();
        await store.createIntegration(integration, anAudit());
        await detect(USER_A, 'low', 1);
        const [d] = await leaseAll(2, 'l');
        assert.ok(d);
        await store.saveSignedDeliveries([
          { accountId: ACCOUNT, streamId: integration.id, jti: d.jti, signedSet: 'a.b.c', kid: 'k1' },
        ]);
        await store.finishDeliveries([
          { ...d, leaseId: 'l', kind: 'retry', at: at(3), error: 'x', nextAttemptAt: at(3) },
        ]);
        await store.updateIntegration(
          ACCOUNT,
          integration.id,
          { tenantUrl: 'https://other.okta.example' },
          anAudit(4),
        );
        const [resigned] = await leaseAll(5, 'l2');
        assert.equal(resigned?.signedSet, undefined);
        await store.updateIntegration(
          ACCOUNT,
          integration.id,
          { tenantUrl: 'https://other.okta.example', active: false },
          anAudit(6),
        );
        assert.equal(await pending(integration.id), 0);
        await detect(USER_A, 'high', 7);
        assert.equal(await pending(integration.id), 0, 'nothing is enqueued while inactive');
        await store.updateIntegration(
          ACCOUNT,
          integration.id,
          { tenantUrl: 'https://other.okta.example', active: true },
          anAudit(8),
        );
        await store.resetUser(ACCOUNT, USER_A, anAudit(9));
        assert.equal(await pending(integration.id), 1);
        await store.deleteIntegration(ACCOUNT, integration.id, anAudit(10));
        assert.deepEqual(await store.listStreamHealth(ACCOUNT), []);
      });
    });

    describe('signatures, status, verification and polling', () => {
      it('saveSignedDeliveries keeps the SET for retries and listPendingKids names its key', async () => {
        const stream = aStream();
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'low', 1);
        assert.deepEqual(await store.listPendingKids(), []);
        const [d] = await leaseAll(2, 'l');
        assert.ok(d);
        await store.saveSignedDeliveries([
          { accountId: ACCOUNT, streamId: stream.id, jti: d.jti, signedSet: 'h.p.s', kid: 'kid-1' },
        ]);
        await store.finishDeliveries([
          { ...d, leaseId: 'l', kind: 'retry', at: at(3), error: 'x', nextAttemptAt: at(3) },
        ]);
        const [again] = await leaseAll(4);
        assert.equal(again?.signedSet, 'h.p.s');
        assert.equal(again?.kid, 'kid-1');
        assert.deepEqual(await store.listPendingKids(), ['kid-1']);
      });

      it('disabling drops pending risk deliveries (not control ones); a notice enqueues stream-updated', async () => {
        const stream = aStream({ delivery: { method: 'poll' } });
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'low', 1);
        await store.requestStreamVerification(ACCOUNT, stream.id, aControl(2), 30_000);
        const notice: ControlDelivery = {
          jti: randomUUID(),
          intent: { kind: 'stream_updated', status: 'disabled', reason: 'maintenance' },
          at: at(3),
        };
        const updated = await store.setStreamStatus(
          ACCOUNT,
          stream.id,
          'disabled',
          'maintenance',
          anAudit(3),
          notice,
        );
        assert.equal(updated?.status, 'disabled');
        assert.equal(updated?.statusReason, 'maintenance');
        const polled = await store.listPollableDeliveries(ACCOUNT, stream.id, 10);
        assert.deepEqual(
          polled.map((d) => d.intent.kind),
          ['verification', 'stream_updated'],
        );
        assert.equal(polled[1]?.jti, notice.jti);
        await detect(USER_B, 'low', 4);
        assert.equal(await pending(stream.id), 2);
        assert.equal(
          await store.setStreamStatus(ACCOUNT, randomUUID(), 'enabled', undefined, anAudit()),
          undefined,
        );
      });

      it('requestStreamVerification enforces the minimum interval', async () => {
        const stream = aStream({ delivery: { method: 'poll' } });
        await store.createStream(stream, anAudit());
        assert.deepEqual(await store.requestStreamVerification(ACCOUNT, stream.id, aControl(10), 30_000), {
          accepted: true,
        });
        assert.deepEqual(await store.requestStreamVerification(ACCOUNT, stream.id, aControl(25), 30_000), {
          accepted: false,
          retryAt: at(40),
        });
        assert.deepEqual(await store.requestStreamVerification(ACCOUNT, stream.id, aControl(40), 30_000), {
          accepted: true,
        });
        assert.equal((await store.getStream(ACCOUNT, stream.id))?.lastVerificationAt, at(40));
        assert.equal(await pending(stream.id), 2);
        assert.equal(
          await store.requestStreamVerification(ACCOUNT, randomUUID(), aControl(50), 1),
          undefined,
        );
      });

      it('polling lists in order, holds risk deliveries while paused, and acknowledgements remove them', async () => {
        const stream = aStream({ delivery: { method: 'poll' } });
        await store.createStream(stream, anAudit());
        await detect(USER_A, 'low', 1);
        await detect(USER_B, 'low', 2);
        await detect(USER_A, 'high', 3);
        const all = await store.listPollableDeliveries(ACCOUNT, stream.id, 10);
        assert.equal(all.length, 3);
        assert.deepEqual(
          all.map((d) => d.seq),
          [...all.map((d) => d.seq)].sort((x, y) => x - y),
        );
        assert.equal((await store.listPollableDeliveries(ACCOUNT, stream.id, 2)).length, 2);
        await store.setStreamStatus(ACCOUNT, stream.id, 'paused', undefined, anAudit(4));
        assert.deepEqual(await store.listPollableDeliveries(ACCOUNT, stream.id, 10), []);
        await store.setStreamStatus(ACCOUNT, stream.id, 'enabled', undefined, anAudit(5));
        const [first, second] = all;
        assert.ok(first && second);
        await store.acknowledgeDeliveries(
          ACCOUNT,
          stream.id,
          [first.jti, 'unknown-jti'],
          [{ jti: second.jti, error: 'receiver error invalid_key' }],
          at(6),
        );
        assert.deepEqual(
          (await store.listPollableDeliveries(ACCOUNT, stream.id, 10)).map((d) => d.jti),
          [all[2]?.jti],
        );
        const health = (await store.listStreamHealth(ACCOUNT)).find((h) => h.streamId === stream.id);
        assert.equal(health?.delivered, 1);
        assert.equal(health?.failed, 1);
        assert.equal(health?.lastError, 'receiver error invalid_key');
        assert.equal(health?.backlog, 1);
      });
    });
  });
}
