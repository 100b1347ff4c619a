import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
  Page,
  PageRequest,
  RiskEvent,
  UserRisk,
} from '../../domain/types.js';
import { DEFAULT_RECENT_HISTORY_LIMITS, RecentHistory, type RecentHistoryLimits } from '../recent-history.js';
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
  AuditQuery,
  DetectionPlan,
  IngestResult,
  IntegrationPatch,
  RecordResult,
  ResetResult,
  Store,
  StoredToken,
  SummaryQuery,
} from '../store.js';
import { startCheckpointer } from './checkpointer.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

type UserRow = UserRiskRow;

import { createSqliteStreamStore } from './sqlite-stream-store.js';

interface IntegrationRow {
  account_id: string;
  integration_id: string;
  integration_type: string;
  reference_id: string;
  tenant_url: string;
  active: number;
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

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. Parent folders are created. */
  readonly path: string;
  /**
   * Bounds of the in-memory recent history that serves detection (docs/decisions/0008); `maxEvents: 0`
   * turns it off. Default {@link DEFAULT_RECENT_HISTORY_LIMITS}.
   */
  readonly recentHistory?: RecentHistoryLimits;
  /** Checkpoint the WAL from a worker thread (default true; files only). */
  readonly backgroundCheckpoints?: boolean;
}

/** WAL pages after which the writing connection checkpoints itself (the background checkpointer's bound). */
const WRITER_CHECKPOINT_PAGES = 10_000;

/** Events read per (user, type) when detection first needs that user's history of a type. */
const HISTORY_LOAD_SIZE = 32;

/** The partial index serving each summary order (descending; `_asc` appended for ascending). */
const SUMMARY_INDEXES = {
  last_event: 'users_scored_last_event',
  event_count: 'users_scored_count',
  max_risk_level: 'users_scored_rank',
} as const;

const ORDER_COLUMNS = {
  last_event: 'last_event',
  event_count: 'event_count',
  max_risk_level: 'risk_rank',
} as const;

function toIntegration(row: IntegrationRow): Integration {
  return {
    id: row.integration_id,
    accountId: row.account_id,
    integrationType: 'Okta',
    referenceId: row.reference_id,
    tenantUrl: row.tenant_url,
    active: row.active === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The embedded store: better-sqlite3 (synchronous, one connection) in WAL mode. Every method runs in one
 * SQLite transaction, so each call is atomic and serialised with every other call on this process.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives power loss, so an acknowledged event is durably stored.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Detection reads recent history of the users in a batch: keep hot pages in memory (64 MiB cache,
  // 256 MiB memory-mapped reads) instead of SQLite's 2 MiB default.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  db.pragma('temp_store = MEMORY');
  // Checkpoints run in a worker thread; the writer checkpoints itself only past ~40 MiB of WAL.
  const checkpointer =
    options.path !== ':memory:' && options.backgroundCheckpoints !== false
      ? startCheckpointer(options.path)
      : undefined;
  if (checkpointer) {
    db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
    db.pragma('journal_size_limit = 67108864');
  }
  // Statements are prepared once per SQL text and reused (preparing costs as much as a simple query).
  // They are shared: never switch one into pluck/raw/expand mode.
  const prepareUncached = db.prepare.bind(db);
  const preparedBySql = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = preparedBySql.get(source);
    if (!statement) {
      statement = prepareUncached(source);
      preparedBySql.set(source, statement);
    }
    return statement;
  }) as typeof db.prepare;

  let statements: ReturnType<typeof prepare> | undefined;
  function prepared(): ReturnType<typeof prepare> {
    statements ??= prepare();
    return statements;
  }

  function prepare() {
    return {
      insertAudit: db.prepare(
        `INSERT INTO audit_log (account_id, audit_id, at, actor, action, target_type, target_id, before_json, after_json, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      ensureAccount: db.prepare(
        'INSERT INTO accounts (account_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ),
      getUser: db.prepare<[string, string], UserRow>(
        'SELECT * FROM users WHERE account_id = ? AND user_id = ?',
      ),
      insertUser: db.prepare(
        `INSERT INTO users (account_id, user_id, email, name, risk_rank, event_count, last_event, last_reset_time, level_changed_at, updated_at)
         VALUES (?, ?, ?, ?, NULL, 0, NULL, NULL, NULL, ?)`,
      ),
      updateUserCounters: db.prepare(
        `UPDATE users SET email = ?, name = ?, risk_rank = ?, event_count = ?, last_event = ?, level_changed_at = COALESCE(?, level_changed_at), updated_at = ?
         WHERE account_id = ? AND user_id = ?`,
      ),
      insertRiskEvent: db.prepare(
        `INSERT INTO risk_events (account_id, risk_event_id, user_id, behavior, behavior_name, risk_level, ts, details, dedupe_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, dedupe_key) DO NOTHING`,
      ),
      getIntegration: db.prepare<[string, string], IntegrationRow>(
        'SELECT * FROM integrations WHERE account_id = ? AND integration_id = ?',
      ),
    };
  }

  function audit(
    accountId: string,
    meta: AuditMeta,
    action: string,
    targetType: string,
    targetId: string,
    before: unknown,
    after: unknown,
  ): void {
    prepared().insertAudit.run(
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
    );
  }

  // Shared Signals: streams and the SET outbox (enqueued inside the risk transactions below).
  const signals = createSqliteStreamStore(db, audit);

  function tokenGrants(tokenId: string): { accountId: string; permission: Permission }[] {
    return db
      .prepare<[string], { account_id: string; permission: string }>(
        'SELECT account_id, permission FROM token_grants WHERE token_id = ? ORDER BY account_id, permission',
      )
      .all(tokenId)
      .map((g) => ({ accountId: g.account_id, permission: g.permission as Permission }));
  }

  function toToken(row: TokenRow): StoredToken {
    return {
      id: row.token_id,
      name: row.name,
      secretHash: row.secret_hash,
      grants: tokenGrants(row.token_id),
      createdAt: row.created_at,
      expiresAt: row.expires_at ?? undefined,
      revokedAt: row.revoked_at ?? undefined,
    };
  }

  /** Records risk events and maintains user rows; must run inside a transaction. */
  function recordInTx(accountId: string, events: readonly NewRiskEvent[], now: string): RecordResult {
    const s = prepared();
    const recorded: RiskEvent[] = [];
    const before = new Map<string, UserRisk>();
    const users = new Map<string, UserRow>();
    // The behavior of the risk event that last raised each user's rank in this call (the change's cause).
    const raisedBy = new Map<string, NewRiskEvent['behavior']>();
    for (const e of events) {
      const details = JSON.stringify(e.details);
      const inserted = s.insertRiskEvent.run(
        accountId,
        e.id,
        e.userId,
        e.behavior,
        e.behaviorName,
        e.riskLevel,
        e.timestamp,
        details,
        e.dedupeKey,
        now,
      );
      let user = users.get(e.userId) ?? s.getUser.get(accountId, e.userId);
      if (!user) {
        // A skipped duplicate must not make its user known (API.md §7: known = has a recorded risk event).
        if (inserted.changes === 0) continue;
        s.insertUser.run(accountId, e.userId, e.email ?? '', e.name ?? '', now);
        user = s.getUser.get(accountId, e.userId);
        if (!user) throw new Error('user row vanished');
      }
      if (!before.has(e.userId)) before.set(e.userId, toUserRisk(user));
      const next: UserRow = { ...user, email: e.email || user.email, name: e.name || user.name };
      if (inserted.changes > 0) {
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
    for (const [userId, row] of users) {
      const prev = before.get(userId);
      const levelChanged = prev?.riskLevel !== levelOfRank(row.risk_rank);
      s.updateUserCounters.run(
        row.email,
        row.name,
        row.risk_rank,
        row.event_count,
        row.last_event,
        levelChanged ? now : null,
        now,
        accountId,
        userId,
      );
      if (levelChanged) {
        changes.push({
          accountId,
          userId,
          email: row.email,
          previous: prev?.riskLevel,
          current: levelOfRank(row.risk_rank),
          at: now,
          cause: 'detection',
          txn: randomUUID(),
          ...(raisedBy.has(userId) ? { behavior: raisedBy.get(userId) } : {}),
        });
      }
    }
    signals.enqueueLevelChanges(accountId, changes, now);
    return { recorded, changes };
  }

  const statementCache = new Map<string, Database.Statement<unknown[], EventRow>>();
  function cachedStatement(sql: string): Database.Statement<unknown[], EventRow> {
    let st = statementCache.get(sql);
    if (!st) {
      st = db.prepare<unknown[], EventRow>(sql);
      statementCache.set(sql, st);
    }
    return st;
  }

  // Small writes of one event-loop turn share one commit (and one fsync); see GROUPED_WRITES.
  const commits = createGroupCommit(db, () => recent.clear());

  // Detection history from memory when it provably holds the answer (this connection is the only writer
  // of `events` it has seen; another connection's commit bumps data_version and clears it).
  const recent = new RecentHistory(options.recentHistory ?? DEFAULT_RECENT_HISTORY_LIMITS);
  const dataVersion = prepareUncached('PRAGMA data_version').pluck();
  let seenDataVersion = dataVersion.get() as number;
  function forgetOnForeignWrites(): void {
    const version = dataVersion.get() as number;
    if (version !== seenDataVersion) recent.clear();
    seenDataVersion = version;
  }

  function history(accountId: string, userId: string, request: HistoryRequest): SecurityEvent[] {
    const hit = recent.answer(accountId, userId, request);
    if (hit) return hit;
    const type = request.types.length === 1 ? request.types[0] : undefined;
    if (type !== undefined && !recent.has(accountId, userId, type)) {
      const newestFirst = cachedStatement(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE account_id = ? AND user_id = ? AND type = ?
         ORDER BY ts_ms DESC, event_id DESC LIMIT ?`,
      )
        .all(accountId, userId, type, HISTORY_LOAD_SIZE + 1)
        .map((r) => eventFromRow(accountId, r));
      recent.load(accountId, userId, type, newestFirst, HISTORY_LOAD_SIZE);
    }
    return recent.answer(accountId, userId, request) ?? queryEvents(accountId, userId, request);
  }

  function queryEvents(accountId: string, userId: string, request: HistoryRequest): SecurityEvent[] {
    const where = ['account_id = ?', 'user_id = ?', `type IN (${request.types.map(() => '?').join(', ')})`];
    const args: unknown[] = [accountId, userId, ...request.types];
    const f = request.filter;
    if (f?.outcome !== undefined) {
      where.push('outcome = ?');
      args.push(f.outcome);
    }
    if (f?.travelLocated) where.push('travel_located = 1');
    if (f?.deviceId !== undefined) {
      where.push('device_id = ?');
      args.push(f.deviceId);
    }
    if (f?.checkType !== undefined) {
      where.push('check_type = ?');
      args.push(f.checkType);
    }
    if (request.types.length === 0) return [];
    if (request.kind === 'window') {
      const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} AND ts_ms BETWEEN ? AND ? ORDER BY ts_ms, event_id`;
      return cachedStatement(sql)
        .all(...args, request.fromMs, request.toMs)
        .map((r) => eventFromRow(accountId, r));
    }
    const base = where.join(' AND ');
    // One statement for both sides; row values keep each an index range on (…, ts_ms, event_id),
    // however long the history. The order of the union does not matter to detectors.
    return cachedStatement(
      `SELECT * FROM (SELECT ${EVENT_COLUMNS} FROM events WHERE ${base} AND (ts_ms, event_id) < (?, ?)
         ORDER BY ts_ms DESC, event_id DESC LIMIT ?)
       UNION ALL
       SELECT * FROM (SELECT ${EVENT_COLUMNS} FROM events WHERE ${base} AND (ts_ms, event_id) > (?, ?)
         ORDER BY ts_ms ASC, event_id ASC LIMIT ?)`,
    )
      .all(
        ...args,
        request.aroundMs,
        request.aroundId,
        request.count,
        ...args,
        request.aroundMs,
        request.aroundId,
        request.count,
      )
      .map((r) => eventFromRow(accountId, r));
  }

  const ingestTx = db.transaction(
    (accountId: string, events: readonly SecurityEvent[], plan: DetectionPlan, now: string): IngestResult => {
      // Under the write lock: no other connection can commit until this transaction ends, so a commit
      // of theirs that this check misses cannot exist.
      forgetOnForeignWrites();
      const insert = db.prepare(
        `INSERT INTO events (account_id, event_id, user_id, type, ts_ms, outcome, device_id, check_type, travel_located, payload, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, event_id) DO NOTHING`,
      );
      const inserted: SecurityEvent[] = [];
      const insertedIds = new Set<string>();
      for (const e of events) {
        if (insertedIds.has(e.id)) continue;
        const changes = insert.run(
          accountId,
          e.id,
          e.user.id,
          e.type,
          e.timeMs,
          e.type === 'sign_in' ? e.outcome : null,
          e.type === 'posture_result' ? e.deviceId : (e.deviceId ?? null),
          e.type === 'posture_result' ? e.checkType : null,
          travelLocation(e) ? 1 : 0,
          eventPayload(e),
          now,
        ).changes;
        if (changes > 0) {
          inserted.push(e);
          insertedIds.add(e.id);
          recent.add(e, accountId);
        }
      }
      inserted.sort(compareEventTime);
      const risks: NewRiskEvent[] = [];
      for (const e of inserted) {
        const requests = plan.historyFor(e);
        if (requests.length === 0) {
          risks.push(...plan.detect(e, []));
          continue;
        }
        risks.push(
          ...plan.detect(
            e,
            requests.flatMap((r) => history(accountId, e.user.id, r)),
          ),
        );
      }
      const { recorded, changes } = recordInTx(accountId, risks, now);
      return { insertedIds, recorded, changes };
    },
  );

  /** Resets a user's risk; must run inside a transaction. */
  function resetInTx(accountId: string, userId: string, meta: AuditMeta): ResetResult | undefined {
    const s = prepared();
    const row = s.getUser.get(accountId, userId);
    if (!row) return undefined;
    const before = toUserRisk(row);
    // Risk events dated after the reset instant (clock skew) keep counting: recount only those, an index
    // range that is empty in the normal case, so the reset stays O(1).
    const after = db
      .prepare<[string, string, string], { n: number; r: number | null; last: string | null }>(
        `SELECT COUNT(*) AS n, MAX(CASE risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) AS r, MAX(ts) AS last
         FROM risk_events WHERE account_id = ? AND user_id = ? AND ts > ?`,
      )
      .get(accountId, userId, meta.at) ?? { n: 0, r: null, last: null };
    const rank = after.n > 0 ? after.r : null;
    const changed = before.riskLevel !== levelOfRank(rank);
    db.prepare(
      `UPDATE users SET last_reset_time = ?, risk_rank = ?, event_count = ?, last_event = ?,
         level_changed_at = CASE WHEN ? THEN ? ELSE level_changed_at END, updated_at = ?
       WHERE account_id = ? AND user_id = ?`,
    ).run(
      meta.at,
      rank,
      after.n,
      after.n > 0 ? after.last : null,
      changed ? 1 : 0,
      meta.at,
      meta.at,
      accountId,
      userId,
    );
    const updated = s.getUser.get(accountId, userId);
    if (!updated) throw new Error('user row vanished');
    const afterRisk = toUserRisk(updated);
    audit(accountId, meta, 'user.reset', 'user', userId, userSnapshot(before), userSnapshot(afterRisk));
    const change = resetLevelChange(accountId, userId, before, afterRisk, meta, randomUUID());
    if (change) signals.enqueueLevelChanges(accountId, [change], meta.at);
    return { before, after: afterRisk, change };
  }

  const store: Store = {
    dialect: 'sqlite',
    ...signals.methods,

    async migrate() {
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT',
      );
      const applied = new Set(
        db
          .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
          .all()
          .map((r) => r.version),
      );
      for (const m of SQLITE_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        db.transaction(() => {
          db.exec(m.sql);
          db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
            m.version,
            m.name,
            new Date().toISOString(),
          );
        }).immediate();
      }
      statements = undefined;
    },

    async ping() {
      db.prepare('SELECT 1').get();
    },

    async pendingMigrations() {
      const exists = db
        .prepare<[], { n: number }>(
          "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        )
        .get();
      if (!exists || exists.n === 0) return SQLITE_MIGRATIONS.length;
      const applied = new Set(
        db
          .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
          .all()
          .map((r) => r.version),
      );
      return SQLITE_MIGRATIONS.filter((m) => !applied.has(m.version)).length;
    },

    async close() {
      await checkpointer?.close();
      if (db.open) db.close();
    },

    async ensureAccount(accountId, at) {
      return prepared().ensureAccount.run(accountId, at).changes > 0;
    },

    async listAccounts() {
      return db
        .prepare<[], { account_id: string }>(
          'SELECT account_id FROM accounts ORDER BY created_at, account_id',
        )
        .all()
        .map((r) => r.account_id);
    },

    async createToken(token, meta) {
      db.transaction(() => {
        db.prepare(
          'INSERT INTO api_tokens (token_id, name, secret_hash, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          token.id,
          token.name,
          token.secretHash,
          token.createdAt,
          token.expiresAt ?? null,
          token.revokedAt ?? null,
        );
        const grant = db.prepare(
          'INSERT INTO token_grants (account_id, token_id, permission) VALUES (?, ?, ?)',
        );
        const accounts = new Set<string>();
        for (const g of token.grants) {
          prepared().ensureAccount.run(g.accountId, meta.at);
          grant.run(g.accountId, token.id, g.permission);
          accounts.add(g.accountId);
        }
        for (const accountId of accounts) {
          audit(accountId, meta, 'token.create', 'token', token.id, undefined, {
            name: token.name,
            permissions: token.grants.filter((g) => g.accountId === accountId).map((g) => g.permission),
            expires_at: token.expiresAt ?? null,
          });
        }
      }).immediate();
    },

    async findTokenBySecretHash(secretHash) {
      const row = db
        .prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE secret_hash = ?')
        .get(secretHash);
      return row ? toToken(row) : undefined;
    },

    async listTokens() {
      return db
        .prepare<[], TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, token_id')
        .all()
        .map((row) => {
          const { secretHash: _omit, ...token } = toToken(row);
          return token satisfies ApiToken;
        });
    },

    async revokeToken(tokenId, meta) {
      return db
        .transaction(() => {
          const changed = db
            .prepare('UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL')
            .run(meta.at, tokenId).changes;
          if (changed === 0) return false;
          const accounts = new Set(tokenGrants(tokenId).map((g) => g.accountId));
          for (const accountId of accounts) {
            audit(
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
        })
        .immediate();
    },

    async createGlobalKey(key, accountId, meta) {
      db.transaction(() => {
        const email = key.email.toLowerCase();
        db.prepare('UPDATE global_keys SET revoked_at = ? WHERE email = ? AND revoked_at IS NULL').run(
          meta.at,
          email,
        );
        db.prepare(
          'INSERT INTO global_keys (key_id, email, key_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)',
        ).run(key.id, email, key.keyHash, key.createdAt);
        prepared().ensureAccount.run(accountId, meta.at);
        db.prepare(
          'INSERT INTO account_members (account_id, email) VALUES (?, ?) ON CONFLICT DO NOTHING',
        ).run(accountId, email);
        audit(accountId, meta, 'global_key.create', 'global_key', key.id, undefined, { email });
      }).immediate();
    },

    async findGlobalKeysByEmail(email) {
      const lower = email.toLowerCase();
      const rows = db
        .prepare<[string], { key_id: string; email: string; key_hash: string; created_at: string }>(
          'SELECT key_id, email, key_hash, created_at FROM global_keys WHERE email = ? AND revoked_at IS NULL',
        )
        .all(lower);
      if (rows.length === 0) return [];
      const accountIds = db
        .prepare<[string], { account_id: string }>(
          'SELECT account_id FROM account_members WHERE email = ? ORDER BY account_id',
        )
        .all(lower)
        .map((r) => r.account_id);
      return rows.map((r) => ({
        id: r.key_id,
        email: r.email,
        keyHash: r.key_hash,
        accountIds,
        createdAt: r.created_at,
        revokedAt: undefined,
      }));
    },

    async getBehaviorSettings(accountId) {
      return db
        .prepare<[string], { behavior: string; enabled: number; risk_level: string }>(
          'SELECT behavior, enabled, risk_level FROM behavior_settings WHERE account_id = ?',
        )
        .all(accountId)
        .map((r) => ({
          key: r.behavior as BehaviorKey,
          enabled: r.enabled === 1,
          riskLevel: r.risk_level as RiskLevel,
        }));
    },

    async putBehaviorSettings(accountId, settings, meta) {
      await commits.join(() => {
        const current = new Map(
          db
            .prepare<[string], { behavior: string; enabled: number; risk_level: string }>(
              'SELECT behavior, enabled, risk_level FROM behavior_settings WHERE account_id = ?',
            )
            .all(accountId)
            .map((r) => [r.behavior, { enabled: r.enabled === 1, risk_level: r.risk_level }]),
        );
        const upsert = db.prepare(
          `INSERT INTO behavior_settings (account_id, behavior, enabled, risk_level, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (account_id, behavior) DO UPDATE SET enabled = excluded.enabled, risk_level = excluded.risk_level, updated_at = excluded.updated_at`,
        );
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        for (const s of settings) {
          before[s.key] = current.get(s.key) ?? null;
          after[s.key] = { enabled: s.enabled, risk_level: s.riskLevel };
          upsert.run(accountId, s.key, s.enabled ? 1 : 0, s.riskLevel, meta.at);
        }
        audit(accountId, meta, 'behaviors.update', 'behaviors', accountId, before, after);
      });
    },

    async recordRiskEvents(accountId, events, now) {
      if (events.length === 0) return { recorded: [], changes: [] };
      return commits.join(() => recordInTx(accountId, events, now));
    },

    async ingestEvents(accountId, events, plan, now) {
      if (events.length === 0) return { insertedIds: new Set<string>(), recorded: [], changes: [] };
      let result: IngestResult;
      try {
        result = ingestTx.immediate(accountId, events, plan, now);
      } catch (error) {
        // Rolled back: the recent history may hold events that were never committed.
        recent.clear();
        throw error;
      }
      checkpointer?.nudge();
      return result;
    },

    async queryUserEvents(accountId, userId, request) {
      // The database's own answer (the recent history serves detection only, inside its transaction).
      return queryEvents(accountId, userId, request).sort(compareEventTime);
    },

    async getDetectorSettings(accountId) {
      const row = db
        .prepare<[string], { settings: string }>(
          'SELECT settings FROM detector_settings WHERE account_id = ?',
        )
        .get(accountId);
      return row ? (JSON.parse(row.settings) as unknown) : undefined;
    },

    async putDetectorSettings(accountId, settings, meta) {
      await commits.join(() => {
        const row = db
          .prepare<[string], { settings: string }>(
            'SELECT settings FROM detector_settings WHERE account_id = ?',
          )
          .get(accountId);
        db.prepare(
          `INSERT INTO detector_settings (account_id, settings, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (account_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
        ).run(accountId, JSON.stringify(settings), meta.at);
        audit(
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
      const row = prepared().getUser.get(accountId, userId);
      return row ? toUserRisk(row) : undefined;
    },

    async listUserRiskEvents(accountId, userId, since, page: PageRequest): Promise<Page<RiskEvent>> {
      const sinceTs = since ?? '';
      // Since the last reset, the user row already holds the count (maintained on every write).
      const user = prepared().getUser.get(accountId, userId);
      const total =
        user && (user.last_reset_time ?? '') === sinceTs
          ? { n: user.event_count }
          : db
              .prepare<[string, string, string], { n: number }>(
                'SELECT COUNT(*) AS n FROM risk_events WHERE account_id = ? AND user_id = ? AND ts > ?',
              )
              .get(accountId, userId, sinceTs);
      const rows = db
        .prepare<[string, string, string, number, number], RiskEventRow>(
          `SELECT * FROM risk_events WHERE account_id = ? AND user_id = ? AND ts > ?
           ORDER BY ts DESC, risk_event_id ASC LIMIT ? OFFSET ?`,
        )
        .all(accountId, userId, sinceTs, page.perPage, (page.page - 1) * page.perPage);
      return { items: rows.map(toRiskEvent), totalCount: total?.n ?? 0 };
    },

    async resetUser(accountId, userId, meta) {
      return commits.join(() => resetInTx(accountId, userId, meta));
    },

    async listUserSummaries(accountId, query: SummaryQuery) {
      const column = ORDER_COLUMNS[query.orderBy];
      const dir = query.direction === 'asc' ? 'ASC' : 'DESC';
      const ranks = query.levels.map(riskRank);
      const levelFilter = ranks.length > 0 ? `AND risk_rank IN (${ranks.map(() => '?').join(', ')})` : '';
      const args: unknown[] = [accountId, ...ranks];
      let filters = levelFilter;
      if (query.behavior !== undefined) {
        // Probes the user's events since the reset through risk_events_by_user.
        filters += ` AND EXISTS (SELECT 1 FROM risk_events r WHERE r.account_id = users.account_id
          AND r.user_id = users.user_id AND r.ts > COALESCE(users.last_reset_time, '') AND r.behavior = ?)`;
        args.push(query.behavior);
      }
      if (query.search !== undefined && query.search !== '') {
        const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        filters += " AND (email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')";
        args.push(pattern, pattern);
      }
      const where = `account_id = ? AND event_count > 0 ${filters}`;
      // Without behavior or search filters the total comes from the counters the triggers of migration 5
      // keep exact; filtered lists (dashboard) count.
      const total =
        query.behavior === undefined && (query.search === undefined || query.search === '')
          ? db
              .prepare<unknown[], { n: number }>(
                `SELECT COALESCE(SUM(n), 0) AS n FROM scored_user_counts WHERE account_id = ? ${levelFilter}`,
              )
              .get(accountId, ...ranks)
          : db
              .prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM users WHERE ${where}`)
              .get(...args);
      // Name the index that matches the order: without statistics SQLite may pick another and sort.
      const index = `${SUMMARY_INDEXES[query.orderBy]}${dir === 'ASC' ? '_asc' : ''}`;
      const rows = db
        .prepare<unknown[], UserRow>(
          `SELECT * FROM users INDEXED BY ${index} WHERE ${where} ORDER BY ${column} ${dir}, user_id ASC LIMIT ? OFFSET ?`,
        )
        .all(...args, query.perPage, (query.page - 1) * query.perPage);
      return { items: rows.map(toUserRisk), totalCount: total?.n ?? 0 };
    },

    async createIntegration(integration, meta) {
      db.transaction(() => {
        db.prepare(
          `INSERT INTO integrations (account_id, integration_id, integration_type, reference_id, tenant_url, active, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          integration.accountId,
          integration.id,
          integration.integrationType,
          integration.referenceId,
          integration.tenantUrl,
          integration.active ? 1 : 0,
          integration.createdAt,
          integration.updatedAt,
        );
        audit(
          integration.accountId,
          meta,
          'integration.create',
          'integration',
          integration.id,
          undefined,
          integrationSnapshot(integration),
        );
      }).immediate();
    },

    async getIntegration(accountId, integrationId) {
      const row = prepared().getIntegration.get(accountId, integrationId);
      return row ? toIntegration(row) : undefined;
    },

    async listIntegrations(accountId) {
      return db
        .prepare<[string], IntegrationRow>(
          'SELECT * FROM integrations WHERE account_id = ? ORDER BY created_at ASC, integration_id ASC',
        )
        .all(accountId)
        .map(toIntegration);
    },

    async findIntegrationByReference(accountId, referenceId) {
      const row = db
        .prepare<[string, string], IntegrationRow>(
          `SELECT * FROM integrations WHERE account_id = ? AND reference_id = ?
           ORDER BY created_at DESC, integration_id DESC LIMIT 1`,
        )
        .get(accountId, referenceId);
      return row ? toIntegration(row) : undefined;
    },

    async updateIntegration(accountId, integrationId, patch: IntegrationPatch, meta) {
      return db
        .transaction(() => {
          const row = prepared().getIntegration.get(accountId, integrationId);
          if (!row) return undefined;
          const before = toIntegration(row);
          const after: Integration = {
            ...before,
            tenantUrl: patch.tenantUrl,
            active: patch.active ?? before.active,
            referenceId: patch.referenceId ?? before.referenceId,
            updatedAt: meta.at,
          };
          db.prepare(
            `UPDATE integrations SET tenant_url = ?, active = ?, reference_id = ?, updated_at = ?
             WHERE account_id = ? AND integration_id = ?`,
          ).run(
            after.tenantUrl,
            after.active ? 1 : 0,
            after.referenceId,
            after.updatedAt,
            accountId,
            integrationId,
          );
          audit(
            accountId,
            meta,
            'integration.update',
            'integration',
            integrationId,
            integrationSnapshot(before),
            integrationSnapshot(after),
          );
          signals.integrationChanged(before, after);
          return after;
        })
        .immediate();
    },

    async deleteIntegration(accountId, integrationId, meta) {
      return db
        .transaction(() => {
          const row = prepared().getIntegration.get(accountId, integrationId);
          if (!row) return false;
          db.prepare('DELETE FROM integrations WHERE account_id = ? AND integration_id = ?').run(
            accountId,
            integrationId,
          );
          audit(
            accountId,
            meta,
            'integration.delete',
            'integration',
            integrationId,
            integrationSnapshot(toIntegration(row)),
            undefined,
          );
          signals.integrationChanged(toIntegration(row), undefined);
          return true;
        })
        .immediate();
    },

    async listAudit(accountId, query: AuditQuery) {
      const filters: string[] = ['account_id = ?'];
      const args: unknown[] = [accountId];
      if (query.actor !== undefined) {
        filters.push('actor = ?');
        args.push(query.actor);
      }
      if (query.action !== undefined) {
        filters.push('action = ?');
        args.push(query.action);
      }
      const where = filters.join(' AND ');
      const total = db
        .prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM audit_log WHERE ${where}`)
        .get(...args);
      const rows = db
        .prepare<unknown[], AuditRow>(
          `SELECT * FROM audit_log WHERE ${where} ORDER BY at DESC, seq DESC LIMIT ? OFFSET ?`,
        )
        .all(...args, query.perPage, (query.page - 1) * query.perPage);
      return { items: rows.map(toAuditEntry), totalCount: total?.n ?? 0 };
    },

    async listUserRiskEventsUntil(accountId, userId, until, page: PageRequest): Promise<Page<RiskEvent>> {
      const total = db
        .prepare<[string, string, string], { n: number }>(
          'SELECT COUNT(*) AS n FROM risk_events WHERE account_id = ? AND user_id = ? AND ts <= ?',
        )
        .get(accountId, userId, until);
      const rows = db
        .prepare<[string, string, string, number, number], RiskEventRow>(
          `SELECT * FROM risk_events WHERE account_id = ? AND user_id = ? AND ts <= ?
           ORDER BY ts DESC, risk_event_id ASC LIMIT ? OFFSET ?`,
        )
        .all(accountId, userId, until, page.perPage, (page.page - 1) * page.perPage);
      return { items: rows.map(toRiskEvent), totalCount: total?.n ?? 0 };
    },

    async countScoredUsersByLevel(accountId) {
      const counts = { high: 0, medium: 0, low: 0 };
      const rows = db
        .prepare<[string], { risk_rank: number | null; n: number }>(
          'SELECT risk_rank, COUNT(*) AS n FROM users WHERE account_id = ? AND event_count > 0 GROUP BY risk_rank',
        )
        .all(accountId);
      for (const row of rows) {
        const level = levelOfRank(row.risk_rank);
        if (level) counts[level] += row.n;
      }
      return counts;
    },

    async countRiskEventsByBucket(accountId, buckets) {
      const fromMs = Date.parse(buckets.from);
      const to = new Date(fromMs + buckets.bucketMs * buckets.count).toISOString();
      // Timestamps are fixed-width RFC 3339 UTC ms (…T12:34:56.789Z): seconds from strftime, ms from
      // characters 21–23; integer division gives the bucket (numbers bind as REAL, hence the casts).
      const rows = db
        .prepare<[number, number, string, string, string], { bucket: number; risk_level: string; n: number }>(
          `SELECT (CAST(strftime('%s', ts) AS INTEGER) * 1000 + CAST(substr(ts, 21, 3) AS INTEGER) - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket,
                  risk_level, COUNT(*) AS n
           FROM risk_events WHERE account_id = ? AND ts >= ? AND ts < ?
           GROUP BY bucket, risk_level`,
        )
        .all(fromMs, buckets.bucketMs, accountId, buckets.from, to);
      return rows
        .map((r) => ({ bucket: r.bucket, riskLevel: r.risk_level as RiskLevel, count: r.n }))
        .sort((a, b) => a.bucket - b.bucket || riskRank(a.riskLevel) - riskRank(b.riskLevel));
    },

    async countRiskEventsByBehavior(accountId, range, limit) {
      return db
        .prepare<[string, string, string, number], { behavior: string; n: number }>(
          `SELECT behavior, COUNT(*) AS n FROM risk_events WHERE account_id = ? AND ts >= ? AND ts < ?
           GROUP BY behavior ORDER BY n DESC, behavior ASC LIMIT ?`,
        )
        .all(accountId, range.from, range.to, limit)
        .map((r) => ({ behavior: r.behavior as BehaviorKey, count: r.n }));
    },

    async listRecentLevelChanges(accountId, limit) {
      return db
        .prepare<[string, number], UserRow & { level_changed_at: string }>(
          `SELECT * FROM users WHERE account_id = ? AND level_changed_at IS NOT NULL
           ORDER BY level_changed_at DESC, user_id ASC LIMIT ?`,
        )
        .all(accountId, limit)
        .map((r) => ({ user: toUserRisk(r), levelChangedAt: r.level_changed_at }));
    },
  };
  return serialisedWithGroups(store, commits, GROUPED_WRITES);
}

/** Small writes that share a transaction with the others of the same event-loop turn (group commit). */
const GROUPED_WRITES: ReadonlySet<keyof Store> = new Set<keyof Store>([
  'resetUser',
  'putBehaviorSettings',
  'putDetectorSettings',
  'recordRiskEvents',
]);

/**
 * The store with every method outside `grouped` waiting until no group is open: reads see only
 * committed data, and other transactions begin only between groups.
 */
function serialisedWithGroups(store: Store, commits: GroupCommit, grouped: ReadonlySet<keyof Store>): Store {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function' || grouped.has(name as keyof Store)) {
      out[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    out[name] = async (...args: unknown[]) => {
      await commits.idle();
      return method.apply(store, args);
    };
  }
  return out as unknown as Store;
}
