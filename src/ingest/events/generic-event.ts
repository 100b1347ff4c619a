import { type Static, Type } from '@sinclair/typebox';
import type { Problem } from '../../domain/errors.js';
import type { EventSource, GeoLocation, SecurityEvent } from '../../domain/security-event.js';
import { formatTimestamp, parseRfc3339 } from '../../domain/time.js';
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

const checks = Object.fromEntries(
  TYPES.map((t) => [t, compileBodyCheck(GENERIC_EVENT_SCHEMAS[t])]),
) as Record<GenericEventType, (value: unknown) => Problem[]>;

function location(wire: NonNullable<GenericEvent['location']>): GeoLocation {
  return {
    lat: wire.lat,
    lon: wire.lon,
    ...(wire.country !== undefined ? { country: wire.country.toUpperCase() } : {}),
    ...(wire.city !== undefined ? { city: wire.city } : {}),
    ...(wire.accuracy_km !== undefined ? { accuracyKm: wire.accuracy_km } : {}),
    source: 'event',
  };
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
  if (typeof type !== 'string' || !(TYPES as string[]).includes(type)) {
    return {
      kind: 'invalid',
      problems: [{ message: `must be one of: ${TYPES.join(', ')}`, pointer: '/type' }],
    };
  }
  const problems = checks[type as GenericEventType](raw);
  const wire = raw as GenericEvent;
  const timeMs = typeof wire.timestamp === 'string' ? parseRfc3339(wire.timestamp) : undefined;
  if (timeMs === undefined && !problems.some((p) => p.pointer === '/timestamp')) {
    problems.push({ message: 'must be an RFC 3339 date-time', pointer: '/timestamp' });
  }
  if (problems.length > 0 || timeMs === undefined) return { kind: 'invalid', problems };
  const email = wire.user.email ?? '';
  if (isNonIdentityEmail(email))
    return { kind: 'skipped', reason: 'no real identity (non_identity@ placeholder)' };

  const base = {
    id: wire.id,
    accountId: ctx.accountId,
    timestamp: formatTimestamp(timeMs),
    timeMs,
    user: { id: wire.user.id.toLowerCase(), email, name: wire.user.name ?? email },
    ...(wire.ip !== undefined ? { ip: wire.ip } : {}),
    ...(wire.location !== undefined ? { location: location(wire.location) } : {}),
    ...(wire.device_id !== undefined ? { deviceId: wire.device_id } : {}),
    source: ctx.source ?? { kind: 'events' },
  } as const;
  const opt = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

  let event: SecurityEvent;
  switch (wire.type) {
    case 'sign_in':
      event = {
        ...base,
        type: 'sign_in',
        outcome: wire.outcome,
        ...opt('app', wire.app),
        ...opt('method', wire.method),
      };
      break;
    case 'dlp_match': {
      const seen = new Set<string>();
      const profiles = wire.profiles.filter((p) => !seen.has(p.id) && seen.add(p.id));
      event = {
        ...base,
        type: 'dlp_match',
        profiles: profiles.map((p) => ({ id: p.id, ...opt('name', p.name) })),
        direction: wire.direction ?? 'upload',
        ...opt('host', wire.host),
        ...opt('url', wire.url),
      };
      break;
    }
    case 'file_verdict':
      event = {
        ...base,
        type: 'file_verdict',
        verdict: wire.verdict,
        direction: wire.direction,
        blocked: wire.blocked ?? false,
        ...opt('fileName', wire.file_name),
        ...opt('sha256', wire.sha256?.toLowerCase()),
        ...opt('reason', wire.reason),
        ...opt('host', wire.host),
        ...opt('url', wire.url),
      };
      break;
    case 'dns_request':
      event = {
        ...base,
        type: 'dns_request',
        domain: wire.domain.toLowerCase().replace(/\.$/, ''),
        categoryIds: wire.category_ids ?? [],
        blocked: wire.blocked ?? false,
        ...opt('resolverDecision', wire.resolver_decision),
      };
      break;
    case 'http_request':
      event = {
        ...base,
        type: 'http_request',
        host: wire.host.toLowerCase(),
        categoryIds: wire.category_ids ?? [],
        blocked: wire.blocked ?? false,
        ...opt('url', wire.url),
        ...opt('action', wire.action),
      };
      break;
    case 'posture_result': {
      const s1 = wire.sentinelone;
      const cs = wire.crowdstrike;
      event = {
        ...base,
        type: 'posture_result',
        deviceId: wire.device_id,
        checkType: wire.check_type,
        ...opt('checkId', wire.check_id),
        ...opt('checkName', wire.check_name),
        ...opt('passed', wire.passed),
        ...(s1
          ? {
              sentinelOne: {
                ...opt('infected', s1.infected),
                ...opt('activeThreats', s1.active_threats),
                ...opt('isActive', s1.is_active),
                ...opt('networkStatus', s1.network_status),
                ...opt('operationalState', s1.operational_state),
              },
            }
          : {}),
        ...(cs
          ? {
              crowdStrike: {
                ...opt('overall', cs.overall),
                ...opt('os', cs.os),
                ...opt('sensorConfig', cs.sensor_config),
              },
            }
          : {}),
      };
      break;
    }
  }
  return { kind: 'events', events: [event] };
}
