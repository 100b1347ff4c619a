import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { type FreshSchema, freshSchema } from '../../../test/scale/fixtures.js';
import { riskRank } from '../../domain/risk-level.js';
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

  it('keeps the scored-user counters exact under concurrent writers of one account, without deadlocks', async () => {
    const { url, schema } = fresh();
    const a = createPostgresStore({ url, maxConnections: 4 });
    const b = createPostgresStore({ url, maxConnections: 4 });
    const levels = ['low', 'medium', 'high'] as const;
    const userId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    try {
      await a.migrate();
      // 40 batches over 30 users from two "nodes": new users, rank raises and repeats, each batch naming
      // its users in another order (so per-statement trigger runs cross), with resets interleaved.
      const batches = Array.from({ length: 40 }, (_, k) => {
        const users = Array.from({ length: 8 }, (_, j) => (k * 7 + j * (k % 2 === 0 ? 3 : 27)) % 30);
        return users.map(
          (u, j): NewRiskEvent => ({
            id: `r-${k}-${j}`,
            userId: userId(u),
            email: `u${u}@example.com`,
            behavior: 'failed_logins',
            behaviorName: 'Failed logins',
            riskLevel: levels[(k + j) % 3] ?? 'low',
            timestamp: new Date(Date.parse(NOW) + k * 1000 + j).toISOString(),
            details: { k, j },
            dedupeKey: `d-${k}-${j}`,
          }),
        );
      });
      await Promise.all([
        ...batches.map((events, k) => (k % 2 === 0 ? a : b).recordRiskEvents(ACCOUNT, events, NOW)),
        ...Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? b : a).resetUser(ACCOUNT, userId(i * 3), {
            actor: 'test',
            at: new Date(Date.parse(NOW) + 20_000 + i).toISOString(),
          }),
        ),
      ]);
      const client = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString });
      await client.connect();
      try {
        const counted = await client.query<{ risk_rank: number; n: number }>(
          `SELECT COALESCE(risk_rank, 0)::int AS risk_rank, count(*)::int AS n FROM ${schema}.users
           WHERE event_count > 0 GROUP BY 1 ORDER BY 1`,
        );
        const counters = await client.query<{ risk_rank: number; n: number }>(
          `SELECT risk_rank, n::int AS n FROM ${schema}.scored_user_counts WHERE n <> 0 ORDER BY 1`,
        );
        assert.deepEqual(counters.rows, counted.rows);
        for (const filter of [[], ['high'], ['low', 'medium']] as const) {
          const summary = await a.listUserSummaries(ACCOUNT, {
            levels: [...filter],
            orderBy: 'event_count',
            direction: 'desc',
            page: 1,
            perPage: 5,
          });
          const expected = counted.rows
            .filter((r) => filter.length === 0 || filter.some((l) => riskRank(l) === r.risk_rank))
            .reduce((sum, r) => sum + r.n, 0);
          assert.equal(summary.totalCount, expected);
          assert.equal(typeof summary.totalCount, 'number');
        }
      } finally {
        await client.end();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('backfills the scored-user counters from users written before the migration', async () => {
    const { url, schema } = fresh();
    const client = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString });
    await client.connect();
    const store = createPostgresStore({ url, maxConnections: 2 });
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      await client.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)',
      );
      for (const m of POSTGRES_MIGRATIONS.filter((m) => m.name !== 'scored_user_counts')) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, NOW]);
      }
      await client.query(
        `INSERT INTO users (account_id, user_id, email, name, risk_rank, event_count, updated_at)
         SELECT $1, 'u' || g, '', '', CASE WHEN g % 4 = 0 THEN NULL ELSE g % 4 END, g % 3, $2
         FROM generate_series(1, 100) AS g`,
        [ACCOUNT, NOW],
      );
      await store.migrate();
      const counters = await client.query<{ risk_rank: number; n: number }>(
        'SELECT risk_rank, n::int AS n FROM scored_user_counts ORDER BY 1',
      );
      const counted = await client.query<{ risk_rank: number; n: number }>(
        `SELECT COALESCE(risk_rank, 0)::int AS risk_rank, count(*)::int AS n FROM users
         WHERE event_count > 0 GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(counters.rows, counted.rows);
      // Then the triggers: a delete and an update that unscores, by plain SQL.
      await client.query(`DELETE FROM users WHERE user_id IN ('u1', 'u2')`);
      await client.query(`UPDATE users SET event_count = 0 WHERE user_id = 'u5'`);
      const summary = await store.listUserSummaries(ACCOUNT, {
        levels: [],
        orderBy: 'last_event',
        direction: 'desc',
        page: 1,
        perPage: 1,
      });
      const n = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM users WHERE event_count > 0',
      );
      assert.equal(summary.totalCount, n.rows[0]?.n);
    } finally {
      await store.close();
      await client.end();
    }
  });

  it('close is safe to call twice', async () => {
    const store = createPostgresStore({ url: fresh().url, maxConnections: 1 });
    await store.close();
    await store.close();
  });
});
