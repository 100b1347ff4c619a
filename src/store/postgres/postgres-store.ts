import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { HistoryRequest } from '../../detectors/detector.js';
import type { BehaviorKey } from '../../domain/behaviors.js';
import type { Permission } from '../../domain/permissions.js';
import { levelOfRank, type RiskLevel, riskRank } from '../../domain/risk-level.js';
import { compareEventTime, type SecurityEvent, travelLocation } from '../../domain/security-event.js';
import type {
  ApiToken,
  Integration,
  LevelChange,
  NewRiskEvent,
  RiskEvent,
  UserRisk,
} from '../../domain/types.js';
import {
  type AuditRow,
  countRiskEvent,
  EVENT_COLUMNS,
  type EventRow,
  eventFromRow,
  eventPayload,
  integrationSnapshot,
  type RiskEventRow,
  recordedRiskEvent,
  resetLevelChange,
  toAuditEntry,
  toRiskEvent,
  toUserRisk,
  type UserRiskRow,
  userSnapshot,
} from '../rows.js';
import type {
  AuditMeta,
  DetectionPlan,
  IngestResult,
  RecordResult,
  ResetResult,
  Store,
  StoredToken,
} from '../store.js';
import { advisoryKey, createPool, inTransaction, parsePostgresUrl } from './connection.js';
import { columns, fetchHistories } from './history.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { createPostgresStreamStore } from './postgres-stream-store.js';

/** A `users` row as this store reads it. */
interface UserRow extends UserRiskRow {
  level_changed_at: string | null;
}

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** `postgres://…` or `postgresql://…`; `?schema=<name>` selects the schema (default `public`). */
  readonly url: string;
  /** Most pooled connections of this process (default 10). */
  readonly maxConnections?: number;
}

/** Any client or pool: both run queries. */
type Queryable = pg.Pool | pg.PoolClient;

interface IntegrationRow {
  account_id: string;
  integration_id: string;
  integration_type: string;
  reference_id: string;
  tenant_url: string;
  active: boolean;
  created_at: string;
  updated_at: string;
}

interface TokenRow {
  token_id: string;
  name: string;
  secret_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

const ORDER_COLUMNS = {
  last_event: 'last_event',
  event_count: 'event_count',
  max_risk_level: 'risk_rank',
} as const;

const USER_COLUMNS =
  'account_id, user_id, email, name, risk_rank, event_count, last_event, last_reset_time, level_changed_at';

function toIntegration(row: IntegrationRow): Integration {
  return {
    id: row.integration_id,
    accountId: row.account_id,
    integrationType: 'Okta',
    referenceId: row.reference_id,
    tenantUrl: row.tenant_url,
    active: row.active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function offsetOf(page: { page: number; perPage: number }): number {
  return (page.page - 1) * page.perPage;
}

/** The first element of each distinct key, in input order. */
function firstBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Takes the detection lock of each user (account + user): inserts the users' `detection_locks` rows if
 * missing, then locks them `FOR UPDATE`, both in one sorted order so two transactions never wait on each
 * other in a cycle. Every writer of a user's risk state (ingest, recordRiskEvents, reset) holds this lock,
 * so per user they run one after the other on any number of nodes, each seeing what the previous one
 * committed. Row locks rather than advisory locks: a batch may name thousands of users, and row locks
 * live in the rows, not in the bounded shared lock table (decision 0007).
 */
async function lockUsers(
  client: pg.PoolClient,
  accountId: string,
  userIds: readonly string[],
): Promise<void> {
  const sorted = [...new Set(userIds)].sort();
  if (sorted.length === 0) return;
  await client.query({
    name: 'ztrisk_lock_insert',
    text: `INSERT INTO detection_locks (account_id, user_id)
           SELECT $1, u FROM unnest($2::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n
           ON CONFLICT DO NOTHING`,
    values: [accountId, sorted],
  });
  await client.query({
    name: 'ztrisk_lock_rows',
    text: `SELECT 1 FROM detection_locks l
           JOIN unnest($2::text[]) WITH ORDINALITY AS t(u, n) ON l.account_id = $1 AND l.user_id = t.u
           ORDER BY t.n FOR UPDATE OF l`,
    values: [accountId, sorted],
  });
}

/**
 * The PostgreSQL store for many stateless nodes on one database: a `pg` pool, each method one
 * transaction (READ COMMITTED), the same schema and answers as the SQLite store. Per-user writes are
 * serialised by {@link lockUsers}; migrations by an advisory lock. Nothing is cached between calls, so a
 * change made through one node is what every other node reads next.
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  const location = parsePostgresUrl(options.url);
  const pool = createPool(location, { maxConnections: options.maxConnections ?? 10 });
  const tx = <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => inTransaction(pool, work);
  let closed = false;

  async function audit(
    q: Queryable,
    accountId: string,
    meta: AuditMeta,
    action: string,
    targetType: string,
    targetId: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    await q.query({
      name: 'ztrisk_audit_insert',
      text: `INSERT INTO audit_log (account_id, audit_id, at, actor, action, target_type, target_id, before_json, after_json, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      values: [
        accountId,
        randomUUID(),
        meta.at,
        meta.actor,
        action,
        targetType,
        targetId,
        before === undefined ? null : JSON.stringify(before),
        after === undefined ? null : JSON.stringify(after),
        meta.reason ?? null,
      ],
    });
  }

  async function ensureAccountIn(q: Queryable, accountId: string, at: string): Promise<boolean> {
    const result = await q.query({
      name: 'ztrisk_account_ensure',
      text: 'INSERT INTO accounts (account_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      values: [accountId, at],
    });
    return (result.rowCount ?? 0) > 0;
  }

  async function getUserRow(q: Queryable, accountId: string, userId: string): Promise<UserRow | undefined> {
    const result = await q.query<UserRow>({
      name: 'ztrisk_user_get',
      text: `SELECT ${USER_COLUMNS} FROM users WHERE account_id = $1 AND user_id = $2`,
      values: [accountId, userId],
    });
    return result.rows[0];
  }

  async function tokenGrants(
    q: Queryable,
    tokenIds: readonly string[],
  ): Promise<Map<string, { accountId: string; permission: Permission }[]>> {
    const result = await q.query<{ token_id: string; account_id: string; permission: string }>(
      `SELECT token_id, account_id, permission FROM token_grants WHERE token_id = ANY ($1::text[])
       ORDER BY account_id, permission`,
      [tokenIds],
    );
    const byToken = new Map<string, { accountId: string; permission: Permission }[]>();
    for (const g of result.rows) {
      const list = byToken.get(g.token_id) ?? [];
      list.push({ accountId: g.account_id, permission: g.permission as Permission });
      byToken.set(g.token_id, list);
    }
    return byToken;
  }

  function toToken(row: TokenRow, grants: Map<string, { accountId: string; permission: Permission }[]>) {
    return {
      id: row.token_id,
      name: row.name,
      secretHash: row.secret_hash,
      grants: grants.get(row.token_id) ?? [],
      createdAt: row.created_at,
      expiresAt: row.expires_at ?? undefined,
      revokedAt: row.revoked_at ?? undefined,
    } satisfies StoredToken;
  }

  /**
   * Records risk events and maintains user rows, exactly as the SQLite store's `recordInTx` does, with
   * set-based statements. The caller holds the detection locks of the events' users.
   */
  async function recordInTx(
    client: pg.PoolClient,
    accountId: string,
    events: readonly NewRiskEvent[],
    now: string,
  ): Promise<RecordResult> {
    if (events.length === 0) return { recorded: [], changes: [] };
    // A repeated dedupe key within the call: the first one is the candidate, like one insert at a time.
    const candidates = firstBy(events, (e) => e.dedupeKey);
    const inserted = await client.query<{ risk_event_id: string }>({
      name: 'ztrisk_risk_insert',
      text: `INSERT INTO risk_events (account_id, risk_event_id, user_id, behavior, behavior_name, risk_level, ts, details, dedupe_key, created_at)
             SELECT $1, t.id, t.user_id, t.behavior, t.behavior_name, t.risk_level, t.ts, t.details, t.dedupe_key, $2
             FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
               WITH ORDINALITY AS t(id, user_id, behavior, behavior_name, risk_level, ts, details, dedupe_key, n)
             ORDER BY t.n
             ON CONFLICT (account_id, dedupe_key) DO NOTHING
             RETURNING risk_event_id`,
      values: [
        accountId,
        now,
        ...columns(
          candidates.map((e) => [
            e.id,
            e.userId,
            e.behavior,
            e.behaviorName,
            e.riskLevel,
            e.timestamp,
            JSON.stringify(e.details),
            e.dedupeKey,
          ]),
          8,
        ),
      ],
    });
    const insertedIds = new Set(inserted.rows.map((r) => r.risk_event_id));
    const userIds = [...new Set(events.map((e) => e.userId))];
    const existing = await client.query<UserRow>({
      name: 'ztrisk_users_get_many',
      text: `SELECT ${USER_COLUMNS} FROM users WHERE account_id = $1 AND user_id = ANY ($2::text[])`,
      values: [accountId, userIds],
    });
    const stored = new Map(existing.rows.map((r) => [r.user_id, r]));

    const recorded: RiskEvent[] = [];
    // The behavior of the risk event that last raised each user's rank in this call (the change's cause).
    const raisedBy = new Map<string, NewRiskEvent['behavior']>();
    const before = new Map<string, UserRisk | undefined>();
    const users = new Map<string, UserRow>();
    const counted = new Set<NewRiskEvent>(candidates.filter((e) => insertedIds.has(e.id)));
    for (const e of events) {
      const isNew = counted.has(e);
      let user = users.get(e.userId) ?? stored.get(e.userId);
      if (!user) {
        // A skipped duplicate must not make its user known (API.md §7: known = has a recorded risk event).
        if (!isNew) continue;
        user = {
          account_id: accountId,
          user_id: e.userId,
          email: e.email ?? '',
          name: e.name ?? '',
          risk_rank: null,
          event_count: 0,
          last_event: null,
          last_reset_time: null,
          level_changed_at: null,
        };
        before.set(e.userId, undefined);
      } else if (!before.has(e.userId)) {
        before.set(e.userId, toUserRisk(user));
      }
      const next: UserRow = { ...user, email: e.email || user.email, name: e.name || user.name };
      if (isNew) {
        recorded.push(recordedRiskEvent(accountId, e, now));
        const counted = countRiskEvent(user, e);
        if (counted.raised) raisedBy.set(e.userId, e.behavior);
        next.event_count = counted.event_count;
        next.risk_rank = counted.risk_rank;
        next.last_event = counted.last_event;
      }
      users.set(e.userId, next);
    }

    const changes: LevelChange[] = [];
    const rows: unknown[][] = [];
    for (const [userId, row] of users) {
      const prev = before.get(userId);
      const current = levelOfRank(row.risk_rank);
      const levelChanged = prev?.riskLevel !== current;
      rows.push([
        userId,
        row.email,
        row.name,
        row.risk_rank,
        row.event_count,
        row.last_event,
        levelChanged ? now : null,
      ]);
      if (levelChanged) {
        changes.push({
          accountId,
          userId,
          email: row.email,
          previous: prev?.riskLevel,
          current,
          at: now,
          cause: 'detection',
          txn: randomUUID(),
          ...(raisedBy.has(userId) ? { behavior: raisedBy.get(userId) } : {}),
        });
      }
    }
    if (rows.length > 0) {
      await client.query({
        name: 'ztrisk_users_upsert',
        text: `INSERT INTO users (account_id, user_id, email, name, risk_rank, event_count, last_event, last_reset_time, level_changed_at, updated_at)
               SELECT $1, t.user_id, t.email, t.name, t.risk_rank, t.event_count, t.last_event, NULL, t.level_changed_at, $2
               FROM unnest($3::text[], $4::text[], $5::text[], $6::int2[], $7::int4[], $8::text[], $9::text[])
                 AS t(user_id, email, name, risk_rank, event_count, last_event, level_changed_at)
               ON CONFLICT (account_id, user_id) DO UPDATE SET
                 email = excluded.email, name = excluded.name, risk_rank = excluded.risk_rank,
                 event_count = excluded.event_count, last_event = excluded.last_event,
                 level_changed_at = COALESCE(excluded.level_changed_at, users.level_changed_at),
                 updated_at = excluded.updated_at`,
        values: [accountId, now, ...columns(rows, 7)],
      });
    }
    await signals.enqueueLevelChanges(client, accountId, changes, now);
    return { recorded, changes };
  }

  /** Stored events of one user matching one request, in event-time order (ties by id). */
  async function queryEvents(
    q: Queryable,
    accountId: string,
    userId: string,
    request: HistoryRequest,
  ): Promise<SecurityEvent[]> {
    if (request.types.length === 0) return [];
    const where = ['account_id = $1', 'user_id = $2', 'type = ANY ($3::text[])'];
    const args: unknown[] = [accountId, userId, [...request.types]];
    const f = request.filter;
    if (f?.outcome !== undefined) {
      args.push(f.outcome);
      where.push(`outcome = $${args.length}`);
    }
    if (f?.travelLocated) where.push('travel_located');
    if (f?.deviceId !== undefined) {
      args.push(f.deviceId);
      where.push(`device_id = $${args.length}`);
    }
    if (f?.checkType !== undefined) {
      args.push(f.checkType);
      where.push(`check_type = $${args.length}`);
    }
    const base = where.join(' AND ');
    const parse = (rows: EventRow[]): SecurityEvent[] => rows.map((r) => eventFromRow(accountId, r));
    if (request.kind === 'window') {
      const n = args.length;
      const result = await q.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${base} AND ts_ms BETWEEN $${n + 1} AND $${n + 2} ORDER BY ts_ms, event_id`,
        [...args, request.fromMs, request.toMs],
      );
      return parse(result.rows);
    }
    const n = args.length;
    const around = [...args, request.aroundMs, request.aroundId, request.count];
    const earlier = await q.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${base} AND (ts_ms, event_id) < ($${n + 1}, $${n + 2})
       ORDER BY ts_ms DESC, event_id DESC LIMIT $${n + 3}`,
      around,
    );
    const later = await q.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${base} AND (ts_ms, event_id) > ($${n + 1}, $${n + 2})
       ORDER BY ts_ms ASC, event_id ASC LIMIT $${n + 3}`,
      around,
    );
    return [...parse(earlier.rows).reverse(), ...parse(later.rows)];
  }

  async function ingestInTx(
    client: pg.PoolClient,
    accountId: string,
    events: readonly SecurityEvent[],
    plan: DetectionPlan,
    now: string,
  ): Promise<IngestResult> {
    const unique = firstBy(events, (e) => e.id);
    const payloads = unique.map(eventPayload);
    await lockUsers(
      client,
      accountId,
      unique.map((e) => e.user.id),
    );
    const result = await client.query<{ event_id: string }>({
      name: 'ztrisk_events_insert',
      text: `INSERT INTO events (account_id, event_id, user_id, type, ts_ms, outcome, device_id, check_type, travel_located, payload, received_at)
             SELECT $1, t.event_id, t.user_id, t.type, t.ts_ms, t.outcome, t.device_id, t.check_type, t.travel_located, t.payload, $2
             FROM unnest($3::text[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[], $9::text[], $10::bool[], $11::text[])
               AS t(event_id, user_id, type, ts_ms, outcome, device_id, check_type, travel_located, payload)
             ON CONFLICT (account_id, event_id) DO NOTHING
             RETURNING event_id`,
      values: [
        accountId,
        now,
        ...columns(
          unique.map((e, i) => [
            e.id,
            e.user.id,
            e.type,
            e.timeMs,
            e.type === 'sign_in' ? e.outcome : null,
            e.type === 'posture_result' ? e.deviceId : (e.deviceId ?? null),
            e.type === 'posture_result' ? e.checkType : null,
            travelLocation(e) !== undefined,
            payloads[i],
          ]),
          9,
        ),
      ],
    });
    const insertedIds = new Set(result.rows.map((r) => r.event_id));
    // The batch's events as stored (through JSON), so detectors see what a later read would see.
    const stored = new Map<string, SecurityEvent>();
    unique.forEach((e, i) => {
      if (insertedIds.has(e.id)) {
        stored.set(
          e.id,
          eventFromRow(accountId, {
            event_id: e.id,
            user_id: e.user.id,
            type: e.type,
            ts_ms: e.timeMs,
            payload: payloads[i] ?? 'null',
          }),
        );
      }
    });
    const inserted = unique.filter((e) => insertedIds.has(e.id)).sort(compareEventTime);
    const requests = inserted.map((e) => plan.historyFor(e));
    const histories = await fetchHistories(
      client,
      accountId,
      inserted.map((e) => e.user.id),
      requests,
      stored,
    );
    const risks = inserted.flatMap((e, i) => plan.detect(e, histories[i] ?? []));
    const lockedUsers = new Set(unique.map((e) => e.user.id));
    const others = risks.map((r) => r.userId).filter((u) => !lockedUsers.has(u));
    if (others.length > 0) await lockUsers(client, accountId, others);
    const { recorded, changes } = await recordInTx(client, accountId, risks, now);
    return { insertedIds, recorded, changes };
  }

  async function migrationState(q: Queryable): Promise<Set<number>> {
    const exists = await q.query<{ found: boolean }>(
      `SELECT to_regclass(quote_ident($1) || '.schema_migrations') IS NOT NULL AS found`,
      [location.schema],
    );
    if (!exists.rows[0]?.found) return new Set();
    const applied = await q.query<{ version: number }>('SELECT version FROM schema_migrations');
    return new Set(applied.rows.map((r) => r.version));
  }

  // Shared Signals: streams and the SET outbox (enqueued inside the risk transactions above).
  const signals = createPostgresStreamStore(pool, tx, audit);

  const store: Store = {
    ...signals.methods,
    dialect: 'postgres',

    async migrate() {
      // One transaction under an advisory lock per schema: nodes starting together apply each migration
      // once, the others wait, then find nothing pending. DDL is transactional, so a failure leaves nothing.
      await tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1::int8)', [
          advisoryKey(`ztrisk:migrate:${location.schema}`),
        ]);
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${location.schema}`);
        await c.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)',
        );
        const applied = await migrationState(c);
        for (const m of POSTGRES_MIGRATIONS) {
          if (applied.has(m.version)) continue;
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            new Date().toISOString(),
          ]);
        }
      });
    },

    async ping() {
      await pool.query('SELECT 1');
    },

    async pendingMigrations() {
      const applied = await migrationState(pool);
      return POSTGRES_MIGRATIONS.filter((m) => !applied.has(m.version)).length;
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },

    async ensureAccount(accountId, at) {
      return ensureAccountIn(pool, accountId, at);
    },

    async listAccounts() {
      const result = await pool.query<{ account_id: string }>(
        'SELECT account_id FROM accounts ORDER BY created_at, account_id',
      );
      return result.rows.map((r) => r.account_id);
    },

    async createToken(token, meta) {
      await tx(async (c) => {
        await c.query(
          'INSERT INTO api_tokens (token_id, name, secret_hash, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            token.id,
            token.name,
            token.secretHash,
            token.createdAt,
            token.expiresAt ?? null,
            token.revokedAt ?? null,
          ],
        );
        const accounts = new Set<string>();
        for (const g of token.grants) {
          await ensureAccountIn(c, g.accountId, meta.at);
          await c.query('INSERT INTO token_grants (account_id, token_id, permission) VALUES ($1, $2, $3)', [
            g.accountId,
            token.id,
            g.permission,
          ]);
          accounts.add(g.accountId);
        }
        for (const accountId of accounts) {
          await audit(c, accountId, meta, 'token.create', 'token', token.id, undefined, {
            name: token.name,
            permissions: token.grants.filter((g) => g.accountId === accountId).map((g) => g.permission),
            expires_at: token.expiresAt ?? null,
          });
        }
      });
    },

    async findTokenBySecretHash(secretHash) {
      const result = await pool.query<TokenRow>({
        name: 'ztrisk_token_by_hash',
        text: 'SELECT * FROM api_tokens WHERE secret_hash = $1',
        values: [secretHash],
      });
      const row = result.rows[0];
      return row ? toToken(row, await tokenGrants(pool, [row.token_id])) : undefined;
    },

    async listTokens() {
      const result = await pool.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, token_id');
      const grants = await tokenGrants(
        pool,
        result.rows.map((r) => r.token_id),
      );
      return result.rows.map((row) => {
        const { secretHash: _omit, ...token } = toToken(row, grants);
        return token satisfies ApiToken;
      });
    },

    async revokeToken(tokenId, meta) {
      return tx(async (c) => {
        const changed = await c.query(
          'UPDATE api_tokens SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL',
          [meta.at, tokenId],
        );
        if ((changed.rowCount ?? 0) === 0) return false;
        const grants = (await tokenGrants(c, [tokenId])).get(tokenId) ?? [];
        for (const accountId of new Set(grants.map((g) => g.accountId))) {
          await audit(
            c,
            accountId,
            meta,
            'token.revoke',
            'token',
            tokenId,
            { revoked_at: null },
            { revoked_at: meta.at },
          );
        }
        return true;
      });
    },

    async createGlobalKey(key, accountId, meta) {
      await tx(async (c) => {
        const email = key.email.toLowerCase();
        await c.query('UPDATE global_keys SET revoked_at = $1 WHERE email = $2 AND revoked_at IS NULL', [
          meta.at,
          email,
        ]);
        await c.query(
          'INSERT INTO global_keys (key_id, email, key_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)',
          [key.id, email, key.keyHash, key.createdAt],
        );
        await ensureAccountIn(c, accountId, meta.at);
        await c.query(
          'INSERT INTO account_members (account_id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [accountId, email],
        );
        await audit(c, accountId, meta, 'global_key.create', 'global_key', key.id, undefined, { email });
      });
    },

    async findGlobalKeysByEmail(email) {
      const lower = email.toLowerCase();
      const keys = await pool.query<{ key_id: string; email: string; key_hash: string; created_at: string }>(
        'SELECT key_id, email, key_hash, created_at FROM global_keys WHERE email = $1 AND revoked_at IS NULL',
        [lower],
      );
      if (keys.rows.length === 0) return [];
      const members = await pool.query<{ account_id: string }>(
        'SELECT account_id FROM account_members WHERE email = $1 ORDER BY account_id',
        [lower],
      );
      const accountIds = members.rows.map((r) => r.account_id);
      return keys.rows.map((r) => ({
        id: r.key_id,
        email: r.email,
        keyHash: r.key_hash,
        accountIds,
        createdAt: r.created_at,
        revokedAt: undefined,
      }));
    },

    async getBehaviorSettings(accountId) {
      const result = await pool.query<{ behavior: string; enabled: boolean; risk_level: string }>({
        name: 'ztrisk_behaviors_get',
        text: 'SELECT behavior, enabled, risk_level FROM behavior_settings WHERE account_id = $1',
        values: [accountId],
      });
      return result.rows.map((r) => ({
        key: r.behavior as BehaviorKey,
        enabled: r.enabled,
        riskLevel: r.risk_level as RiskLevel,
      }));
    },

    async putBehaviorSettings(accountId, settings, meta) {
      await tx(async (c) => {
        // Lock the account's rows so two concurrent updates audit consistent before/after snapshots.
        const rows = await c.query<{ behavior: string; enabled: boolean; risk_level: string }>(
          'SELECT behavior, enabled, risk_level FROM behavior_settings WHERE account_id = $1 FOR UPDATE',
          [accountId],
        );
        const current = new Map(
          rows.rows.map((r) => [r.behavior, { enabled: r.enabled, risk_level: r.risk_level }]),
        );
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        for (const s of settings) {
          before[s.key] = current.get(s.key) ?? null;
          after[s.key] = { enabled: s.enabled, risk_level: s.riskLevel };
          await c.query(
            `INSERT INTO behavior_settings (account_id, behavior, enabled, risk_level, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (account_id, behavior) DO UPDATE SET enabled = excluded.enabled, risk_level = excluded.risk_level, updated_at = excluded.updated_at`,
            [accountId, s.key, s.enabled, s.riskLevel, meta.at],
          );
        }
        await audit(c, accountId, meta, 'behaviors.update', 'behaviors', accountId, before, after);
      });
    },

    async recordRiskEvents(accountId, events, now) {
      if (events.length === 0) return { recorded: [], changes: [] };
      return tx(async (c) => {
        await lockUsers(
          c,
          accountId,
          events.map((e) => e.userId),
        );
        return recordInTx(c, accountId, events, now);
      });
    },

    async ingestEvents(accountId, events, plan, now) {
      if (events.length === 0) return { insertedIds: new Set<string>(), recorded: [], changes: [] };
      return tx((c) => ingestInTx(c, accountId, events, plan, now));
    },

    async queryUserEvents(accountId, userId, request) {
      return queryEvents(pool, accountId, userId, request);
    },

    async getDetectorSettings(accountId) {
      const result = await pool.query<{ settings: string }>({
        name: 'ztrisk_detector_settings_get',
        text: 'SELECT settings FROM detector_settings WHERE account_id = $1',
        values: [accountId],
      });
      const row = result.rows[0];
      return row ? (JSON.parse(row.settings) as unknown) : undefined;
    },

    async putDetectorSettings(accountId, settings, meta) {
      await tx(async (c) => {
        const result = await c.query<{ settings: string }>(
          'SELECT settings FROM detector_settings WHERE account_id = $1 FOR UPDATE',
          [accountId],
        );
        const row = result.rows[0];
        await c.query(
          `INSERT INTO detector_settings (account_id, settings, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (account_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
          [accountId, JSON.stringify(settings), meta.at],
        );
        await audit(
          c,
          accountId,
          meta,
          'behavior_settings.update',
          'behavior_settings',
          accountId,
          row ? (JSON.parse(row.settings) as unknown) : null,
          settings,
        );
      });
    },

    async getUserRisk(accountId, userId) {
      const row = await getUserRow(pool, accountId, userId);
      return row ? toUserRisk(row) : undefined;
    },

    async listUserRiskEvents(accountId, userId, since, page) {
      const sinceTs = since ?? '';
      const result = await pool.query<RiskEventRow & { total: number }>({
        name: 'ztrisk_user_risk_events',
        text: `SELECT *, count(*) OVER ()::int AS total FROM risk_events
               WHERE account_id = $1 AND user_id = $2 AND ts > $3
               ORDER BY ts DESC, risk_event_id ASC LIMIT $4 OFFSET $5`,
        values: [accountId, userId, sinceTs, page.perPage, offsetOf(page)],
      });
      const first = result.rows[0];
      const totalCount = first
        ? first.total
        : await countRiskEvents(pool, accountId, userId, 'ts > $3', sinceTs);
      return { items: result.rows.map(toRiskEvent), totalCount };
    },

    async resetUser(accountId, userId, meta) {
      return tx(async (c): Promise<ResetResult | undefined> => {
        if (!(await getUserRow(c, accountId, userId))) return undefined;
        await lockUsers(c, accountId, [userId]);
        const row = await getUserRow(c, accountId, userId);
        if (!row) return undefined;
        const before = toUserRisk(row);
        // Risk events dated after the reset instant (clock skew) keep counting: recount only those, an
        // index range that is empty in the normal case, so the reset stays O(1).
        const recount = await c.query<{ n: number; r: number | null; last: string | null }>(
          `SELECT count(*)::int AS n,
                  max(CASE risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)::int AS r,
                  max(ts) AS last
           FROM risk_events WHERE account_id = $1 AND user_id = $2 AND ts > $3`,
          [accountId, userId, meta.at],
        );
        const after = recount.rows[0] ?? { n: 0, r: null, last: null };
        const rank = after.n > 0 ? after.r : null;
        const changed = before.riskLevel !== levelOfRank(rank);
        const updated = await c.query<UserRow>(
          `UPDATE users SET last_reset_time = $1, risk_rank = $2, event_count = $3, last_event = $4,
             level_changed_at = CASE WHEN $5 THEN $1 ELSE level_changed_at END, updated_at = $1
           WHERE account_id = $6 AND user_id = $7
           RETURNING ${USER_COLUMNS}`,
          [meta.at, rank, after.n, after.n > 0 ? after.last : null, changed, accountId, userId],
        );
        const updatedRow = updated.rows[0];
        if (!updatedRow) throw new Error('user row vanished');
        const afterRisk = toUserRisk(updatedRow);
        await audit(
          c,
          accountId,
          meta,
          'user.reset',
          'user',
          userId,
          userSnapshot(before),
          userSnapshot(afterRisk),
        );
        const change = resetLevelChange(accountId, userId, before, afterRisk, meta, randomUUID());
        if (change) await signals.enqueueLevelChanges(c, accountId, [change], meta.at);
        return { before, after: afterRisk, change };
      });
    },

    async listUserSummaries(accountId, query) {
      const column = ORDER_COLUMNS[query.orderBy];
      const dir = query.direction === 'asc' ? 'ASC' : 'DESC';
      const args: unknown[] = [accountId];
      let filters = '';
      if (query.levels.length > 0) {
        args.push(query.levels.map(riskRank));
        filters += ` AND risk_rank = ANY ($${args.length}::int2[])`;
      }
      if (query.behavior !== undefined) {
        args.push(query.behavior);
        filters += ` AND EXISTS (SELECT 1 FROM risk_events r WHERE r.account_id = users.account_id
          AND r.user_id = users.user_id AND r.ts > COALESCE(users.last_reset_time, '') AND r.behavior = $${args.length})`;
      }
      if (query.search !== undefined && query.search !== '') {
        args.push(`%${query.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
        // ILIKE over COLLATE "C" folds ASCII letters only, like SQLite's LIKE.
        filters += ` AND (email ILIKE $${args.length} ESCAPE '\\' OR name ILIKE $${args.length} ESCAPE '\\')`;
      }
      const where = `account_id = $1 AND event_count > 0${filters}`;
      // Without behavior or search filters the total comes from the counters the triggers of migration 4
      // keep exact (sum(bigint) is numeric: cast, so pg returns a number); filtered lists (dashboard) count.
      const counted = query.behavior === undefined && (query.search === undefined || query.search === '');
      const total = counted
        ? await pool.query<{ n: number }>({
            name: 'ztrisk_scored_user_count',
            text: `SELECT COALESCE(sum(n), 0)::int AS n FROM scored_user_counts
                   WHERE account_id = $1 AND ($2::int4[] IS NULL OR risk_rank = ANY ($2::int4[]))`,
            values: [accountId, query.levels.length > 0 ? query.levels.map(riskRank) : null],
          })
        : await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE ${where}`, args);
      const rows = await pool.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users WHERE ${where}
         ORDER BY ${column} ${dir}, user_id ASC LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
        [...args, query.perPage, offsetOf(query)],
      );
      return { items: rows.rows.map(toUserRisk), totalCount: total.rows[0]?.n ?? 0 };
    },

    async createIntegration(integration, meta) {
      await tx(async (c) => {
        await c.query(
          `INSERT INTO integrations (account_id, integration_id, integration_type, reference_id, tenant_url, active, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            integration.accountId,
            integration.id,
            integration.integrationType,
            integration.referenceId,
            integration.tenantUrl,
            integration.active,
            integration.createdAt,
            integration.updatedAt,
          ],
        );
        await audit(
          c,
          integration.accountId,
          meta,
          'integration.create',
          'integration',
          integration.id,
          undefined,
          integrationSnapshot(integration),
        );
      });
    },

    async getIntegration(accountId, integrationId) {
      const result = await pool.query<IntegrationRow>(
        'SELECT * FROM integrations WHERE account_id = $1 AND integration_id = $2',
        [accountId, integrationId],
      );
      const row = result.rows[0];
      return row ? toIntegration(row) : undefined;
    },

    async listIntegrations(accountId) {
      const result = await pool.query<IntegrationRow>(
        'SELECT * FROM integrations WHERE account_id = $1 ORDER BY created_at ASC, integration_id ASC',
        [accountId],
      );
      return result.rows.map(toIntegration);
    },

    async findIntegrationByReference(accountId, referenceId) {
      const result = await pool.query<IntegrationRow>(
        `SELECT * FROM integrations WHERE account_id = $1 AND reference_id = $2
         ORDER BY created_at DESC, integration_id DESC LIMIT 1`,
        [accountId, referenceId],
      );
      const row = result.rows[0];
      return row ? toIntegration(row) : undefined;
    },

    async updateIntegration(accountId, integrationId, patch, meta) {
      return tx(async (c) => {
        const found = await c.query<IntegrationRow>(
          'SELECT * FROM integrations WHERE account_id = $1 AND integration_id = $2 FOR UPDATE',
          [accountId, integrationId],
        );
        const row = found.rows[0];
        if (!row) return undefined;
        const before = toIntegration(row);
        const after: Integration = {
          ...before,
          tenantUrl: patch.tenantUrl,
          active: patch.active ?? before.active,
          referenceId: patch.referenceId ?? before.referenceId,
          updatedAt: meta.at,
        };
        await c.query(
          `UPDATE integrations SET tenant_url = $1, active = $2, reference_id = $3, updated_at = $4
           WHERE account_id = $5 AND integration_id = $6`,
          [after.tenantUrl, after.active, after.referenceId, after.updatedAt, accountId, integrationId],
        );
        await audit(
          c,
          accountId,
          meta,
          'integration.update',
          'integration',
          integrationId,
          integrationSnapshot(before),
          integrationSnapshot(after),
        );
        await signals.integrationChanged(c, before, after);
        return after;
      });
    },

    async deleteIntegration(accountId, integrationId, meta) {
      return tx(async (c) => {
        const deleted = await c.query<IntegrationRow>(
          'DELETE FROM integrations WHERE account_id = $1 AND integration_id = $2 RETURNING *',
          [accountId, integrationId],
        );
        const row = deleted.rows[0];
        if (!row) return false;
        await audit(
          c,
          accountId,
          meta,
          'integration.delete',
          'integration',
          integrationId,
          integrationSnapshot(toIntegration(row)),
          undefined,
        );
        await signals.integrationChanged(c, toIntegration(row), undefined);
        return true;
      });
    },

    async listAudit(accountId, query) {
      const filters: string[] = ['account_id = $1'];
      const args: unknown[] = [accountId];
      if (query.actor !== undefined) {
        args.push(query.actor);
        filters.push(`actor = $${args.length}`);
      }
      if (query.action !== undefined) {
        args.push(query.action);
        filters.push(`action = $${args.length}`);
      }
      const where = filters.join(' AND ');
      const total = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE ${where}`,
        args,
      );
      const rows = await pool.query<AuditRow>(
        `SELECT * FROM audit_log WHERE ${where} ORDER BY at DESC, seq DESC LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
        [...args, query.perPage, offsetOf(query)],
      );
      return { items: rows.rows.map(toAuditEntry), totalCount: total.rows[0]?.n ?? 0 };
    },

    async listUserRiskEventsUntil(accountId, userId, until, page) {
      const result = await pool.query<RiskEventRow>(
        `SELECT * FROM risk_events WHERE account_id = $1 AND user_id = $2 AND ts <= $3
         ORDER BY ts DESC, risk_event_id ASC LIMIT $4 OFFSET $5`,
        [accountId, userId, until, page.perPage, offsetOf(page)],
      );
      const totalCount = await countRiskEvents(pool, accountId, userId, 'ts <= $3', until);
      return { items: result.rows.map(toRiskEvent), totalCount };
    },

    async countScoredUsersByLevel(accountId) {
      const counts = { high: 0, medium: 0, low: 0 };
      const result = await pool.query<{ risk_rank: number | null; n: number }>(
        'SELECT risk_rank, count(*)::int AS n FROM users WHERE account_id = $1 AND event_count > 0 GROUP BY risk_rank',
        [accountId],
      );
      for (const row of result.rows) {
        const level = levelOfRank(row.risk_rank);
        if (level) counts[level] += row.n;
      }
      return counts;
    },

    async countRiskEventsByBucket(accountId, buckets) {
      const fromMs = Date.parse(buckets.from);
      const to = new Date(fromMs + buckets.bucketMs * buckets.count).toISOString();
      // Timestamps are fixed-width RFC 3339 UTC ms text: parsed back to epoch ms for the bucket index.
      const result = await pool.query<{ bucket: number; risk_level: string; n: number }>(
        `SELECT ((extract(epoch FROM ts::timestamptz) * 1000)::int8 - $1::int8) / $2::int8 AS bucket,
                risk_level, count(*)::int AS n
         FROM risk_events WHERE account_id = $3 AND ts >= $4 AND ts < $5
         GROUP BY 1, 2`,
        [fromMs, buckets.bucketMs, accountId, buckets.from, to],
      );
      return result.rows
        .map((r) => ({ bucket: Number(r.bucket), riskLevel: r.risk_level as RiskLevel, count: r.n }))
        .sort((a, b) => a.bucket - b.bucket || riskRank(a.riskLevel) - riskRank(b.riskLevel));
    },

    async countRiskEventsByBehavior(accountId, range, limit) {
      const result = await pool.query<{ behavior: string; n: number }>(
        `SELECT behavior, count(*)::int AS n FROM risk_events WHERE account_id = $1 AND ts >= $2 AND ts < $3
         GROUP BY behavior ORDER BY n DESC, behavior ASC LIMIT $4`,
        [accountId, range.from, range.to, limit],
      );
      return result.rows.map((r) => ({ behavior: r.behavior as BehaviorKey, count: r.n }));
    },

    async listRecentLevelChanges(accountId, limit) {
      const result = await pool.query<UserRow & { level_changed_at: string }>(
        `SELECT ${USER_COLUMNS} FROM users WHERE account_id = $1 AND level_changed_at IS NOT NULL
         ORDER BY level_changed_at DESC, user_id ASC LIMIT $2`,
        [accountId, limit],
      );
      return result.rows.map((r) => ({ user: toUserRisk(r), levelChangedAt: r.level_changed_at }));
    },
  };
  return store;
}

async function countRiskEvents(
  q: Queryable,
  accountId: string,
  userId: string,
  condition: string,
  value: string,
): Promise<number> {
  const result = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM risk_events WHERE account_id = $1 AND user_id = $2 AND ${condition}`,
    [accountId, userId, value],
  );
  return result.rows[0]?.n ?? 0;
}
