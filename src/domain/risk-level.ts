/** A user's or a risk event's level, ordered low < medium < high (Cloudflare `dlp_RiskLevel`). */
export type RiskLevel = 'low' | 'medium' | 'high';

/** Every level, lowest first. */
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high'];

const RANKS: Record<RiskLevel, number> = { low: 1, medium: 2, high: 3 };

/** Numeric rank of a level (low = 1, medium = 2, high = 3), as stored for ordering. */
export function riskRank(level: RiskLevel): number {
  return RANKS[level];
}

/** The level of a stored rank; `undefined` for 0/null (unscored). */
export function levelOfRank(rank: number | null | undefined): RiskLevel | undefined {
  if (rank === 1) return 'low';
  if (rank === 2) return 'medium';
  if (rank === 3) return 'high';
  return undefined;
}

/** True when the value is one of the three level names. */
export function isRiskLevel(value: unknown): value is RiskLevel {
  return value === 'low' || value === 'medium' || value === 'high';
}

/** The higher of two levels; an absent level counts as lower than any level. */
export function maxLevel(a: RiskLevel | undefined, b: RiskLevel | undefined): RiskLevel | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANKS[a] >= RANKS[b] ? a : b;
}
