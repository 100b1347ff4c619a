import { randomUUID } from 'node:crypto';
import { type BehaviorSetting, behaviorDefinition, resolveBehaviorSettings } from '../domain/behaviors.js';
import { notFound, ZtriskError } from '../domain/errors.js';
import type { Finding } from '../domain/finding.js';
import type { RiskLevel } from '../domain/risk-level.js';
import { formatTimestamp, parseRfc3339 } from '../domain/time.js';
import type { LevelChange, NewRiskEvent, Page, PageRequest, RiskEvent, UserRisk } from '../domain/types.js';
import type { RecordResult, ResetResult, SummaryFilters, SummaryOrder } from '../store/store.js';
import type { ServiceDeps } from './deps.js';

/** A user's risk as GET user shows it: state plus one page of risk events since the last reset. */
export interface UserRiskView {
  readonly user: UserRisk;
  readonly events: Page<RiskEvent>;
}

/** Called after each write that changed users' levels (signals subscribe here). */
export type LevelChangeListener = (changes: readonly LevelChange[]) => void | Promise<void>;

/** Tells every listener about level changes (none: nothing is called). */
export async function notifyLevelChanges(
  listeners: readonly LevelChangeListener[],
  changes: readonly LevelChange[],
): Promise<void> {
  if (changes.length === 0) return;
  for (const listener of listeners) await listener(changes);
}

/** Summary query as the API takes it (the dashboard adds behavior and search filters). */
export interface SummaryRequest extends PageRequest, SummaryFilters {
  readonly levels: readonly RiskLevel[];
  readonly orderBy: SummaryOrder;
  readonly direction: 'asc' | 'desc';
}

/**
 * The risk event a finding becomes under the account's current setting of its behavior (its name and
 * level at detection time); undefined when the behavior is disabled or the timestamp is not RFC 3339.
 */
export function riskEventOf(
  finding: Finding,
  setting: BehaviorSetting | undefined,
): NewRiskEvent | undefined {
  if (!setting?.enabled) return undefined;
  const ms = parseRfc3339(finding.timestamp);
  if (ms === undefined) return undefined;
  return {
    id: randomUUID(),
    userId: finding.userId.toLowerCase(),
    email: finding.email,
    name: finding.name,
    behavior: finding.behavior,
    behaviorName: behaviorDefinition(finding.behavior).name,
    riskLevel: setting.riskLevel,
    timestamp: formatTimestamp(ms),
    details: { behavior: finding.behavior, ...finding.details },
    dedupeKey: finding.dedupeKey,
  };
}

/** Risk events, user risk, reset and summary: the use cases over a user's risk. */
export function createRiskService(deps: ServiceDeps, listeners: readonly LevelChangeListener[] = []) {
  const { store } = deps;

  const notify = (changes: readonly LevelChange[]) => notifyLevelChanges(listeners, changes);

  return {
    /**
     * The one entry point for new risk: turns findings of **enabled** behaviors into risk events at the
     * behavior's current level and records them atomically with each user's level, count and last event.
     * Findings of disabled behaviors and repeated findings (same `dedupeKey`) record nothing.
     */
    async recordFindings(accountId: string, findings: readonly Finding[]): Promise<RecordResult> {
      if (findings.length === 0) return { recorded: [], changes: [] };
      const settings = new Map(
        resolveBehaviorSettings(await store.getBehaviorSettings(accountId)).map((s) => [s.key, s]),
      );
      const events: NewRiskEvent[] = [];
      for (const f of findings) {
        const setting = settings.get(f.behavior);
        if (!setting?.enabled) continue;
        const ms = parseRfc3339(f.timestamp);
        if (ms === undefined)
          throw new ZtriskError('invalid', `timestamp: not an RFC 3339 date-time: ${f.timestamp}`);
        events.push({
          id: randomUUID(),
          userId: f.userId.toLowerCase(),
          email: f.email,
          name: f.name,
          behavior: f.behavior,
          behaviorName: behaviorDefinition(f.behavior).name,
          riskLevel: setting.riskLevel,
          timestamp: formatTimestamp(ms),
          details: { behavior: f.behavior, ...f.details },
          dedupeKey: f.dedupeKey,
        });
      }
      const result = await store.recordRiskEvents(accountId, events, formatTimestamp(deps.now()));
      await notify(result.changes);
      return result;
    },

    /** A known user's risk and one page of events since the last reset; `not_found` when unknown. */
    async getUser(accountId: string, userId: string, page: PageRequest): Promise<UserRiskView> {
      const user = await store.getUserRisk(accountId, userId);
      if (!user) throw notFound('User not found');
      const events = await store.listUserRiskEvents(accountId, userId, user.lastResetTime, page);
      return { user, events };
    },

    /**
     * One page of a known user's risk events from before their last reset (what resets cleared), newest
     * first; empty when never reset; `not_found` when unknown.
     */
    async getUserHistory(accountId: string, userId: string, page: PageRequest): Promise<Page<RiskEvent>> {
      const user = await store.getUserRisk(accountId, userId);
      if (!user) throw notFound('User not found');
      if (user.lastResetTime === undefined) return { items: [], totalCount: 0 };
      return store.listUserRiskEventsUntil(accountId, userId, user.lastResetTime, page);
    },

    /** Resets a known user's risk (O(1), audited, deletes nothing); `not_found` when unknown. */
    async resetUser(accountId: string, userId: string, actor: string, reason?: string): Promise<ResetResult> {
      const result = await store.resetUser(accountId, userId, {
        actor,
        at: formatTimestamp(deps.now()),
        ...(reason !== undefined ? { reason } : {}),
      });
      if (!result) throw notFound('User not found');
      if (result.change) await notify([result.change]);
      return result;
    },

    /** Scored users (at least one risk event since their reset), filtered, ordered and paged. */
    summary(accountId: string, query: SummaryRequest): Promise<Page<UserRisk>> {
      return store.listUserSummaries(accountId, query);
    },
  };
}

/** The risk service's functions. */
export type RiskService = ReturnType<typeof createRiskService>;
