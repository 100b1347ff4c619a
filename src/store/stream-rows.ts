import type {
  Stream,
  StreamConfig,
  StreamDelivery,
  StreamHealth,
  StreamStatus,
  SubjectFormat,
} from '../domain/streams.js';

/** Stream rows and mappers shared by the SQL stream stores (same columns, same text formats). */

/** A `streams` row as both SQL stores read it. */
export interface StreamRow {
  account_id: string;
  stream_id: string;
  description: string | null;
  events_requested: string;
  events_delivered: string;
  delivery_method: string;
  endpoint_url: string | null;
  authorization_header: string | null;
  subject_format: string;
  min_verification_interval: number;
  status: string;
  status_reason: string | null;
  last_verification_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The domain view of a `streams` row. */
export function toStream(row: StreamRow): Stream {
  const delivery: StreamDelivery =
    row.delivery_method === 'push'
      ? {
          method: 'push',
          endpointUrl: row.endpoint_url ?? '',
          authorizationHeader: row.authorization_header ?? undefined,
        }
      : { method: 'poll' };
  return {
    accountId: row.account_id,
    id: row.stream_id,
    description: row.description ?? undefined,
    eventsRequested: JSON.parse(row.events_requested) as string[],
    eventsDelivered: JSON.parse(row.events_delivered) as string[],
    delivery,
    subjectFormat: row.subject_format as SubjectFormat,
    minVerificationIntervalSeconds: row.min_verification_interval,
    status: row.status as StreamStatus,
    statusReason: row.status_reason ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastVerificationAt: row.last_verification_at ?? undefined,
  };
}

/** The `delivery_method`, `endpoint_url`, `authorization_header` columns of a delivery. */
export function deliveryColumns(d: StreamDelivery): [string, string | null, string | null] {
  return d.method === 'push'
    ? [d.method, d.endpointUrl, d.authorizationHeader ?? null]
    : [d.method, null, null];
}

/** A stream's audited fields (before/after of `stream.*` entries). */
export function streamSnapshot(s: StreamConfig & { status?: StreamStatus }): Record<string, unknown> {
  return {
    description: s.description ?? null,
    events_requested: s.eventsRequested,
    delivery_method: s.delivery.method,
    endpoint_url: s.delivery.method === 'push' ? s.delivery.endpointUrl : null,
    format: s.subjectFormat,
    ...(s.status !== undefined ? { status: s.status } : {}),
  };
}

/** Pending outbox rows of one stream: how many, and the oldest one's creation time. */
export interface BacklogRow {
  stream_id: string;
  n: number;
  oldest: string;
}

/** An `ssf_stream_health` row: delivery outcomes per stream. */
export interface HealthRow {
  stream_id: string;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error: string | null;
  delivered: number;
  failed: number;
}

/** Delivery health of every stream that has a backlog or a delivery record, by stream id. */
export function mergeStreamHealth(
  accountId: string,
  backlog: readonly BacklogRow[],
  health: readonly HealthRow[],
): StreamHealth[] {
  const byBacklog = new Map(backlog.map((r) => [r.stream_id, r]));
  const byHealth = new Map(health.map((r) => [r.stream_id, r]));
  const ids = [...new Set([...byBacklog.keys(), ...byHealth.keys()])].sort();
  return ids.map((id): StreamHealth => {
    const b = byBacklog.get(id);
    const h = byHealth.get(id);
    return {
      accountId,
      streamId: id,
      backlog: b?.n ?? 0,
      oldestPendingAt: b?.oldest ?? undefined,
      lastSuccessAt: h?.last_success_at ?? undefined,
      lastErrorAt: h?.last_error_at ?? undefined,
      lastError: h?.last_error ?? undefined,
      delivered: h?.delivered ?? 0,
      failed: h?.failed ?? 0,
    };
  });
}
