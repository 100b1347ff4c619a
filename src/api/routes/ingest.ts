import { Type } from '@sinclair/typebox';
import { type DetectorThresholds, toThresholdsWire } from '../../detectors/thresholds.js';
import { notFound } from '../../domain/errors.js';
import { actorOf } from '../../domain/permissions.js';
import { GenericEventSchema } from '../../ingest/events/generic-event.js';
import { isLogpushDataset, LOGPUSH_DATASETS } from '../../ingest/logpush/datasets.js';
import type { IngestSummary } from '../../services/ingest.js';
import { defineRoute } from '../route.js';
import { AccountParams } from '../schemas.js';

const IngestResultSchema = Type.Object({
  accepted: Type.Integer({ description: 'Records whose events were newly stored' }),
  duplicates: Type.Integer({ description: 'Records already stored before (re-deliveries)' }),
  skipped: Type.Integer({
    description: 'Records deliberately not scored (no real identity, logouts, test payloads)',
  }),
  rejected: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'Position of the record in the request (0-based)' }),
      errors: Type.Array(
        Type.Object({
          code: Type.Integer(),
          message: Type.String(),
          pointer: Type.String({ description: 'RFC 6901, into the record' }),
        }),
      ),
    }),
  ),
  risk_events: Type.Integer({ description: 'Risk events recorded by detection' }),
});

const ThresholdsSchema = Type.Object({
  imp_travel: Type.Object({
    min_speed_kmh: Type.Number(),
    min_distance_km: Type.Number(),
    default_accuracy_km: Type.Number(),
  }),
  high_dlp: Type.Object({ min_count: Type.Integer(), window_seconds: Type.Integer() }),
  failed_logins: Type.Object({ min_count: Type.Integer(), window_minutes: Type.Integer() }),
  crowdstrike_zta: Type.Object({ low_max_score: Type.Integer(), medium_max_score: Type.Integer() }),
});

const ThresholdsPatchSchema = Type.Object(
  {
    imp_travel: Type.Optional(Type.Object({}, { additionalProperties: true })),
    high_dlp: Type.Optional(Type.Object({}, { additionalProperties: true })),
    failed_logins: Type.Optional(Type.Object({}, { additionalProperties: true })),
    crowdstrike_zta: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { description: 'A partial update: any group, any member; the rest keep their values' },
);

function toWireSummary(s: IngestSummary) {
  return {
    accepted: s.accepted,
    duplicates: s.duplicates,
    skipped: s.skipped,
    rejected: s.rejected,
    risk_events: s.riskEvents,
  };
}

function thresholdsResult(t: DetectorThresholds) {
  return toThresholdsWire(t);
}

const INGEST_PERMISSIONS = ['Zero Trust: Risk Ingest', 'Zero Trust Write'] as const;

/** Event ingestion, Cloudflare Logpush destination and detector thresholds (ztrisk extensions). */
export const ingestRoutes = [
  defineRoute({
    method: 'POST',
    path: '/accounts/:account_id/ztrisk/events',
    operationId: 'ztrisk-events-ingest',
    summary:
      'Ingest security events: a JSON array, {"events": [...]}, or NDJSON, optionally gzip; valid events are stored even when others are rejected',
    tags: ['ztrisk ingestion'],
    permissions: INGEST_PERMISSIONS,
    extension: true,
    params: AccountParams,
    body: Type.Array(GenericEventSchema, { maxItems: 10_000 }),
    bodyMode: 'raw',
    bodyLimitBytes: (services) => services.ingest.limits.maxBytes,
    result: IngestResultSchema,
    async handler({ params, raw, services }) {
      const summary = await services.ingest.ingestBody(
        params.account_id,
        { kind: 'events' },
        raw?.buffer,
        raw?.contentEncoding,
      );
      return { result: toWireSummary(summary) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/accounts/:account_id/ztrisk/logpush/:dataset',
    operationId: 'ztrisk-logpush-ingest',
    summary: `Cloudflare Logpush HTTP destination (gzip NDJSON) for datasets ${LOGPUSH_DATASETS.join(', ')}`,
    tags: ['ztrisk ingestion'],
    permissions: INGEST_PERMISSIONS,
    extension: true,
    params: Type.Object({
      account_id: AccountParams.properties.account_id,
      dataset: Type.String({ minLength: 1, maxLength: 128 }),
    }),
    bodyMode: 'raw',
    bodyLimitBytes: (services) => services.ingest.limits.maxBytes,
    result: IngestResultSchema,
    async handler({ params, raw, services }) {
      if (!isLogpushDataset(params.dataset)) {
        throw notFound(
          `Unknown Logpush dataset ${JSON.stringify(params.dataset)}: ztrisk accepts ${LOGPUSH_DATASETS.join(', ')}`,
        );
      }
      const summary = await services.ingest.ingestBody(
        params.account_id,
        { kind: 'logpush', dataset: params.dataset },
        raw?.buffer,
        raw?.contentEncoding,
      );
      return { result: toWireSummary(summary) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/accounts/:account_id/ztrisk/behavior_settings',
    operationId: 'ztrisk-behavior-settings-get',
    summary: "Get the account's detector thresholds",
    tags: ['ztrisk'],
    permissions: ['Zero Trust Read'],
    extension: true,
    params: AccountParams,
    result: ThresholdsSchema,
    async handler({ params, services }) {
      return { result: thresholdsResult(await services.detectorSettings.get(params.account_id)) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/accounts/:account_id/ztrisk/behavior_settings',
    operationId: 'ztrisk-behavior-settings-put',
    summary: "Update the account's detector thresholds (partial merge, validated, audited)",
    tags: ['ztrisk'],
    permissions: ['Zero Trust Write'],
    extension: true,
    params: AccountParams,
    body: ThresholdsPatchSchema,
    bodyMode: 'required',
    result: ThresholdsSchema,
    async handler({ params, body, principal, services }) {
      const updated = await services.detectorSettings.update(params.account_id, body, actorOf(principal));
      return { result: thresholdsResult(updated) };
    },
  }),
];
