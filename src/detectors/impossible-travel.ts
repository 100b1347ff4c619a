import { greatCircleDistanceKm, isValidLatLon } from '../domain/geo.js';
import {
  compareEventTime,
  type GeoLocation,
  type SecurityEvent,
  type SignInEvent,
  travelLocation,
} from '../domain/security-event.js';
import { type Detector, dedupeKey, findingFor } from './detector.js';
import type { DetectorThresholds } from './thresholds.js';

/** A successful sign-in with a location usable for travel. */
interface LocatedSignIn {
  readonly event: SignInEvent;
  readonly location: GeoLocation;
}

function locatedSuccess(event: SecurityEvent): LocatedSignIn | undefined {
  if (event.type !== 'sign_in' || event.outcome !== 'success') return undefined;
  const location = travelLocation(event);
  return location && isValidLatLon(location) ? { event, location } : undefined;
}

/** How two sign-ins compare, and whether the travel between them is impossible. */
export interface TravelAssessment {
  /** Great-circle distance between the two locations, km. */
  readonly distanceKm: number;
  /** Distance minus both accuracy radii (never below 0), km: what is judged. */
  readonly effectiveDistanceKm: number;
  /** Event time between the two, ms (never negative). */
  readonly elapsedMs: number;
  /** Effective distance over elapsed time, km/h; `Infinity` for a real distance in no time. */
  readonly speedKmh: number;
  /** True when effective distance and speed both exceed their thresholds. */
  readonly impossible: boolean;
}

/**
 * Judges travel between two located points `elapsedMs` apart. Each point's uncertainty (its
 * `accuracyKm`, else `defaultAccuracyKm`) is subtracted from the distance first, so nearby places and
 * imprecise lookups never fire; zero elapsed time with a remaining distance is infinitely fast.
 */
export function assessTravel(
  from: GeoLocation,
  to: GeoLocation,
  elapsedMs: number,
  thresholds: DetectorThresholds['impossibleTravel'],
): TravelAssessment {
  const distanceKm = greatCircleDistanceKm(from, to);
  const uncertaintyKm =
    (from.accuracyKm ?? thresholds.defaultAccuracyKm) + (to.accuracyKm ?? thresholds.defaultAccuracyKm);
  const effectiveDistanceKm = Math.max(0, distanceKm - uncertaintyKm);
  const elapsed = Math.max(0, elapsedMs);
  let speedKmh: number;
  if (elapsed > 0) speedKmh = effectiveDistanceKm / (elapsed / 3_600_000);
  else speedKmh = effectiveDistanceKm > 0 ? Number.POSITIVE_INFINITY : 0;
  const impossible = effectiveDistanceKm > thresholds.minDistanceKm && speedKmh > thresholds.minSpeedKmh;
  return { distanceKm, effectiveDistanceKm, elapsedMs: elapsed, speedKmh, impossible };
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

function describe({ event, location }: LocatedSignIn): Record<string, unknown> {
  return {
    event_id: event.id,
    timestamp: event.timestamp,
    ip: event.ip,
    city: location.city,
    country: location.country,
    lat: location.lat,
    lon: location.lon,
    accuracy_km: location.accuracyKm,
    location_source: location.source,
  };
}

/**
 * `imp_travel`: two successful sign-ins of the user, neighbours in event time, from places too far apart
 * for the time between them. The new sign-in is compared with the nearest located successful sign-in
 * before it and the nearest after it (a sign-in landing between two others is compared with both).
 * Fires when the distance minus both accuracy radii exceeds `thresholds.impossibleTravel.minDistanceKm`
 * (default 500 km) and the implied speed exceeds `minSpeedKmh` (default 1,000 km/h); defaults from the
 * ztrisk issue "Ingestion and detectors", accuracy default 50 km (see `DEFAULT_THRESHOLDS`).
 *
 * Sign-ins without a location, or whose address is travel-ignored, are unknown places: they never fire
 * and are skipped when looking for neighbours. Failed sign-ins and logouts never count.
 *
 * The finding is dated at the later sign-in; its dedupe key is `imp_travel:<id>:<id>` from the pair's
 * event ids in lexical order, so either sign-in detecting the pair, in any order, records it once.
 * Limit: a sign-in arriving late between two already compared ones creates new pairs; a finding already
 * recorded for the old pair stays.
 */
export const impossibleTravel: Detector = {
  behavior: 'imp_travel',
  readsLocation: (event) => event.type === 'sign_in',
  accepts: (event) => locatedSuccess(event) !== undefined,
  history: (event) => [
    {
      kind: 'neighbours',
      types: ['sign_in'],
      aroundMs: event.timeMs,
      aroundId: event.id,
      count: 1,
      filter: { outcome: 'success', travelLocated: true },
    },
  ],
  detect(event, history, ctx) {
    const current = locatedSuccess(event);
    if (!current) return [];
    let before: LocatedSignIn | undefined;
    let after: LocatedSignIn | undefined;
    for (const candidate of history) {
      if (candidate.id === event.id || candidate.user.id !== event.user.id) continue;
      const located = locatedSuccess(candidate);
      if (!located) continue;
      const order = compareEventTime(candidate, event);
      if (order < 0 && (!before || compareEventTime(candidate, before.event) > 0)) before = located;
      if (order > 0 && (!after || compareEventTime(candidate, after.event) < 0)) after = located;
    }
    const thresholds = ctx.thresholds.impossibleTravel;
    const findings = [];
    for (const [earlier, later] of [
      [before, current],
      [current, after],
    ] as const) {
      if (!earlier || !later) continue;
      const travel = assessTravel(
        earlier.location,
        later.location,
        later.event.timeMs - earlier.event.timeMs,
        thresholds,
      );
      if (!travel.impossible) continue;
      const elapsedMinutes = travel.elapsedMs / 60_000;
      const ids = [earlier.event.id, later.event.id].sort();
      findings.push(
        findingFor(event.user, {
          behavior: 'imp_travel',
          timestamp: later.event.timestamp,
          details: {
            from: describe(earlier),
            to: describe(later),
            distance_km: round(travel.distanceKm, 1),
            effective_distance_km: round(travel.effectiveDistanceKm, 1),
            elapsed_minutes: round(elapsedMinutes, 2),
            elapsed_hours: round(elapsedMinutes / 60, 4),
            // JSON has no Infinity: null means "no time at all between the two".
            speed_kmh: Number.isFinite(travel.speedKmh) ? round(travel.speedKmh, 1) : null,
            min_speed_kmh: thresholds.minSpeedKmh,
            min_distance_km: thresholds.minDistanceKm,
            source_event_ids: [earlier.event.id, later.event.id],
          },
          dedupeKey: dedupeKey('imp_travel', ...ids),
        }),
      );
    }
    return findings;
  },
};
