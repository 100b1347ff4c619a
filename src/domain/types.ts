import type { BehaviorKey } from './behaviors.js';
import type { Permission } from './permissions.js';
import type { RiskLevel } from './risk-level.js';

/** A risk event as stored: one finding of one behavior for one user. Timestamps are RFC 3339 UTC ms. */
export interface RiskEvent {
  readonly id: string;
  readonly accountId: string;
  readonly userId: string;
  readonly behavior: BehaviorKey;
  /** The behavior's `name` when detected. */
  readonly name: string;
  /** The behavior's level when detected; never rewritten. */
  readonly riskLevel: RiskLevel;
  /** Event time of the finding (not arrival time). */
  readonly timestamp: string;
  /** Evidence; always has `behavior` and references to the source event(s). */
  readonly details: Record<string, unknown>;
  /** When ztrisk recorded it. */
  readonly createdAt: string;
}

/** A new risk event to record, before the store assigns creation time. */
export interface NewRiskEvent {
  readonly id: string;
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  readonly behavior: BehaviorKey;
  readonly behaviorName: string;
  readonly riskLevel: RiskLevel;
  readonly timestamp: string;
  readonly details: Record<string, unknown>;
  /**
   * Identity of the finding (for example behavior + source event ids); a second risk event with the same
   * key in the account is not recorded. This is what makes re-detection idempotent.
   */
  readonly dedupeKey: string;
}

/** A user's risk state, maintained on write (never computed by scanning events). */
export interface UserRisk {
  readonly accountId: string;
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  /** Highest level among risk events since the last reset; undefined when none. */
  readonly riskLevel: RiskLevel | undefined;
  /** Risk events since the last reset. */
  readonly eventCount: number;
  /** Newest risk event timestamp since the last reset; undefined when none. */
  readonly lastEvent: string | undefined;
  readonly lastResetTime: string | undefined;
}

/** A change of a user's level caused by a write (detection or reset). */
export interface LevelChange {
  readonly accountId: string;
  readonly userId: string;
  readonly email: string;
  readonly previous: RiskLevel | undefined;
  readonly current: RiskLevel | undefined;
  /** When the change happened (recording time). */
  readonly at: string;
  /** What caused it. */
  readonly cause: 'detection' | 'reset';
  /**
   * Identifies this change (a UUID the store assigns): the `txn` of every SET sent about it, the same on
   * every stream.
   */
  readonly txn: string;
  /** For a detection, the behavior of the risk event that brought the user to the new level. */
  readonly behavior?: BehaviorKey;
  /** For a reset, the reason given by the administrator (the audit reason), if any. */
  readonly reason?: string;
}

/** A risk-score integration (Cloudflare's `dlp_RiskScoreIntegration`, camelCase). */
export interface Integration {
  readonly id: string;
  readonly accountId: string;
  readonly integrationType: 'Okta';
  readonly referenceId: string;
  readonly tenantUrl: string;
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An API token as stored (the secret itself is never stored, only its hash). */
export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly grants: readonly { readonly accountId: string; readonly permission: Permission }[];
  readonly createdAt: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
}

/** A Global API key as stored: belongs to an owner email, super-user of the owner's accounts. */
export interface GlobalKey {
  readonly id: string;
  readonly email: string;
  readonly accountIds: readonly string[];
  readonly createdAt: string;
  readonly revokedAt: string | undefined;
}

/** One audit-trail entry. */
export interface AuditEntry {
  readonly id: string;
  readonly accountId: string;
  readonly at: string;
  /** `token:<id>`, `global_key:<id>` or `cli` for the local operator. */
  readonly actor: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly reason: string | undefined;
}

/** A page request: 1-based page, page size. */
export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
}

/** A page of results with the total after filters. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly totalCount: number;
}
