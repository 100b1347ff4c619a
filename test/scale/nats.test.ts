import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import pg from 'pg';
import type { GenericEvent } from '../../src/ingest/events/generic-event.js';
import {
  connectNatsPublisher,
  DEAD_LETTER_REASON_HEADER,
  type NatsPublisher,
} from '../../src/ingest/nats/nats-ingestion.js';
import {
  deadLetterStream,
  ensureConsumer,
  ensureStreams,
  type NatsTopology,
} from '../../src/ingest/nats/streams.js';
import { runCli, type Server } from '../support/server.js';
import { createTokens, enableAllBehaviors, outcome, startNodes, stopNodes, type Tokens } from './cluster.js';
import { freshSchema, NATS_URL, PG_URL, uniqueSuffix } from './fixtures.js';
import { expectedBehaviors, hourAlignedDaysAgo, prng, scaleWorkload, shuffled, userId } from './workload.js';

/**
 * NATS JetStream ingestion end to end: events published to the stream are consumed by `ztrisk serve
 * --nats` with the shared durable consumer; the consumer is killed (SIGKILL) mid-stream and another node
 * takes over; every event is stored exactly once, each occurrence detected once, and invalid messages
 * end up in the dead-letter stream with their reason. Stream names are unique per run and deleted after.
 */

const ACCOUNT = 'scale0nats0000000000000000000acc';
const USERS = 30;

describe('NATS JetStream ingestion', { timeout: 120_000 }, () => {
  const suffix = uniqueSuffix();
  const topology: NatsTopology = {
    stream: `ZTRISK_TEST_${suffix}`,
    subject: `ztrisktest.${suffix}.events.>`,
    deadLetterSubject: `ztrisktest.${suffix}.dlq`,
  };
  const consumer = `ztrisk_${suffix}`;
  const schema = freshSchema('ztrisk_nats');
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-nats-'));
  const natsArgs = ['--nats', NATS_URL, '--nats-stream', topology.stream, '--nats-subject', topology.subject];
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: NatsPublisher;
  let tokens: Tokens;
  const nodes: Server[] = [];

  before(async () => {
    process.env.ZTRISK_NATS_CONSUMER = consumer;
    process.env.ZTRISK_NATS_DLQ_SUBJECT = topology.deadLetterSubject;
    nc = await connect({ servers: NATS_URL });
    jsm = await nc.jetstreamManager();
    // A short ack wait, so what the killed node held is redelivered within the test.
    await ensureStreams(jsm, topology);
    await ensureConsumer(jsm, topology, consumer, { ackWaitMs: 2000, maxAckPending: 10_000 });
    publisher = await connectNatsPublisher(NATS_URL, topology);
    tokens = await createTokens(schema.url, ACCOUNT);
  });

  after(async () => {
    await stopNodes(nodes);
    await publisher?.close();
    for (const stream of [topology.stream, deadLetterStream(topology)])
      await jsm?.streams.delete(stream).catch(() => false);
    await nc?.close();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every event exactly once across a consumer killed mid-stream, and dead-letters invalid input', async () => {
    const [first] = await startNodes(schema.url, 1, natsArgs);
    assert.ok(first);
    nodes.push(first);
    await enableAllBehaviors(first.url, ACCOUNT, tokens.admin);

    const events = shuffled(
      scaleWorkload({ users: USERS, baseMs: hourAlignedDaysAgo(Date.now(), 2), noisePerUser: 30, seed: 9 }),
      prng(4),
    );
    const messages: GenericEvent[][] = [];
    for (let i = 0; i < events.length; i += 4) messages.push(events.slice(i, i + 4));
    const ndjson = (list: readonly unknown[]): string => `${list.map((e) => JSON.stringify(e)).join('\n')}\n`;

    // Publish in waves; kill the consumer a third of the way through, while it is consuming.
    const waves = 12;
    const perWave = Math.ceil(messages.length / waves);
    for (let w = 0; w < waves; w += 1) {
      for (const m of messages.slice(w * perWave, (w + 1) * perWave))
        await publisher.publish(ACCOUNT, ndjson(m));
      if (w === Math.floor(waves / 3)) {
        await waitFor(
          async () => (await storedEventIds(schema.schema)).size > 0,
          'the first node stores events',
        );
        first.child.kill('SIGKILL');
        await first.exited;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Invalid input: not JSON, an unknown account, and one invalid record beside a valid one.
    await publisher.publish(ACCOUNT, 'this is not json at all {');
    await publisher.publish('no-such-account', ndjson([events[0]]));
    const valid = { ...(events[0] as GenericEvent), id: 'mixed-valid' };
    await publisher.publish(ACCOUNT, ndjson([valid, { id: 'mixed-invalid', type: 'sign_in' }]));

    const [second] = await startNodes(schema.url, 1, natsArgs);
    assert.ok(second);
    nodes.push(second);

    // `ztrisk ingest --to nats://…` publishes a file to the same stream.
    const file = join(dir, 'more.ndjson');
    const extra = [1, 2, 3].map((n) => ({ ...(events[n] as GenericEvent), id: `cli-${n}` }));
    writeFileSync(file, ndjson(extra));
    const printed = await runCli([
      'ingest',
      file,
      '--account',
      ACCOUNT,
      '--to',
      NATS_URL,
      '--nats-stream',
      topology.stream,
      '--nats-subject',
      topology.subject,
    ]);
    assert.match(printed, /published 3 events in 1 messages/);

    const expected = new Set([...events.map((e) => e.id), 'mixed-valid', ...extra.map((e) => e.id)]);
    await waitFor(async () => {
      const info = await jsm.consumers.info(topology.stream, consumer);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 'the consumer drains the stream');
    const stored = await storedEventIds(schema.schema);
    assert.deepEqual(
      [...expected].filter((id) => !stored.has(id)),
      [],
      'every published event is stored',
    );
    assert.equal(stored.size, expected.size, 'and nothing else');

    const users = await outcome(second.url, ACCOUNT, tokens.admin);
    for (let u = 0; u < USERS; u += 1) {
      const found = users.find((r) => r.userId === userId(u));
      assert.equal(
        (found?.events ?? []).length,
        expectedBehaviors(u).length,
        `user ${u}: detected exactly once`,
      );
    }

    const dead = await deadLetters(jsm, deadLetterStream(topology));
    assert.equal(dead.length, 3, JSON.stringify(dead));
    const unreadable = dead.find((d) => d.reason.includes('is not valid JSON'));
    assert.equal(
      unreadable?.body,
      'this is not json at all {',
      'an unreadable message is kept byte for byte',
    );
    assert.match(dead.map((d) => d.reason).join('\n'), /unknown account no-such-account/);
    const partial = dead.find((d) => d.reason.includes('/timestamp'));
    assert.ok(partial, 'the invalid record of the mixed message is dead-lettered');
    assert.match(partial.body, /mixed-invalid/);
    assert.doesNotMatch(partial.body, /mixed-valid/);

    second.child.kill('SIGTERM');
    assert.deepEqual(await second.exited, { code: 0, signal: null }, 'SIGTERM drains and exits cleanly');
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

async function storedEventIds(schemaName: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('${schemaName}.events') AS t`);
    if (exists.rows[0]?.t === null) return new Set();
    const result = await client.query<{ event_id: string }>(`SELECT event_id FROM ${schemaName}.events`);
    return new Set(result.rows.map((r) => r.event_id));
  } finally {
    await client.end();
  }
}

async function deadLetters(
  jsm: JetStreamManager,
  stream: string,
): Promise<{ reason: string; body: string }[]> {
  const info = await jsm.streams.info(stream);
  const out: { reason: string; body: string }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
    const m = await jsm.streams.getMessage(stream, { seq });
    out.push({ reason: m.header.get(DEAD_LETTER_REASON_HEADER), body: new TextDecoder().decode(m.data) });
  }
  return out;
}
