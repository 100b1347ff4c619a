import type { BehaviorKey } from '../domain/behaviors.js';
import type { Finding } from '../domain/finding.js';
import type { EventUser, SecurityEvent, SecurityEventType, SignInOutcome } from '../domain/security-event.js';
import type { DetectorThresholds } from './thresholds.js';

/** What a detector receives besides the event and its history. */
export interface DetectorContext {
  /**
   * The current time (epoch ms), for detectors that must know it. Detectors judge by event time, never
   * by arrival time: none of the shipped detectors uses it for its verdict.
   */
  readonly nowMs: number;
  /** The account's thresholds. */
  readonly thresholds: DetectorThresholds;
}

/**
 * Restricts a history request to matching events; every member present must match. Each member is a
 * plain equality on a field the store can index or store beside the event.
 */
export interface HistoryFilter {
  /** Only sign-ins with this outcome (`sign_in` events only). */
  readonly outcome?: SignInOutcome;
  /** Only events with a location usable for travel: `location` present and not `travelIgnored`. */
  readonly travelLocated?: true;
  /** Only events of this device (`deviceId`). */
  readonly deviceId?: string;
  /** Only posture results of this check type (`posture_result` events only). */
  readonly checkType?: string;
}

/**
 * Which stored events of the **same account and user** a detector needs, expressible as indexed store
 * queries by (account, user, event type, event time). Events are ordered by event time, ties by id
 * (`compareEventTime`).
 * - `window`: every matching event with `fromMs <= timeMs <= toMs` (both ends inclusive).
 * - `neighbours`: the `count` matching events nearest before the anchor (`aroundMs`, `aroundId`) and the
 *   `count` nearest after it, in that total order; the anchor event itself is not one of them.
 */
export type HistoryRequest =
  | {
      readonly kind: 'window';
      readonly types: readonly SecurityEventType[];
      readonly fromMs: number;
      readonly toMs: number;
      readonly filter?: HistoryFilter;
    }
  | {
      readonly kind: 'neighbours';
      readonly types: readonly SecurityEventType[];
      readonly aroundMs: number;
      readonly aroundId: string;
      /** How many on each side, at least 1. */
      readonly count: number;
      readonly filter?: HistoryFilter;
    };

/**
 * A behavior's detector: pure functions of the new event and the user's relevant history.
 *
 * The ingest service stores new events (deduplicated by id), then, for each new event and each enabled
 * detector that `accepts` it, fetches what `history` asks for (stored events, including the other
 * events of the same batch) and records what `detect` returns through `recordFindings`, which
 * deduplicates by `Finding.dedupeKey` within the account.
 *
 * Contract for implementations:
 * - no I/O, no clock, no randomness: the same event, history and context give the same findings;
 * - `history` passed to `detect` is the union of the requested events in any order; it may contain the
 *   event itself, duplicates of an id, and events beyond what was asked (detectors must tolerate all
 *   three); events arrive late and out of order, so detectors judge by event time only;
 * - dedupe keys are stable and order-independent: the same real-world occurrence yields the same key
 *   whichever of its events triggers detection and in whatever order they arrived (each detector
 *   documents its rule and its limits).
 */
export interface Detector {
  /** The behavior this detector reports. */
  readonly behavior: BehaviorKey;
  /**
   * Whether this detector ever reads the `location` of such an event (as the new event or in history).
   * Ingestion geolocates an event's address only when some detector, enabled or not, says so: stored
   * events may be read later, after a behavior is enabled. Absent means never.
   */
  readonly readsLocation?: (event: SecurityEvent) => boolean;
  /** Cheap test on the new event alone: false means no history is fetched and `detect` is not called. */
  accepts(event: SecurityEvent): boolean;
  /** The history this event needs; empty when the event alone decides. */
  history(event: SecurityEvent, thresholds: DetectorThresholds): readonly HistoryRequest[];
  /** Findings for this event (usually none or one). */
  detect(event: SecurityEvent, history: readonly SecurityEvent[], ctx: DetectorContext): readonly Finding[];
}

/**
 * Builds a dedupe key from the behavior and the parts that identify the occurrence. Parts are
 * URI-encoded so that a `:` inside an id can never make two different part lists collide.
 */
export function dedupeKey(behavior: BehaviorKey, ...parts: readonly (string | number)[]): string {
  return [behavior, ...parts.map((p) => encodeURIComponent(String(p)))].join(':');
}

/** The parts of a finding beyond the user it belongs to. */
export interface FindingParts {
  readonly behavior: BehaviorKey;
  /** Event time of the occurrence (RFC 3339 UTC ms). */
  readonly timestamp: string;
  readonly details: Record<string, unknown>;
  readonly dedupeKey: string;
}

/** A finding for the event's user. */
export function findingFor(user: EventUser, parts: FindingParts): Finding {
  return { userId: user.id, email: user.email, name: user.name, ...parts };
}

/** At most this many source event ids are listed in a finding's details. */
export const MAX_SOURCE_EVENT_IDS = 50;

/** The first {@link MAX_SOURCE_EVENT_IDS} ids of the events, for `details.source_event_ids`. */
export function sourceEventIds(events: readonly SecurityEvent[]): string[] {
  return events.slice(0, MAX_SOURCE_EVENT_IDS).map((e) => e.id);
}
