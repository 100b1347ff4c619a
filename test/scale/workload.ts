import { createPrng } from '../../src/ingest/demo/prng.js';
import type { GenericEvent } from '../../src/ingest/events/generic-event.js';

/**
 * A scale-out workload whose risk events do not depend on arrival order: every burst has exactly its
 * threshold of events inside one grid cell (so only the transaction that sees all of them fires, dated
 * at its last event), and every user has one located sign-in pair. What one node records for it is then
 * what any interleaving over any number of nodes must record, provided detection per user is serialised.
 */

/** Seeded uniform floats in [0, 1) (the demo generator's mulberry32). */
export function prng(seed: number): () => number {
  return createPrng(seed).next;
}

/** Fisher–Yates shuffle with the given random source (a copy). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** The user id of user number `n` (a v4-shaped UUID). */
export function userId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const NEW_YORK = { lat: 40.7128, lon: -74.006, city: 'New York', country: 'US', accuracy_km: 5 };
const LONDON = { lat: 51.5072, lon: -0.1276, city: 'London', country: 'GB', accuracy_km: 5 };

/** Options of {@link scaleWorkload}. */
export interface ScaleWorkloadOptions {
  readonly users: number;
  /** Start of the workload, aligned to a whole hour (bursts must stay inside their grid cells). */
  readonly baseMs: number;
  /** Benign DNS events per user (noise). */
  readonly noisePerUser: number;
  readonly seed: number;
  /** Prefix of event ids (lets one account take several distinct workloads). */
  readonly idPrefix?: string;
}

/**
 * Per user `u` (all: noise); `u % 3 !== 2`: a DLP burst of exactly 15 matches within 28 s and exactly 5
 * failed sign-ins within 4 minutes, each inside one grid cell; `u % 3 === 0`: also a New York → London
 * sign-in pair one hour apart (impossible travel), a malicious file and a security-risk DNS visit;
 * `u % 3 === 2`: a near-miss of 14 DLP matches (no risk event).
 */
export function scaleWorkload(options: ScaleWorkloadOptions): GenericEvent[] {
  if (options.baseMs % 3_600_000 !== 0) throw new Error('baseMs must be a whole hour');
  const random = prng(options.seed);
  const at = (ms: number): string => new Date(ms).toISOString();
  const p = options.idPrefix ?? 'w';
  const events: GenericEvent[] = [];
  for (let u = 0; u < options.users; u += 1) {
    const user = { id: userId(u), email: `user${u}@example.com`, name: `User ${u}` };
    const h = (hours: number): number => options.baseMs + hours * 3_600_000;
    for (let i = 0; i < options.noisePerUser; i += 1) {
      events.push({
        id: `${p}-noise-${u}-${i}`,
        type: 'dns_request',
        timestamp: at(h(0) + Math.floor(random() * 20 * 3_600_000)),
        user,
        domain: `site${i}.example.com`,
        category_ids: [2],
      } as GenericEvent);
    }
    const dlpCount = u % 3 === 2 ? 14 : 15;
    for (let i = 0; i < dlpCount; i += 1) {
      events.push({
        id: `${p}-dlp-${u}-${i}`,
        type: 'dlp_match',
        timestamp: at(h(3) + 10_000 + i * 2000),
        user,
        profiles: [{ id: 'b5a5c0c7-1c0b-4f0b-9a1e-6f3f0f3d1a11', name: 'Credit cards' }],
        host: 'upload.example.net',
      } as GenericEvent);
    }
    if (u % 3 === 2) continue;
    for (let i = 0; i < 5; i += 1) {
      events.push({
        id: `${p}-fail-${u}-${i}`,
        type: 'sign_in',
        timestamp: at(h(4) + (21 + i) * 60_000),
        user,
        outcome: 'failure',
        app: 'app.example.com',
      } as GenericEvent);
    }
    if (u % 3 !== 0) continue;
    events.push(
      {
        id: `${p}-travel-${u}-ny`,
        type: 'sign_in',
        timestamp: at(h(1)),
        user,
        outcome: 'success',
        location: NEW_YORK,
      } as GenericEvent,
      {
        id: `${p}-travel-${u}-ldn`,
        type: 'sign_in',
        timestamp: at(h(2)),
        user,
        outcome: 'success',
        location: LONDON,
      } as GenericEvent,
      {
        id: `${p}-file-${u}`,
        type: 'file_verdict',
        timestamp: at(h(5)),
        user,
        verdict: 'malicious',
        direction: 'download',
        file_name: 'invoice.exe',
      } as GenericEvent,
      {
        id: `${p}-risky-dns-${u}`,
        type: 'dns_request',
        timestamp: at(h(6)),
        user,
        domain: 'malware.example.net',
        category_ids: [80],
      } as GenericEvent,
    );
  }
  return events;
}

/** Splits events into batches of `size` after shuffling (late and out-of-order arrival). */
export function shuffledBatches<T>(events: readonly T[], size: number, random: () => number): T[][] {
  const all = shuffled(events, random);
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

/** The risk events each scaled user must end with, by behavior (for sanity checks of a run). */
export function expectedBehaviors(u: number): string[] {
  if (u % 3 === 2) return [];
  const base = ['high_dlp', 'failed_logins'];
  return u % 3 === 0 ? [...base, 'imp_travel', 'malicious_file', 'security_risk_domain'] : base;
}

/** An hour-aligned start `days` days before `nowMs` (so no event is in the future). */
export function hourAlignedDaysAgo(nowMs: number, days: number): number {
  return Math.floor((nowMs - days * 86_400_000) / 3_600_000) * 3_600_000;
}
