import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  type ControlDelivery,
  type Delivery,
  type DeliveryIntent,
  type DeliveryTarget,
  RISK_LEVEL_CHANGE_EVENT,
  streamSubjectKey,
  userExclusionKeys,
  userSubjectKey,
} from '../../domain/streams.js';
import type { Integration, LevelChange } from '../../domain/types.js';
import type { AuditMeta } from '../store.js';
import {
  type BacklogRow,
  deliveryColumns,
  type HealthRow,
  mergeStreamHealth,
  type StreamRow as SharedStreamRow,
  streamSnapshot,
  toStream,
} from '../stream-rows.js';
import type { StreamStore } from '../stream-store.js';

/** A `streams` row as this store reads it. */
interface StreamRow extends SharedStreamRow {
  delivers_risk: number;
}

/** Writes one audit entry inside the current transaction (the SQLite store's helper). */
export type AuditWriter = (
  accountId: string,
  meta: AuditMeta,
  action: string,
  targetType: string,
  targetId: string,
  before: unknown,
  after: unknown,
) => void;

interface OutboxRow {
  account_id: string;
  stream_id: string;
  seq: number;
  target: string;
  jti: string;
  txn: string;
  subject_key: string;
  control: number;
  intent: string;
  attempts: number;
  next_attempt_at: string;
  lease_id: string | null;
  lease_until: string | null;
  signed_set: string | null;
  kid: string | null;
  created_at: string;
}

function toDelivery(row: OutboxRow): Delivery {
  return {
    accountId: row.account_id,
    streamId: row.stream_id,
    target: row.target as DeliveryTarget,
    seq: row.seq,
    jti: row.jti,
    txn: row.txn,
    subjectKey: row.subject_key,
    intent: JSON.parse(row.intent) as DeliveryIntent,
    attempts: row.attempts,
    createdAt: row.created_at,
    signedSet: row.signed_set ?? undefined,
    kid: row.kid ?? undefined,
    leaseId: row.lease_id ?? undefined,
  };
}

/**
 * The SQLite implementation of {@link StreamStore} over the SQLite store's connection, plus the hooks the
 * store calls inside its own transactions (enqueueing level changes, integration changes).
 */
export function createSqliteStreamStore(db: Database.Database, audit: AuditWriter) {
  const cache = new Map<string, Database.Statement>();
  // Prepared on first use: the tables exist only once migrated.
  function st(sql: string): Database.Statement {
    let found = cache.get(sql);
    if (!found) {
      found = db.prepare(sql);
      cache.set(sql, found);
    }
    return found;
  }

  function nextSeq(): number {
    const row = st(
      "UPDATE ssf_sequences SET value = value + 1 WHERE name = 'outbox' RETURNING value",
    ).get() as { value: number } | undefined;
    if (!row) throw new Error('ssf_sequences has no outbox row');
    return row.value;
  }

  function insertDelivery(
    accountId: string,
    streamId: string,
    target: DeliveryTarget,
    jti: string,
    txn: string,
    subjectKey: string,
    intent: DeliveryIntent,
    at: string,
  ): void {
    st(
      `INSERT INTO ssf_outbox (account_id, stream_id, seq, target, jti, txn, subject_key, control, intent, attempts, next_attempt_at, lease_id, lease_until, signed_set, kid, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, NULL, NULL, NULL, ?)`,
    ).run(
      accountId,
      streamId,
      nextSeq(),
      target,
      jti,
      txn,
      subjectKey,
      intent.kind === 'risk' ? 0 : 1,
      JSON.stringify(intent),
      at,
      at,
    );
  }

  function insertControl(accountId: string, streamId: string, control: ControlDelivery): void {
    insertDelivery(
      accountId,
      streamId,
      'stream',
      control.jti,
      randomUUID(),
      streamSubjectKey(streamId),
      control.intent,
      control.at,
    );
  }

  function getStreamRow(accountId: string, streamId: string): StreamRow | undefined {
    return st('SELECT * FROM ssf_streams WHERE account_id = ? AND stream_id = ?').get(accountId, streamId) as
      | StreamRow
      | undefined;
  }

  function bumpHealth(
    accountId: string,
    streamId: string,
    kind: 'delivered' | 'failed' | 'error',
    at: string,
    error?: string,
  ): void {
    st(
      `INSERT INTO ssf_stream_health (account_id, stream_id, last_success_at, last_error_at, last_error, delivered, failed)
       VALUES (?, ?, NULL, NULL, NULL, 0, 0) ON CONFLICT (account_id, stream_id) DO NOTHING`,
    ).run(accountId, streamId);
    if (kind === 'delivered') {
      st(
        'UPDATE ssf_stream_health SET last_success_at = ?, delivered = delivered + 1 WHERE account_id = ? AND stream_id = ?',
      ).run(at, accountId, streamId);
    } else {
      st(
        `UPDATE ssf_stream_health SET last_error_at = ?, last_error = ?, failed = failed + ? WHERE account_id = ? AND stream_id = ?`,
      ).run(at, error ?? null, kind === 'failed' ? 1 : 0, accountId, streamId);
    }
  }

  /**
   * Enqueues one delivery per change and target stream (see {@link StreamStore}); must run inside the
   * transaction that made the changes. Gives each change its `txn`.
   */
  function enqueueLevelChanges(accountId: string, changes: readonly LevelChange[], at: string): void {
    if (changes.length === 0) return;
    const integrations = st(
      'SELECT integration_id FROM integrations WHERE account_id = ? AND active = 1 ORDER BY created_at, integration_id',
    ).all(accountId) as { integration_id: string }[];
    const streams = st(
      `SELECT stream_id FROM ssf_streams WHERE account_id = ? AND status IN ('enabled', 'paused') AND delivers_risk = 1
       ORDER BY created_at, stream_id`,
    ).all(accountId) as { stream_id: string }[];
    if (integrations.length === 0 && streams.length === 0) return;
    for (const change of changes) {
      const intent: DeliveryIntent = { kind: 'risk', change };
      const subject = userSubjectKey(change.userId);
      for (const i of integrations) {
        insertDelivery(
          accountId,
          i.integration_id,
          'integration',
          randomUUID(),
          change.txn,
          subject,
          intent,
          at,
        );
      }
      const keys = userExclusionKeys(change.userId, change.email);
      for (const s of streams) {
        const excluded = st(
          `SELECT 1 FROM ssf_stream_subjects WHERE account_id = ? AND stream_id = ? AND subject_key IN (${keys
            .map(() => '?')
            .join(', ')}) LIMIT 1`,
        ).get(accountId, s.stream_id, ...keys);
        if (excluded) continue;
        insertDelivery(accountId, s.stream_id, 'stream', randomUUID(), change.txn, subject, intent, at);
      }
    }
  }

  /**
   * Keeps an integration's deliveries consistent with it; must run inside the transaction that changed
   * it: deleted → its deliveries and health go; inactive → its pending deliveries are dropped (changes
   * are never sent later); another tenant URL → pending deliveries are re-signed for the new audience.
   */
  function integrationChanged(before: Integration, after: Integration | undefined): void {
    const key = [before.accountId, before.id];
    if (!after) {
      st("DELETE FROM ssf_outbox WHERE account_id = ? AND stream_id = ? AND target = 'integration'").run(
        ...key,
      );
      st('DELETE FROM ssf_stream_health WHERE account_id = ? AND stream_id = ?').run(...key);
    } else if (!after.active) {
      st("DELETE FROM ssf_outbox WHERE account_id = ? AND stream_id = ? AND target = 'integration'").run(
        ...key,
      );
    } else if (after.tenantUrl !== before.tenantUrl) {
      st(
        "UPDATE ssf_outbox SET signed_set = NULL, kid = NULL WHERE account_id = ? AND stream_id = ? AND target = 'integration'",
      ).run(...key);
    }
  }

  const methods: StreamStore = {
    async locateIntegration(integrationId) {
      const row = st('SELECT account_id FROM integrations WHERE integration_id = ? LIMIT 1').get(
        integrationId,
      ) as { account_id: string } | undefined;
      if (!row) return undefined;
      const found = st('SELECT * FROM integrations WHERE account_id = ? AND integration_id = ?').get(
        row.account_id,
        integrationId,
      ) as
        | {
            account_id: string;
            integration_id: string;
            reference_id: string;
            tenant_url: string;
            active: number;
            created_at: string;
            updated_at: string;
          }
        | undefined;
      if (!found) return undefined;
      return {
        id: found.integration_id,
        accountId: found.account_id,
        integrationType: 'Okta',
        referenceId: found.reference_id,
        tenantUrl: found.tenant_url,
        active: found.active === 1,
        createdAt: found.created_at,
        updatedAt: found.updated_at,
      };
    },

    async createStream(stream, meta) {
      db.transaction(() => {
        st(
          `INSERT INTO ssf_streams (account_id, stream_id, description, events_requested, events_delivered, delivers_risk,
             delivery_method, endpoint_url, authorization_header, subject_format, min_verification_interval, status,
             status_reason, last_verification_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          stream.accountId,
          stream.id,
          stream.description ?? null,
          JSON.stringify(stream.eventsRequested),
          JSON.stringify(stream.eventsDelivered),
          stream.eventsDelivered.includes(RISK_LEVEL_CHANGE_EVENT) ? 1 : 0,
          ...deliveryColumns(stream.delivery),
          stream.subjectFormat,
          stream.minVerificationIntervalSeconds,
          stream.status,
          stream.statusReason ?? null,
          stream.lastVerificationAt ?? null,
          stream.createdAt,
          stream.updatedAt,
        );
        audit(
          stream.accountId,
          meta,
          'stream.create',
          'stream',
          stream.id,
          undefined,
          streamSnapshot(stream),
        );
      }).immediate();
    },

    async getStream(accountId, streamId) {
      const row = getStreamRow(accountId, streamId);
      return row ? toStream(row) : undefined;
    },

    async listStreams(accountId) {
      return (
        st('SELECT * FROM ssf_streams WHERE account_id = ? ORDER BY created_at, stream_id').all(
          accountId,
        ) as StreamRow[]
      ).map(toStream);
    },

    async updateStream(accountId, streamId, config, meta) {
      return db
        .transaction(() => {
          const row = getStreamRow(accountId, streamId);
          if (!row) return undefined;
          const before = toStream(row);
          st(
            `UPDATE ssf_streams SET description = ?, events_requested = ?, events_delivered = ?, delivers_risk = ?,
               delivery_method = ?, endpoint_url = ?, authorization_header = ?, subject_format = ?, updated_at = ?
             WHERE account_id = ? AND stream_id = ?`,
          ).run(
            config.description ?? null,
            JSON.stringify(config.eventsRequested),
            JSON.stringify(config.eventsDelivered),
            config.eventsDelivered.includes(RISK_LEVEL_CHANGE_EVENT) ? 1 : 0,
            ...deliveryColumns(config.delivery),
            config.subjectFormat,
            meta.at,
            accountId,
            streamId,
          );
          st(
            'UPDATE ssf_outbox SET signed_set = NULL, kid = NULL WHERE account_id = ? AND stream_id = ?',
          ).run(accountId, streamId);
          const afterRow = getStreamRow(accountId, streamId);
          if (!afterRow) throw new Error('stream row vanished');
          const after = toStream(afterRow);
          audit(
            accountId,
            meta,
            'stream.update',
            'stream',
            streamId,
            streamSnapshot(before),
            streamSnapshot(after),
          );
          return after;
        })
        .immediate();
    },

    async deleteStream(accountId, streamId, meta) {
      return db
        .transaction(() => {
          const row = getStreamRow(accountId, streamId);
          if (!row) return false;
          for (const table of ['ssf_streams', 'ssf_stream_subjects', 'ssf_outbox', 'ssf_stream_health']) {
            st(`DELETE FROM ${table} WHERE account_id = ? AND stream_id = ?`).run(accountId, streamId);
          }
          audit(
            accountId,
            meta,
            'stream.delete',
            'stream',
            streamId,
            streamSnapshot(toStream(row)),
            undefined,
          );
          return true;
        })
        .immediate();
    },

    async setStreamStatus(accountId, streamId, status, reason, meta, notice) {
      return db
        .transaction(() => {
          const row = getStreamRow(accountId, streamId);
          if (!row) return undefined;
          st(
            'UPDATE ssf_streams SET status = ?, status_reason = ?, updated_at = ? WHERE account_id = ? AND stream_id = ?',
          ).run(status, reason ?? null, meta.at, accountId, streamId);
          if (status === 'disabled') {
            st('DELETE FROM ssf_outbox WHERE account_id = ? AND stream_id = ? AND control = 0').run(
              accountId,
              streamId,
            );
          }
          if (notice) insertControl(accountId, streamId, notice);
          audit(
            accountId,
            meta,
            'stream.status',
            'stream',
            streamId,
            { status: row.status, reason: row.status_reason },
            { status, reason: reason ?? null },
          );
          const afterRow = getStreamRow(accountId, streamId);
          return afterRow ? toStream(afterRow) : undefined;
        })
        .immediate();
    },

    async setStreamSubject(accountId, streamId, keys, included, at) {
      return db
        .transaction(() => {
          if (!getStreamRow(accountId, streamId)) return false;
          for (const key of keys) {
            if (included) {
              st(
                'DELETE FROM ssf_stream_subjects WHERE account_id = ? AND stream_id = ? AND subject_key = ?',
              ).run(accountId, streamId, key);
            } else {
              st(
                `INSERT INTO ssf_stream_subjects (account_id, stream_id, subject_key, removed_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (account_id, stream_id, subject_key) DO NOTHING`,
              ).run(accountId, streamId, key, at);
            }
          }
          return true;
        })
        .immediate();
    },

    async requestStreamVerification(accountId, streamId, delivery, minIntervalMs) {
      return db
        .transaction(() => {
          const row = getStreamRow(accountId, streamId);
          if (!row) return undefined;
          if (row.last_verification_at !== null) {
            const allowedMs = Date.parse(row.last_verification_at) + minIntervalMs;
            if (Date.parse(delivery.at) < allowedMs) {
              return { accepted: false as const, retryAt: new Date(allowedMs).toISOString() };
            }
          }
          st('UPDATE ssf_streams SET last_verification_at = ? WHERE account_id = ? AND stream_id = ?').run(
            delivery.at,
            accountId,
            streamId,
          );
          insertControl(accountId, streamId, delivery);
          return { accepted: true as const };
        })
        .immediate();
    },

    async leaseDeliveries(now, limit, leaseMs, leaseId) {
      return db
        .transaction(() => {
          const rows = st(
            `SELECT o.* FROM ssf_outbox o
             WHERE o.next_attempt_at <= ?
               AND (o.lease_until IS NULL OR o.lease_until <= ?)
               AND NOT EXISTS (
                 SELECT 1 FROM ssf_outbox p
                 WHERE p.account_id = o.account_id AND p.stream_id = o.stream_id
                   AND p.subject_key = o.subject_key AND p.seq < o.seq)
               AND (
                 (o.target = 'integration' AND EXISTS (
                   SELECT 1 FROM integrations i
                   WHERE i.account_id = o.account_id AND i.integration_id = o.stream_id AND i.active = 1))
                 OR (o.target = 'stream' AND EXISTS (
                   SELECT 1 FROM ssf_streams s
                   WHERE s.account_id = o.account_id AND s.stream_id = o.stream_id AND s.delivery_method = 'push'
                     AND (s.status = 'enabled' OR o.control = 1))))
             ORDER BY o.seq LIMIT ?`,
          ).all(now, now, limit) as OutboxRow[];
          const until = new Date(Date.parse(now) + leaseMs).toISOString();
          const lease = st(
            'UPDATE ssf_outbox SET lease_id = ?, lease_until = ? WHERE account_id = ? AND stream_id = ? AND seq = ?',
          );
          for (const r of rows) lease.run(leaseId, until, r.account_id, r.stream_id, r.seq);
          return rows.map((r) => toDelivery({ ...r, lease_id: leaseId, lease_until: until }));
        })
        .immediate();
    },

    async saveSignedDeliveries(signed) {
      if (signed.length === 0) return;
      db.transaction(() => {
        const save = st(
          'UPDATE ssf_outbox SET signed_set = ?, kid = ? WHERE account_id = ? AND stream_id = ? AND jti = ?',
        );
        for (const s of signed) save.run(s.signedSet, s.kid, s.accountId, s.streamId, s.jti);
      }).immediate();
    },

    async finishDeliveries(outcomes) {
      if (outcomes.length === 0) return;
      db.transaction(() => {
        const remove = st(
          'DELETE FROM ssf_outbox WHERE account_id = ? AND stream_id = ? AND jti = ? AND lease_id = ?',
        );
        const retry = st(
          `UPDATE ssf_outbox SET attempts = attempts + 1, next_attempt_at = ?, lease_id = NULL, lease_until = NULL
           WHERE account_id = ? AND stream_id = ? AND jti = ? AND lease_id = ?`,
        );
        for (const o of outcomes) {
          const key = [o.accountId, o.streamId, o.jti, o.leaseId] as const;
          if (o.kind === 'retry') {
            if (retry.run(o.nextAttemptAt, ...key).changes > 0)
              bumpHealth(o.accountId, o.streamId, 'error', o.at, o.error);
            continue;
          }
          const removed = remove.run(...key).changes > 0;
          if (!removed) continue;
          if (o.kind === 'delivered') bumpHealth(o.accountId, o.streamId, 'delivered', o.at);
          else if (o.kind === 'failed') bumpHealth(o.accountId, o.streamId, 'failed', o.at, o.error);
        }
      }).immediate();
    },

    async listPollableDeliveries(accountId, streamId, limit) {
      return (
        st(
          `SELECT o.* FROM ssf_outbox o JOIN ssf_streams s ON s.account_id = o.account_id AND s.stream_id = o.stream_id
           WHERE o.account_id = ? AND o.stream_id = ? AND s.delivery_method = 'poll' AND (s.status = 'enabled' OR o.control = 1)
           ORDER BY o.seq LIMIT ?`,
        ).all(accountId, streamId, limit) as OutboxRow[]
      ).map(toDelivery);
    },

    async acknowledgeDeliveries(accountId, streamId, acks, errors, at) {
      db.transaction(() => {
        const remove = st('DELETE FROM ssf_outbox WHERE account_id = ? AND stream_id = ? AND jti = ?');
        for (const jti of acks) {
          if (remove.run(accountId, streamId, jti).changes > 0)
            bumpHealth(accountId, streamId, 'delivered', at);
        }
        for (const e of errors) {
          if (remove.run(accountId, streamId, e.jti).changes > 0)
            bumpHealth(accountId, streamId, 'failed', at, e.error);
        }
      }).immediate();
    },

    async listStreamHealth(accountId) {
      const backlog = st(
        'SELECT stream_id, COUNT(*) AS n, MIN(created_at) AS oldest FROM ssf_outbox WHERE account_id = ? GROUP BY stream_id',
      ).all(accountId) as BacklogRow[];
      const health = st('SELECT * FROM ssf_stream_health WHERE account_id = ?').all(accountId) as HealthRow[];
      return mergeStreamHealth(accountId, backlog, health);
    },

    async listPendingKids() {
      return (
        st('SELECT DISTINCT kid FROM ssf_outbox WHERE kid IS NOT NULL ORDER BY kid').all() as {
          kid: string;
        }[]
      ).map((r) => r.kid);
    },
  };

  return { methods, enqueueLevelChanges, integrationChanged };
}
