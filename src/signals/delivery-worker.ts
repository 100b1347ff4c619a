import { randomUUID } from 'node:crypto';
import type { Delivery, DeliveryOutcome, SignedDelivery } from '../domain/streams.js';
import { formatTimestamp } from '../domain/time.js';
import type { Integration } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { type BackoffPolicy, retryDelayMs } from './backoff.js';
import type { KeyRing } from './keys.js';
import { type PushResult, pushSet } from './push.js';
import { buildSetClaims, numericDate, type SetRecipient, signSet } from './set.js';
import { streamAudience } from './stream-config.js';
import type { TargetPolicy } from './target-guard.js';
import { issuerOf } from './transmitter.js';

/** Timing and limits of the delivery worker; see the README configuration table for the defaults. */
export interface DeliveryWorkerSettings {
  readonly backoff: BackoffPolicy;
  /** How often an idle worker looks for due deliveries (it is also woken by {@link DeliveryWorker.wake}). */
  readonly intervalMs: number;
  /** Timeout of one push request. */
  readonly pushTimeoutMs: number;
  /** A transiently failing delivery older than this fails permanently ("gave up"). */
  readonly giveUpAfterMs: number;
  /** Deliveries leased per round. */
  readonly batchSize: number;
  /** Pushes in flight at once. */
  readonly concurrency: number;
}

/**
 * Default settings: 1 s base, 5 min cap, 1 s idle interval, 10 s push timeout, give up after 3 days, 16
 * SETs per round, all sent in parallel.
 */
export const DEFAULT_DELIVERY_SETTINGS: DeliveryWorkerSettings = Object.freeze({
  backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
  intervalMs: 1000,
  pushTimeoutMs: 10_000,
  giveUpAfterMs: 3 * 24 * 60 * 60_000,
  batchSize: 16,
  concurrency: 16,
});

/** A minimal structured logger (Fastify's pino logger fits). */
export interface WorkerLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** What the delivery worker needs. */
export interface DeliveryWorkerDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** The public base URL (the SETs' `iss` is derived from it). */
  readonly publicUrl: () => string;
  readonly policy: TargetPolicy;
  readonly settings?: Partial<DeliveryWorkerSettings>;
  readonly log?: WorkerLog;
  /** [0, 1) source for jitter. */
  readonly random?: () => number;
}

/** The background sender of push deliveries. */
export interface DeliveryWorker {
  /** Starts the loop (idempotent). */
  start(): void;
  /** Looks for due deliveries now instead of at the next interval. */
  wake(): void;
  /** One round: leases due deliveries, signs, sends and records outcomes; resolves with how many. */
  runOnce(): Promise<number>;
  /** Stops the loop and waits for the round in flight (bounded by the push timeout). */
  stop(): Promise<void>;
}

type Resolved =
  | {
      readonly kind: 'send';
      readonly recipient: SetRecipient;
      readonly url: string;
      readonly auth: string | undefined;
    }
  | { readonly kind: 'drop' };

/**
 * The outbox delivery worker (docs/decisions/0005-shared-signals.md): leases due push deliveries from
 * the store (at most one per subject and stream, so each subject's SETs go out in order), signs those
 * not yet signed (and stores the signature before sending, so a retry re-sends the very same SET),
 * pushes them and records each outcome. Any number of workers may run against one store: a lease that
 * outlives a crashed worker simply expires.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const settings: DeliveryWorkerSettings = { ...DEFAULT_DELIVERY_SETTINGS, ...deps.settings };
  const random = deps.random ?? Math.random;
  // A lease covers one round; a round sends each leased SET at most once, in parallel (batch ≤
  // concurrency), so it ends within one push timeout. A crashed worker's leases expire after this.
  const leaseMs = settings.pushTimeoutMs * 2 + 1000;
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  async function resolveTarget(
    d: Delivery,
    integrations: Map<string, Integration | undefined>,
  ): Promise<Resolved> {
    if (d.target === 'integration') {
      const key = `${d.accountId}\u0000${d.streamId}`;
      if (!integrations.has(key))
        integrations.set(key, await deps.store.getIntegration(d.accountId, d.streamId));
      const integration = integrations.get(key);
      if (!integration?.active) return { kind: 'drop' };
      return {
        kind: 'send',
        recipient: { kind: 'okta', aud: integration.tenantUrl },
        url: `${integration.tenantUrl.replace(/\/+$/, '')}/security/api/v1/security-events`,
        auth: undefined,
      };
    }
    const stream = await deps.store.getStream(d.accountId, d.streamId);
    if (stream?.delivery.method !== 'push') return { kind: 'drop' };
    return {
      kind: 'send',
      recipient: {
        kind: 'stream',
        aud: streamAudience(stream, deps.publicUrl()),
        streamId: stream.id,
        subjectFormat: stream.subjectFormat,
      },
      url: stream.delivery.endpointUrl,
      auth: stream.delivery.authorizationHeader,
    };
  }

  function outcomeOf(d: Delivery, leaseId: string, result: PushResult, nowMs: number): DeliveryOutcome {
    const ref = { accountId: d.accountId, streamId: d.streamId, jti: d.jti, leaseId };
    const at = formatTimestamp(nowMs);
    if (result.kind === 'delivered') return { ...ref, kind: 'delivered', at };
    if (result.kind === 'permanent') return { ...ref, kind: 'failed', at, error: result.error };
    const attempts = d.attempts + 1;
    if (nowMs - Date.parse(d.createdAt) > settings.giveUpAfterMs) {
      return { ...ref, kind: 'failed', at, error: `gave up after ${attempts} attempts: ${result.error}` };
    }
    const delay = retryDelayMs(attempts, settings.backoff, result.retryAfterMs, random);
    return { ...ref, kind: 'retry', at, error: result.error, nextAttemptAt: formatTimestamp(nowMs + delay) };
  }

  async function runOnce(): Promise<number> {
    const leaseId = randomUUID();
    const leased = await deps.store.leaseDeliveries(
      formatTimestamp(deps.now()),
      settings.batchSize,
      leaseMs,
      leaseId,
    );
    if (leased.length === 0) return 0;
    const integrations = new Map<string, Integration | undefined>();
    const outcomes: DeliveryOutcome[] = [];
    const toSend: { d: Delivery; set: string; url: string; auth: string | undefined }[] = [];
    const signed: SignedDelivery[] = [];
    for (const d of leased) {
      const target = await resolveTarget(d, integrations);
      const ref = { accountId: d.accountId, streamId: d.streamId, jti: d.jti, leaseId };
      if (target.kind === 'drop') {
        outcomes.push({ ...ref, kind: 'dropped' });
        continue;
      }
      let set = d.signedSet;
      if (set === undefined) {
        const nowMs = deps.now();
        const claims = buildSetClaims(
          d,
          target.recipient,
          issuerOf(deps.publicUrl(), d.accountId),
          numericDate(nowMs),
        );
        if (!claims.ok) {
          outcomes.push({ ...ref, kind: 'failed', at: formatTimestamp(nowMs), error: claims.error });
          continue;
        }
        const key = await deps.keyRing.activeKey();
        set = await signSet(claims.claims, key);
        signed.push({
          accountId: d.accountId,
          streamId: d.streamId,
          jti: d.jti,
          signedSet: set,
          kid: key.kid,
        });
      }
      toSend.push({ d, set, url: target.url, auth: target.auth });
    }
    if (signed.length > 0) await deps.store.saveSignedDeliveries(signed);
    let next = 0;
    const sendNext = async (): Promise<void> => {
      for (;;) {
        const item = toSend[next++];
        if (!item) return;
        const result = await pushSet(item.url, item.set, {
          authorizationHeader: item.auth,
          timeoutMs: settings.pushTimeoutMs,
          policy: deps.policy,
        });
        const outcome = outcomeOf(item.d, leaseId, result, deps.now());
        if (outcome.kind === 'failed' || outcome.kind === 'retry') {
          deps.log?.warn(
            {
              account_id: item.d.accountId,
              stream_id: item.d.streamId,
              jti: item.d.jti,
              outcome: outcome.kind,
              error: outcome.error,
            },
            outcome.kind === 'failed' ? 'SET delivery failed permanently' : 'SET delivery will be retried',
          );
        }
        outcomes.push(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, toSend.length) }, sendNext));
    await deps.store.finishDeliveries(outcomes);
    return leased.length;
  }

  function pause(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      let handled = 0;
      try {
        handled = await runOnce();
      } catch (error) {
        deps.log?.error({ err: error }, 'SET delivery round failed');
      }
      if (!running) break;
      if (handled < settings.batchSize) await pause(settings.intervalMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    runOnce,
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      loop = undefined;
    },
  };
}
