import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  NatsError,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';

/** Where events flow through JetStream: the stream, its subjects and the dead-letter subjects. */
export interface NatsTopology {
  /** Stream of events, e.g. `ZTRISK_EVENTS`. */
  readonly stream: string;
  /** The stream's subject filter, `<prefix>.>`; a message's account id is what follows the prefix. */
  readonly subject: string;
  /** Prefix of dead-letter subjects: invalid messages go to `<prefix>.<account_id>`. */
  readonly deadLetterSubject: string;
}

/** Events are kept this long (limits retention: a replay source, not only a queue). */
const EVENTS_MAX_AGE_MS = 7 * 24 * 3_600_000;
/** Dead letters are kept this long for an operator to look at and republish. */
const DEAD_LETTERS_MAX_AGE_MS = 30 * 24 * 3_600_000;
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

/** `ztrisk.events.>` → `ztrisk.events.` (what precedes the account id). */
export function subjectPrefix(subject: string): string {
  if (!subject.endsWith('.>')) throw new Error(`NATS subject ${JSON.stringify(subject)} must end in ".>"`);
  return subject.slice(0, -1);
}

/** The account id a message subject carries, or undefined when it carries none. */
export function accountOfSubject(prefix: string, subject: string): string | undefined {
  if (!subject.startsWith(prefix)) return undefined;
  const account = subject.slice(prefix.length);
  return account.length > 0 && account.length <= 256 ? account : undefined;
}

/** The stream holding dead letters of an events stream. */
export function deadLetterStream(topology: NatsTopology): string {
  return `${topology.stream}_DLQ`;
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof NatsError && error.api_error?.err_code === code;
}

/**
 * Creates the events stream and its dead-letter stream when they are missing (an existing stream is used
 * as it is: operators may tune retention or replicas). Refuses a dead-letter prefix inside the events
 * subjects, which would feed dead letters back in as events.
 */
export async function ensureStreams(jsm: JetStreamManager, topology: NatsTopology): Promise<void> {
  const prefix = subjectPrefix(topology.subject);
  if (`${topology.deadLetterSubject}.`.startsWith(prefix)) {
    throw new Error(
      `NATS dead-letter subject ${topology.deadLetterSubject} lies inside the events subjects ${topology.subject}`,
    );
  }
  await ensureStream(jsm, topology.stream, topology.subject, EVENTS_MAX_AGE_MS);
  await ensureStream(
    jsm,
    deadLetterStream(topology),
    `${topology.deadLetterSubject}.>`,
    DEAD_LETTERS_MAX_AGE_MS,
  );
}

async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  subject: string,
  maxAgeMs: number,
): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (error) {
    if (!isApiError(error, STREAM_NOT_FOUND)) throw error;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [subject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(maxAgeMs),
    });
  } catch (error) {
    // Another node created it in the meantime: fine as long as it now exists.
    await jsm.streams.info(name).catch(() => {
      throw error;
    });
  }
}

/** Options of the durable consumer, used only when creating it. */
export interface ConsumerOptions {
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it. */
  readonly ackWaitMs: number;
  /** Most messages delivered and not yet acknowledged, over all nodes. */
  readonly maxAckPending: number;
}

/**
 * Creates the durable pull consumer every node shares, when it is missing (explicit acks, every message
 * from the start of the stream, unlimited redeliveries: ztrisk itself dead-letters a message that keeps
 * failing). An existing consumer is used as it is.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  topology: NatsTopology,
  durable: string,
  options: ConsumerOptions,
): Promise<void> {
  try {
    await jsm.consumers.info(topology.stream, durable);
    return;
  } catch (error) {
    if (!isApiError(error, CONSUMER_NOT_FOUND)) throw error;
  }
  await jsm.consumers.add(topology.stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: topology.subject,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: options.maxAckPending,
  });
}
