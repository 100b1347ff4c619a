import { type Static, Type } from '@sinclair/typebox';
import type { Problem } from '../../domain/errors.js';
import type {
  CrowdStrikeReport,
  DlpMatchEvent,
  DlpProfileRef,
  DnsRequestEvent,
  EventSource,
  FileVerdictEvent,
  GeoLocation,
  HttpRequestEvent,
  PostureResultEvent,
  SecurityEvent,
  SentinelOneReport,
  SignInEvent,
} from '../../domain/security-event.js';
import { canonicalTimestamp, parseRfc3339 } from '../../domain/time.js';
import { compileBodyCheck } from '../../validation/validation.js';
import { isNonIdentityEmail, type MapResult } from '../map-result.js';

const Str = (max: number) => Type.String({ minLength: 1, maxLength: max });
const CategoryIds = Type.Array(Type.Integer({ minimum: 0, maximum: 1_000_000 }), { maxItems: 256 });
const Direction = Type.Unsafe<'upload' | 'download'>({ type: 'string', enum: ['upload', 'download'] });

const Common = {
  id: Type.String({ minLength: 1, maxLength: 256, description: 'Idempotency key, unique per account' }),
  timestamp: Type.String({ maxLength: 64, description: 'Event time, RFC 3339 (checked by parseRfc3339)' }),
  user: Type.Object({
    id: Type.String({ format: 'uuid', description: 'Zero Trust user UUID' }),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    name: Type.Optional(Type.String({ maxLength: 256 })),
  }),
  ip: Type.Optional(Type.String({ format: 'ip-address', description: 'Client IPv4 or IPv6 address' })),
  location: Type.Optional(
    Type.Object({
      lat: Type.Number({ minimum: -90, maximum: 90 }),
      lon: Type.Number({ minimum: -180, maximum: 180 }),
      country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
      city: Type.Optional(Type.String({ maxLength: 256 })),
      accuracy_km: Type.Optional(Type.Number({ minimum: 0, maximum: 20_000 })),
    }),
  ),
  device_id: Type.Optional(Str(256)),
};

/** The generic event schemas, one per `type` (docs/events.md). */
export const GENERIC_EVENT_SCHEMAS = {
  sign_in: Type.Object({
    ...Common,
    type: Type.Literal('sign_in'),
    outcome: Type.Unsafe<'success' | 'failure'>({ type: 'string', enum: ['success', 'failure'] }),
    app: Type.Optional(Str(2048)),
    method: Type.Optional(Str(256)),
  }),
  dlp_match: Type.Object({
    ...Common,
    type: Type.Literal('dlp_match'),
    profiles: Type.Array(Type.Object({ id: Str(256), name: Type.Optional(Str(256)) }), {
      minItems: 1,
      maxItems: 100,
    }),
    direction: Type.Optional(
      Type.Unsafe<'upload' | 'download' | 'both'>({ type: 'string', enum: ['upload', 'download', 'both'] }),
    ),
    host: Type.Optional(Str(1024)),
    url: Type.Optional(Str(8192)),
  }),
  file_verdict: Type.Object({
    ...Common,
    type: Type.Literal('file_verdict'),
    verdict: Type.Unsafe<'malicious' | 'clean' | 'unknown'>({
      type: 'string',
      enum: ['malicious', 'clean', 'unknown'],
    }),
    direction: Direction,
    blocked: Type.Optional(Type.Boolean()),
    file_name: Type.Optional(Str(1024)),
    sha256: Type.Optional(Type.String({ pattern: '^[A-Fa-f0-9]{64}$' })),
    reason: Type.Optional(Str(256)),
    host: Type.Optional(Str(1024)),
    url: Type.Optional(Str(8192)),
  }),
  dns_request: Type.Object({
    ...Common,
    type: Type.Literal('dns_request'),
    domain: Str(1024),
    category_ids: Type.Optional(CategoryIds),
    blocked: Type.Optional(Type.Boolean()),
    resolver_decision: Type.Optional(Str(128)),
  }),
  http_request: Type.Object({
    ...Common,
    type: Type.Literal('http_request'),
    host: Str(1024),
    url: Type.Optional(Str(8192)),
    category_ids: Type.Optional(CategoryIds),
    blocked: Type.Optional(Type.Boolean()),
    action: Type.Optional(Str(128)),
  }),
  posture_result: Type.Object({
    ...Common,
    type: Type.Literal('posture_result'),
    device_id: Str(256),
    check_type: Str(128),
    check_id: Type.Optional(Str(256)),
    check_name: Type.Optional(Str(256)),
    passed: Type.Optional(Type.Boolean()),
    sentinelone: Type.Optional(
      Type.Object({
        infected: Type.Optional(Type.Boolean()),
        active_threats: Type.Optional(Type.Integer({ minimum: 0 })),
        is_active: Type.Optional(Type.Boolean()),
        network_status: Type.Optional(Str(64)),
        operational_state: Type.Optional(Str(64)),
      }),
    ),
    crowdstrike: Type.Optional(
      Type.Object({
        overall: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
        os: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
        sensor_config: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
      }),
    ),
  }),
} as const;

/** Every generic event type. */
export type GenericEventType = keyof typeof GENERIC_EVENT_SCHEMAS;
const TYPES = Object.keys(GENERIC_EVENT_SCHEMAS) as GenericEventType[];

/** A generic event on the wire (snake_case), any type. */
export type GenericEvent = {
  [K in GenericEventType]: Static<(typeof GENERIC_EVENT_SCHEMAS)[K]>;
}[GenericEventType];

/** The generic event schema as one `oneOf`, for the OpenAPI document. */
export const GenericEventSchema = Type.Union(TYPES.map((t) => GENERIC_EVENT_SCHEMAS[t]));

/** The compiled schema check of each type, by type name. */
const checks: ReadonlyMap<string, (value: unknown) => Problem[]> = new Map(
  TYPES.map((t) => [t, compileBodyCheck(GENERIC_EVENT_SCHEMAS[t])]),
);

/**
 * An event under construction: mapping assigns keys one by one, in a fixed order, so that events of one
 * shape share a hidden class, absent optional members stay absent (never `undefined`), and the key order
 * (hence the stored JSON payload) is stable.
 */
type Draft<T> = { -readonly [K in keyof T]?: T[K] };

/** Members every event type has, in the order they are assigned. */
type BaseMembers = Pick<
  SecurityEvent,
  'id' | 'accountId' | 'timestamp' | 'timeMs' | 'user' | 'ip' | 'location' | 'deviceId' | 'source'
>;

const TYPE_PROBLEM = `must be one of: ${TYPES.join(', ')}`;

function location(wire: NonNullable<GenericEvent['location']>): GeoLocation {
  const out: Draft<GeoLocation> = { lat: wire.lat, lon: wire.lon };
  if (wire.country !== undefined) out.country = wire.country.toUpperCase();
  if (wire.city !== undefined) out.city = wire.city;
  if (wire.accuracy_km !== undefined) out.accuracyKm = wire.accuracy_km;
  out.source = 'event';
  return out as GeoLocation;
}

function profilesOf(wire: Extract<GenericEvent, { type: 'dlp_match' }>['profiles']): DlpProfileRef[] {
  const seen = new Set<string>();
  const out: DlpProfileRef[] = [];
  for (const p of wire) {
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    out.push(p.name === undefined ? { id: p.id } : { id: p.id, name: p.name });
  }
  return out;
}

/** Lower-case, without the trailing dot of a fully qualified name. */
function normalizeDomain(domain: string): string {
  const lower = domain.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Validates and maps one generic event (docs/events.md) to a {@link SecurityEvent}. Problems carry
 * pointers into the event (`/user/id`). Events of Cloudflare's `non_identity@…` placeholder are skipped.
 */
export function mapGenericEvent(
  raw: unknown,
  ctx: { readonly accountId: string; readonly source?: EventSource },
): MapResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'invalid', problems: [{ message: 'must be a JSON object', pointer: '' }] };
  }
  const type = (raw as { type?: unknown }).type;
  const check = typeof type === 'string' ? checks.get(type) : undefined;
  if (check === undefined) {
    return { kind: 'invalid', problems: [{ message: TYPE_PROBLEM, pointer: '/type' }] };
  }
  const problems = check(raw);
  const wire = raw as GenericEvent;
  const timeMs = typeof wire.timestamp === 'string' ? parseRfc3339(wire.timestamp) : undefined;
  if (timeMs === undefined && !problems.some((p) => p.pointer === '/timestamp')) {
    problems.push({ message: 'must be an RFC 3339 date-time', pointer: '/timestamp' });
  }
  if (problems.length > 0 || timeMs === undefined) return { kind: 'invalid', problems };
  const email = wire.user.email ?? '';
  if (isNonIdentityEmail(email))
    return { kind: 'skipped', reason: 'no real identity (non_identity@ placeholder)' };

  const base: Draft<BaseMembers> = {
    id: wire.id,
    accountId: ctx.accountId,
    timestamp: canonicalTimestamp(wire.timestamp, timeMs),
    timeMs,
    user: { id: wire.user.id.toLowerCase(), email, name: wire.user.name ?? email },
  };
  if (wire.ip !== undefined) base.ip = wire.ip;
  if (wire.location !== undefined) base.location = location(wire.location);
  if (wire.device_id !== undefined) base.deviceId = wire.device_id;
  base.source = ctx.source ?? { kind: 'events' };

  let event: SecurityEvent;
  switch (wire.type) {
    case 'sign_in': {
      const e = base as Draft<SignInEvent>;
      e.type = 'sign_in';
      e.outcome = wire.outcome;
      if (wire.app !== undefined) e.app = wire.app;
      if (wire.method !== undefined) e.method = wire.method;
      event = e as SignInEvent;
      break;
    }
    case 'dlp_match': {
      const e = base as Draft<DlpMatchEvent>;
      e.type = 'dlp_match';
      e.profiles = profilesOf(wire.profiles);
      e.direction = wire.direction ?? 'upload';
      if (wire.host !== undefined) e.host = wire.host;
      if (wire.url !== undefined) e.url = wire.url;
      event = e as DlpMatchEvent;
      break;
    }
    case 'file_verdict': {
      const e = base as Draft<FileVerdictEvent>;
      e.type = 'file_verdict';
      e.verdict = wire.verdict;
      e.direction = wire.direction;
      e.blocked = wire.blocked ?? false;
      if (wire.file_name !== undefined) e.fileName = wire.file_name;
      if (wire.sha256 !== undefined) e.sha256 = wire.sha256.toLowerCase();
      if (wire.reason !== undefined) e.reason = wire.reason;
      if (wire.host !== undefined) e.host = wire.host;
      if (wire.url !== undefined) e.url = wire.url;
      event = e as FileVerdictEvent;
      break;
    }
    case 'dns_request': {
      const e = base as Draft<DnsRequestEvent>;
      e.type = 'dns_request';
      e.domain = normalizeDomain(wire.domain);
      e.categoryIds = wire.category_ids ?? [];
      e.blocked = wire.blocked ?? false;
      if (wire.resolver_decision !== undefined) e.resolverDecision = wire.resolver_decision;
      event = e as DnsRequestEvent;
      break;
    }
    case 'http_request': {
      const e = base as Draft<HttpRequestEvent>;
      e.type = 'http_request';
      e.host = wire.host.toLowerCase();
      e.categoryIds = wire.category_ids ?? [];
      e.blocked = wire.blocked ?? false;
      if (wire.url !== undefined) e.url = wire.url;
      if (wire.action !== undefined) e.action = wire.action;
      event = e as HttpRequestEvent;
      break;
    }
    case 'posture_result': {
      const e = base as Draft<PostureResultEvent>;
      e.type = 'posture_result';
      e.deviceId = wire.device_id;
      e.checkType = wire.check_type;
      if (wire.check_id !== undefined) e.checkId = wire.check_id;
      if (wire.check_name !== undefined) e.checkName = wire.check_name;
      if (wire.passed !== undefined) e.passed = wire.passed;
      const s1 = wire.sentinelone;
      if (s1) {
        const report: Draft<SentinelOneReport> = {};
        if (s1.infected !== undefined) report.infected = s1.infected;
        if (s1.active_threats !== undefined) report.activeThreats = s1.active_threats;
        if (s1.is_active !== undefined) report.isActive = s1.is_active;
        if (s1.network_status !== undefined) report.networkStatus = s1.network_status;
        if (s1.operational_state !== undefined) report.operationalState = s1.operational_state;
        e.sentinelOne = report;
      }
      const cs = wire.crowdstrike;
      if (cs) {
        const report: Draft<CrowdStrikeReport> = {};
        if (cs.overall !== undefined) report.overall = cs.overall;
        if (cs.os !== undefined) report.os = cs.os;
        if (cs.sensor_config !== undefined) report.sensorConfig = cs.sensor_config;
        e.crowdStrike = report;
      }
      event = e as PostureResultEvent;
      break;
    }
  }
  return { kind: 'events', events: [event] };
}
