import type { Finding } from '../domain/finding.js';
import type {
  DlpMatchEvent,
  DnsRequestEvent,
  EventUser,
  FileVerdictEvent,
  GeoLocation,
  HttpRequestEvent,
  PostureResultEvent,
  SecurityEvent,
  SignInEvent,
} from '../domain/security-event.js';
import { formatTimestamp, parseRfc3339 } from '../domain/time.js';
import type { Detector, DetectorContext } from './detector.js';
import { selectHistory } from './history.js';
import { DEFAULT_THRESHOLDS, type DetectorThresholds } from './thresholds.js';

/** The account every built event belongs to. */
export const ACCOUNT_ID = '023e105f4ecef8ad9ca31a8372d0c353';

/** Users of the Logpush fixtures (LOGPUSH.md §8). */
export const USERS = {
  alice: {
    id: '3f1c2d4e-8b7a-4c1d-9e2f-6a5b4c3d2e1f',
    email: 'alice.ng@acme-corp.example',
    name: 'Alice Ng',
  },
  bob: {
    id: '7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
    email: 'bob.okafor@acme-corp.example',
    name: 'Bob Okafor',
  },
  carol: {
    id: 'e2a8f4c6-1b3d-4e5f-a7c9-8d0b2f4e6a81',
    email: 'carol.reyes@acme-corp.example',
    name: 'Carol Reyes',
  },
  dave: { id: '0b9d7f5e-3c1a-4b2d-9e8f-7a6c5d4e3f21', email: 'dave.kim@acme-corp.example', name: 'Dave Kim' },
  erin: {
    id: '5c7e9a1b-2d4f-4a6c-8e0b-1d3f5a7c9e42',
    email: 'erin.walsh@acme-corp.example',
    name: 'Erin Walsh',
  },
} as const satisfies Record<string, EventUser>;

/** Stub locations of the fixture IPs (LOGPUSH.md §8), looked up by "geoip". */
export const PLACES = {
  newYork: { lat: 40.7128, lon: -74.006, city: 'New York', country: 'US', source: 'geoip' },
  tokyo: { lat: 35.6762, lon: 139.6503, city: 'Tokyo', country: 'JP', source: 'geoip' },
  london: { lat: 51.5074, lon: -0.1278, city: 'London', country: 'GB', source: 'geoip' },
} as const satisfies Record<string, GeoLocation>;

let sequence = 0;

/** An instant as ISO string or epoch ms. */
export type At = string | number;

function times(at: At | undefined): { timestamp: string; timeMs: number } {
  const timeMs = at === undefined ? Date.UTC(2026, 2, 2, 12) : typeof at === 'number' ? at : parseRfc3339(at);
  if (timeMs === undefined) throw new Error(`bad test time ${String(at)}`);
  return { timestamp: formatTimestamp(timeMs), timeMs };
}

/** `base` plus `seconds` (may be fractional or negative), as epoch ms. */
export function plusSeconds(base: At, seconds: number): number {
  return times(base).timeMs + Math.round(seconds * 1000);
}

interface Common {
  readonly id?: string;
  readonly at?: At;
  readonly user?: EventUser;
  readonly ip?: string;
  readonly location?: GeoLocation;
  readonly travelIgnored?: boolean;
  readonly deviceId?: string;
}

function common(prefix: string, o: Common) {
  return {
    id: o.id ?? `${prefix}-${++sequence}`,
    accountId: ACCOUNT_ID,
    ...times(o.at),
    user: o.user ?? USERS.alice,
    ...(o.ip === undefined ? {} : { ip: o.ip }),
    ...(o.location === undefined ? {} : { location: o.location }),
    ...(o.travelIgnored === undefined ? {} : { travelIgnored: o.travelIgnored }),
    ...(o.deviceId === undefined ? {} : { deviceId: o.deviceId }),
    source: { kind: 'events' as const },
  };
}

/** A sign-in (successful unless `outcome` says otherwise). */
export function aSignIn(o: Common & Partial<Pick<SignInEvent, 'outcome' | 'app'>> = {}): SignInEvent {
  return {
    ...common('signin', o),
    type: 'sign_in',
    outcome: o.outcome ?? 'success',
    ...(o.app === undefined ? {} : { app: o.app }),
  };
}

/** A failed sign-in. */
export function aFailedSignIn(o: Common = {}): SignInEvent {
  return aSignIn({ ...o, outcome: 'failure' });
}

/** A DLP-matched upload. */
export function aDlpMatch(
  o: Common & Partial<Pick<DlpMatchEvent, 'profiles' | 'direction'>> = {},
): DlpMatchEvent {
  return {
    ...common('dlp', o),
    type: 'dlp_match',
    profiles: o.profiles ?? [{ id: 'c8f5e2a1-0b3d-4f6e-9a7c-1d2e3f4a5b6c', name: 'Credit cards' }],
    direction: o.direction ?? 'upload',
    host: 'paste.example',
  };
}

/** A malicious file download that was blocked. */
export function aFileVerdict(
  o: Common & Partial<Pick<FileVerdictEvent, 'verdict' | 'direction' | 'blocked' | 'fileName'>> = {},
): FileVerdictEvent {
  return {
    ...common('file', o),
    type: 'file_verdict',
    verdict: o.verdict ?? 'malicious',
    direction: o.direction ?? 'download',
    blocked: o.blocked ?? true,
    fileName: o.fileName ?? 'invoice.zip',
    sha256: 'a'.repeat(64),
    reason: 'malware',
  };
}

/** A DNS query. */
export function aDnsRequest(
  o: Common & Partial<Pick<DnsRequestEvent, 'domain' | 'categoryIds' | 'blocked'>> = {},
): DnsRequestEvent {
  return {
    ...common('dns', o),
    type: 'dns_request',
    domain: o.domain ?? 'example.com',
    categoryIds: o.categoryIds ?? [],
    blocked: o.blocked ?? false,
  };
}

/** An HTTP request. */
export function anHttpRequest(
  o: Common & Partial<Pick<HttpRequestEvent, 'host' | 'categoryIds' | 'blocked'>> = {},
): HttpRequestEvent {
  return {
    ...common('http', o),
    type: 'http_request',
    host: o.host ?? 'example.com',
    url: `https://${o.host ?? 'example.com'}/`,
    categoryIds: o.categoryIds ?? [],
    blocked: o.blocked ?? false,
  };
}

/** A posture result; `crowdstrike_s2s` unless `checkType` says otherwise. */
export function aPostureResult(
  o: Common &
    Partial<
      Pick<PostureResultEvent, 'checkType' | 'passed' | 'sentinelOne' | 'crowdStrike' | 'checkName'>
    > = {},
): PostureResultEvent {
  return {
    ...common('posture', o),
    type: 'posture_result',
    deviceId: o.deviceId ?? 'device-1',
    checkType: o.checkType ?? 'crowdstrike_s2s',
    ...(o.passed === undefined ? {} : { passed: o.passed }),
    ...(o.sentinelOne === undefined ? {} : { sentinelOne: o.sentinelOne }),
    ...(o.crowdStrike === undefined ? {} : { crowdStrike: o.crowdStrike }),
    ...(o.checkName === undefined ? {} : { checkName: o.checkName }),
  };
}

/** A detector context at a fixed time with the given thresholds (defaults when absent). */
export function aContext(thresholds: DetectorThresholds = DEFAULT_THRESHOLDS): DetectorContext {
  return { nowMs: Date.UTC(2026, 2, 3), thresholds };
}

/**
 * Runs a detector as the ingest service does, with `stored` standing in for the store: selects the
 * history the detector asks for (reference semantics) and detects.
 */
export function detectWith(
  detector: Detector,
  event: SecurityEvent,
  stored: readonly SecurityEvent[],
  ctx: DetectorContext = aContext(),
): readonly Finding[] {
  if (!detector.accepts(event)) return [];
  const history = selectHistory(detector.history(event, ctx.thresholds), [...stored, event]);
  return detector.detect(event, history, ctx);
}

/**
 * Simulates ingestion batch by batch: each batch is stored (an id already stored is skipped), then
 * every new event is detected against the store, and findings are recorded unless their dedupe key is
 * already recorded. Returns the recorded findings in recording order.
 */
export function ingest(
  detector: Detector,
  batches: readonly (readonly SecurityEvent[])[],
  ctx: DetectorContext = aContext(),
): Finding[] {
  const store = new Map<string, SecurityEvent>();
  const recorded = new Map<string, Finding>();
  for (const batch of batches) {
    const fresh = batch.filter((e) => !store.has(e.id));
    for (const e of fresh) store.set(e.id, e);
    for (const e of fresh) {
      if (!detector.accepts(e)) continue;
      const history = selectHistory(detector.history(e, ctx.thresholds), store.values());
      for (const f of detector.detect(e, history, ctx))
        if (!recorded.has(f.dedupeKey)) recorded.set(f.dedupeKey, f);
    }
  }
  return [...recorded.values()];
}

/** Each event in its own batch, in the given order. */
export function oneByOne(events: readonly SecurityEvent[]): SecurityEvent[][] {
  return events.map((e) => [e]);
}

/** A deterministic shuffle (mulberry32 seeded), for arrival orders. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Every ordering of a small list. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Arrival orders worth testing for a list in event-time order: as is, reversed, and seeded shuffles. */
export function arrivalOrders<T>(items: readonly T[], shuffles = 8): { name: string; order: T[] }[] {
  const orders = [
    { name: 'in event-time order', order: [...items] },
    { name: 'reversed', order: [...items].reverse() },
    { name: 'first event last', order: [...items.slice(1), ...items.slice(0, 1)] },
  ];
  for (let seed = 1; seed <= shuffles; seed++)
    orders.push({ name: `shuffled #${seed}`, order: shuffled(items, seed) });
  return orders;
}
