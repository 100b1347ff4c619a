import type { BehaviorKey } from '../domain/behaviors.js';
import { levelOfRank, type RiskLevel, riskRank } from '../domain/risk-level.js';
import type { SecurityEvent } from '../domain/security-event.js';
import type {
  AuditEntry,
  Integration,
  LevelChange,
  NewRiskEvent,
  RiskEvent,
  UserRisk,
} from '../domain/types.js';

/**
 * Row shapes and row → domain mappers shared by the SQL stores (SQLite and PostgreSQL store these
 * tables with the same columns and the same text formats), and the audit snapshots both write.
 */

/** A `users` row: the per-user risk state maintained on write. */
export interface UserRiskRow {
  account_id: string;
  user_id: string;
  email: string;
  name: string;
  risk_rank: number | null;
  event_count: number;
  last_event: string | null;
  last_reset_time: string | null;
}

/** A `risk_events` row. */
export interface RiskEventRow {
  account_id: string;
  risk_event_id: string;
  user_id: string;
  behavior: string;
  behavior_name: string;
  risk_level: string;
  ts: string;
  details: string;
  created_at: string;
}

/** A `audit_log` row. */
export interface AuditRow {
  account_id: string;
  audit_id: string;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  before_json: string | null;
  after_json: string | null;
  reason: string | null;
}

/** The domain view of a `users` row. */
export function toUserRisk(row: UserRiskRow): UserRisk {
  return {
    accountId: row.account_id,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    riskLevel: levelOfRank(row.risk_rank),
    eventCount: row.event_count,
    lastEvent: row.last_event ?? undefined,
    lastResetTime: row.last_reset_time ?? undefined,
  };
}

/** The domain view of a `risk_events` row. */
export function toRiskEvent(row: RiskEventRow): RiskEvent {
  return {
    id: row.risk_event_id,
    accountId: row.account_id,
    userId: row.user_id,
    behavior: row.behavior as BehaviorKey,
    name: row.behavior_name,
    riskLevel: row.risk_level as RiskLevel,
    timestamp: row.ts,
    details: JSON.parse(row.details) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

/** The domain view of an `audit_log` row. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.audit_id,
    accountId: row.account_id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before_json === null ? null : JSON.parse(row.before_json),
    after: row.after_json === null ? null : JSON.parse(row.after_json),
    reason: row.reason ?? undefined,
  };
}

/** An integration's audited fields (before/after of `integration.*` entries). */
export function integrationSnapshot(i: Integration): Record<string, unknown> {
  return {
    integration_type: i.integrationType,
    reference_id: i.referenceId,
    tenant_url: i.tenantUrl,
    active: i.active,
  };
}

/** A user's audited risk state (before/after of `user.reset`). */
export function userSnapshot(u: UserRisk): Record<string, unknown> {
  return {
    risk_level: u.riskLevel ?? null,
    event_count: u.eventCount,
    last_event: u.lastEvent ?? null,
    last_reset_time: u.lastResetTime ?? null,
  };
}

/** The risk event a store returns for a newly recorded one. */
export function recordedRiskEvent(accountId: string, e: NewRiskEvent, now: string): RiskEvent {
  return {
    id: e.id,
    accountId,
    userId: e.userId,
    behavior: e.behavior,
    name: e.behaviorName,
    riskLevel: e.riskLevel,
    timestamp: e.timestamp,
    details: e.details,
    createdAt: now,
  };
}

/**
 * A user's counters after one newly recorded risk event (the rule every store applies on write): an
 * event dated strictly after the last reset counts; the level is the highest counted level, the last
 * event the newest counted timestamp. `raised` says the event raised the level.
 */
export function countRiskEvent(
  user: Pick<UserRiskRow, 'risk_rank' | 'event_count' | 'last_event' | 'last_reset_time'>,
  e: Pick<NewRiskEvent, 'riskLevel' | 'timestamp'>,
): { event_count: number; risk_rank: number | null; last_event: string | null; raised: boolean } {
  const counts = user.last_reset_time === null || e.timestamp > user.last_reset_time;
  if (!counts)
    return {
      event_count: user.event_count,
      risk_rank: user.risk_rank,
      last_event: user.last_event,
      raised: false,
    };
  const rank = riskRank(e.riskLevel);
  return {
    event_count: user.event_count + 1,
    risk_rank: Math.max(user.risk_rank ?? 0, rank),
    last_event: user.last_event === null || e.timestamp > user.last_event ? e.timestamp : user.last_event,
    raised: rank > (user.risk_rank ?? 0),
  };
}

/** The columns of an `events` row that {@link eventFromRow} rebuilds an event from, for `SELECT`. */
export const EVENT_COLUMNS = 'event_id, user_id, type, ts_ms, payload';

/** The columns of an `events` row that {@link eventFromRow} rebuilds an event from. */
export interface EventRow {
  event_id: string;
  user_id: string;
  type: string;
  ts_ms: number | string;
  payload: string;
}

/**
 * The `payload` of an `events` row: the event without what the row's own columns hold (`id`,
 * `accountId`, `type`, `timeMs`, `user.id`), so each event is stored once and smaller.
 */
export function eventPayload(event: SecurityEvent): string {
  const { id: _id, accountId: _account, type: _type, timeMs: _time, ...rest } = event;
  (rest as { user: unknown }).user = { email: event.user.email, name: event.user.name };
  return JSON.stringify(rest);
}

/**
 * The event an `events` row stores. Rows written before payloads were trimmed still carry every field;
 * the columns agree with them.
 */
export function eventFromRow(accountId: string, row: EventRow): SecurityEvent {
  const stored = JSON.parse(row.payload) as Partial<SecurityEvent> & {
    user: { email: string; name: string };
  };
  return {
    ...stored,
    id: row.event_id,
    accountId,
    type: row.type,
    timeMs: Number(row.ts_ms),
    user: { ...stored.user, id: row.user_id },
  } as SecurityEvent;
}

/**
 * The level change a reset makes (for the SSF outbox), or undefined when the level stays: `before` and
 * `after` are the user's risk around the reset, `txn` a fresh id for the SET.
 */
export function resetLevelChange(
  accountId: string,
  userId: string,
  before: UserRisk,
  after: UserRisk,
  meta: { readonly at: string; readonly reason?: string },
  txn: string,
): LevelChange | undefined {
  if (before.riskLevel === after.riskLevel) return undefined;
  return {
    accountId,
    userId,
    email: before.email,
    previous: before.riskLevel,
    current: after.riskLevel,
    at: meta.at,
    cause: 'reset',
    txn,
    ...(meta.reason !== undefined ? { reason: meta.reason } : {}),
  };
}
