import type { Problem } from '../domain/errors.js';
import {
  POLL_DELIVERY_METHOD,
  PUSH_DELIVERY_METHOD,
  STREAM_EVENTS_SUPPORTED,
  type Stream,
  type StreamConfig,
  type StreamDelivery,
  SUBJECT_FORMATS,
  type SubjectFormat,
} from '../domain/streams.js';
import { checkTargetShape, type TargetPolicy } from './target-guard.js';
import { issuerOf, pollEndpointOf } from './transmitter.js';

/** Least time between two verification requests of a stream, in seconds (transmitter-supplied). */
export const MIN_VERIFICATION_INTERVAL_SECONDS = 30;

/** What a receiver's stream configuration request sets; absent members are not mentioned. */
export interface StreamConfigInput {
  /** `null` clears the description (PATCH). */
  readonly description?: string | null;
  readonly eventsRequested?: readonly string[];
  readonly delivery?: StreamDelivery;
  readonly subjectFormat?: SubjectFormat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseDelivery(
  value: unknown,
  policy: TargetPolicy,
  problems: Problem[],
): StreamDelivery | undefined {
  if (!isRecord(value)) {
    problems.push({ message: 'must be an object', pointer: '/delivery' });
    return undefined;
  }
  if (value.method === POLL_DELIVERY_METHOD) return { method: 'poll' };
  if (value.method !== PUSH_DELIVERY_METHOD) {
    problems.push({
      message: `must be ${PUSH_DELIVERY_METHOD} (push) or ${POLL_DELIVERY_METHOD} (poll)`,
      pointer: '/delivery/method',
    });
    return undefined;
  }
  const endpoint = value.endpoint_url;
  if (typeof endpoint !== 'string') {
    problems.push({ message: 'is required for push delivery', pointer: '/delivery/endpoint_url' });
    return undefined;
  }
  const endpointProblems = checkTargetShape(endpoint, policy, '/delivery/endpoint_url');
  const auth = value.authorization_header;
  if (
    auth !== undefined &&
    (typeof auth !== 'string' || auth.length === 0 || auth.length > 4096 || /[\r\n]/.test(auth))
  ) {
    endpointProblems.push({
      message: 'must be a header value of 1 to 4096 characters',
      pointer: '/delivery/authorization_header',
    });
  }
  problems.push(...endpointProblems);
  if (endpointProblems.length > 0) return undefined;
  return {
    method: 'push',
    endpointUrl: endpoint,
    authorizationHeader: typeof auth === 'string' ? auth : undefined,
  };
}

/**
 * Reads the receiver-supplied members of a stream configuration request (SSF 1.0 §8.1.1): `delivery`,
 * `events_requested`, `description` and the ztrisk extension `format` (the `sub_id` format for users:
 * `email` (default), `complex` or `iss_sub`). Transmitter-supplied members are not read here.
 */
export function parseStreamConfig(
  body: Record<string, unknown>,
  policy: TargetPolicy,
): { readonly input: StreamConfigInput; readonly problems: Problem[] } {
  const problems: Problem[] = [];
  const input: {
    description?: string | null;
    eventsRequested?: readonly string[];
    delivery?: StreamDelivery;
    subjectFormat?: SubjectFormat;
  } = {};
  if ('description' in body) {
    const d = body.description;
    if (d === null) input.description = null;
    else if (typeof d === 'string' && d.length <= 1024) input.description = d;
    else problems.push({ message: 'must be a string of at most 1024 characters', pointer: '/description' });
  }
  if ('events_requested' in body) {
    const e = body.events_requested;
    if (
      Array.isArray(e) &&
      e.length <= 100 &&
      e.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 512)
    ) {
      input.eventsRequested = [...new Set(e as string[])];
    } else {
      problems.push({
        message: 'must be an array of at most 100 event type URIs',
        pointer: '/events_requested',
      });
    }
  }
  if ('delivery' in body) {
    const delivery = parseDelivery(body.delivery, policy, problems);
    if (delivery) input.delivery = delivery;
  }
  if ('format' in body) {
    const f = body.format;
    if (typeof f === 'string' && (SUBJECT_FORMATS as readonly string[]).includes(f)) {
      input.subjectFormat = f as SubjectFormat;
    } else {
      problems.push({ message: `must be one of: ${SUBJECT_FORMATS.join(', ')}`, pointer: '/format' });
    }
  }
  return { input, problems };
}

/**
 * The configuration a request leads to: `create` and `replace` start from the defaults (poll delivery,
 * every supported event, `email` subjects, no description); `patch` starts from the current one.
 */
export function applyStreamConfig(
  current: StreamConfig | undefined,
  input: StreamConfigInput,
  mode: 'create' | 'replace' | 'patch',
): StreamConfig {
  const base: StreamConfig =
    mode === 'patch' && current
      ? current
      : {
          description: undefined,
          eventsRequested: STREAM_EVENTS_SUPPORTED,
          delivery: { method: 'poll' },
          subjectFormat: 'email',
        };
  return {
    description:
      input.description === undefined
        ? base.description
        : input.description === null
          ? undefined
          : input.description,
    eventsRequested: input.eventsRequested ?? base.eventsRequested,
    delivery: input.delivery ?? base.delivery,
    subjectFormat: input.subjectFormat ?? base.subjectFormat,
  };
}

/** Supported ∩ requested, in the order supported lists them. */
export function eventsDeliveredFor(requested: readonly string[]): string[] {
  return STREAM_EVENTS_SUPPORTED.filter((e) => requested.includes(e));
}

/** The `aud` of a stream's SETs: the receiver's push endpoint, or the stream's poll endpoint. */
export function streamAudience(
  stream: Pick<Stream, 'accountId' | 'id' | 'delivery'>,
  publicUrl: string,
): string {
  return stream.delivery.method === 'push'
    ? stream.delivery.endpointUrl
    : pollEndpointOf(publicUrl, stream.accountId, stream.id);
}

/** A stream configuration as SSF shows it (`authorization_header` is write-only and never shown). */
export function toWireStream(stream: Stream, publicUrl: string) {
  return {
    stream_id: stream.id,
    iss: issuerOf(publicUrl, stream.accountId),
    aud: streamAudience(stream, publicUrl),
    events_supported: [...STREAM_EVENTS_SUPPORTED],
    events_requested: [...stream.eventsRequested],
    events_delivered: [...stream.eventsDelivered],
    delivery:
      stream.delivery.method === 'push'
        ? { method: PUSH_DELIVERY_METHOD, endpoint_url: stream.delivery.endpointUrl }
        : {
            method: POLL_DELIVERY_METHOD,
            endpoint_url: pollEndpointOf(publicUrl, stream.accountId, stream.id),
          },
    min_verification_interval: stream.minVerificationIntervalSeconds,
    ...(stream.description !== undefined ? { description: stream.description } : {}),
    format: stream.subjectFormat,
  };
}

/** A stream configuration's wire shape. */
export type WireStream = ReturnType<typeof toWireStream>;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Problems with transmitter-supplied members in an update: the receiver may repeat `iss`, `aud` and
 * `events_supported` but not change them (400); `events_delivered`, `min_verification_interval` and
 * `inactivity_timeout` are derived by the transmitter and ignored.
 */
export function checkTransmitterMembers(body: Record<string, unknown>, current: WireStream): Problem[] {
  const problems: Problem[] = [];
  for (const key of ['iss', 'aud', 'events_supported'] as const) {
    if (key in body && !sameJson(body[key], current[key])) {
      problems.push({ message: 'is set by the transmitter and cannot be changed', pointer: `/${key}` });
    }
  }
  return problems;
}
