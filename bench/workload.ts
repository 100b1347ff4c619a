import { createPrng } from '../src/ingest/demo/prng.js';
import type { GenericEvent } from '../src/ingest/events/generic-event.js';

/** Shape of the generated ingestion workload. */
export interface WorkloadOptions {
  /** Events in total, bursts included. */
  readonly events: number;
  /** Distinct users the events are spread over. */
  readonly users: number;
  /** Epoch ms of the first event; events span {@link WorkloadOptions.spanMs} from there. */
  readonly startMs: number;
  readonly spanMs: number;
  /** PRNG seed: the same options and seed give the same events. */
  readonly seed: number;
}

/** What the generator produced, with counts per kind for the report. */
export interface Workload {
  readonly events: readonly GenericEvent[];
  /** Events per kind (`dns_request`, `sign_in:failure`, …). */
  readonly mix: Readonly<Record<string, number>>;
  /** Events that were moved out of time order. */
  readonly outOfOrder: number;
}

const CITIES = [
  { city: 'London', country: 'GB', lat: 51.5072, lon: -0.1276 },
  { city: 'Paris', country: 'FR', lat: 48.8566, lon: 2.3522 },
  { city: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405 },
  { city: 'New York', country: 'US', lat: 40.7128, lon: -74.006 },
  { city: 'San Francisco', country: 'US', lat: 37.7749, lon: -122.4194 },
  { city: 'Chicago', country: 'US', lat: 41.8781, lon: -87.6298 },
  { city: 'Toronto', country: 'CA', lat: 43.6532, lon: -79.3832 },
  { city: 'Sao Paulo', country: 'BR', lat: -23.5505, lon: -46.6333 },
  { city: 'Tokyo', country: 'JP', lat: 35.6762, lon: 139.6503 },
  { city: 'Singapore', country: 'SG', lat: 1.3521, lon: 103.8198 },
  { city: 'Sydney', country: 'AU', lat: -33.8688, lon: 151.2093 },
  { city: 'Bangalore', country: 'IN', lat: 12.9716, lon: 77.5946 },
] as const;

/** Gateway categories outside every risky set (`src/detectors/categories.ts`). */
const BENIGN_CATEGORIES = [2, 3, 7, 9, 12, 26, 31, 37, 40, 49, 61, 89, 115, 119];
/** A few risky ones (security threats, security risks, questionable content). */
const RISKY_CATEGORIES = [80, 117, 128, 85];
const DOMAINS = [
  'example.com',
  'docs.example.org',
  'cdn.example.net',
  'mail.example.com',
  'intranet.corp.example',
  'api.example.io',
  'news.example.co.uk',
  'video.example.tv',
  'shop.example.store',
  'search.example.com',
];
const DLP_PROFILES = [
  { id: 'b5a5c0c7-1c0b-4f0b-9a1e-6f3f0f3d1a11', name: 'Credit cards' },
  { id: 'c2a7e4d9-2d1c-4a6e-8b2f-7a4e1b2c3d22', name: 'Source code' },
  { id: 'd3b8f5ea-3e2d-4b7f-9c3a-8b5f2c3d4e33', name: 'Customer PII' },
];

interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly home: number;
  readonly ip: string;
  readonly device: string;
}

function hex(rand: () => number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i += 1) out += Math.floor(rand() * 16).toString(16);
  return out;
}

function uuid(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/**
 * A realistic, deterministic mix of generic events (docs/events.md) for ingestion benchmarks:
 * ~60% DNS/HTTP requests with benign categories (0.2% risky), ~20% successful sign-ins with explicit
 * locations (1% from another continent), ~3% failed sign-ins, ~10% DLP matches, ~4% posture results
 * (SentinelOne and CrowdStrike), ~3% file verdicts (2% of them malicious), plus a few DLP and
 * failed-login bursts. Times spread over the span, mostly ordered; ~5% are moved up to ten minutes
 * earlier in the sequence (late arrivals).
 */
export function generateWorkload(options: WorkloadOptions): Workload {
  const rand = createPrng(options.seed).next; // deterministic uniform floats in [0, 1)
  const users: User[] = [];
  for (let u = 0; u < options.users; u += 1) {
    users.push({
      id: uuid(rand),
      email: `user${u}@example.com`,
      name: `User ${u}`,
      home: Math.floor(rand() * CITIES.length),
      ip: `${81 + (u % 100)}.${(u * 7) % 250}.${(u * 13) % 250}.${1 + (u % 200)}`,
      device: `device-${u}`,
    });
  }
  const mix: Record<string, number> = {};
  const count = (kind: string): void => {
    mix[kind] = (mix[kind] ?? 0) + 1;
  };

  type Timed = { timeMs: number; make: (id: string, timestamp: string) => GenericEvent };
  const timed: Timed[] = [];

  const burstUsers = Math.max(1, Math.floor(options.users / 100));
  const dlpBurst = 20;
  const failBurst = 6;
  const baseEvents = options.events - burstUsers * (dlpBurst + failBurst);
  const stepMs = options.spanMs / baseEvents;

  for (let i = 0; i < baseEvents; i += 1) {
    const user = pick(rand, users);
    const common = { user: { id: user.id, email: user.email, name: user.name } };
    const timeMs = Math.floor(options.startMs + i * stepMs);
    const r = rand();
    if (r < 0.6) {
      const risky = rand() < 0.002;
      const categories = risky
        ? [pick(rand, RISKY_CATEGORIES)]
        : [pick(rand, BENIGN_CATEGORIES), pick(rand, BENIGN_CATEGORIES)];
      const domain = pick(rand, DOMAINS);
      if (r < 0.3) {
        count('dns_request');
        timed.push({
          timeMs,
          make: (id, timestamp) => ({
            ...common,
            id,
            timestamp,
            type: 'dns_request',
            ip: user.ip,
            domain,
            category_ids: categories,
            resolver_decision: 'allowedOnNoPolicyMatch',
          }),
        });
      } else {
        count('http_request');
        timed.push({
          timeMs,
          make: (id, timestamp) => ({
            ...common,
            id,
            timestamp,
            type: 'http_request',
            ip: user.ip,
            host: domain,
            url: `https://${domain}/path/${i % 97}`,
            category_ids: categories,
            action: 'allow',
          }),
        });
      }
    } else if (r < 0.8) {
      count('sign_in:success');
      const travelling = rand() < 0.01;
      const city = CITIES[travelling ? (user.home + 6) % CITIES.length : user.home] ?? CITIES[0];
      timed.push({
        timeMs,
        make: (id, timestamp) => ({
          ...common,
          id,
          timestamp,
          type: 'sign_in',
          outcome: 'success',
          ip: user.ip,
          location: { lat: city.lat, lon: city.lon, country: city.country, city: city.city, accuracy_km: 20 },
          app: 'Okta',
          method: 'password+mfa',
        }),
      });
    } else if (r < 0.83) {
      count('sign_in:failure');
      timed.push({
        timeMs,
        make: (id, timestamp) => ({
          ...common,
          id,
          timestamp,
          type: 'sign_in',
          outcome: 'failure',
          ip: user.ip,
          app: 'Okta',
        }),
      });
    } else if (r < 0.93) {
      count('dlp_match');
      timed.push({
        timeMs,
        make: (id, timestamp) => ({
          ...common,
          id,
          timestamp,
          type: 'dlp_match',
          ip: user.ip,
          profiles: [pick(rand, DLP_PROFILES)],
          direction: 'upload',
          host: 'upload.example.com',
        }),
      });
    } else if (r < 0.97) {
      const sentinel = rand() < 0.5;
      count(sentinel ? 'posture_result:sentinelone' : 'posture_result:crowdstrike');
      const bad = rand() < 0.03;
      const score = bad ? (rand() < 0.5 ? 40 : 65) : 92;
      timed.push({
        timeMs,
        make: (id, timestamp) =>
          sentinel
            ? {
                ...common,
                id,
                timestamp,
                type: 'posture_result',
                device_id: user.device,
                check_type: 'sentinelone_s2s',
                passed: !bad,
                sentinelone: { infected: bad, active_threats: bad ? 1 : 0, is_active: true },
              }
            : {
                ...common,
                id,
                timestamp,
                type: 'posture_result',
                device_id: user.device,
                check_type: 'crowdstrike_s2s',
                passed: !bad,
                crowdstrike: { overall: score, os: score, sensor_config: score },
              },
      });
    } else {
      const malicious = rand() < 0.02;
      count(malicious ? 'file_verdict:malicious' : 'file_verdict:clean');
      timed.push({
        timeMs,
        make: (id, timestamp) => ({
          ...common,
          id,
          timestamp,
          type: 'file_verdict',
          ip: user.ip,
          verdict: malicious ? 'malicious' : 'clean',
          direction: 'download',
          blocked: malicious,
          file_name: `report-${i % 1000}.pdf`,
          sha256: hex(rand, 64),
          host: 'files.example.com',
        }),
      });
    }
  }

  for (let b = 0; b < burstUsers; b += 1) {
    const user = pick(rand, users);
    const common = { user: { id: user.id, email: user.email, name: user.name } };
    const dlpStart = options.startMs + Math.floor(rand() * (options.spanMs - 60_000));
    for (let k = 0; k < dlpBurst; k += 1) {
      count('dlp_match:burst');
      timed.push({
        timeMs: dlpStart + k * 2000,
        make: (id, timestamp) => ({
          ...common,
          id,
          timestamp,
          type: 'dlp_match',
          ip: user.ip,
          profiles: [pick(rand, DLP_PROFILES)],
          direction: 'upload',
        }),
      });
    }
    const failStart = options.startMs + Math.floor(rand() * (options.spanMs - 600_000));
    for (let k = 0; k < failBurst; k += 1) {
      count('sign_in:failure:burst');
      timed.push({
        timeMs: failStart + k * 45_000,
        make: (id, timestamp) => ({
          ...common,
          id,
          timestamp,
          type: 'sign_in',
          outcome: 'failure',
          ip: user.ip,
        }),
      });
    }
  }

  // Late arrivals: ~5% of events are delivered up to ten minutes after their event time.
  let outOfOrder = 0;
  const delivered = timed.map((t) => {
    if (rand() >= 0.05) return { t, atMs: t.timeMs };
    outOfOrder += 1;
    return { t, atMs: t.timeMs + Math.floor(rand() * 600_000) };
  });
  delivered.sort((a, b) => a.atMs - b.atMs);
  const events = delivered.map(({ t }, n) =>
    t.make(`evt-${options.seed}-${n}`, new Date(t.timeMs).toISOString()),
  );
  return { events, mix, outOfOrder };
}

/** Splits a list into consecutive chunks of at most `size` items. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
