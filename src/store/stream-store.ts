import type {
  ControlDelivery,
  Delivery,
  DeliveryOutcome,
  PollError,
  SignedDelivery,
  Stream,
  StreamConfig,
  StreamHealth,
  StreamStatus,
} from '../domain/streams.js';
import type { Integration } from '../domain/types.js';
import type { AuditMeta } from './store.js';

/** What a verification request did. */
export type VerificationResult =
  | { readonly accepted: true }
  /** Too soon: the next request is allowed at `retryAt` (RFC 3339 UTC ms). */
  | { readonly accepted: false; readonly retryAt: string };

/**
 * The Shared Signals part of the {@link Store} (SSF.md, docs/decisions/0005-shared-signals.md):
 * receiver-managed streams and the SET outbox. Okta integrations are streams too (their stream id is the
 * integration id) without a row of their own.
 *
 * **The outbox.** Every write that changes users' levels (`recordRiskEvents`, `ingestEvents`,
 * `resetUser`) also enqueues, **in the same transaction**, one {@link Delivery} per change and target
 * stream: every active integration of the account, and every stream of the account that is `enabled`
 * or `paused`, whose `eventsDelivered` include CAEP risk-level-change and from which the user was not
 * removed (by any key of `userExclusionKeys`). Each delivery gets a fresh `jti`; all deliveries of one
 * change share the change's `txn`; `seq` grows with every enqueued delivery across the store. Deliveries
 * are removed once delivered (push 2xx, poll acknowledgement), failed permanently, or dropped.
 *
 * **Order and leases.** A delivery is *due* when its next attempt time has come, it is not leased (or its
 * lease expired), its target exports (integration active; stream `enabled`, or any status for control
 * events), and it is the lowest-`seq` delivery of its subject on its stream, so each subject's SETs
 * leave in order, whatever the number of workers. PostgreSQL can lease with `FOR UPDATE SKIP LOCKED`.
 */
export interface StreamStore {
  /**
   * The integration with this id in whichever account holds it (integration ids are UUID v4, unique
   * across accounts): the public `well_known_url` document has no account in its path.
   */
  locateIntegration(integrationId: string): Promise<Integration | undefined>;

  /** Stores a new stream and audits it (`stream.create`). */
  createStream(stream: Stream, audit: AuditMeta): Promise<void>;
  getStream(accountId: string, streamId: string): Promise<Stream | undefined>;
  /** The account's streams, `createdAt` ascending, then id. */
  listStreams(accountId: string): Promise<Stream[]>;
  /**
   * Replaces the receiver-settable configuration and `eventsDelivered` and audits it (`stream.update`);
   * undefined when absent. Pending deliveries keep their place but lose their signature (they are
   * re-signed for the new audience).
   */
  updateStream(
    accountId: string,
    streamId: string,
    config: StreamConfig & Pick<Stream, 'eventsDelivered'>,
    audit: AuditMeta,
  ): Promise<Stream | undefined>;
  /** Deletes a stream with its subjects, pending deliveries and health, audited (`stream.delete`). */
  deleteStream(accountId: string, streamId: string, audit: AuditMeta): Promise<boolean>;
  /**
   * Sets status and reason and audits it (`stream.status`); `disabled` drops pending risk deliveries
   * (control events stay). With `notice`, the stream-updated control delivery is enqueued in the same
   * transaction. Undefined when there is no such stream.
   */
  setStreamStatus(
    accountId: string,
    streamId: string,
    status: StreamStatus,
    reason: string | undefined,
    audit: AuditMeta,
    notice?: ControlDelivery,
  ): Promise<Stream | undefined>;
  /**
   * Removes (`included: false`) or adds back (`included: true`) a user, named by one or more subject
   * keys (`user:<id>`, `email:<lowercase email>`), on a stream. Resolves false when there is no such
   * stream. `at` is RFC 3339 UTC ms.
   */
  setStreamSubject(
    accountId: string,
    streamId: string,
    keys: readonly string[],
    included: boolean,
    at: string,
  ): Promise<boolean>;
  /**
   * A verification request: when the stream's last accepted request is at least `minIntervalMs` before
   * `delivery.at` (or there is none), stamps `delivery.at` as the last one and enqueues the verification
   * delivery; otherwise changes nothing and tells when the next request is allowed. Undefined when there
   * is no such stream.
   */
  requestStreamVerification(
    accountId: string,
    streamId: string,
    delivery: ControlDelivery,
    minIntervalMs: number,
  ): Promise<VerificationResult | undefined>;

  /**
   * Leases up to `limit` due push deliveries (see above) at `now` for `leaseMs` milliseconds under
   * `leaseId`, lowest `seq` first, across all accounts. Poll streams' deliveries are never leased.
   */
  leaseDeliveries(now: string, limit: number, leaseMs: number, leaseId: string): Promise<Delivery[]>;
  /** Remembers signatures of pending deliveries (unknown ones are ignored). */
  saveSignedDeliveries(signed: readonly SignedDelivery[]): Promise<void>;
  /**
   * Records outcomes of leased deliveries: `delivered`/`failed`/`dropped` remove the delivery;
   * `retry` counts the attempt, sets the next attempt time and releases the lease. Delivered and failed
   * outcomes update the stream's health (`lastSuccessAt` / `lastErrorAt`, `lastError`, counts); a retry
   * updates `lastErrorAt` and `lastError` only. An outcome whose lease is no longer held is ignored.
   */
  finishDeliveries(outcomes: readonly DeliveryOutcome[]): Promise<void>;
  /**
   * Up to `limit` pending deliveries of a poll stream, `seq` order: every delivery when the stream is
   * `enabled`, control events only otherwise.
   */
  listPollableDeliveries(accountId: string, streamId: string, limit: number): Promise<Delivery[]>;
  /**
   * A poller's acknowledgements (delivered) and reported errors (failed) by `jti`: removes those
   * deliveries of that stream and updates its health at `at`. Unknown jtis are ignored.
   */
  acknowledgeDeliveries(
    accountId: string,
    streamId: string,
    acks: readonly string[],
    errors: readonly PollError[],
    at: string,
  ): Promise<void>;
  /**
   * Health of every stream or integration of the account that has pending deliveries or a delivery
   * history, ordered by stream id.
   */
  listStreamHealth(accountId: string): Promise<StreamHealth[]>;
  /** Key ids of pending deliveries that are already signed (any account): keys still to publish. */
  listPendingKids(): Promise<string[]>;
}
