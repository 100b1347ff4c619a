import type { RiskLevel } from './risk-level.js';

/** The key of a behavior in the catalog (API.md §8). */
export type BehaviorKey =
  | 'imp_travel'
  | 'high_dlp'
  | 'sentinel_one'
  | 'crowdstrike_low_zta'
  | 'crowdstrike_medium_zta'
  | 'malicious_file'
  | 'security_risk_domain'
  | 'high_risk_domain'
  | 'failed_logins';

/** A catalog entry: what Cloudflare calls a behavior, with its shipped default level. */
export interface BehaviorDefinition {
  readonly key: BehaviorKey;
  readonly name: string;
  readonly description: string;
  readonly defaultLevel: RiskLevel;
}

/** An account's setting for one behavior. */
export interface BehaviorSetting {
  readonly key: BehaviorKey;
  readonly enabled: boolean;
  readonly riskLevel: RiskLevel;
}

/**
 * The behavior catalog in its published order. Keys, names and default levels of the first three are
 * Cloudflare's as observed in its API; the rest are ztrisk's (API.md §8). All start disabled.
 */
export const BEHAVIOR_CATALOG: readonly BehaviorDefinition[] = [
  {
    key: 'imp_travel',
    name: 'Impossible Travel',
    description: 'Sign-ins from places too far apart for the time between them.',
    defaultLevel: 'high',
  },
  {
    key: 'high_dlp',
    name: 'High Number of DLP Policies Triggered',
    description: "A burst of DLP matches in the user's traffic.",
    defaultLevel: 'medium',
  },
  {
    key: 'sentinel_one',
    name: 'SentinelOne Infection Detected',
    description: "SentinelOne reports a threat on the user's device.",
    defaultLevel: 'medium',
  },
  {
    key: 'crowdstrike_low_zta',
    name: 'CrowdStrike Low ZTA Score',
    description: "The device's CrowdStrike ZTA score is very low.",
    defaultLevel: 'high',
  },
  {
    key: 'crowdstrike_medium_zta',
    name: 'CrowdStrike Medium ZTA Score',
    description: "The device's CrowdStrike ZTA score is mediocre.",
    defaultLevel: 'medium',
  },
  {
    key: 'malicious_file',
    name: 'Malicious File Interaction',
    description: 'The user handled a malicious file.',
    defaultLevel: 'high',
  },
  {
    key: 'security_risk_domain',
    name: 'Suspicious Security Domain Visited',
    description: 'The user reached a malware, phishing or C2 domain.',
    defaultLevel: 'high',
  },
  {
    key: 'high_risk_domain',
    name: 'High Risk Domain Visited',
    description: 'The user reached a high-risk content domain.',
    defaultLevel: 'medium',
  },
  {
    key: 'failed_logins',
    name: 'Repeated Failed Logins',
    description: 'Many failed sign-ins in a short time (ztrisk only).',
    defaultLevel: 'medium',
  },
];

/** Every behavior key, in catalog order. */
export const BEHAVIOR_KEYS: readonly BehaviorKey[] = BEHAVIOR_CATALOG.map((b) => b.key);

const BY_KEY = new Map<string, BehaviorDefinition>(BEHAVIOR_CATALOG.map((b) => [b.key, b]));

/** True when the string names a catalog behavior. */
export function isBehaviorKey(key: string): key is BehaviorKey {
  return BY_KEY.has(key);
}

/** The catalog entry of a key. */
export function behaviorDefinition(key: BehaviorKey): BehaviorDefinition {
  const found = BY_KEY.get(key);
  if (!found) throw new Error(`unknown behavior ${key}`);
  return found;
}

/**
 * The full settings of an account: every catalog key in catalog order, stored overrides applied over
 * the defaults (disabled, default level).
 */
export function resolveBehaviorSettings(stored: readonly BehaviorSetting[]): BehaviorSetting[] {
  const overrides = new Map(stored.map((s) => [s.key, s]));
  return BEHAVIOR_CATALOG.map(
    (b) => overrides.get(b.key) ?? { key: b.key, enabled: false, riskLevel: b.defaultLevel },
  );
}
