import { Type } from '@sinclair/typebox';
import { actorOf } from '../../domain/permissions.js';
import { STREAM_STATUSES, type StreamStatus } from '../../domain/streams.js';
import type { StreamHealthView } from '../../services/streams.js';
import { defineRoute } from '../route.js';
import { AccountParams, StringEnum } from '../schemas.js';

const NullableDateTime = Type.Unsafe<string | null>({ type: 'string', format: 'date-time', nullable: true });

const StreamHealthSchema = Type.Object({
  stream_id: Type.String({ description: 'Integration id (Okta) or SSF stream id' }),
  kind: StringEnum(['integration', 'stream'] as const),
  delivery_method: StringEnum(['push', 'poll'] as const),
  status: StringEnum(STREAM_STATUSES),
  endpoint_url: Type.Unsafe<string | null>({ type: 'string', nullable: true, description: 'Push target' }),
  backlog: Type.Integer({ description: 'SETs pending (held, waiting for a retry, or not yet acknowledged)' }),
  oldest_pending_at: NullableDateTime,
  last_success_at: NullableDateTime,
  last_error_at: NullableDateTime,
  last_error: Type.Unsafe<string | null>({ type: 'string', nullable: true }),
  delivered: Type.Integer({ description: 'SETs delivered (push 2xx or acknowledged by the poller)' }),
  failed: Type.Integer({ description: 'SETs that failed permanently (4xx, gave up, or setErrs)' }),
});

const StreamStatusBody = Type.Object({
  status: StringEnum(STREAM_STATUSES),
  reason: Type.Optional(Type.String({ maxLength: 1024 })),
});

const StreamParams = Type.Object({
  account_id: AccountParams.properties.account_id,
  stream_id: Type.String({ format: 'uuid' }),
});

function toWireHealth(v: StreamHealthView) {
  return {
    stream_id: v.streamId,
    kind: v.kind,
    delivery_method: v.deliveryMethod,
    status: v.status,
    endpoint_url: v.endpointUrl ?? null,
    backlog: v.health.backlog,
    oldest_pending_at: v.health.oldestPendingAt ?? null,
    last_success_at: v.health.lastSuccessAt ?? null,
    last_error_at: v.health.lastErrorAt ?? null,
    last_error: v.health.lastError ?? null,
    delivered: v.health.delivered,
    failed: v.health.failed,
  };
}

/** Shared Signals delivery health and the transmitter-side stream status (ztrisk extensions, docs/ssf.md). */
export const signalStreamRoutes = [
  defineRoute({
    method: 'GET',
    path: '/accounts/:account_id/ztrisk/streams',
    operationId: 'ztrisk-streams-health',
    summary:
      'Delivery health of every SET stream of the account (Okta integrations and SSF streams): backlog, last success, last error',
    tags: ['ztrisk signals'],
    permissions: ['Zero Trust Read'],
    extension: true,
    params: AccountParams,
    result: Type.Array(StreamHealthSchema),
    async handler({ params, services }) {
      const views = await services.streams.health(params.account_id);
      return { result: views.map(toWireHealth) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/accounts/:account_id/ztrisk/streams/:stream_id/status',
    operationId: 'ztrisk-stream-status-set',
    summary:
      "Set an SSF stream's status as the transmitter (enabled, paused or disabled); the receiver gets a stream-updated event",
    tags: ['ztrisk signals'],
    permissions: ['Zero Trust Write'],
    extension: true,
    params: StreamParams,
    body: StreamStatusBody,
    bodyMode: 'required',
    result: Type.Object({
      stream_id: Type.String(),
      status: StringEnum(STREAM_STATUSES),
      reason: Type.Unsafe<string | null>({ type: 'string', nullable: true }),
    }),
    async handler({ params, body, principal, services }) {
      const stream = await services.streams.setStatus(
        params.account_id,
        {
          stream_id: params.stream_id.toLowerCase(),
          status: body?.status as StreamStatus,
          reason: body?.reason,
        },
        actorOf(principal),
        true,
      );
      return { result: { stream_id: stream.id, status: stream.status, reason: stream.statusReason ?? null } };
    },
  }),
];
