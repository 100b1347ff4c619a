import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { HistoryRequest } from '../detectors/detector.js';
import {
  ACCOUNT_ID,
  aDlpMatch,
  aFailedSignIn,
  aPostureResult,
  aSignIn,
  USERS,
} from '../detectors/test-builders.js';
import type { SecurityEvent } from '../domain/security-event.js';
import type { NewRiskEvent } from '../domain/types.js';
import type { DetectionPlan, Store } from './store.js';

const NOW = '2026-03-03T00:00:00.000Z';
const NY = { lat: 40.7128, lon: -74.006, city: 'New York', country: 'US', source: 'event' as const };

/** A plan that asks nothing and detects nothing. */
const QUIET: DetectionPlan = { historyFor: () => [], detect: () => [] };

function ids(events: readonly SecurityEvent[]): string[] {
  return events.map((e) => e.id);
}

/**
 * The ingestion part of the Store contract: `ingestEvents` (store once, detect new events only with
 * history that includes the batch, record atomically) and `queryUserEvents` (windows, neighbours,
 * filters, order). Registered by `runStoreContract`; every store runs it.
 */
export function runIngestContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract, ingestion: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores an event id once: a second ingest of the same events inserts nothing and detects nothing', async () => {
      const events = [
        aSignIn({ id: 'c-1', at: '2026-03-02T10:00:00Z' }),
        aSignIn({ id: 'c-2', at: '2026-03-02T11:00:00Z' }),
      ];
      const seen: string[] = [];
      const plan: DetectionPlan = {
        historyFor: () => [],
        detect: (e) => {
          seen.push(e.id);
          return [];
        },
      };
      const first = await store.ingestEvents(ACCOUNT_ID, events, plan, NOW);
      assert.deepEqual([...first.insertedIds].sort(), ['c-1', 'c-2']);
      const second = await store.ingestEvents(ACCOUNT_ID, [...events, events[0] as SecurityEvent], plan, NOW);
      assert.deepEqual([...second.insertedIds], []);
      assert.deepEqual(seen.sort(), ['c-1', 'c-2'], 'only newly stored events are detected');
    });

    it('stores nothing when detection fails, and later history never shows the failed batch', async () => {
      const user = USERS.bob;
      const window: HistoryRequest = {
        kind: 'window',
        types: ['sign_in'],
        fromMs: Date.parse('2026-03-02T00:00:00Z'),
        toMs: Date.parse('2026-03-03T00:00:00Z'),
      };
      const seen: string[][] = [];
      const plan = (fail: boolean): DetectionPlan => ({
        historyFor: () => [window],
        detect: (_e, history) => {
          seen.push(ids(history).sort());
          if (fail) throw new Error('detector failed');
          return [];
        },
      });
      await store.ingestEvents(
        ACCOUNT_ID,
        [aSignIn({ id: 'r-1', user, at: '2026-03-02T10:00:00Z' })],
        plan(false),
        NOW,
      );
      await assert.rejects(
        store.ingestEvents(
          ACCOUNT_ID,
          [aSignIn({ id: 'r-2', user, at: '2026-03-02T10:01:00Z' })],
          plan(true),
          NOW,
        ),
        /detector failed/,
      );
      assert.deepEqual(ids(await store.queryUserEvents(ACCOUNT_ID, user.id, window)), ['r-1']);
      await store.ingestEvents(
        ACCOUNT_ID,
        [aSignIn({ id: 'r-3', user, at: '2026-03-02T10:02:00Z' })],
        plan(false),
        NOW,
      );
      assert.deepEqual(seen, [['r-1'], ['r-1', 'r-2'], ['r-1', 'r-3']]);
    });

    it('detects in event-time order with history that includes the batch itself, and records the findings atomically', async () => {
      const user = USERS.bob;
      const batch = [
        aFailedSignIn({ id: 'f-3', user, at: '2026-03-02T10:02:00Z' }),
        aFailedSignIn({ id: 'f-1', user, at: '2026-03-02T10:00:00Z' }),
        aFailedSignIn({ id: 'f-2', user, at: '2026-03-02T10:01:00Z' }),
      ];
      const order: string[] = [];
      const window: HistoryRequest = {
        kind: 'window',
        types: ['sign_in'],
        fromMs: Date.parse('2026-03-02T09:00:00Z'),
        toMs: Date.parse('2026-03-02T11:00:00Z'),
        filter: { outcome: 'failure' },
      };
      const plan: DetectionPlan = {
        historyFor: () => [window],
        detect: (e, history): NewRiskEvent[] => {
          order.push(e.id);
          if (e.id !== 'f-3') return [];
          assert.deepEqual(ids(history).sort(), ['f-1', 'f-2', 'f-3']);
          return [
            {
              id: '5a0c7d7e-1b7a-4d8f-9a53-000000000001',
              userId: user.id,
              email: user.email,
              name: user.name,
              behavior: 'failed_logins',
              behaviorName: 'Repeated Failed Logins',
              riskLevel: 'medium',
              timestamp: e.timestamp,
              details: { behavior: 'failed_logins', count: history.length },
              dedupeKey: 'failed_logins:bob:burst',
            },
          ];
        },
      };
      const result = await store.ingestEvents(ACCOUNT_ID, batch, plan, NOW);
      assert.deepEqual(order, ['f-1', 'f-2', 'f-3']);
      assert.equal(result.recorded.length, 1);
      assert.deepEqual(
        result.changes.map((c) => [c.userId, c.previous, c.current]),
        [[user.id, undefined, 'medium']],
      );
      const risk = await store.getUserRisk(ACCOUNT_ID, user.id);
      assert.equal(risk?.riskLevel, 'medium');
      assert.equal(risk?.eventCount, 1);
    });

    it('answers a window inclusively, by type and filters, in event-time order with ties by id', async () => {
      const u = USERS.carol;
      await store.ingestEvents(
        ACCOUNT_ID,
        [
          aSignIn({ id: 'w-b', user: u, at: '2026-03-02T10:00:00Z', location: NY }),
          aSignIn({ id: 'w-a', user: u, at: '2026-03-02T10:00:00Z' }),
          aFailedSignIn({ id: 'w-fail', user: u, at: '2026-03-02T10:00:30Z' }),
          aSignIn({ id: 'w-late', user: u, at: '2026-03-02T10:01:00.001Z' }),
          aDlpMatch({ id: 'w-dlp', user: u, at: '2026-03-02T10:00:10Z' }),
          aSignIn({ id: 'w-other-user', user: USERS.dave, at: '2026-03-02T10:00:10Z' }),
        ],
        QUIET,
        NOW,
      );
      const from = Date.parse('2026-03-02T10:00:00Z');
      const to = Date.parse('2026-03-02T10:01:00Z');
      const all = await store.queryUserEvents(ACCOUNT_ID, u.id, {
        kind: 'window',
        types: ['sign_in'],
        fromMs: from,
        toMs: to,
      });
      assert.deepEqual(ids(all), ['w-a', 'w-b', 'w-fail']);
      const successes = await store.queryUserEvents(ACCOUNT_ID, u.id, {
        kind: 'window',
        types: ['sign_in'],
        fromMs: from,
        toMs: to,
        filter: { outcome: 'success' },
      });
      assert.deepEqual(ids(successes), ['w-a', 'w-b']);
      const located = await store.queryUserEvents(ACCOUNT_ID, u.id, {
        kind: 'window',
        types: ['sign_in'],
        fromMs: from,
        toMs: to,
        filter: { travelLocated: true },
      });
      assert.deepEqual(ids(located), ['w-b']);
      const mixed = await store.queryUserEvents(ACCOUNT_ID, u.id, {
        kind: 'window',
        types: ['sign_in', 'dlp_match'],
        fromMs: from,
        toMs: to,
      });
      assert.deepEqual(ids(mixed), ['w-a', 'w-b', 'w-dlp', 'w-fail']);
      assert.deepEqual(located[0], {
        ...aSignIn({ id: 'w-b', user: u, at: '2026-03-02T10:00:00Z', location: NY }),
      });
    });

    it('answers neighbours: the nearest N before and after the anchor by (time, id), anchor excluded', async () => {
      const u = USERS.erin;
      const at = (m: number) => `2026-03-02T1${m}:00:00Z`;
      await store.ingestEvents(
        ACCOUNT_ID,
        [
          aSignIn({ id: 'n-1', user: u, at: at(0) }),
          aSignIn({ id: 'n-2', user: u, at: at(1) }),
          aSignIn({ id: 'n-3a', user: u, at: at(2) }),
          aSignIn({ id: 'n-3b', user: u, at: at(2) }),
          aSignIn({ id: 'n-3c', user: u, at: at(2) }),
          aSignIn({ id: 'n-4', user: u, at: at(3) }),
          aFailedSignIn({ id: 'n-x', user: u, at: at(4) }),
          aSignIn({ id: 'n-5', user: u, at: at(5) }),
        ],
        QUIET,
        NOW,
      );
      const around = (count: number, filter?: HistoryRequest['filter']) =>
        store.queryUserEvents(ACCOUNT_ID, u.id, {
          kind: 'neighbours',
          types: ['sign_in'],
          aroundMs: Date.parse(at(2)),
          aroundId: 'n-3b',
          count,
          ...(filter ? { filter } : {}),
        });
      assert.deepEqual(ids(await around(1)).sort(), ['n-3a', 'n-3c']);
      assert.deepEqual(ids(await around(2)).sort(), ['n-2', 'n-3a', 'n-3c', 'n-4']);
      assert.deepEqual(ids(await around(3, { outcome: 'success' })).sort(), [
        'n-1',
        'n-2',
        'n-3a',
        'n-3c',
        'n-4',
        'n-5',
      ]);
    });

    it('filters posture history by device and check type', async () => {
      const u = USERS.alice;
      await store.ingestEvents(
        ACCOUNT_ID,
        [
          aPostureResult({ id: 'p-1', user: u, deviceId: 'd-1', at: '2026-03-02T10:00:00Z' }),
          aPostureResult({ id: 'p-2', user: u, deviceId: 'd-2', at: '2026-03-02T10:01:00Z' }),
          aPostureResult({
            id: 'p-3',
            user: u,
            deviceId: 'd-1',
            checkType: 'sentinelone_s2s',
            at: '2026-03-02T10:02:00Z',
          }),
        ],
        QUIET,
        NOW,
      );
      const got = await store.queryUserEvents(ACCOUNT_ID, u.id, {
        kind: 'window',
        types: ['posture_result'],
        fromMs: 0,
        toMs: Date.parse(NOW),
        filter: { deviceId: 'd-1', checkType: 'crowdstrike_s2s' },
      });
      assert.deepEqual(ids(got), ['p-1']);
    });
  });
}
