import { type BehaviorKey, behaviorDefinition } from '../domain/behaviors.js';
import { RISK_LEVELS, type RiskLevel } from '../domain/risk-level.js';
import { formatTimestamp } from '../domain/time.js';
import type { LevelCounts, RecentLevelChange } from '../store/store.js';
import type { ServiceDeps } from './deps.js';

/** The periods the overview can show. */
export type OverviewRange = '24h' | '7d' | '30d';

/** How each period is bucketed: bucket length (ms) and number of buckets, the last one holding now. */
export const OVERVIEW_RANGES: Readonly<
  Record<OverviewRange, { readonly bucketMs: number; readonly count: number }>
> = {
  '24h': { bucketMs: 3_600_000, count: 24 },
  '7d': { bucketMs: 6 * 3_600_000, count: 28 },
  '30d': { bucketMs: 86_400_000, count: 30 },
};

/** True when the string names an overview period. */
export function isOverviewRange(value: unknown): value is OverviewRange {
  return typeof value === 'string' && Object.hasOwn(OVERVIEW_RANGES, value);
}

/** Risk events over time: bucket start times (epoch ms, UTC-aligned) and counts per level. */
export interface RiskTimeline {
  readonly bucketMs: number;
  readonly starts: readonly number[];
  readonly counts: Readonly<Record<RiskLevel, readonly number[]>>;
  readonly total: number;
}

/** A behavior's share of the period's risk events. */
export interface TopBehavior {
  readonly behavior: BehaviorKey;
  readonly name: string;
  readonly count: number;
}

/** What the overview shows about an account's risk (all of it derived from user data). */
export interface RiskOverview {
  readonly range: OverviewRange;
  /** Start (inclusive) and end (exclusive) of the period, RFC 3339 UTC ms. */
  readonly from: string;
  readonly to: string;
  readonly levels: LevelCounts;
  readonly timeline: RiskTimeline;
  readonly topBehaviors: readonly TopBehavior[];
  readonly recentChanges: readonly RecentLevelChange[];
}

/** Aggregates over an account's risk for the dashboard overview (the same store, no scans of events). */
export function createInsightsService(deps: ServiceDeps) {
  const { store } = deps;

  return {
    /**
     * Users by level, risk events per bucket and level over the period (by event time, buckets aligned
     * to UTC multiples of their length, the last one containing now), the period's top behaviors and the
     * users whose level changed most recently.
     */
    async riskOverview(
      accountId: string,
      range: OverviewRange,
      limits: { readonly topBehaviors?: number; readonly recentChanges?: number } = {},
    ): Promise<RiskOverview> {
      const { bucketMs, count } = OVERVIEW_RANGES[range];
      const fromMs = Math.floor(deps.now() / bucketMs) * bucketMs - (count - 1) * bucketMs;
      const from = formatTimestamp(fromMs);
      const to = formatTimestamp(fromMs + count * bucketMs);
      const [levels, buckets, behaviors, recentChanges] = await Promise.all([
        store.countScoredUsersByLevel(accountId),
        store.countRiskEventsByBucket(accountId, { from, bucketMs, count }),
        store.countRiskEventsByBehavior(accountId, { from, to }, limits.topBehaviors ?? 5),
        store.listRecentLevelChanges(accountId, limits.recentChanges ?? 8),
      ]);
      const counts = Object.fromEntries(
        RISK_LEVELS.map((l) => [l, new Array<number>(count).fill(0)]),
      ) as Record<RiskLevel, number[]>;
      let total = 0;
      for (const b of buckets) {
        if (b.bucket < 0 || b.bucket >= count) continue;
        counts[b.riskLevel][b.bucket] = (counts[b.riskLevel][b.bucket] ?? 0) + b.count;
        total += b.count;
      }
      return {
        range,
        from,
        to,
        levels,
        timeline: {
          bucketMs,
          starts: Array.from({ length: count }, (_, i) => fromMs + i * bucketMs),
          counts,
          total,
        },
        topBehaviors: behaviors.map((b) => ({ ...b, name: behaviorDefinition(b.behavior).name })),
        recentChanges,
      };
    },
  };
}

/** The insights service's functions. */
export type InsightsService = ReturnType<typeof createInsightsService>;
