import {
  DEFAULT_THRESHOLDS,
  type DetectorThresholds,
  fromThresholdsWire,
  toThresholdsWire,
  validateThresholds,
} from '../detectors/thresholds.js';
import { invalid } from '../domain/errors.js';
import { formatTimestamp } from '../domain/time.js';
import type { ServiceDeps } from './deps.js';

/** Per-account detector thresholds (`…/ztrisk/behavior_settings`). */
export function createDetectorSettingsService(deps: ServiceDeps) {
  const { store } = deps;

  /** The account's thresholds: stored values over the defaults (a stored document is always complete). */
  async function get(accountId: string): Promise<DetectorThresholds> {
    const stored = await store.getDetectorSettings(accountId);
    if (stored === undefined) return DEFAULT_THRESHOLDS;
    // Stored documents were validated on write; re-validate so a hand-edited row cannot break detection.
    const checked = validateThresholds(stored, DEFAULT_THRESHOLDS);
    return 'value' in checked ? checked.value : DEFAULT_THRESHOLDS;
  }

  return {
    get,
    /** Merges a partial update (wire shape) over the current thresholds; every problem at once; audited. */
    async update(accountId: string, patch: unknown, actor: string): Promise<DetectorThresholds> {
      const current = await get(accountId);
      const checked = validateThresholds(patch, current);
      if ('problems' in checked) throw invalid(checked.problems);
      await store.putDetectorSettings(accountId, toThresholdsWire(checked.value), {
        actor,
        at: formatTimestamp(deps.now()),
      });
      return fromThresholdsWire(toThresholdsWire(checked.value));
    },
  };
}

/** The detector settings service's functions. */
export type DetectorSettingsService = ReturnType<typeof createDetectorSettingsService>;
