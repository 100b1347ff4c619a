import { randomUUID } from 'node:crypto';
import { invalid, notFound, type Problem, ZtriskError } from '../domain/errors.js';
import {
  type Delivery,
  type PollError,
  STREAM_STATUSES,
  type Stream,
  type StreamHealth,
  type StreamStatus,
} from '../domain/streams.js';
import { formatTimestamp } from '../domain/time.js';
import { createMemoryKeyRing, type Jwks, type KeyRing } from '../signals/keys.js';
import { buildSetClaims, numericDate, signSet } from '../signals/set.js';
import {
  applyStreamConfig,
  checkTransmitterMembers,
  eventsDeliveredFor,
  MIN_VERIFICATION_INTERVAL_SECONDS,
  parseStreamConfig,
  streamAudience,
  toWireStream,
} from '../signals/stream-config.js';
import { subjectKeysOf } from '../signals/subjects.js';
import {
  checkTarget,
  type ResolveAll,
  type TargetPolicy,
  TargetRefusedError,
} from '../signals/target-guard.js';
import { issuerOf, type TransmitterMetadata, transmitterMetadata } from '../signals/transmitter.js';
import type { ServiceDeps } from './deps.js';

/** Outside parts of the stream service, supplied by the composition root (defaults suit tests). */
export interface StreamServiceOptions {
  /** Signing keys; default: an in-memory ring (keys die with the process). */
  readonly keyRing?: KeyRing;
  /** Push target policy; default: private targets refused. */
  readonly policy?: TargetPolicy;
  /** DNS resolution for push endpoint checks; default: the system resolver. */
  readonly resolveAll?: ResolveAll;
  /** Called when deliveries became due (a resumed stream, a verification): wakes the delivery worker. */
  readonly wake?: () => void;
  /** Longest time a poll without `returnImmediately` waits for SETs, in milliseconds (default 10 s). */
  readonly longPollMs?: number;
}

/** An RFC 8936 poll request, as read from the wire. */
export interface PollRequest {
  readonly maxEvents: number;
  readonly returnImmediately: boolean;
  readonly ack: readonly string[];
  readonly setErrs: readonly PollError[];
}

/** An RFC 8936 poll response. */
export interface PollResponse {
  readonly sets: Record<string, string>;
  readonly moreAvailable: boolean;
}

/** One stream's delivery health as the ztrisk extension endpoint shows it. */
export interface StreamHealthView {
  readonly streamId: string;
  readonly kind: 'integration' | 'stream';
  readonly deliveryMethod: 'push' | 'poll';
  readonly status: StreamStatus;
  readonly endpointUrl: string | undefined;
  readonly health: StreamHealth;
}

/** Most SETs one poll returns (a larger `maxEvents` is capped). */
export const MAX_POLL_EVENTS = 1000;

function emptyHealth(accountId: string, streamId: string): StreamHealth {
  return {
    accountId,
    streamId,
    backlog: 0,
    oldestPendingAt: undefined,
    lastSuccessAt: undefined,
    lastErrorAt: undefined,
    lastError: undefined,
    delivered: 0,
    failed: 0,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function streamIdOf(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw invalid([{ message: 'stream_id is required', pointer: where }]);
  }
  return value;
}

/**
 * Shared Signals transmitter use cases (SSF.md): discovery, the JWKS, receiver-managed streams (config,
 * status, subjects, verification), RFC 8936 polling and delivery health. Receivers are authorised by the
 * caller (a token holding `Zero Trust: PII Read` on the account); `actor` is its audit name.
 */
export function createStreamService(deps: ServiceDeps, options: StreamServiceOptions = {}) {
  const { store } = deps;
  const keyRing = options.keyRing ?? createMemoryKeyRing();
  const policy: TargetPolicy = options.policy ?? { allowPrivateTargets: false };
  const longPollMs = options.longPollMs ?? 10_000;
  const wake = (): void => options.wake?.();
  const nowIso = (): string => formatTimestamp(deps.now());

  async function get(accountId: string, streamId: string): Promise<Stream> {
    const stream = await store.getStream(accountId, streamId);
    if (!stream) throw notFound('Stream not found');
    return stream;
  }

  async function checkPushTarget(stream: Pick<Stream, 'delivery'>): Promise<void> {
    if (stream.delivery.method !== 'push') return;
    try {
      await checkTarget(stream.delivery.endpointUrl, policy, options.resolveAll);
    } catch (error) {
      const message =
        error instanceof TargetRefusedError
          ? `is not allowed: ${error.message}`
          : 'cannot be resolved (DNS lookup failed)';
      throw invalid([{ message, pointer: '/delivery/endpoint_url' }]);
    }
  }

  async function sign(accountId: string, stream: Stream, deliveries: readonly Delivery[], publicUrl: string) {
    const out: Record<string, string> = {};
    const signed = [];
    const issuer = issuerOf(publicUrl, accountId);
    const recipient = {
      kind: 'stream' as const,
      aud: streamAudience(stream, publicUrl),
      streamId: stream.id,
      subjectFormat: stream.subjectFormat,
    };
    for (const d of deliveries) {
      let set = d.signedSet;
      if (set === undefined) {
        const claims = buildSetClaims(d, recipient, issuer, numericDate(deps.now()));
        if (!claims.ok) continue;
        const key = await keyRing.activeKey();
        set = await signSet(claims.claims, key);
        signed.push({ accountId, streamId: stream.id, jti: d.jti, signedSet: set, kid: key.kid });
      }
      out[d.jti] = set;
    }
    if (signed.length > 0) await store.saveSignedDeliveries(signed);
    return out;
  }

  const service = {
    keyRing,

    /** The account transmitter's metadata; `not_found` for an account ztrisk does not know. */
    async metadata(accountId: string, publicUrl: string): Promise<TransmitterMetadata> {
      if (!(await store.listAccounts()).includes(accountId)) throw notFound('No such transmitter');
      return transmitterMetadata(publicUrl, accountId);
    },

    /** The metadata behind an integration's `well_known_url` (its account's transmitter). */
    async integrationMetadata(integrationId: string, publicUrl: string): Promise<TransmitterMetadata> {
      const integration = await store.locateIntegration(integrationId.toLowerCase());
      if (!integration) throw notFound('No such integration');
      return transmitterMetadata(publicUrl, integration.accountId);
    },

    /**
     * The published signing keys (the installation's, under every account's issuer): the active one and
     * those with SETs still pending. `not_found` for an account ztrisk does not know.
     */
    async jwks(accountId: string): Promise<Jwks> {
      if (!(await store.listAccounts()).includes(accountId)) throw notFound('No such transmitter');
      return keyRing.publicJwks(new Set(await store.listPendingKids()));
    },

    /** Creates a stream (poll when `delivery` is absent); push endpoints must pass the target policy. */
    async create(accountId: string, body: Record<string, unknown>, actor: string): Promise<Stream> {
      const { input, problems } = parseStreamConfig(body, policy);
      if (problems.length > 0) throw invalid(problems);
      const config = applyStreamConfig(undefined, input, 'create');
      await checkPushTarget(config);
      const at = nowIso();
      const stream: Stream = {
        ...config,
        accountId,
        id: randomUUID(),
        eventsDelivered: eventsDeliveredFor(config.eventsRequested),
        minVerificationIntervalSeconds: MIN_VERIFICATION_INTERVAL_SECONDS,
        status: 'enabled',
        statusReason: undefined,
        createdAt: at,
        updatedAt: at,
        lastVerificationAt: undefined,
      };
      await store.createStream(stream, { actor, at });
      return stream;
    },

    get,

    /** The account's streams, oldest first. */
    list(accountId: string): Promise<Stream[]> {
      return store.listStreams(accountId);
    },

    /**
     * PATCH (listed members change) or PUT (the configuration is replaced; absent members take their
     * defaults). `stream_id` is required; transmitter-supplied members may be repeated, not changed.
     */
    async update(
      accountId: string,
      body: Record<string, unknown>,
      mode: 'patch' | 'replace',
      actor: string,
      publicUrl: string,
    ): Promise<Stream> {
      const current = await get(accountId, streamIdOf(body.stream_id, '/stream_id'));
      const { input, problems } = parseStreamConfig(body, policy);
      problems.push(...checkTransmitterMembers(body, toWireStream(current, publicUrl)));
      if (problems.length > 0) throw invalid(problems);
      const config = applyStreamConfig(current, input, mode);
      await checkPushTarget(config);
      const updated = await store.updateStream(
        accountId,
        current.id,
        { ...config, eventsDelivered: eventsDeliveredFor(config.eventsRequested) },
        { actor, at: nowIso() },
      );
      if (!updated) throw notFound('Stream not found');
      wake();
      return updated;
    },

    /** Deletes a stream with its pending deliveries and subjects. */
    async remove(accountId: string, streamId: string, actor: string): Promise<void> {
      if (!(await store.deleteStream(accountId, streamId, { actor, at: nowIso() }))) {
        throw notFound('Stream not found');
      }
    },

    /**
     * Sets a stream's status. `byTransmitter` (an administrator through the ztrisk API) also sends the
     * receiver a stream-updated event; a receiver changing its own stream gets none (SSF 1.0 §8.1.5).
     */
    async setStatus(
      accountId: string,
      body: Record<string, unknown>,
      actor: string,
      byTransmitter: boolean,
    ): Promise<Stream> {
      const streamId = streamIdOf(body.stream_id, '/stream_id');
      const problems: Problem[] = [];
      const status = body.status;
      if (typeof status !== 'string' || !(STREAM_STATUSES as readonly string[]).includes(status)) {
        problems.push({ message: `must be one of: ${STREAM_STATUSES.join(', ')}`, pointer: '/status' });
      }
      const reason = body.reason;
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1024)) {
        problems.push({ message: 'must be a string of at most 1024 characters', pointer: '/reason' });
      }
      if (problems.length > 0) throw invalid(problems);
      const at = nowIso();
      const next = status as StreamStatus;
      const why = typeof reason === 'string' ? reason : undefined;
      const updated = await store.setStreamStatus(
        accountId,
        streamId,
        next,
        why,
        { actor, at, ...(why !== undefined ? { reason: why } : {}) },
        byTransmitter
          ? { jti: randomUUID(), intent: { kind: 'stream_updated', status: next, reason: why }, at }
          : undefined,
      );
      if (!updated) throw notFound('Stream not found');
      wake();
      return updated;
    },

    /** Includes (`add`) or excludes (`remove`) the user a subject names on a stream. */
    async setSubject(accountId: string, body: Record<string, unknown>, included: boolean): Promise<void> {
      const streamId = streamIdOf(body.stream_id, '/stream_id');
      const keys = subjectKeysOf(body.subject);
      if ('error' in keys) throw invalid([{ message: keys.error, pointer: '/subject' }]);
      if (!(await store.setStreamSubject(accountId, streamId, keys.keys, included, nowIso()))) {
        throw notFound('Stream not found');
      }
    },

    /**
     * Enqueues a verification SET carrying `state`; `rate_limited` (429) when the previous accepted
     * request is less than `min_verification_interval` ago.
     */
    async verify(accountId: string, body: Record<string, unknown>): Promise<void> {
      const streamId = streamIdOf(body.stream_id, '/stream_id');
      const state = body.state;
      if (state !== undefined && (typeof state !== 'string' || state.length > 1024)) {
        throw invalid([{ message: 'must be a string of at most 1024 characters', pointer: '/state' }]);
      }
      const stream = await get(accountId, streamId);
      const at = nowIso();
      const result = await store.requestStreamVerification(
        accountId,
        streamId,
        { jti: randomUUID(), intent: { kind: 'verification', state: state as string | undefined }, at },
        stream.minVerificationIntervalSeconds * 1000,
      );
      if (!result) throw notFound('Stream not found');
      if (!result.accepted) {
        const seconds = Math.max(1, Math.ceil((Date.parse(result.retryAt) - deps.now()) / 1000));
        throw new ZtriskError('rate_limited', 'Verification requested too soon', {
          retryAfterSeconds: seconds,
        });
      }
      wake();
    },

    /**
     * RFC 8936: applies `ack` and `setErrs`, then returns up to `maxEvents` pending SETs in order (signed
     * on first hand-out; a SET is handed out again until acknowledged). Without `returnImmediately`,
     * waits up to the long-poll limit for one to arrive. Paused and disabled streams hand out only
     * control events.
     */
    async poll(
      accountId: string,
      streamId: string,
      request: PollRequest,
      publicUrl: string,
    ): Promise<PollResponse> {
      const stream = await get(accountId, streamId);
      if (stream.delivery.method !== 'poll') throw notFound('This stream is delivered by push');
      if (request.ack.length > 0 || request.setErrs.length > 0) {
        await store.acknowledgeDeliveries(accountId, streamId, request.ack, request.setErrs, nowIso());
      }
      const max = Math.min(request.maxEvents, MAX_POLL_EVENTS);
      // Waiting is real time, whatever the injected clock says.
      const deadline = Date.now() + (request.returnImmediately || max === 0 ? 0 : longPollMs);
      let rows = await store.listPollableDeliveries(accountId, streamId, max + 1);
      while (rows.length === 0 && Date.now() < deadline) {
        await sleep(Math.min(200, deadline - Date.now()));
        rows = await store.listPollableDeliveries(accountId, streamId, max + 1);
      }
      const handed = rows.slice(0, max);
      return { sets: await sign(accountId, stream, handed, publicUrl), moreAvailable: rows.length > max };
    },

    /** Delivery health of every integration and stream of the account (integrations first). */
    async health(accountId: string): Promise<StreamHealthView[]> {
      const [integrations, streams, health] = await Promise.all([
        store.listIntegrations(accountId),
        store.listStreams(accountId),
        store.listStreamHealth(accountId),
      ]);
      const byId = new Map(health.map((h) => [h.streamId, h]));
      return [
        ...integrations.map(
          (i): StreamHealthView => ({
            streamId: i.id,
            kind: 'integration',
            deliveryMethod: 'push',
            status: i.active ? 'enabled' : 'disabled',
            endpointUrl: `${i.tenantUrl.replace(/\/+$/, '')}/security/api/v1/security-events`,
            health: byId.get(i.id) ?? emptyHealth(accountId, i.id),
          }),
        ),
        ...streams.map(
          (s): StreamHealthView => ({
            streamId: s.id,
            kind: 'stream',
            deliveryMethod: s.delivery.method,
            status: s.status,
            endpointUrl: s.delivery.method === 'push' ? s.delivery.endpointUrl : undefined,
            health: byId.get(s.id) ?? emptyHealth(accountId, s.id),
          }),
        ),
      ];
    },
  };
  return service;
}

/** Reads an RFC 8936 poll request body; problems are reported all at once. */
export function parsePollRequest(body: unknown): PollRequest {
  const b = isRecord(body) ? body : {};
  const problems: Problem[] = [];
  const maxEvents = b.maxEvents ?? 100;
  if (typeof maxEvents !== 'number' || !Number.isInteger(maxEvents) || maxEvents < 0) {
    problems.push({ message: 'must be a non-negative integer', pointer: '/maxEvents' });
  }
  const returnImmediately = b.returnImmediately ?? false;
  if (typeof returnImmediately !== 'boolean') {
    problems.push({ message: 'must be a boolean', pointer: '/returnImmediately' });
  }
  const ack = b.ack ?? [];
  if (!Array.isArray(ack) || !ack.every((j) => typeof j === 'string')) {
    problems.push({ message: 'must be an array of jti strings', pointer: '/ack' });
  }
  const setErrs: PollError[] = [];
  if (b.setErrs !== undefined) {
    if (!isRecord(b.setErrs)) problems.push({ message: 'must be an object', pointer: '/setErrs' });
    else {
      for (const [jti, e] of Object.entries(b.setErrs)) {
        if (!isRecord(e) || typeof e.err !== 'string') {
          problems.push({ message: 'must be { err, description }', pointer: `/setErrs/${jti}` });
          continue;
        }
        const description = typeof e.description === 'string' ? `: ${e.description.slice(0, 200)}` : '';
        setErrs.push({ jti, error: `receiver error ${e.err.slice(0, 100)}${description}` });
      }
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return {
    maxEvents: maxEvents as number,
    returnImmediately: returnImmediately as boolean,
    ack: ack as string[],
    setErrs,
  };
}

/** The stream service's functions. */
export type StreamService = ReturnType<typeof createStreamService>;
