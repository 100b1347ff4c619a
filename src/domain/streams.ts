import type { LevelChange } from './types.js';

/**
 * Shared Signals streams and their outbox, as plain data (SSF.md). A *stream* is where ztrisk sends
 * Security Event Tokens: an Okta integration (push only, Okta events) or a receiver-managed SSF stream
 * (push or poll, CAEP events). Every change of a user's level becomes one *delivery* per target stream,
 * written in the same transaction as the change; the delivery worker signs and sends it later.
 */

/** CAEP 1.0 risk level change. */
export const RISK_LEVEL_CHANGE_EVENT =
  'https://schemas.openid.net/secevent/caep/event-type/risk-level-change';
/** Okta's user risk change (Okta integrations only). */
export const OKTA_USER_RISK_CHANGE_EVENT =
  'https://schemas.okta.com/secevent/okta/event-type/user-risk-change';
/** SSF 1.0 verification event (a control event: sent whatever `events_requested` says). */
export const VERIFICATION_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
/** SSF 1.0 stream updated event (a control event). */
export const STREAM_UPDATED_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated';
/** RFC 8935 push delivery. */
export const PUSH_DELIVERY_METHOD = 'urn:ietf:rfc:8935';
/** RFC 8936 poll delivery. */
export const POLL_DELIVERY_METHOD = 'urn:ietf:rfc:8936';

/** The event types a receiver-managed stream can request (control events are always delivered). */
export const STREAM_EVENTS_SUPPORTED: readonly string[] = [RISK_LEVEL_CHANGE_EVENT];

/** A stream's status: `paused` holds risk events and delivers them later, in order; `disabled` drops them. */
export type StreamStatus = 'enabled' | 'paused' | 'disabled';

/** Every stream status. */
export const STREAM_STATUSES: readonly StreamStatus[] = ['enabled', 'paused', 'disabled'];

/** The top-level `sub_id` format a receiver-managed stream wants for users (ztrisk extension `format`). */
export type SubjectFormat = 'email' | 'complex' | 'iss_sub';

/** Every subject format. */
export const SUBJECT_FORMATS: readonly SubjectFormat[] = ['email', 'complex', 'iss_sub'];

/**
 * How a stream's SETs travel. Push: ztrisk POSTs each SET to `endpointUrl` (with the receiver's
 * `Authorization` header value if given). Poll: the receiver fetches them from ztrisk's per-stream poll
 * endpoint, whose URL is derived from the public base URL (so it is not stored).
 */
export type StreamDelivery =
  | {
      readonly method: 'push';
      readonly endpointUrl: string;
      readonly authorizationHeader: string | undefined;
    }
  | { readonly method: 'poll' };

/** What a receiver may set on its stream. */
export interface StreamConfig {
  readonly description: string | undefined;
  /** Event type URIs the receiver asked for. */
  readonly eventsRequested: readonly string[];
  readonly delivery: StreamDelivery;
  readonly subjectFormat: SubjectFormat;
}

/** A receiver-managed SSF stream of one account. Timestamps are RFC 3339 UTC ms. */
export interface Stream extends StreamConfig {
  readonly accountId: string;
  /** UUID v4, unique across accounts. */
  readonly id: string;
  /** Supported ∩ requested, computed by the transmitter. */
  readonly eventsDelivered: readonly string[];
  /** Least time between two verification requests, in seconds. */
  readonly minVerificationIntervalSeconds: number;
  readonly status: StreamStatus;
  readonly statusReason: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the last accepted verification request arrived. */
  readonly lastVerificationAt: string | undefined;
}

/** Where a delivery goes: an Okta integration (stream id = integration id) or a receiver-managed stream. */
export type DeliveryTarget = 'integration' | 'stream';

/** What a delivery says, recorded when it is enqueued; the SET is built from it when it is signed. */
export type DeliveryIntent =
  | { readonly kind: 'risk'; readonly change: LevelChange }
  | { readonly kind: 'verification'; readonly state: string | undefined }
  | { readonly kind: 'stream_updated'; readonly status: StreamStatus; readonly reason: string | undefined };

/** A control event to enqueue for one stream (verification or stream-updated). */
export interface ControlDelivery {
  /** The SET's `jti` (UUID). */
  readonly jti: string;
  readonly intent: Extract<DeliveryIntent, { kind: 'verification' | 'stream_updated' }>;
  /** Enqueue time, RFC 3339 UTC ms. */
  readonly at: string;
}

/** One pending SET for one stream (an outbox row). */
export interface Delivery {
  readonly accountId: string;
  readonly streamId: string;
  readonly target: DeliveryTarget;
  /** Position in the outbox: deliveries of one subject on one stream go out in `seq` order. */
  readonly seq: number;
  /** The SET's `jti`: unique per delivery. */
  readonly jti: string;
  /** The SET's `txn`: the same for every stream's delivery of one change. */
  readonly txn: string;
  /** `user:<user id>` for risk events, `stream:<stream id>` for control events. */
  readonly subjectKey: string;
  readonly intent: DeliveryIntent;
  /** Delivery attempts made so far (push). */
  readonly attempts: number;
  /** When it was enqueued. */
  readonly createdAt: string;
  /** The signed SET once signed (then re-sent byte for byte), and the key it was signed with. */
  readonly signedSet: string | undefined;
  readonly kid: string | undefined;
  /** The lease this delivery was handed out under (push), if any. */
  readonly leaseId: string | undefined;
}

/** A signature to remember for a pending delivery (so retries send the same bytes). */
export interface SignedDelivery {
  readonly accountId: string;
  readonly streamId: string;
  readonly jti: string;
  readonly signedSet: string;
  readonly kid: string;
}

/** The identity of a leased delivery, for reporting its outcome. */
export interface LeasedDeliveryRef {
  readonly accountId: string;
  readonly streamId: string;
  readonly jti: string;
  /** The lease it was handed out under; an outcome for an expired, re-leased delivery is ignored. */
  readonly leaseId: string;
}

/**
 * What became of one push attempt: `delivered` (2xx) and `failed` (permanent, e.g. a 4xx) remove the
 * delivery and are counted in the stream's health; `retry` keeps it for another attempt at
 * `nextAttemptAt`; `dropped` removes it silently (its stream is gone or no longer exports).
 */
export type DeliveryOutcome = LeasedDeliveryRef &
  (
    | { readonly kind: 'delivered'; readonly at: string }
    | { readonly kind: 'failed'; readonly at: string; readonly error: string }
    | { readonly kind: 'retry'; readonly at: string; readonly error: string; readonly nextAttemptAt: string }
    | { readonly kind: 'dropped' }
  );

/** A receiver's report on one polled SET (RFC 8936 `setErrs`). */
export interface PollError {
  readonly jti: string;
  readonly error: string;
}

/** Delivery health of one stream. Timestamps are RFC 3339 UTC ms; counts are since the stream exists. */
export interface StreamHealth {
  readonly accountId: string;
  readonly streamId: string;
  /** Pending deliveries (held, waiting for a retry or not yet polled/acknowledged). */
  readonly backlog: number;
  readonly oldestPendingAt: string | undefined;
  readonly lastSuccessAt: string | undefined;
  readonly lastErrorAt: string | undefined;
  readonly lastError: string | undefined;
  /** SETs delivered (push 2xx, or acknowledged by a poller). */
  readonly delivered: number;
  /** SETs that failed permanently (push 4xx, gave up, or reported in `setErrs`). */
  readonly failed: number;
}

/** The outbox subject key of a user. */
export function userSubjectKey(userId: string): string {
  return `user:${userId.toLowerCase()}`;
}

/** The outbox subject key of a stream's control events. */
export function streamSubjectKey(streamId: string): string {
  return `stream:${streamId}`;
}

/**
 * The keys under which a receiver may have removed a user from a stream: by user id and by email
 * (lowercase). A stream with any of them removed gets no risk events for the user.
 */
export function userExclusionKeys(userId: string, email: string): string[] {
  const keys = [userSubjectKey(userId)];
  if (email !== '') keys.push(`email:${email.toLowerCase()}`);
  return keys;
}
