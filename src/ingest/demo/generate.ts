import { BEHAVIOR_KEYS, type BehaviorKey } from '../../domain/behaviors.js';
import { greatCircleDistanceKm } from '../../domain/geo.js';
import { formatTimestamp } from '../../domain/time.js';
import type { GenericEvent } from '../events/generic-event.js';
import {
  APPS,
  BENIGN_FILE_NAMES,
  BENIGN_SITES,
  DEMO_CITIES,
  type DemoCity,
  type DemoSite,
  DLP_HOSTS,
  DLP_PROFILES,
  EMAIL_DOMAIN,
  EXFILTRATION_HOST,
  FIRST_NAMES,
  HIGH_RISK_SITES,
  LAST_NAMES,
  MALICIOUS_FILE_NAMES,
  MALICIOUS_FILE_SITES,
  POSTURE_RULES,
  SECURITY_RISK_SITES,
} from './demo-world.js';
import { createPrng, mixSeed, type Prng } from './prng.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** What to generate. The generator never reads the clock: `endMs` is the end of the simulated period. */
export interface DemoOptions {
  /** Seed of every random choice (32-bit unsigned); the same options always give the same events. */
  readonly seed: number;
  /** Number of users, at least 1. */
  readonly users: number;
  /** Length of the simulated period in days, at least 1. */
  readonly days: number;
  /** End of the period, epoch ms: no event is later than this. */
  readonly endMs: number;
}

/** A risky scenario, named after the behavior it is meant to trigger. */
export type DemoScenario = BehaviorKey;

/** Every scenario, in behavior catalog order. */
export const DEMO_SCENARIOS: readonly DemoScenario[] = BEHAVIOR_KEYS;

/**
 * Fraction of users given each scenario (at least one user each). About a quarter of the users end up
 * risky, the rest only ever do benign things.
 */
export const SCENARIO_RATES: Readonly<Record<DemoScenario, number>> = {
  imp_travel: 0.03,
  high_dlp: 0.02,
  sentinel_one: 0.02,
  crowdstrike_low_zta: 0.02,
  crowdstrike_medium_zta: 0.03,
  malicious_file: 0.02,
  security_risk_domain: 0.04,
  high_risk_domain: 0.05,
  failed_logins: 0.04,
};

/** A generated user. */
export interface DemoUser {
  /** Position among the generated users, 0-based. */
  readonly index: number;
  /** Stable UUID derived from the seed and the index. */
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly homeCity: string;
  /** ISO 3166-1 alpha-2 of the home city. */
  readonly country: string;
  /** The user's one managed device (posture results). */
  readonly deviceId: string;
  /** Risky scenarios this user was given; empty for a benign-only user. */
  readonly scenarios: readonly DemoScenario[];
}

/** Who got what: for tests and for the CLI summary. */
export interface DemoManifest {
  readonly users: readonly DemoUser[];
  /** User ids per scenario (every scenario has at least one). */
  readonly scenarios: Readonly<Record<DemoScenario, readonly string[]>>;
  /** Start of the period (`endMs − days`), epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
}

/** The events of one simulated day (a 24-hour window ending at or before `endMs`). */
export interface DemoDay {
  /** 0-based day index. */
  readonly day: number;
  /** Mostly chronological; about 5 % moved a little out of order. */
  readonly events: readonly GenericEvent[];
}

/** A generated demo: the manifest, and the events (regenerated identically on every iteration). */
export interface Demo {
  readonly manifest: DemoManifest;
  /** The events day by day, oldest day first. */
  days(): Generator<DemoDay>;
  /** The same events as one stream. */
  events(): Generator<GenericEvent>;
}

/** When a risky scenario happens for a user. */
interface ScenarioPlan {
  readonly scenario: DemoScenario;
  readonly day: number;
  readonly atMs: number;
}

/** Everything fixed about a user for the whole period. */
interface UserPlan {
  readonly user: DemoUser;
  readonly home: DemoCity;
  readonly trip: { readonly fromDay: number; readonly toDay: number; readonly city: DemoCity } | undefined;
  /** Offsets (within 12 h) at which the device's two posture checks run. */
  readonly postureOffsetsMs: { readonly sentinelOne: number; readonly crowdStrike: number };
  /** Browsing intensity, 0.6–1.4. */
  readonly activity: number;
  readonly plans: readonly ScenarioPlan[];
}

/** Where a user was last seen signing in successfully (their real whereabouts, never an attacker's). */
interface UserState {
  city: DemoCity;
  lastSuccessMs: number | undefined;
}

/** Duration of a posture scenario's bad state: results within it report the condition. */
const POSTURE_EPISODE_MS: Readonly<Partial<Record<DemoScenario, number>>> = {
  sentinel_one: 8 * HOUR_MS,
  crowdstrike_low_zta: 12 * HOUR_MS,
  crowdstrike_medium_zta: 12 * HOUR_MS,
};

/** Ground speed assumed for a real trip, km/h, well below the 1,000 km/h impossible-travel default. */
const TRAVEL_SPEED_KMH = 600;

/** Shortest plausible time between sign-ins in two cities: flight time at 600 km/h plus an hour. */
function travelTimeMs(from: DemoCity, to: DemoCity): number {
  if (from === to) return 0;
  return (greatCircleDistanceKm(from, to) / TRAVEL_SPEED_KMH + 1) * HOUR_MS;
}

/** The instant in `[windowStartMs, windowStartMs + 1 day)` at which the city's local clock shows `hour`. */
function atLocalHour(windowStartMs: number, city: DemoCity, hour: number): number {
  const target = (hour - city.utcOffsetHours) * HOUR_MS;
  const offset = (((target - windowStartMs) % DAY_MS) + DAY_MS) % DAY_MS;
  return windowStartMs + Math.floor(offset);
}

function isLocalWeekend(windowStartMs: number, city: DemoCity): boolean {
  const weekday = new Date(windowStartMs + DAY_MS / 2 + city.utcOffsetHours * HOUR_MS).getUTCDay();
  return weekday === 0 || weekday === 6;
}

const cityIndex = (city: DemoCity): number => DEMO_CITIES.indexOf(city);

/** A documentation-range address (RFC 5737) standing for the user's connection in a city. */
function userIp(city: DemoCity, userIndex: number): string {
  return `203.0.113.${cityIndex(city) * 9 + (userIndex % 9)}`;
}

/** A documentation-range address standing for an attacker's connection in a city. */
function attackerIp(city: DemoCity, rng: Prng): string {
  return `198.51.100.${cityIndex(city) * 9 + rng.int(0, 8)}`;
}

function locationOf(city: DemoCity): NonNullable<GenericEvent['location']> {
  return { lat: city.lat, lon: city.lon, country: city.country, city: city.name };
}

function buildUsers(seed: number, count: number): { base: Omit<DemoUser, 'scenarios'>; home: DemoCity }[] {
  const emails = new Map<string, number>();
  const out: { base: Omit<DemoUser, 'scenarios'>; home: DemoCity }[] = [];
  for (let index = 0; index < count; index++) {
    const rng = createPrng(mixSeed(seed, 1, index));
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const local = `${first}.${last}`.toLowerCase();
    const seen = (emails.get(local) ?? 0) + 1;
    emails.set(local, seen);
    const home = rng.pick(DEMO_CITIES);
    out.push({
      home,
      base: {
        index,
        id: rng.uuid(),
        email: `${local}${seen > 1 ? seen : ''}@${EMAIL_DOMAIN}`,
        name: `${first} ${last}`,
        homeCity: home.name,
        country: home.country,
        deviceId: rng.uuid(),
      },
    });
  }
  return out;
}

/** Spreads each scenario over distinct users (a user gets several only when there are few users). */
function assignScenarios(seed: number, count: number): DemoScenario[][] {
  const assigned: DemoScenario[][] = Array.from({ length: count }, () => []);
  const order = createPrng(mixSeed(seed, 3)).shuffled(Array.from({ length: count }, (_, i) => i));
  let next = 0;
  for (const scenario of DEMO_SCENARIOS) {
    const users = Math.min(count, Math.max(1, Math.round(count * SCENARIO_RATES[scenario])));
    for (let k = 0; k < users; k++) {
      const index = order[next % count] ?? 0;
      next += 1;
      assigned[index]?.push(scenario);
    }
  }
  return assigned;
}

function planUsers(options: DemoOptions, startMs: number): UserPlan[] {
  const { seed, days } = options;
  const scenarios = assignScenarios(seed, options.users);
  return buildUsers(seed, options.users).map(({ base, home }, index) => {
    const rng = createPrng(mixSeed(seed, 4, index));
    const own = scenarios[index] ?? [];
    const plans = own.map((scenario) => {
      const at = createPrng(mixSeed(seed, 5, index, DEMO_SCENARIOS.indexOf(scenario)));
      const day = at.int(0, days - 1);
      const windowStart = startMs + day * DAY_MS;
      // Working hours at home, but always at least two hours before the window ends (and so `endMs`).
      const atMs = Math.min(
        atLocalHour(windowStart, home, at.float(9, 17)),
        windowStart + DAY_MS - 2 * HOUR_MS,
      );
      return { scenario, day, atMs };
    });
    let trip: UserPlan['trip'];
    if (rng.chance(Math.min(0.5, 0.015 * days))) {
      const fromDay = rng.int(0, days - 1);
      const city = rng.pick(DEMO_CITIES.filter((c) => c !== home));
      trip = { fromDay, toDay: fromDay + rng.int(1, 4), city };
    }
    return {
      user: { ...base, scenarios: own },
      home,
      trip,
      postureOffsetsMs: { sentinelOne: rng.int(0, 11 * HOUR_MS), crowdStrike: rng.int(0, 11 * HOUR_MS) },
      activity: rng.float(0.6, 1.4),
      plans,
    };
  });
}

/** Where an event comes from: the client address and its location. */
type Place = { ip: string; location: NonNullable<GenericEvent['location']> };
/** What every event carries: id, time and user. */
type Base = { id: string; timestamp: string; user: { id: string; email: string; name: string } };

/** An event with its time in ms, for sorting. */
interface Timed {
  readonly timeMs: number;
  readonly event: GenericEvent;
}

/** Builds one user's events of one day. */
function userDay(
  seed: number,
  plan: UserPlan,
  state: UserState,
  day: number,
  windowStartMs: number,
  out: Timed[],
): void {
  const { user } = plan;
  const rng = createPrng(mixSeed(seed, 2, user.index, day));
  let seq = 0;
  const idPrefix = `demo-${seed}-u${user.index}-d${day}`;
  const who = { id: user.id, email: user.email, name: user.name };
  const push = (timeMs: number, event: GenericEvent): void => {
    out.push({ timeMs, event });
  };
  const common = (timeMs: number) => ({
    id: `${idPrefix}-${seq++}`,
    timestamp: formatTimestamp(timeMs),
    user: who,
  });
  const at = (city: DemoCity) => ({ ip: userIp(city, user.index), location: locationOf(city) });

  const planned = plan.trip && day >= plan.trip.fromDay && day < plan.trip.toDay ? plan.trip.city : plan.home;
  const active = !isLocalWeekend(windowStartMs, planned) || rng.chance(0.3);
  const today = plan.plans.filter((p) => p.day === day);

  // Sign-ins, in time order through the travel rule: a sign-in from a new city comes only after a
  // plausible flight since the last successful one (the traveller is in the air before that).
  const signIns: { timeMs: number; scenario?: ScenarioPlan }[] = [];
  if (active) {
    const count = isLocalWeekend(windowStartMs, planned) ? 1 : rng.int(1, 3);
    signIns.push({ timeMs: atLocalHour(windowStartMs, planned, rng.float(7.5, 9.5)) });
    for (let i = 1; i < count; i++)
      signIns.push({ timeMs: atLocalHour(windowStartMs, planned, rng.float(10, 18)) });
  }
  for (const p of today) if (p.scenario === 'imp_travel') signIns.push({ timeMs: p.atMs, scenario: p });
  signIns.sort((a, b) => a.timeMs - b.timeMs);
  for (const s of signIns) {
    // The victim's own sign-in of an impossible-travel scenario is from where they really are.
    const city = s.scenario ? state.city : planned;
    const plausible =
      state.lastSuccessMs === undefined || s.timeMs - state.lastSuccessMs >= travelTimeMs(state.city, city);
    if (!plausible) continue;
    if (!s.scenario && rng.chance(0.04)) {
      const failedAt = s.timeMs - rng.int(30_000, 3 * MINUTE_MS);
      push(failedAt, {
        ...common(failedAt),
        ...at(city),
        type: 'sign_in',
        outcome: 'failure',
        app: rng.pick(APPS),
        method: 'okta',
      });
    }
    push(s.timeMs, {
      ...common(s.timeMs),
      ...at(city),
      type: 'sign_in',
      outcome: 'success',
      app: rng.pick(APPS),
      method: 'okta',
    });
    state.city = city;
    state.lastSuccessMs = s.timeMs;
    if (s.scenario) {
      // Someone else signs in with the same account from thousands of km away, minutes later.
      const far = DEMO_CITIES.filter((c) => greatCircleDistanceKm(c, city) > 3000);
      const attacker = rng.pick(far);
      const t = s.timeMs + rng.int(15, 50) * MINUTE_MS;
      push(t, {
        ...common(t),
        ip: attackerIp(attacker, rng),
        location: locationOf(attacker),
        type: 'sign_in',
        outcome: 'success',
        app: rng.pick(APPS),
        method: 'okta',
      });
    }
  }

  // Posture: each check runs twice a day on the user's device, whatever the user does.
  for (const check of ['sentinelOne', 'crowdStrike'] as const) {
    for (let k = 0; k < 2; k++) {
      const t = windowStartMs + plan.postureOffsetsMs[check] + k * 12 * HOUR_MS + rng.int(0, 10 * MINUTE_MS);
      push(t, postureResult(plan, check, t, rng, common(t)));
    }
  }
  for (const p of today) {
    if (p.scenario === 'sentinel_one')
      push(p.atMs, postureResult(plan, 'sentinelOne', p.atMs, rng, common(p.atMs)));
    if (p.scenario === 'crowdstrike_low_zta' || p.scenario === 'crowdstrike_medium_zta')
      push(p.atMs, postureResult(plan, 'crowdStrike', p.atMs, rng, common(p.atMs), p.scenario));
  }

  if (active) {
    const scale = plan.activity * (isLocalWeekend(windowStartMs, planned) ? 0.4 : 1);
    const workTime = () => atLocalHour(windowStartMs, planned, rng.float(8, 18.5));
    const visits = Math.round(rng.int(8, 18) * scale);
    for (let i = 0; i < visits; i++) {
      const t = workTime();
      const site = rng.pick(BENIGN_SITES);
      push(t, dnsRequest(common(t), at(state.city), site, false));
    }
    const requests = Math.round(rng.int(2, 8) * scale);
    for (let i = 0; i < requests; i++) {
      const t = workTime();
      const site = rng.pick(BENIGN_SITES);
      push(t, httpRequest(common(t), at(state.city), site, `/${rng.hex(8)}`, false));
    }
    const files = rng.int(0, 2);
    for (let i = 0; i < files; i++) {
      const t = workTime();
      const site = rng.pick(BENIGN_SITES);
      push(t, {
        ...common(t),
        ...at(state.city),
        type: 'file_verdict',
        verdict: rng.chance(0.1) ? 'unknown' : 'clean',
        direction: rng.chance(0.7) ? 'download' : 'upload',
        blocked: false,
        file_name: rng.pick(BENIGN_FILE_NAMES),
        sha256: rng.hex(64),
        host: site.host,
        url: `https://${site.host}/files/${rng.hex(12)}`,
      });
    }
    if (rng.chance(0.12)) {
      const t = workTime();
      const host = rng.pick(DLP_HOSTS);
      const profile = rng.pick(DLP_PROFILES);
      push(t, {
        ...common(t),
        ...at(state.city),
        type: 'dlp_match',
        profiles: [{ id: profile.id, name: profile.name }],
        direction: 'upload',
        host,
        url: `https://${host}/upload/${rng.hex(10)}`,
      });
    }
  }

  for (const p of today) scenarioEvents(p, plan, state, rng, common, push);
}

/**
 * A posture result of one check, reporting whatever condition a scenario puts the device in at `timeMs`;
 * `starting` is the scenario whose first result this is (its band wins over an overlapping one).
 */
function postureResult(
  plan: UserPlan,
  check: 'sentinelOne' | 'crowdStrike',
  timeMs: number,
  rng: Prng,
  base: Base,
  starting?: DemoScenario,
): GenericEvent {
  const within = (scenario: DemoScenario): boolean =>
    plan.plans.some(
      (p) =>
        p.scenario === scenario && timeMs >= p.atMs && timeMs <= p.atMs + (POSTURE_EPISODE_MS[scenario] ?? 0),
    );
  const device = { device_id: plan.user.deviceId };
  if (check === 'sentinelOne') {
    const infected = within('sentinel_one');
    return {
      ...base,
      ...device,
      type: 'posture_result',
      check_type: 'sentinelone_s2s',
      check_id: POSTURE_RULES.sentinelOne.id,
      check_name: POSTURE_RULES.sentinelOne.name,
      passed: !infected,
      sentinelone: {
        infected,
        active_threats: infected ? rng.int(1, 3) : 0,
        is_active: true,
        network_status: 'connected',
        operational_state: 'na',
      },
    };
  }
  // Low wins over medium when a device is in both (one band per result, like the detectors).
  const band =
    starting === 'crowdstrike_medium_zta'
      ? 'medium'
      : within('crowdstrike_low_zta')
        ? 'low'
        : within('crowdstrike_medium_zta')
          ? 'medium'
          : 'good';
  const scores =
    band === 'low'
      ? { overall: rng.int(5, 50), os: rng.int(20, 90), sensor_config: rng.int(30, 95) }
      : band === 'medium'
        ? { overall: rng.int(51, 79), os: rng.int(60, 95), sensor_config: rng.int(60, 95) }
        : { overall: rng.int(85, 99), os: rng.int(85, 99), sensor_config: rng.int(85, 99) };
  return {
    ...base,
    ...device,
    type: 'posture_result',
    check_type: 'crowdstrike_s2s',
    check_id: POSTURE_RULES.crowdStrike.id,
    check_name: POSTURE_RULES.crowdStrike.name,
    passed: band === 'good',
    crowdstrike: scores,
  };
}

function dnsRequest(base: Base, place: Place, site: DemoSite, blocked: boolean): GenericEvent {
  return {
    ...base,
    ...place,
    type: 'dns_request',
    domain: site.host,
    category_ids: [...site.categoryIds],
    blocked,
    resolver_decision: blocked ? 'blockedByCategory' : 'allowedOnNoPolicyMatch',
  };
}

function httpRequest(base: Base, place: Place, site: DemoSite, path: string, blocked: boolean): GenericEvent {
  return {
    ...base,
    ...place,
    type: 'http_request',
    host: site.host,
    url: `https://${site.host}${path}`,
    category_ids: [...site.categoryIds],
    blocked,
    action: blocked ? 'block' : 'allow',
  };
}

/** The events of one scenario other than sign-ins and posture (emitted with the day's sign-ins and checks). */
function scenarioEvents(
  p: ScenarioPlan,
  plan: UserPlan,
  state: UserState,
  rng: Prng,
  common: (timeMs: number) => Base,
  push: (timeMs: number, event: GenericEvent) => void,
): void {
  const place: Place = { ip: userIp(state.city, plan.user.index), location: locationOf(state.city) };
  switch (p.scenario) {
    case 'high_dlp': {
      // 16–24 matching uploads within 20–55 s: at least 16 in 60 s.
      const count = rng.int(16, 24);
      const spanMs = rng.int(20, 55) * 1000;
      for (let i = 0; i < count; i++) {
        const t = p.atMs + Math.floor((i * spanMs) / (count - 1));
        const profiles = rng.shuffled(DLP_PROFILES).slice(0, rng.int(1, 2));
        push(t, {
          ...common(t),
          ...place,
          type: 'dlp_match',
          profiles: profiles.map((x) => ({ id: x.id, name: x.name })),
          direction: 'upload',
          host: EXFILTRATION_HOST,
          url: `https://${EXFILTRATION_HOST}/upload/${rng.hex(10)}`,
        });
      }
      return;
    }
    case 'failed_logins': {
      // 6–10 failures within 2–8 minutes, usually a password-spraying attacker abroad.
      const attacker = rng.chance(0.7) ? rng.pick(DEMO_CITIES) : undefined;
      const count = rng.int(6, 10);
      const spanMs = rng.int(2, 8) * MINUTE_MS;
      const app = rng.pick(APPS);
      for (let i = 0; i < count; i++) {
        const t = p.atMs + Math.floor((i * spanMs) / (count - 1));
        push(t, {
          ...common(t),
          ...(attacker ? { ip: attackerIp(attacker, rng), location: locationOf(attacker) } : place),
          type: 'sign_in',
          outcome: 'failure',
          app,
          method: 'okta',
        });
      }
      return;
    }
    case 'malicious_file': {
      const site = rng.pick(MALICIOUS_FILE_SITES);
      const path = `/d/${rng.hex(12)}`;
      const blocked = rng.chance(0.5);
      push(p.atMs, httpRequest(common(p.atMs), place, site, path, false));
      const t = p.atMs + rng.int(1, 5) * 1000;
      push(t, {
        ...common(t),
        ...place,
        type: 'file_verdict',
        verdict: 'malicious',
        direction: 'download',
        blocked,
        file_name: rng.pick(MALICIOUS_FILE_NAMES),
        sha256: rng.hex(64),
        reason: 'malware',
        host: site.host,
        url: `https://${site.host}${path}`,
      });
      return;
    }
    case 'security_risk_domain':
    case 'high_risk_domain': {
      const sites = p.scenario === 'security_risk_domain' ? SECURITY_RISK_SITES : HIGH_RISK_SITES;
      const visits = rng.int(1, 3);
      let t = p.atMs;
      for (let i = 0; i < visits; i++) {
        const site = rng.pick(sites);
        const blocked = rng.chance(p.scenario === 'security_risk_domain' ? 0.7 : 0.4);
        push(t, dnsRequest(common(t), place, site, blocked));
        if (!blocked) {
          const h = t + rng.int(100, 900);
          push(h, httpRequest(common(h), place, site, `/${rng.hex(6)}`, false));
        }
        t += rng.int(1, 20) * MINUTE_MS;
      }
      return;
    }
    default:
      // Sign-in and posture scenarios are generated with the day's sign-ins and checks.
      return;
  }
}

/**
 * Generates a deterministic demo: `users` users over `days` days ending at `endMs`, in the generic event
 * wire shape (docs/events.md). Mostly benign (daily sign-ins from home, occasional trips at plausible
 * speed, browsing in harmless categories, single DLP matches, passing posture checks); a few users per
 * scenario (SCENARIO_RATES, at least one each) do something every behavior detects. Event ids derive
 * from the seed, user, day and position, so ingesting the same demo twice only yields duplicates. Each
 * day is sorted by event time, then about 5 % of its events are moved up to 30 places (late arrivals).
 */
export function generateDemo(options: DemoOptions): Demo {
  if (!Number.isInteger(options.users) || options.users < 1) throw new RangeError('users must be ≥ 1');
  if (!Number.isInteger(options.days) || options.days < 1) throw new RangeError('days must be ≥ 1');
  const seed = options.seed >>> 0;
  const startMs = options.endMs - options.days * DAY_MS;
  const plans = planUsers({ ...options, seed }, startMs);
  const scenarios = Object.fromEntries(
    DEMO_SCENARIOS.map((s) => [s, plans.filter((p) => p.user.scenarios.includes(s)).map((p) => p.user.id)]),
  ) as Record<DemoScenario, string[]>;
  const manifest: DemoManifest = {
    users: plans.map((p) => p.user),
    scenarios,
    startMs,
    endMs: options.endMs,
  };

  function* days(): Generator<DemoDay> {
    const states: UserState[] = plans.map((p) => ({ city: p.home, lastSuccessMs: undefined }));
    for (let day = 0; day < options.days; day++) {
      const windowStartMs = startMs + day * DAY_MS;
      const timed: Timed[] = [];
      plans.forEach((plan, i) => {
        userDay(seed, plan, states[i] as UserState, day, windowStartMs, timed);
      });
      timed.sort((a, b) => a.timeMs - b.timeMs);
      const rng = createPrng(mixSeed(seed, 6, day));
      for (let j = 0; j < timed.length - 1; j++) {
        if (!rng.chance(0.025)) continue;
        const k = Math.min(timed.length - 1, j + rng.int(1, 30));
        const a = timed[j] as Timed;
        timed[j] = timed[k] as Timed;
        timed[k] = a;
      }
      yield { day, events: timed.map((t) => t.event) };
    }
  }

  return {
    manifest,
    days,
    *events() {
      for (const d of days()) yield* d.events;
    },
  };
}
