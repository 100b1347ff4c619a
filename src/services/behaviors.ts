import {
  BEHAVIOR_CATALOG,
  type BehaviorDefinition,
  type BehaviorKey,
  type BehaviorSetting,
  isBehaviorKey,
  resolveBehaviorSettings,
} from '../domain/behaviors.js';
import { invalid, type Problem, pointer } from '../domain/errors.js';
import { isRiskLevel, type RiskLevel } from '../domain/risk-level.js';
import { formatTimestamp } from '../domain/time.js';
import type { ServiceDeps } from './deps.js';

/** A behavior as GET behaviors shows it: catalog entry plus the account's setting. */
export interface BehaviorView extends BehaviorDefinition {
  readonly enabled: boolean;
  readonly riskLevel: RiskLevel;
}

/** A requested change to one behavior (unvalidated members). */
export interface BehaviorUpdate {
  readonly enabled: unknown;
  readonly riskLevel: unknown;
}

/** Behavior catalog and per-account settings. */
export function createBehaviorService(deps: ServiceDeps) {
  const { store } = deps;

  async function list(accountId: string): Promise<BehaviorView[]> {
    const settings = resolveBehaviorSettings(await store.getBehaviorSettings(accountId));
    return BEHAVIOR_CATALOG.map((b, i) => {
      const s = settings[i] as BehaviorSetting;
      return { ...b, enabled: s.enabled, riskLevel: s.riskLevel };
    });
  }

  return {
    /** Every catalog behavior with the account's setting, in catalog order. */
    list,

    /**
     * Partial merge: the listed keys change, the rest keep their settings. Every problem is reported at
     * once (unknown key, bad or missing member) and nothing is applied when there is any. Audited.
     */
    async update(
      accountId: string,
      updates: ReadonlyMap<string, BehaviorUpdate>,
      actor: string,
    ): Promise<BehaviorView[]> {
      const problems: Problem[] = [];
      const settings: BehaviorSetting[] = [];
      for (const [key, u] of updates) {
        if (!isBehaviorKey(key)) {
          problems.push({ message: 'unknown behavior', pointer: pointer('behaviors', key) });
          continue;
        }
        if (typeof u.enabled !== 'boolean') {
          problems.push({
            message: u.enabled === undefined ? 'is required' : 'must be a boolean',
            pointer: pointer('behaviors', key, 'enabled'),
          });
        }
        if (!isRiskLevel(u.riskLevel)) {
          problems.push({
            message: u.riskLevel === undefined ? 'is required' : 'must be one of: low, medium, high',
            pointer: pointer('behaviors', key, 'risk_level'),
          });
        }
        if (typeof u.enabled === 'boolean' && isRiskLevel(u.riskLevel)) {
          settings.push({ key: key as BehaviorKey, enabled: u.enabled, riskLevel: u.riskLevel });
        }
      }
      if (problems.length > 0) throw invalid(problems.slice(0, 50));
      if (settings.length > 0) {
        await store.putBehaviorSettings(accountId, settings, { actor, at: formatTimestamp(deps.now()) });
      }
      return list(accountId);
    },
  };
}

/** The behavior service's functions. */
export type BehaviorService = ReturnType<typeof createBehaviorService>;
