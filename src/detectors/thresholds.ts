import { type Problem, pointer } from '../domain/errors.js';

/**
 * Per-account tunable detector thresholds (domain shape, camelCase). Every member has a default in
 * {@link DEFAULT_THRESHOLDS} with its source.
 */
export interface DetectorThresholds {
  /** `imp_travel`. */
  readonly impossibleTravel: {
    /** Implied speed above which travel is impossible, km/h (strictly greater fires). */
    readonly minSpeedKmh: number;
    /** Distance, after uncertainty, above which travel is judged at all, km (strictly greater fires). */
    readonly minDistanceKm: number;
    /** Accuracy radius assumed for a location that does not state one, km (subtracted per point). */
    readonly defaultAccuracyKm: number;
  };
  /** `high_dlp`. */
  readonly highDlp: {
    /** DLP matches needed within the window (at least this many fires). */
    readonly minCount: number;
    /** Window length in seconds; inclusive: the first and last match may be exactly this far apart. */
    readonly windowSeconds: number;
  };
  /** `failed_logins`. */
  readonly failedLogins: {
    /** Failed sign-ins needed within the window (at least this many fires). */
    readonly minCount: number;
    /** Window length in minutes; inclusive like `highDlp.windowSeconds`. */
    readonly windowMinutes: number;
  };
  /** `crowdstrike_low_zta` and `crowdstrike_medium_zta`. */
  readonly crowdStrike: {
    /** Highest score of the low band (low = 0..lowMaxScore). */
    readonly lowMaxScore: number;
    /** Highest score of the medium band (medium = above lowMaxScore..mediumMaxScore). */
    readonly mediumMaxScore: number;
  };
}

/**
 * Shipped defaults and where each comes from:
 * - impossible travel speed 1,000 km/h and distance 500 km: the ztrisk issue "Ingestion and detectors"
 *   (faster than any airliner's ground speed; closer than 500 km is within geolocation noise and
 *   regional travel). Cloudflare publishes no numbers (PRODUCT.md: "thresholds are tunable").
 * - default accuracy 50 km: ztrisk choice. City-level IP geolocation is typically right within a few
 *   tens of km (MaxMind's `accuracy_radius` is commonly 20–100 km; DB-IP publishes none). 50 km per
 *   point removes 100 km from every distance, which keeps the 500 km floor meaningful.
 * - DLP 15 matches in 60 s: Cloudflare's behavior description, "15 or more times within one minute"
 *   (LOGPUSH.md §4.2, API.md §8, PRODUCT.md).
 * - failed logins 5 in 10 minutes: ztrisk choice (API.md §8 leaves it to the detector), the common
 *   account-lockout policy shape.
 * - CrowdStrike low 0–50 and medium 51–79: PRODUCT.md and API.md §8 (Cloudflare publishes 0–50 and
 *   50–79, LOGPUSH.md §6.3; ztrisk removes the overlap at 50).
 */
export const DEFAULT_THRESHOLDS: DetectorThresholds = Object.freeze({
  impossibleTravel: Object.freeze({ minSpeedKmh: 1000, minDistanceKm: 500, defaultAccuracyKm: 50 }),
  highDlp: Object.freeze({ minCount: 15, windowSeconds: 60 }),
  failedLogins: Object.freeze({ minCount: 5, windowMinutes: 10 }),
  crowdStrike: Object.freeze({ lowMaxScore: 50, mediumMaxScore: 79 }),
});

/**
 * Wire shape of the thresholds (snake_case, for the `…/ztrisk/behavior_settings` resource). Groups are
 * named after the behavior they tune; `crowdstrike_zta` tunes both CrowdStrike behaviors.
 */
export interface DetectorThresholdsWire {
  readonly imp_travel: {
    readonly min_speed_kmh: number;
    readonly min_distance_km: number;
    readonly default_accuracy_km: number;
  };
  readonly high_dlp: { readonly min_count: number; readonly window_seconds: number };
  readonly failed_logins: { readonly min_count: number; readonly window_minutes: number };
  readonly crowdstrike_zta: { readonly low_max_score: number; readonly medium_max_score: number };
}

/** A partial update in wire shape: any group, any member; absent members keep their current value. */
export type DetectorThresholdsPatch = {
  readonly [G in keyof DetectorThresholdsWire]?: Partial<DetectorThresholdsWire[G]>;
};

/** Maps domain thresholds to the wire shape. */
export function toThresholdsWire(t: DetectorThresholds): DetectorThresholdsWire {
  return {
    imp_travel: {
      min_speed_kmh: t.impossibleTravel.minSpeedKmh,
      min_distance_km: t.impossibleTravel.minDistanceKm,
      default_accuracy_km: t.impossibleTravel.defaultAccuracyKm,
    },
    high_dlp: { min_count: t.highDlp.minCount, window_seconds: t.highDlp.windowSeconds },
    failed_logins: { min_count: t.failedLogins.minCount, window_minutes: t.failedLogins.windowMinutes },
    crowdstrike_zta: {
      low_max_score: t.crowdStrike.lowMaxScore,
      medium_max_score: t.crowdStrike.mediumMaxScore,
    },
  };
}

/** Maps the wire shape to domain thresholds (no validation: use {@link validateThresholds} on input). */
export function fromThresholdsWire(w: DetectorThresholdsWire): DetectorThresholds {
  return {
    impossibleTravel: {
      minSpeedKmh: w.imp_travel.min_speed_kmh,
      minDistanceKm: w.imp_travel.min_distance_km,
      defaultAccuracyKm: w.imp_travel.default_accuracy_km,
    },
    highDlp: { minCount: w.high_dlp.min_count, windowSeconds: w.high_dlp.window_seconds },
    failedLogins: { minCount: w.failed_logins.min_count, windowMinutes: w.failed_logins.window_minutes },
    crowdStrike: {
      lowMaxScore: w.crowdstrike_zta.low_max_score,
      mediumMaxScore: w.crowdstrike_zta.medium_max_score,
    },
  };
}

/** Accepted range of one number; bounds inclusive unless `exclusiveMin`. */
interface NumberSpec {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly exclusiveMin?: boolean;
}

type SpecTable = {
  readonly [G in keyof DetectorThresholdsWire]: Record<keyof DetectorThresholdsWire[G], NumberSpec>;
};

/**
 * Accepted values. Upper bounds keep detectors' history queries bounded (a burst detector reads about
 * twelve windows of history) and reject values that could never fire.
 */
const SPECS: SpecTable = {
  imp_travel: {
    min_speed_kmh: { min: 0, max: 100_000, integer: false, exclusiveMin: true },
    // Half the Earth's circumference: no two places are farther apart.
    min_distance_km: { min: 0, max: 20_000, integer: false },
    default_accuracy_km: { min: 0, max: 1000, integer: false },
  },
  high_dlp: {
    min_count: { min: 1, max: 10_000, integer: true },
    window_seconds: { min: 1, max: 3600, integer: true },
  },
  failed_logins: {
    min_count: { min: 1, max: 10_000, integer: true },
    window_minutes: { min: 1, max: 1440, integer: true },
  },
  crowdstrike_zta: {
    low_max_score: { min: 0, max: 99, integer: true },
    medium_max_score: { min: 1, max: 100, integer: true },
  },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNumber(value: unknown, spec: NumberSpec): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  if (spec.integer && !Number.isInteger(value)) return 'must be an integer';
  const tooLow = spec.exclusiveMin ? value <= spec.min : value < spec.min;
  if (tooLow || value > spec.max) {
    const lower = spec.exclusiveMin ? `greater than ${spec.min}` : `at least ${spec.min}`;
    return `must be ${lower} and at most ${spec.max}`;
  }
  return undefined;
}

/**
 * Validates a (partial) thresholds update in wire shape and merges it over `current`. Reports every
 * problem at once, each with an RFC 6901 pointer into the input (`/imp_travel/min_speed_kmh`); unknown
 * groups and members are problems, so typos never pass silently. An empty object returns `current`.
 */
export function validateThresholds(
  input: unknown,
  current: DetectorThresholds = DEFAULT_THRESHOLDS,
): { readonly value: DetectorThresholds } | { readonly problems: readonly Problem[] } {
  if (!isPlainObject(input)) return { problems: [{ message: 'thresholds must be an object' }] };
  const problems: Problem[] = [];
  const merged: Record<string, Record<string, number>> = {};
  for (const [group, fields] of Object.entries(toThresholdsWire(current))) merged[group] = { ...fields };
  const specs: Record<string, Record<string, NumberSpec>> = SPECS;

  for (const [group, groupValue] of Object.entries(input)) {
    const groupSpecs = specs[group];
    const target = merged[group];
    if (!groupSpecs || !target) {
      problems.push({
        message: `unknown thresholds group; expected one of ${Object.keys(SPECS).join(', ')}`,
        pointer: pointer(group),
      });
      continue;
    }
    if (!isPlainObject(groupValue)) {
      problems.push({ message: 'must be an object', pointer: pointer(group) });
      continue;
    }
    for (const [field, value] of Object.entries(groupValue)) {
      const spec = groupSpecs[field];
      if (!spec) {
        problems.push({
          message: `unknown threshold; expected one of ${Object.keys(groupSpecs).join(', ')}`,
          pointer: pointer(group, field),
        });
        continue;
      }
      const problem = checkNumber(value, spec);
      if (problem) problems.push({ message: problem, pointer: pointer(group, field) });
      else if (typeof value === 'number') target[field] = value;
    }
  }
  if (problems.length > 0) return { problems };

  const value = fromThresholdsWire(toWireFromRecord(merged, current));
  if (value.crowdStrike.mediumMaxScore <= value.crowdStrike.lowMaxScore) {
    const crowdStrikeInput = input.crowdstrike_zta;
    const field =
      isPlainObject(crowdStrikeInput) && 'medium_max_score' in crowdStrikeInput
        ? 'medium_max_score'
        : 'low_max_score';
    problems.push({
      message: 'medium_max_score must be greater than low_max_score',
      pointer: pointer('crowdstrike_zta', field),
    });
    return { problems };
  }
  return { value };
}

/** Rebuilds the typed wire shape from the merged record, falling back to `current` member by member. */
function toWireFromRecord(
  merged: Record<string, Record<string, number>>,
  current: DetectorThresholds,
): DetectorThresholdsWire {
  const base = toThresholdsWire(current);
  const read = <G extends keyof DetectorThresholdsWire>(
    group: G,
    field: keyof DetectorThresholdsWire[G] & string,
  ) => merged[group]?.[field] ?? (base[group][field] as number);
  return {
    imp_travel: {
      min_speed_kmh: read('imp_travel', 'min_speed_kmh'),
      min_distance_km: read('imp_travel', 'min_distance_km'),
      default_accuracy_km: read('imp_travel', 'default_accuracy_km'),
    },
    high_dlp: {
      min_count: read('high_dlp', 'min_count'),
      window_seconds: read('high_dlp', 'window_seconds'),
    },
    failed_logins: {
      min_count: read('failed_logins', 'min_count'),
      window_minutes: read('failed_logins', 'window_minutes'),
    },
    crowdstrike_zta: {
      low_max_score: read('crowdstrike_zta', 'low_max_score'),
      medium_max_score: read('crowdstrike_zta', 'medium_max_score'),
    },
  };
}
