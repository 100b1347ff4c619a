import { Type } from '@sinclair/typebox';
import { BEHAVIOR_KEYS } from '../domain/behaviors.js';
import { RISK_LEVELS, type RiskLevel } from '../domain/risk-level.js';

/**
 * Wire schemas (TypeBox, v4 snake_case spelling). Each is defined once: it validates requests, types the
 * handlers and feeds the OpenAPI document. Nullable strings use OpenAPI 3.0's `nullable`.
 */

/** A string enum in OpenAPI form (`type: string, enum: [...]`). */
export function StringEnum<T extends string>(values: readonly T[], options: Record<string, unknown> = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** A nullable string in OpenAPI 3.0 form. */
export function NullableString(options: Record<string, unknown> = {}) {
  return Type.Unsafe<string | null>({ type: 'string', nullable: true, ...options });
}

export const RiskLevelSchema = StringEnum<RiskLevel>(RISK_LEVELS, { description: 'low < medium < high' });
export const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });

const AccountId = Type.String({ minLength: 1, maxLength: 256, description: 'Account identifier (opaque)' });
const PageParam = Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: '1-based page number' });
const PerPageParam = Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size' });

export const AccountParams = Type.Object({ account_id: AccountId });
export const UserParams = Type.Object({ account_id: AccountId, user_id: Uuid });
export const IntegrationParams = Type.Object({ account_id: AccountId, integration_id: Uuid });
export const ReferenceParams = Type.Object({
  account_id: AccountId,
  reference_id: Type.String({ minLength: 1, maxLength: 1024 }),
});

export const UserQuery = Type.Object({
  page: Type.Optional(PageParam),
  per_page: Type.Optional(PerPageParam),
});

export const SummaryQuery = Type.Object({
  page: Type.Optional(PageParam),
  per_page: Type.Optional(PerPageParam),
  risk_level: Type.Optional(
    Type.String({
      pattern: '^(low|medium|high)(,(low|medium|high))*$',
      description: 'A level or a comma-separated list of levels (filters max_risk_level)',
    }),
  ),
  order_by: Type.Optional(StringEnum(['timestamp', 'last_event', 'event_count', 'max_risk_level'] as const)),
  direction: Type.Optional(StringEnum(['asc', 'desc'] as const)),
});

export const AuditQuery = Type.Object({
  page: Type.Optional(PageParam),
  per_page: Type.Optional(PerPageParam),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

// Bodies

const UpdateBehavior = Type.Object({ enabled: Type.Boolean(), risk_level: RiskLevelSchema });

export const UpdateBehaviorsBody = Type.Object({
  behaviors: Type.Object(Object.fromEntries(BEHAVIOR_KEYS.map((k) => [k, Type.Optional(UpdateBehavior)])), {
    additionalProperties: false,
    'x-unknown-message': 'unknown behavior',
  }),
});

export const CreateIntegrationBody = Type.Object({
  integration_type: StringEnum(['Okta'] as const),
  tenant_url: Type.String({
    format: 'http-url',
    description: 'Absolute http(s) URL, at most 2048 characters',
  }),
  reference_id: Type.Optional(NullableString({ minLength: 1, maxLength: 255 })),
});

export const UpdateIntegrationBody = Type.Object({
  tenant_url: Type.String({
    format: 'http-url',
    description: 'Absolute http(s) URL, at most 2048 characters',
  }),
  active: Type.Optional(Type.Boolean()),
  reference_id: Type.Optional(NullableString({ minLength: 1, maxLength: 255 })),
  integration_type: Type.Optional(
    Type.Unknown({ description: 'Accepted and ignored (older clients send it)' }),
  ),
});

export const ResetBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1024, description: 'Recorded in the audit trail' })) },
  { 'x-ztrisk': true },
);

// Results

export const RiskEventSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  risk_level: RiskLevelSchema,
  timestamp: DateTime,
  event_details: Type.Unknown(),
});

export const RiskEventsSchema = Type.Object({
  name: Type.String(),
  email: Type.String(),
  events: Type.Array(RiskEventSchema),
  risk_level: Type.Optional(RiskLevelSchema),
  last_reset_time: NullableString({ format: 'date-time' }),
});

export const BehaviorSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  risk_level: RiskLevelSchema,
  enabled: Type.Boolean(),
});

export const BehaviorsSchema = Type.Object({ behaviors: Type.Record(Type.String(), BehaviorSchema) });

export const UpdatedBehaviorsSchema = Type.Object({ behaviors: Type.Record(Type.String(), UpdateBehavior) });

export const UserRiskInfoSchema = Type.Object({
  user_id: Uuid,
  name: Type.String(),
  email: Type.String(),
  max_risk_level: RiskLevelSchema,
  event_count: Type.Integer({ minimum: 0 }),
  last_event: DateTime,
});

export const RiskSummarySchema = Type.Object({ users: Type.Array(UserRiskInfoSchema) });

export const IntegrationSchema = Type.Object({
  id: Uuid,
  account_tag: Type.String(),
  integration_type: StringEnum(['Okta'] as const),
  reference_id: Type.String(),
  tenant_url: Type.String(),
  well_known_url: Type.String(),
  active: Type.Boolean(),
  created_at: DateTime,
});

export const IntegrationArraySchema = Type.Array(IntegrationSchema);

export const EmptyObjectSchema = Type.Unsafe<Record<string, never>>({ type: 'object', nullable: true });
export const NullSchema = Type.Unsafe<null>({ type: 'object', nullable: true, enum: [null] });

export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: DateTime,
  actor: Type.String(),
  action: Type.String(),
  target_type: Type.String(),
  target_id: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  reason: NullableString(),
});

export const AuditListSchema = Type.Array(AuditEntrySchema);

export const TokenVerifySchema = Type.Object({
  id: Type.String(),
  status: StringEnum(['active'] as const),
  expires_on: Type.Optional(DateTime),
});
