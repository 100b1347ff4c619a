import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { type FreshSchema, freshSchema } from '../../../test/scale/fixtures.js';
import type { SecurityEvent } from '../../domain/security-event.js';
import type { NewRiskEvent } from '../../domain/types.js';
import { runStoreContract } from '../store.contract.js';
import type { DetectionPlan } from '../store.js';
import { parsePostgresUrl } from './connection.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { createPostgresStore } from './postgres-store.js';

/** Every schema a test here created; all are dropped when the file's tests end. */
const schemas: FreshSchema[] = [];

function fresh(): FreshSchema {
  const s = freshSchema('ztrisk_contract');
  schemas.push(s);
  return s;
}

after(async () => {
  for (const s of schemas) await s.drop();
});

// Each contract test gets a brand-new, empty schema (created by its first migrate).
runStoreContract('postgres', async () => createPostgresStore({ url: fresh().url, maxConnections: 4 }));

const ACCOUNT = 'acc0acc0acc0acc0acc0acc0acc0acc0';
const USER = '00000000-0000-4000-8000-0000000000aa';
const NOW = '2025-03-01T00:00:00.000Z';

function signIn(id: string, timeMs: number, userId = USER): SecurityEvent {
  return {
    id,
    accountId: ACCOUNT,
    type: 'sign_in',
    outcome: 'success',
    timestamp: new Date(timeMs).toISOString(),
    timeMs,
    user: { id: userId, email: 'u@example.com', name: 'U' },
    location: { lat: 0, lon: 0, source: 'event' },
    source: { kind: 'events' },
  };
}

/**
 * A plan that counts the user's stored sign-ins within a day either side (the event's own included) and
 * records one risk event whenever that count is a multiple of 3, keyed by the count.
 */
const countingPlan: DetectionPlan = {
  historyFor: (e) => [
    { kind: 'window', types: ['sign_in'], fromMs: e.timeMs - 86_400_000, toMs: e.timeMs + 86_400_000 },
  ],
  detect(e, history): NewRiskEvent[] {
    const n = new Set(history.map((h) => h.id)).size;
    if (n % 3 !== 0) return [];
    return [
      {
        id: `${e.id}-risk`,
        userId: e.user.id,
        email: e.user.email,
        behavior: 'failed_logins',
        behaviorName: 'Failed logins',
        riskLevel: 'low',
        timestamp: e.timestamp,
        details: { behavior: 'failed_logins', n },
        dedupeKey: `count:${e.user.id}:${n}`,
      },
    ];
  },
};

describe('PostgreSQL store specifics', () => {
  it('parses ?schema= off the URL and rejects a schema name that is not a plain identifier', () => {
    const location = parsePostgresUrl('postgres://u@h:5432/db?schema=ztrisk_a&sslmode=disable');
    assert.equal(location.schema, 'ztrisk_a');
    assert.equal(location.connectionString, 'postgres://u@h:5432/db?sslmode=disable');
    assert.equal(parsePostgresUrl('postgresql://h/db').schema, 'public');
    assert.throws(() => parsePostgresUrl('postgres://h/db?schema=a;drop'), /schema must be/);
  });

  it('nodes migrating at once apply each migration exactly once', async () => {
    const { url, schema } = fresh();
    const stores = Array.from({ length: 5 }, () => createPostgresStore({ url, maxConnections: 2 }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const first = stores[0];
      assert.ok(first);
      assert.equal(await first.pendingMigrations(), 0);
      const client = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString });
      await client.connect();
      try {
        const rows = await client.query<{ version: number }>(
          `SELECT version FROM ${schema}.schema_migrations ORDER BY version`,
        );
        assert.deepEqual(
          rows.rows.map((r) => r.version),
          POSTGRES_MIGRATIONS.map((m) => m.version),
        );
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('reports every migration pending on an empty schema', async () => {
    const store = createPostgresStore({ url: fresh().url, maxConnections: 1 });
    try {
      assert.equal(await store.pendingMigrations(), POSTGRES_MIGRATIONS.length);
    } finally {
      await store.close();
    }
  });

  it('serialises ingestion per user across connections: concurrent batches see each other', async () => {
    const { url } = fresh();
    const a = createPostgresStore({ url, maxConnections: 3 });
    const b = createPostgresStore({ url, maxConnections: 3 });
    try {
      await a.migrate();
      const base = Date.parse('2025-02-28T00:00:00.000Z');
      // Nine sign-ins in nine concurrent single-event batches through two "nodes": with detection
      // serialised each batch sees every batch committed before it, so the counts are 1…9 in some order
      // and 3, 6 and 9 are each reached exactly once (two batches seeing the same count would lose one).
      await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          (i % 2 === 0 ? a : b).ingestEvents(ACCOUNT, [signIn(`s${i}`, base + i * 1000)], countingPlan, NOW),
        ),
      );
      const user = await a.getUserRisk(ACCOUNT, USER);
      assert.equal(user?.eventCount, 3);
      const events = await a.listUserRiskEvents(ACCOUNT, USER, undefined, { page: 1, perPage: 10 });
      assert.deepEqual(events.items.map((e) => e.details.n).sort(), [3, 6, 9]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('answers history requests of a batch like single queries do', async () => {
    const store = createPostgresStore({ url: fresh().url, maxConnections: 2 });
    try {
      await store.migrate();
      const base = Date.parse('2025-02-28T00:00:00.000Z');
      const events = Array.from({ length: 6 }, (_, i) => signIn(`n${i}`, base + i * 60_000));
      const seen: string[][] = [];
      await store.ingestEvents(
        ACCOUNT,
        events,
        {
          historyFor: (e) => [
            { kind: 'neighbours', types: ['sign_in'], aroundMs: e.timeMs, aroundId: e.id, count: 1 },
          ],
          detect(e, history) {
            seen.push([e.id, ...history.map((h) => h.id).sort()]);
            return [];
          },
        },
        NOW,
      );
      assert.deepEqual(seen, [
        ['n0', 'n1'],
        ['n1', 'n0', 'n2'],
        ['n2', 'n1', 'n3'],
        ['n3', 'n2', 'n4'],
        ['n4', 'n3', 'n5'],
        ['n5', 'n4'],
      ]);
      const around = await store.queryUserEvents(ACCOUNT, USER, {
        kind: 'neighbours',
        types: ['sign_in'],
        aroundMs: base + 2 * 60_000,
        aroundId: 'n2',
        count: 2,
      });
      assert.deepEqual(
        around.map((e) => e.id),
        ['n0', 'n1', 'n3', 'n4'],
      );
    } finally {
      await store.close();
    }
  });

  it('close is safe to call twice', async () => {
    const store = createPostgresStore({ url: fresh().url, maxConnections: 1 });
    await store.close();
    await store.close();
  });
});
