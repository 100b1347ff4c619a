import { randomUUID } from 'node:crypto';
import type pg from 'pg';
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

type StreamRow = SharedStreamRow;

/** Any client or pool: both run queries. */
type Queryable = pg.Pool | pg.PoolClient;

/** Writes one audit entry on the given transaction's client (the PostgreSQL store's helper). */
export type PostgresAuditWriter = (
  client: pg.PoolClient,
  accountId: string,
  meta: AuditMeta,
  action: string,
  targetType: string,
  targetId: string,
  before: unknown,
  after: unknown,
) => Promise<void>;

interface OutboxRow {
  account_id: string;
  stream_id: string;
  /** bigint: arrives as a string. */
  seq: string;
  target: string;
  jti: string;
  txn: string;
  subject_key: string;
  intent: string;
  attempts: number;
  signed_set: string | null;
  kid: string | null;
  lease_id: string | null;
  created_at: string;
}

function toDelivery(row: OutboxRow): Delivery {
  return {
    accountId: row.account_id,
    streamId: row.stream_id,
    target: row.target as DeliveryTarget,
    seq: Number(row.seq),
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

const OUTBOX_COLUMNS =
  'account_id, stream_id, seq, target, jti, txn, subject_key, intent, attempts, signed_set, kid, lease_id, created_at';

/**
 * The PostgreSQL implementation of {@link StreamStore}, the same rules as the SQLite one
 * (`sqlite-stream-store.ts`), plus the hooks the store calls inside its own transactions. Outbox order
 * comes from a sequence; deliveries of one subject are enqueued by transactions that hold that user's
 * detection lock (or the stream's row lock), so their `seq` order is their commit order. Workers on any
 * number of nodes lease with `FOR UPDATE SKIP LOCKED`; a lease that expires (its node died) makes the
 * delivery due again.
 */
export function createPostgresStreamStore(
  pool: pg.Pool,
  tx: <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
  audit: PostgresAuditWriter,
) {
  async function insertDelivery(
    q: Queryable,
    accountId: string,
    streamId: string,
    target: DeliveryTarget,
    jti: string,
    txn: string,
    subjectKey: string,
    intent: DeliveryIntent,
    at: string,
  ): Promise<void> {
    await q.query({
      name: 'ztrisk_outbox_insert',
      text: `INSERT INTO ssf_outbox (account_id, stream_id, seq, target, jti, txn, subject_key, control, intent, attempts,
               next_attempt_at, lease_id, lease_until, signed_set, kid, created_at)
             VALUES ($1, $2, nextval('ssf_outbox_seq'), $3, $4, $5, $6, $7, $8, 0, $9, NULL, NULL, NULL, NULL, $9)`,
      values: [
        accountId,
        streamId,
        target,
        jti,
        txn,
        subjectKey,
        intent.kind !== 'risk',
        JSON.stringify(intent),
        at,
      ],
    });
  }

  async function insertControl(q: Queryable, accountId: string, streamId: string, control: ControlDelivery) {
    await insertDelivery(
      q,
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

  /** The stream row, locked for the rest of the transaction when `lock` (serialises its control events). */
  async function getStreamRow(
    q: Queryable,
    accountId: string,
    streamId: string,
    lock = false,
  ): Promise<StreamRow | undefined> {
    const result = await q.query<StreamRow>(
      `SELECT * FROM ssf_streams WHERE account_id = $1 AND stream_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [accountId, streamId],
    );
    return result.rows[0];
  }

  async function bumpHealth(
    q: Queryable,
    accountId: string,
    streamId: string,
    kind: 'delivered' | 'failed' | 'error',
    at: string,
    error?: string,
  ): Promise<void> {
    if (kind === 'delivered') {
      await q.query(
        `INSERT INTO ssf_stream_health (account_id, stream_id, last_success_at, last_error_at, last_error, delivered, failed)
         VALUES ($1, $2, $3, NULL, NULL, 1, 0)
         ON CONFLICT (account_id, stream_id) DO UPDATE SET last_success_at = excluded.last_success_at,
           delivered = ssf_stream_health.delivered + 1`,
        [accountId, streamId, at],
      );
    } else {
      const failed = kind === 'failed' ? 1 : 0;
      await q.query(
        `INSERT INTO ssf_stream_health (account_id, stream_id, last_success_at, last_error_at, last_error, delivered, failed)
         VALUES ($1, $2, NULL, $3, $4, 0, $5)
         ON CONFLICT (account_id, stream_id) DO UPDATE SET last_error_at = excluded.last_error_at,
           last_error = excluded.last_error, failed = ssf_stream_health.failed + excluded.failed`,
        [accountId, streamId, at, error ?? null, failed],
      );
    }
  }

  /**
   * Enqueues one delivery per change and target stream (see {@link StreamStore}); runs on the client of
   * the transaction that made the changes.
   */
  async function enqueueLevelChanges(
    client: pg.PoolClient,
    accountId: string,
    changes: readonly LevelChange[],
    at: string,
  ): Promise<void> {
    if (changes.length === 0) return;
    const integrations = await client.query<{ integration_id: string }>({
      name: 'ztrisk_outbox_integrations',
      text: 'SELECT integration_id FROM integrations WHERE account_id = $1 AND active ORDER BY created_at, integration_id',
      values: [accountId],
    });
    const streams = await client.query<{ stream_id: string }>({
      name: 'ztrisk_outbox_streams',
      text: `SELECT stream_id FROM ssf_streams WHERE account_id = $1 AND status IN ('enabled', 'paused') AND delivers_risk
             ORDER BY created_at, stream_id`,
      values: [accountId],
    });
    if (integrations.rows.length === 0 && streams.rows.length === 0) return;
    for (const change of changes) {
      const intent: DeliveryIntent = { kind: 'risk', change };
      const subject = userSubjectKey(change.userId);
      for (const i of integrations.rows) {
        await insertDelivery(
          client,
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
      for (const s of streams.rows) {
        const excluded = await client.query({
          name: 'ztrisk_outbox_excluded',
          text: `SELECT 1 FROM ssf_stream_subjects WHERE account_id = $1 AND stream_id = $2 AND subject_key = ANY ($3::text[])
                 LIMIT 1`,
          values: [accountId, s.stream_id, keys],
        });
        if (excluded.rows.length > 0) continue;
        await insertDelivery(
          client,
          accountId,
          s.stream_id,
          'stream',
          randomUUID(),
          change.txn,
          subject,
          intent,
          at,
        );
      }
    }
  }

  /**
   * Keeps an integration's deliveries consistent with it, in the transaction that changed it: deleted →
   * its deliveries and health go; inactive → pending deliveries are dropped; another tenant URL →
   * pending deliveries are re-signed for the new audience.
   */
  async function integrationChanged(
    client: pg.PoolClient,
    before: Integration,
    after: Integration | undefined,
  ): Promise<void> {
    const key = [before.accountId, before.id];
    if (!after?.active) {
      await client.query(
        "DELETE FROM ssf_outbox WHERE account_id = $1 AND stream_id = $2 AND target = 'integration'",
        key,
      );
      if (!after)
        await client.query('DELETE FROM ssf_stream_health WHERE account_id = $1 AND stream_id = $2', key);
    } else if (after.tenantUrl !== before.tenantUrl) {
      await client.query(
        "UPDATE ssf_outbox SET signed_set = NULL, kid = NULL WHERE account_id = $1 AND stream_id = $2 AND target = 'integration'",
        key,
      );
    }
  }

  const methods: StreamStore = {
    async locateIntegration(integrationId) {
      const result = await pool.query<{
        account_id: string;
        integration_id: string;
        reference_id: string;
        tenant_url: string;
        active: boolean;
        created_at: string;
        updated_at: string;
      }>('SELECT * FROM integrations WHERE integration_id = $1 ORDER BY account_id LIMIT 1', [integrationId]);
      const found = result.rows[0];
      if (!found) return undefined;
      return {
        id: found.integration_id,
        accountId: found.account_id,
        integrationType: 'Okta',
        referenceId: found.reference_id,
        tenantUrl: found.tenant_url,
        active: found.active,
        createdAt: found.created_at,
        updatedAt: found.updated_at,
      };
    },

    async createStream(stream, meta) {
      await tx(async (c) => {
        await c.query(
          `INSERT INTO ssf_streams (account_id, stream_id, description, events_requested, events_delivered, delivers_risk,
             delivery_method, endpoint_url, authorization_header, subject_format, min_verification_interval, status,
             status_reason, last_verification_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
          [
            stream.accountId,
            stream.id,
            stream.description ?? null,
            JSON.stringify(stream.eventsRequested),
            JSON.stringify(stream.eventsDelivered),
            stream.eventsDelivered.includes(RISK_LEVEL_CHANGE_EVENT),
            ...deliveryColumns(stream.delivery),
            stream.subjectFormat,
            stream.minVerificationIntervalSeconds,
            stream.status,
            stream.statusReason ?? null,
            stream.lastVerificationAt ?? null,
            stream.createdAt,
            stream.updatedAt,
          ],
        );
        await audit(
          c,
          stream.accountId,
          meta,
          'stream.create',
          'stream',
          stream.id,
          undefined,
          streamSnapshot(stream),
        );
      });
    },

    async getStream(accountId, streamId) {
      const row = await getStreamRow(pool, accountId, streamId);
      return row ? toStream(row) : undefined;
    },

    async listStreams(accountId) {
      const result = await pool.query<StreamRow>(
        'SELECT * FROM ssf_streams WHERE account_id = $1 ORDER BY created_at, stream_id',
        [accountId],
      );
      return result.rows.map(toStream);
    },

    async updateStream(accountId, streamId, config, meta) {
      return tx(async (c) => {
        const row = await getStreamRow(c, accountId, streamId, true);
        if (!row) return undefined;
        const before = toStream(row);
        const updated = await c.query<StreamRow>(
          `UPDATE ssf_streams SET description = $1, events_requested = $2, events_delivered = $3, delivers_risk = $4,
             delivery_method = $5, endpoint_url = $6, authorization_header = $7, subject_format = $8, updated_at = $9
           WHERE account_id = $10 AND stream_id = $11 RETURNING *`,
          [
            config.description ?? null,
            JSON.stringify(config.eventsRequested),
            JSON.stringify(config.eventsDelivered),
            config.eventsDelivered.includes(RISK_LEVEL_CHANGE_EVENT),
            ...deliveryColumns(config.delivery),
            config.subjectFormat,
            meta.at,
            accountId,
            streamId,
          ],
        );
        await c.query(
          'UPDATE ssf_outbox SET signed_set = NULL, kid = NULL WHERE account_id = $1 AND stream_id = $2',
          [accountId, streamId],
        );
        const afterRow = updated.rows[0];
        if (!afterRow) throw new Error('stream row vanished');
        const after = toStream(afterRow);
        await audit(
          c,
          accountId,
          meta,
          'stream.update',
          'stream',
          streamId,
          streamSnapshot(before),
          streamSnapshot(after),
        );
        return after;
      });
    },

    async deleteStream(accountId, streamId, meta) {
      return tx(async (c) => {
        const row = await getStreamRow(c, accountId, streamId, true);
        if (!row) return false;
        for (const table of ['ssf_streams', 'ssf_stream_subjects', 'ssf_outbox', 'ssf_stream_health']) {
          await c.query(`DELETE FROM ${table} WHERE account_id = $1 AND stream_id = $2`, [
            accountId,
            streamId,
          ]);
        }
        await audit(
          c,
          accountId,
          meta,
          'stream.delete',
          'stream',
          streamId,
          streamSnapshot(toStream(row)),
          undefined,
        );
        return true;
      });
    },

    async setStreamStatus(accountId, streamId, status, reason, meta, notice) {
      return tx(async (c) => {
        const row = await getStreamRow(c, accountId, streamId, true);
        if (!row) return undefined;
        const updated = await c.query<StreamRow>(
          `UPDATE ssf_streams SET status = $1, status_reason = $2, updated_at = $3
           WHERE account_id = $4 AND stream_id = $5 RETURNING *`,
          [status, reason ?? null, meta.at, accountId, streamId],
        );
        if (status === 'disabled') {
          await c.query('DELETE FROM ssf_outbox WHERE account_id = $1 AND stream_id = $2 AND NOT control', [
            accountId,
            streamId,
          ]);
        }
        if (notice) await insertControl(c, accountId, streamId, notice);
        await audit(
          c,
          accountId,
          meta,
          'stream.status',
          'stream',
          streamId,
          { status: row.status, reason: row.status_reason },
          { status, reason: reason ?? null },
        );
        const afterRow = updated.rows[0];
        return afterRow ? toStream(afterRow) : undefined;
      });
    },

    async setStreamSubject(accountId, streamId, keys, included, at) {
      return tx(async (c) => {
        if (!(await getStreamRow(c, accountId, streamId, true))) return false;
        for (const key of keys) {
          if (included) {
            await c.query(
              'DELETE FROM ssf_stream_subjects WHERE account_id = $1 AND stream_id = $2 AND subject_key = $3',
              [accountId, streamId, key],
            );
          } else {
            await c.query(
              `INSERT INTO ssf_stream_subjects (account_id, stream_id, subject_key, removed_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (account_id, stream_id, subject_key) DO NOTHING`,
              [accountId, streamId, key, at],
            );
          }
        }
        return true;
      });
    },

    async requestStreamVerification(accountId, streamId, delivery, minIntervalMs) {
      return tx(async (c) => {
        const row = await getStreamRow(c, accountId, streamId, true);
        if (!row) return undefined;
        if (row.last_verification_at !== null) {
          const allowedMs = Date.parse(row.last_verification_at) + minIntervalMs;
          if (Date.parse(delivery.at) < allowedMs) {
            return { accepted: false as const, retryAt: new Date(allowedMs).toISOString() };
          }
        }
        await c.query(
          'UPDATE ssf_streams SET last_verification_at = $1 WHERE account_id = $2 AND stream_id = $3',
          [delivery.at, accountId, streamId],
        );
        await insertControl(c, accountId, streamId, delivery);
        return { accepted: true as const };
      });
    },

    async leaseDeliveries(now, limit, leaseMs, leaseId) {
      const until = new Date(Date.parse(now) + leaseMs).toISOString();
      // Rows another node is leasing right now are skipped, not waited for; once that node commits, its
      // lease_until excludes them. A node that dies holding a lease lets it expire: due again.
      const result = await pool.query<OutboxRow>({
        name: 'ztrisk_outbox_lease',
        text: `WITH due AS (
                 SELECT o.account_id, o.stream_id, o.seq FROM ssf_outbox o
                 WHERE o.next_attempt_at <= $1
                   AND (o.lease_until IS NULL OR o.lease_until <= $1)
                   AND NOT EXISTS (
                     SELECT 1 FROM ssf_outbox p
                     WHERE p.account_id = o.account_id AND p.stream_id = o.stream_id
                       AND p.subject_key = o.subject_key AND p.seq < o.seq)
                   AND (
                     (o.target = 'integration' AND EXISTS (
                       SELECT 1 FROM integrations i
                       WHERE i.account_id = o.account_id AND i.integration_id = o.stream_id AND i.active))
                     OR (o.target = 'stream' AND EXISTS (
                       SELECT 1 FROM ssf_streams s
                       WHERE s.account_id = o.account_id AND s.stream_id = o.stream_id AND s.delivery_method = 'push'
                         AND (s.status = 'enabled' OR o.control))))
                 ORDER BY o.seq
                 LIMIT $2
                 FOR UPDATE OF o SKIP LOCKED)
               UPDATE ssf_outbox o SET lease_id = $3, lease_until = $4
               FROM due WHERE o.account_id = due.account_id AND o.stream_id = due.stream_id AND o.seq = due.seq
               RETURNING ${OUTBOX_COLUMNS.split(', ')
                 .map((c) => `o.${c}`)
                 .join(', ')}`,
        values: [now, limit, leaseId, until],
      });
      return result.rows.map(toDelivery).sort((a, b) => a.seq - b.seq);
    },

    async saveSignedDeliveries(signed) {
      if (signed.length === 0) return;
      await pool.query(
        `UPDATE ssf_outbox o SET signed_set = t.signed_set, kid = t.kid
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(account_id, stream_id, jti, signed_set, kid)
         WHERE o.account_id = t.account_id AND o.stream_id = t.stream_id AND o.jti = t.jti`,
        [
          signed.map((s) => s.accountId),
          signed.map((s) => s.streamId),
          signed.map((s) => s.jti),
          signed.map((s) => s.signedSet),
          signed.map((s) => s.kid),
        ],
      );
    },

    async finishDeliveries(outcomes) {
      if (outcomes.length === 0) return;
      await tx(async (c) => {
        for (const o of outcomes) {
          const key = [o.accountId, o.streamId, o.jti, o.leaseId];
          if (o.kind === 'retry') {
            const retried = await c.query(
              `UPDATE ssf_outbox SET attempts = attempts + 1, next_attempt_at = $5, lease_id = NULL, lease_until = NULL
               WHERE account_id = $1 AND stream_id = $2 AND jti = $3 AND lease_id = $4`,
              [...key, o.nextAttemptAt],
            );
            if ((retried.rowCount ?? 0) > 0)
              await bumpHealth(c, o.accountId, o.streamId, 'error', o.at, o.error);
            continue;
          }
          const removed = await c.query(
            'DELETE FROM ssf_outbox WHERE account_id = $1 AND stream_id = $2 AND jti = $3 AND lease_id = $4',
            key,
          );
          if ((removed.rowCount ?? 0) === 0) continue;
          if (o.kind === 'delivered') await bumpHealth(c, o.accountId, o.streamId, 'delivered', o.at);
          else if (o.kind === 'failed') await bumpHealth(c, o.accountId, o.streamId, 'failed', o.at, o.error);
        }
      });
    },

    async listPollableDeliveries(accountId, streamId, limit) {
      const result = await pool.query<OutboxRow>(
        `SELECT ${OUTBOX_COLUMNS.split(', ')
          .map((c) => `o.${c}`)
          .join(', ')}
         FROM ssf_outbox o JOIN ssf_streams s ON s.account_id = o.account_id AND s.stream_id = o.stream_id
         WHERE o.account_id = $1 AND o.stream_id = $2 AND s.delivery_method = 'poll' AND (s.status = 'enabled' OR o.control)
         ORDER BY o.seq LIMIT $3`,
        [accountId, streamId, limit],
      );
      return result.rows.map(toDelivery);
    },

    async acknowledgeDeliveries(accountId, streamId, acks, errors, at) {
      await tx(async (c) => {
        for (const jti of acks) {
          const removed = await c.query(
            'DELETE FROM ssf_outbox WHERE account_id = $1 AND stream_id = $2 AND jti = $3',
            [accountId, streamId, jti],
          );
          if ((removed.rowCount ?? 0) > 0) await bumpHealth(c, accountId, streamId, 'delivered', at);
        }
        for (const e of errors) {
          const removed = await c.query(
            'DELETE FROM ssf_outbox WHERE account_id = $1 AND stream_id = $2 AND jti = $3',
            [accountId, streamId, e.jti],
          );
          if ((removed.rowCount ?? 0) > 0) await bumpHealth(c, accountId, streamId, 'failed', at, e.error);
        }
      });
    },

    async listStreamHealth(accountId) {
      const backlog = await pool.query<BacklogRow>(
        `SELECT stream_id, count(*)::int AS n, min(created_at) AS oldest FROM ssf_outbox WHERE account_id = $1
         GROUP BY stream_id`,
        [accountId],
      );
      const health = await pool.query<HealthRow>('SELECT * FROM ssf_stream_health WHERE account_id = $1', [
        accountId,
      ]);
      return mergeStreamHealth(accountId, backlog.rows, health.rows);
    },

    async listPendingKids() {
      const result = await pool.query<{ kid: string }>(
        'SELECT DISTINCT kid FROM ssf_outbox WHERE kid IS NOT NULL ORDER BY kid',
      );
      return result.rows.map((r) => r.kid);
    },
  };

  return { methods, enqueueLevelChanges, integrationChanged };
}
