import { connect, headers, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import { ZtriskError } from '../../domain/errors.js';
import type { IngestInput, IngestSummary } from '../../services/ingest.js';
import { type BatchLimits, type BatchRecord, decodeBody, splitRecords } from '../batch.js';
import { mapGenericEvent } from '../events/generic-event.js';
import {
  accountOfSubject,
  ensureConsumer,
  ensureStreams,
  type NatsTopology,
  subjectPrefix,
} from './streams.js';

/** The part of the ingest service NATS ingestion uses (what the HTTP endpoint uses, too). */
export interface NatsIngestTarget {
  readonly limits: BatchLimits;
  ingest(accountId: string, inputs: readonly IngestInput[]): Promise<IngestSummary>;
}

/** A pino-style logger (Fastify's). */
export interface NatsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of NATS ingestion (config keys `nats*`). */
export interface NatsIngestionOptions extends NatsTopology {
  readonly url: string;
  /** Durable pull consumer shared by every node. */
  readonly consumer: string;
  /** Messages pulled per fetch (default 256). */
  readonly batchMessages?: number;
  /** ack_wait of the consumer when ztrisk creates it (default 30 s). */
  readonly ackWaitMs?: number;
  /**
   * A message whose processing fails (the store is unreachable…) is retried with backoff; at this
   * delivery it is dead-lettered instead, so nothing is retried forever (default 10).
   */
  readonly maxDeliveries?: number;
}

/** What NATS ingestion needs from the rest of ztrisk. */
export interface NatsIngestionDeps {
  readonly ingest: NatsIngestTarget;
  /** True when the account exists (messages for unknown accounts are dead-lettered). */
  accountExists(accountId: string): Promise<boolean>;
  readonly log?: NatsLogger;
}

/** Running NATS ingestion. */
export interface NatsIngestion {
  /** Finishes the batch in hand (stored and acknowledged), then drains and closes the connection. */
  stop(): Promise<void>;
}

/** Header naming why a message was dead-lettered. */
export const DEAD_LETTER_REASON_HEADER = 'Ztrisk-Dead-Letter-Reason';
/** Header with the dead-lettered message's original subject. */
export const DEAD_LETTER_SUBJECT_HEADER = 'Ztrisk-Original-Subject';
const MAX_HEADER_CHARS = 4000;
const FETCH_EXPIRES_MS = 1000;

/** A message and what reading it gave. */
interface Parsed {
  readonly msg: JsMsg;
  readonly account: string;
  readonly records: readonly BatchRecord[];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Consumes generic events (docs/events.md; a message is one event, a JSON array, `{"events": [...]}` or
 * NDJSON, optionally gzip) from a JetStream stream with a durable pull consumer shared by every node.
 * The subject carries the account: `<prefix>.<account_id>`.
 *
 * Each fetched batch is grouped by account and stored through the ingest service; only then are its
 * messages acknowledged, so a node that dies mid-batch leaves them to be redelivered (to any node) and
 * re-storing is a counted duplicate, never a second detection. Invalid input is dead-lettered with the
 * reason and never retried: a message without an account, for an unknown account, or that is not JSON
 * is republished whole to `<deadLetterSubject>.<account>` and terminated; the invalid records of an
 * otherwise valid message are republished as NDJSON with their errors, the rest stored. A failure to
 * store naks the batch with backoff, and dead-letters a message at its `maxDeliveries`-th delivery.
 */
export async function startNatsIngestion(
  options: NatsIngestionOptions,
  deps: NatsIngestionDeps,
): Promise<NatsIngestion> {
  const prefix = subjectPrefix(options.subject);
  const maxDeliveries = options.maxDeliveries ?? 10;
  const nc: NatsConnection = await connect({
    servers: options.url,
    name: 'ztrisk',
    maxReconnectAttempts: -1,
  });
  try {
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, options);
    await ensureConsumer(jsm, options, options.consumer, {
      ackWaitMs: options.ackWaitMs ?? 30_000,
      maxAckPending: 10_000,
    });
  } catch (error) {
    await nc.close();
    throw error;
  }
  const js = nc.jetstream();
  const consumer = await js.consumers.get(options.stream, options.consumer);
  const known = new Set<string>();
  let stopping = false;

  async function deadLetter(msg: JsMsg, account: string | undefined, reason: string, body?: Uint8Array) {
    const h = headers();
    h.set(DEAD_LETTER_REASON_HEADER, reason.replace(/[\r\n]+/g, ' ').slice(0, MAX_HEADER_CHARS));
    h.set(DEAD_LETTER_SUBJECT_HEADER, msg.subject);
    await js.publish(`${options.deadLetterSubject}.${account ?? '_'}`, body ?? msg.data, { headers: h });
  }

  async function accountExists(account: string): Promise<boolean> {
    if (known.has(account)) return true;
    // Accounts are never deleted, so a positive answer stays true; a negative one is asked again.
    if (!(await deps.accountExists(account))) return false;
    known.add(account);
    return true;
  }

  /** Reads one message into records, or dead-letters it (and says so by returning undefined). */
  async function parse(msg: JsMsg): Promise<Parsed | undefined> {
    const account = accountOfSubject(prefix, msg.subject);
    let reason: string | undefined;
    let records: BatchRecord[] = [];
    if (account === undefined) reason = `subject ${msg.subject} carries no account id after ${prefix}`;
    else if (!(await accountExists(account))) reason = `unknown account ${account}`;
    else {
      try {
        const body = await decodeBody(
          Buffer.from(msg.data),
          msg.headers?.get('Content-Encoding') || undefined,
          deps.ingest.limits.maxBytes,
        );
        records = splitRecords(body, deps.ingest.limits, 'events');
      } catch (error) {
        if (!(error instanceof ZtriskError)) throw error;
        reason = `${error.kind}: ${error.message}`;
      }
    }
    if (reason !== undefined || account === undefined) {
      await deadLetter(msg, account, reason ?? 'no account');
      msg.term();
      return undefined;
    }
    return { msg, account, records };
  }

  /** Stores the records of one account's messages in one ingest call, then acks or dead-letters. */
  async function storeAccount(account: string, group: readonly Parsed[]): Promise<void> {
    const inputs: IngestInput[] = [];
    const owner: { parsed: Parsed; local: number }[] = [];
    for (const parsed of group) {
      for (const r of parsed.records) {
        owner.push({ parsed, local: r.index });
        inputs.push({
          index: inputs.length,
          result:
            'parseError' in r
              ? { kind: 'invalid', problems: [{ message: r.parseError, pointer: '' }] }
              : mapGenericEvent(r.value, { accountId: account, source: { kind: 'nats' } }),
        });
      }
    }
    let summary: IngestSummary;
    try {
      summary = await deps.ingest.ingest(account, inputs);
    } catch (error) {
      for (const { msg } of group) {
        const deliveries = msg.info.deliveryCount;
        if (deliveries >= maxDeliveries) {
          await deadLetter(msg, account, `failed ${deliveries} times: ${describe(error)}`);
          msg.term();
        } else {
          msg.nak(Math.min(30_000, 1000 * 2 ** (deliveries - 1)));
        }
      }
      deps.log?.error({ err: error, account, messages: group.length }, 'NATS batch not stored; will retry');
      return;
    }
    // `unreadable`: the record was not JSON, so only the original message has its bytes.
    const rejectedBy = new Map<
      Parsed,
      { index: number; record: unknown; unreadable: boolean; errors: unknown }[]
    >();
    for (const r of summary.rejected) {
      const at = owner[r.index];
      if (!at) continue;
      const record = at.parsed.records[at.local];
      const list = rejectedBy.get(at.parsed) ?? [];
      list.push({
        index: at.local,
        record: record && 'value' in record ? record.value : null,
        unreadable: !(record && 'value' in record),
        errors: r.errors,
      });
      rejectedBy.set(at.parsed, list);
    }
    for (const parsed of group) {
      const rejected = rejectedBy.get(parsed);
      if (rejected) {
        // Only the rejected records, unless one of them is unreadable text (its bytes are only in the
        // original): then the whole message, whose valid records are already stored (re-sending it later
        // stores them again as counted duplicates).
        const unreadable = rejected.some((r) => r.unreadable);
        const body = unreadable
          ? parsed.msg.data
          : new TextEncoder().encode(`${rejected.map((r) => JSON.stringify(r.record)).join('\n')}\n`);
        const reason = JSON.stringify(rejected.map((r) => ({ index: r.index, errors: r.errors })));
        await deadLetter(parsed.msg, account, `invalid records: ${reason}`, body);
      }
      parsed.msg.ack();
    }
  }

  async function processBatch(messages: readonly JsMsg[]): Promise<void> {
    const byAccount = new Map<string, Parsed[]>();
    for (const msg of messages) {
      const parsed = await parse(msg);
      if (!parsed) continue;
      const group = byAccount.get(parsed.account) ?? [];
      group.push(parsed);
      byAccount.set(parsed.account, group);
    }
    for (const [account, group] of byAccount) await storeAccount(account, group);
    await nc.flush();
  }

  const loop = (async () => {
    while (!stopping && !nc.isClosed()) {
      try {
        const fetched = await consumer.fetch({
          max_messages: options.batchMessages ?? 256,
          expires: FETCH_EXPIRES_MS,
        });
        const messages: JsMsg[] = [];
        for await (const m of fetched) messages.push(m);
        if (messages.length > 0) {
          try {
            await processBatch(messages);
          } catch (error) {
            // Give back whatever was not settled (a settled message ignores a later nak).
            for (const m of messages) m.nak(1000);
            throw error;
          }
        }
      } catch (error) {
        if (stopping || nc.isClosed()) break;
        deps.log?.warn({ err: error }, 'NATS fetch failed; retrying in 1 s');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();

  deps.log?.info(
    { stream: options.stream, subject: options.subject, consumer: options.consumer },
    'consuming events from NATS JetStream',
  );

  return {
    async stop() {
      if (stopping) return loop;
      stopping = true;
      await loop;
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

/** The publishing side, for `ztrisk ingest --to nats://…` and tests: one message per chunk of records. */
export interface NatsPublisher {
  /** Publishes one message (NDJSON of events) for an account; resolves once JetStream stored it. */
  publish(accountId: string, ndjson: string, msgId?: string): Promise<void>;
  close(): Promise<void>;
}

/** Connects a publisher to the events stream (created with its dead-letter stream if missing). */
export async function connectNatsPublisher(url: string, topology: NatsTopology): Promise<NatsPublisher> {
  const prefix = subjectPrefix(topology.subject);
  const nc = await connect({ servers: url, name: 'ztrisk-publisher' });
  let js: JetStreamClient;
  try {
    await ensureStreams(await nc.jetstreamManager(), topology);
    js = nc.jetstream();
  } catch (error) {
    await nc.close();
    throw error;
  }
  const encoder = new TextEncoder();
  return {
    async publish(accountId, ndjson, msgId) {
      await js.publish(`${prefix}${accountId}`, encoder.encode(ndjson), msgId ? { msgID: msgId } : {});
    },
    async close() {
      await nc.drain();
    },
  };
}
