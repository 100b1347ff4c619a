import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { GenericEvent } from '../../src/ingest/events/generic-event.js';
import type { Server } from '../support/server.js';
import {
  createTokens,
  enableAllBehaviors,
  inParallel,
  outcome,
  postEvents,
  startNodes,
  stopNodes,
  type Tokens,
} from './cluster.js';
import { freshSchema, PG_URL } from './fixtures.js';
import {
  expectedBehaviors,
  hourAlignedDaysAgo,
  prng,
  scaleWorkload,
  shuffledBatches,
  userId,
} from './workload.js';

/**
 * Failover: a node is killed with SIGKILL while batches are in flight to it; the client retries every
 * failed batch on the other node. No acknowledged event may be lost and nothing may be detected twice
 * (the killed node's open transactions roll back; what it committed but could not acknowledge comes
 * back as duplicates).
 */

const ACCOUNT = 'scale0failover000000000000000acc';
const USERS = 30;

describe('failover between two nodes', { timeout: 120_000 }, () => {
  const schema = freshSchema('ztrisk_failover');
  let tokens: Tokens;
  let nodes: Server[] = [];

  before(async () => {
    tokens = await createTokens(schema.url, ACCOUNT);
    nodes = await startNodes(schema.url, 2);
    const [first] = nodes;
    assert.ok(first);
    await enableAllBehaviors(first.url, ACCOUNT, tokens.admin);
  });

  after(async () => {
    await stopNodes(nodes);
    await schema.drop();
  });

  it('loses no acknowledged event and detects nothing twice when a node dies mid-ingestion', async () => {
    const [victim, survivor] = nodes;
    assert.ok(victim && survivor);
    const events = scaleWorkload({
      users: USERS,
      baseMs: hourAlignedDaysAgo(Date.now(), 3),
      noisePerUser: 20,
      seed: 3,
    });
    const batches = shuffledBatches(events, 10, prng(5));
    const acknowledged = new Set<string>();
    let retried = 0;
    let sent = 0;
    const killAfter = Math.floor(batches.length / 3);

    await inParallel(batches, 4, async (batch) => {
      sent += 1;
      if (sent === killAfter) victim.child.kill('SIGKILL');
      const preferred = sent % 2 === 0 && victim.child.signalCode === null ? victim : survivor;
      try {
        await postEvents(preferred.url, ACCOUNT, tokens.ingest, batch);
      } catch (error) {
        assert.equal(preferred, victim, `the surviving node failed: ${String(error)}`);
        retried += 1;
        await postEvents(survivor.url, ACCOUNT, tokens.ingest, batch);
      }
      for (const e of batch) acknowledged.add(e.id);
    });
    await victim.exited;

    assert.ok(retried > 0, 'some batches failed on the killed node and were retried');
    assert.equal(acknowledged.size, events.length);
    const stored = await storedEventIds(schema.schema);
    const missing = events.filter((e: GenericEvent) => !stored.has(e.id)).map((e) => e.id);
    assert.deepEqual(missing, [], 'every acknowledged event is stored');
    assert.equal(stored.size, events.length);

    const users = await outcome(survivor.url, ACCOUNT, tokens.admin);
    for (let u = 0; u < USERS; u += 1) {
      const found = users.find((r) => r.userId === userId(u));
      assert.deepEqual(
        (found?.events ?? []).map((e) => e.name).length,
        expectedBehaviors(u).length,
        `user ${u}: each occurrence detected exactly once`,
      );
    }
  });
});

async function storedEventIds(schemaName: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const result = await client.query<{ event_id: string }>(`SELECT event_id FROM ${schemaName}.events`);
    return new Set(result.rows.map((r) => r.event_id));
  } finally {
    await client.end();
  }
}
