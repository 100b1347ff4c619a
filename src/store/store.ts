import type { HistoryRequest } from '../detectors/detector.js';
import type { BehaviorKey, BehaviorSetting } from '../domain/behaviors.js';
import type { Permission } from '../domain/permissions.js';
import type { RiskLevel } from '../domain/risk-level.js';
import type { SecurityEvent } from '../domain/security-event.js';
import type {
  ApiToken,
  AuditEntry,
  GlobalKey,
  Integration,
  LevelChange,
  NewRiskEvent,
  Page,
  PageRequest,
  RiskEvent,
  UserRisk,
} from '../domain/types.js';
import type { StreamStore } from './stream-store.js';

/**
 * Who did a mutation, when and why; the store writes the audit entry in the same transaction as the
 * change, with the before/after it observed there.
 */
export interface AuditMeta {
  /** `token:<id>`, `global_key:<id>` or `cli`. */
  readonly actor: string;
  /** RFC 3339 UTC ms. */
  readonly at: string;
  readonly reason?: string;
}

/** Ordering of the summary (API.md §7.5). Ties are always broken by `user_id` ascending. */
export type SummaryOrder = 'last_event' | 'event_count' | 'max_risk_level';

/** A summary query: scored users of one account, filtered by level, ordered and paged. */
export interface SummaryQuery extends PageRequest, SummaryFilters {
  /** Keep only users whose level is one of these; all when empty. */
  readonly levels: readonly RiskLevel[];
  readonly orderBy: SummaryOrder;
  readonly direction: 'asc' | 'desc';
}

/**
 * Optional narrowing of the summary for the dashboard's users table (both combine with `levels`):
 * `behavior` keeps users with at least one risk event of that behavior since their last reset; `search`
 * keeps users whose email or name contains the text, case-insensitively (ASCII case folding; `%` and `_`
 * are literal characters).
 */
export interface SummaryFilters {
  readonly behavior?: BehaviorKey;
  readonly search?: string;
}

/** Scored users (at least one risk event since their last reset) per level. */
export interface LevelCounts {
  readonly high: number;
  readonly medium: number;
  readonly low: number;
}

/**
 * A time range split into equal buckets: bucket `i` covers `[from + i × bucketMs, from + (i + 1) ×
 * bucketMs)`. `from` is RFC 3339 UTC ms; `bucketMs` ≥ 1; `count` ≥ 1.
 */
export interface TimeBuckets {
  readonly from: string;
  readonly bucketMs: number;
  readonly count: number;
}

/** How many risk events of one level have their timestamp in one bucket. */
export interface BucketCount {
  /** 0-based bucket index within the {@link TimeBuckets}. */
  readonly bucket: number;
  readonly riskLevel: RiskLevel;
  readonly count: number;
}

/** How many risk events one behavior produced. */
export interface BehaviorCount {
  readonly behavior: BehaviorKey;
  readonly count: number;
}

/** A user whose level last changed (up by detection, or down by reset) at `levelChangedAt`. */
export interface RecentLevelChange {
  readonly user: UserRisk;
  /** RFC 3339 UTC ms: the recording time of the change. */
  readonly levelChangedAt: string;
}

/** Filters for the audit trail. */
export interface AuditQuery extends PageRequest {
  readonly actor?: string;
  readonly action?: string;
}

/** A stored token with its secret's hash, for authentication. */
export interface StoredToken extends ApiToken {
  /** Hex SHA-256 of the secret. */
  readonly secretHash: string;
}

/** A stored global key with its hash, for authentication. */
export interface StoredGlobalKey extends GlobalKey {
  /** Hex SHA-256 of the key. */
  readonly keyHash: string;
}

/** What recording risk events did. */
export interface RecordResult {
  /** The risk events actually recorded (duplicates by `dedupeKey` are left out), in input order. */
  readonly recorded: readonly RiskEvent[];
  /** Users whose level changed, one entry per user, in first-seen order. */
  readonly changes: readonly LevelChange[];
}

/** What a reset did. */
export interface ResetResult {
  readonly before: UserRisk;
  readonly after: UserRisk;
  /** Present when the user's level actually changed. */
  readonly change: LevelChange | undefined;
}

/** Fields an integration update may change; absent fields stay as they are. */
export interface IntegrationPatch {
  readonly tenantUrl: string;
  readonly active?: boolean;
  readonly referenceId?: string;
}

/**
 * The one storage interface. Every implementation (SQLite, PostgreSQL) passes `runStoreContract`.
 *
 * Units and conventions: timestamps are RFC 3339 UTC strings with milliseconds and `Z` (so they compare
 * as strings); counts are plain numbers; every row belongs to an account and every method that reads or
 * writes account data takes the account id first. Mutations that the audit trail covers take an
 * {@link AuditMeta} and write the entry atomically with the change. The Shared Signals methods (streams
 * and the SET outbox, which the risk writes fill in the same transaction) are in {@link StreamStore}.
 */
export interface Store extends StreamStore {
  /** `sqlite` or `postgres`. */
  readonly dialect: string;

  /** Applies pending migrations (idempotent, safe to call at every start). */
  migrate(): Promise<void>;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** How many known migrations are not applied yet (0 when the schema is current). */
  pendingMigrations(): Promise<number>;
  /** Releases connections. */
  close(): Promise<void>;

  /** Creates the account if it does not exist; resolves true when it was created. */
  ensureAccount(accountId: string, at: string): Promise<boolean>;
  /** Every account id, oldest first. */
  listAccounts(): Promise<string[]>;

  /** Stores a token (creating its accounts if needed) and one audit entry per granted account. */
  createToken(token: StoredToken, audit: AuditMeta): Promise<void>;
  /** The token whose secret hashes to `secretHash`, revoked or expired ones included. */
  findTokenBySecretHash(secretHash: string): Promise<StoredToken | undefined>;
  /** Every token, oldest first (no hashes). */
  listTokens(): Promise<ApiToken[]>;
  /** Marks a token revoked; resolves false when there is no such token or it was already revoked. */
  revokeToken(tokenId: string, audit: AuditMeta): Promise<boolean>;

  /**
   * Stores a new global key for `email` (revoking the owner's previous keys) and makes the owner a member
   * of `accountId` (created if needed).
   */
  createGlobalKey(key: StoredGlobalKey, accountId: string, audit: AuditMeta): Promise<void>;
  /** Active (unrevoked) keys of an owner, email compared case-insensitively, with their accounts. */
  findGlobalKeysByEmail(email: string): Promise<StoredGlobalKey[]>;

  /** The account's stored behavior overrides (catalog defaults are applied by the domain). */
  getBehaviorSettings(accountId: string): Promise<BehaviorSetting[]>;
  /** Upserts the given settings atomically and audits the change (`behaviors.update`). */
  putBehaviorSettings(
    accountId: string,
    settings: readonly BehaviorSetting[],
    audit: AuditMeta,
  ): Promise<void>;

  /**
   * Records risk events atomically and maintains each user's row: level = highest level since the last
   * reset, count and last event likewise. An event whose timestamp is not after the user's last reset is
   * stored but not counted. Events whose `dedupeKey` already exists in the account are skipped.
   * `now` is the recording time.
   */
  recordRiskEvents(accountId: string, events: readonly NewRiskEvent[], now: string): Promise<RecordResult>;
  /**
   * Stores security events (an event whose id is already stored in the account is a duplicate and is
   * skipped), then, for each newly stored event in event-time order, asks the plan for its history
   * (which includes the batch's own events), runs `plan.detect` and records the risk events as
   * {@link recordRiskEvents} does — all in one transaction, so detection for a user is serialised and a
   * failure stores nothing. `now` is the recording time.
   */
  ingestEvents(
    accountId: string,
    events: readonly SecurityEvent[],
    plan: DetectionPlan,
    now: string,
  ): Promise<IngestResult>;
  /** Stored events of one user matching a history request, in event-time order (ties by id). */
  queryUserEvents(accountId: string, userId: string, request: HistoryRequest): Promise<SecurityEvent[]>;

  /** The account's stored detector thresholds document (wire shape), or undefined for the defaults. */
  getDetectorSettings(accountId: string): Promise<unknown>;
  /** Replaces the account's detector thresholds document and audits it (`behavior_settings.update`). */
  putDetectorSettings(accountId: string, settings: unknown, audit: AuditMeta): Promise<void>;

  /** A known user's risk state, or undefined. */
  getUserRisk(accountId: string, userId: string): Promise<UserRisk | undefined>;
  /**
   * Risk events of a user with timestamp strictly after `since` (all when undefined), newest first, ties
   * by id ascending.
   */
  listUserRiskEvents(
    accountId: string,
    userId: string,
    since: string | undefined,
    page: PageRequest,
  ): Promise<Page<RiskEvent>>;
  /**
   * Resets a user in O(1): records `last_reset_time = audit.at`, clears the counters (risk events dated
   * after the reset, if any, keep counting) and audits it (`user.reset`). Deletes nothing. Undefined for
   * an unknown user.
   */
  resetUser(accountId: string, userId: string, audit: AuditMeta): Promise<ResetResult | undefined>;
  /** Users with at least one risk event since their last reset, filtered, ordered and paged. */
  listUserSummaries(accountId: string, query: SummaryQuery): Promise<Page<UserRisk>>;

  /** Stores a new integration and audits it (`integration.create`). */
  createIntegration(integration: Integration, audit: AuditMeta): Promise<void>;
  getIntegration(accountId: string, integrationId: string): Promise<Integration | undefined>;
  /** The account's integrations, `created_at` ascending then id. */
  listIntegrations(accountId: string): Promise<Integration[]>;
  /** The newest integration with this reference id (`created_at` desc, then id desc). */
  findIntegrationByReference(accountId: string, referenceId: string): Promise<Integration | undefined>;
  /** Applies a patch and audits it (`integration.update`); undefined when there is no such integration. */
  updateIntegration(
    accountId: string,
    integrationId: string,
    patch: IntegrationPatch,
    audit: AuditMeta,
  ): Promise<Integration | undefined>;
  /** Deletes (forgets) an integration and audits it (`integration.delete`); false when absent. */
  deleteIntegration(accountId: string, integrationId: string, audit: AuditMeta): Promise<boolean>;

  /** Audit entries of an account, newest first (ties: latest written first). */
  listAudit(accountId: string, query: AuditQuery): Promise<Page<AuditEntry>>;

  /**
   * Risk events of a user with timestamp at or before `until` (the history a reset at `until` cleared),
   * newest first, ties by id ascending.
   */
  listUserRiskEventsUntil(
    accountId: string,
    userId: string,
    until: string,
    page: PageRequest,
  ): Promise<Page<RiskEvent>>;
  /** Scored users per level (the summary's population, counted; a level with none is 0). */
  countScoredUsersByLevel(accountId: string): Promise<LevelCounts>;
  /**
   * Risk events by event time (`timestamp`) per bucket and level, over every recorded risk event (resets
   * delete nothing, so events before a reset count too). Only non-empty pairs are returned, ordered by
   * bucket ascending, then level low → high.
   */
  countRiskEventsByBucket(accountId: string, buckets: TimeBuckets): Promise<BucketCount[]>;
  /**
   * Risk events per behavior with timestamp in `[from, to)` (RFC 3339 UTC ms), the `limit` largest,
   * ordered by count descending, ties by behavior key ascending.
   */
  countRiskEventsByBehavior(
    accountId: string,
    range: { readonly from: string; readonly to: string },
    limit: number,
  ): Promise<BehaviorCount[]>;
  /**
   * The `limit` users whose level changed most recently (detection or reset), newest change first, ties
   * by user id ascending. Users whose level never changed are not listed.
   */
  listRecentLevelChanges(accountId: string, limit: number): Promise<RecentLevelChange[]>;
}

/**
 * How to detect inside an ingest transaction: pure functions supplied by the ingest service, so that
 * storing events, reading history and recording risk events happen atomically and serialised per user.
 */
export interface DetectionPlan {
  /** The history each newly stored event needs (empty: no detector wants it). */
  historyFor(event: SecurityEvent): readonly HistoryRequest[];
  /** Risk events for one newly stored event, given the union of its requested history. */
  detect(event: SecurityEvent, history: readonly SecurityEvent[]): readonly NewRiskEvent[];
}

/** What ingesting a batch did. */
export interface IngestResult {
  /** Ids of the events newly stored (the others were already stored: duplicates). */
  readonly insertedIds: ReadonlySet<string>;
  /** Risk events recorded (new dedupe keys only). */
  readonly recorded: readonly RiskEvent[];
  /** Users whose level changed. */
  readonly changes: readonly LevelChange[];
}

/** A permission grant as written by the CLI. */
export interface Grant {
  readonly accountId: string;
  readonly permission: Permission;
}
