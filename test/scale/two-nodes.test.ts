import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GenericEvent } from '../../src/ingest/events/generic-event.js';
import type { Server } from '../support/server.js';
import {
  api,
  createTokens,
  enableAllBehaviors,
  inParallel,
  outcome,
  postEvents,
  startNodes,
  stopNodes,
  type Tokens,
} from './cluster.js';
import { freshSchema } from './fixtures.js';
import {
  expectedBehaviors,
  hourAlignedDaysAgo,
  prng,
  scaleWorkload,
  shuffledBatches,
  userId,
} from './workload.js';

/**
 * Many nodes, one truth: two `ztrisk serve` processes on one PostgreSQL schema receive interleaved,
 * out-of-order batches for the same users, each user's impossible-travel pair and DLP and failed-login
 * bursts split across the two nodes, concurrently; what they record must equal what one node on SQLite
 * records for the same batches sent one after the other.
 */

const ACCOUNT = 'scale0two0nodes00000000000000acc';
const USERS = 24;

describe('two nodes on one PostgreSQL database', { timeout: 120_000 }, () => {
  const schema = freshSchema('ztrisk_two_nodes');
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-two-nodes-'));
  const sqlite = `sqlite:${join(dir, 'single.db')}`;
  let pgTokens: Tokens;
  let sqliteTokens: Tokens;
  let nodeA: Server | undefined;
  let nodeB: Server | undefined;
  let single: Server | undefined;

  before(async () => {
    [pgTokens, sqliteTokens] = await Promise.all([
      createTokens(schema.url, ACCOUNT),
      createTokens(sqlite, ACCOUNT),
    ]);
    const [pgNodes, sqliteNodes] = await Promise.all([startNodes(schema.url, 2), startNodes(sqlite, 1)]);
    [nodeA, nodeB] = pgNodes;
    [single] = sqliteNodes;
    assert.ok(nodeA && nodeB && single);
    await enableAllBehaviors(nodeA.url, ACCOUNT, pgTokens.admin);
    await enableAllBehaviors(single.url, ACCOUNT, sqliteTokens.admin);
  });

  after(async () => {
    await stopNodes([nodeA, nodeB, single]);
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('record exactly the risk events and levels one SQLite node records for the same batches', async () => {
    assert.ok(nodeA && nodeB && single);
    const events = scaleWorkload({
      users: USERS,
      baseMs: hourAlignedDaysAgo(Date.now(), 2),
      noisePerUser: 6,
      seed: 7,
    });
    // Each user's events alternate between the nodes (so every travel pair and every burst is split),
    // then each node's share is shuffled into batches of mixed users.
    const byUser = new Map<string, GenericEvent[]>();
    for (const e of events) byUser.set(e.user.id, [...(byUser.get(e.user.id) ?? []), e]);
    const shareA: GenericEvent[] = [];
    const shareB: GenericEvent[] = [];
    for (const list of byUser.values()) {
      for (const [i, e] of list.entries()) (i % 2 === 0 ? shareA : shareB).push(e);
    }
    const random = prng(11);
    const batchesA = shuffledBatches(shareA, 15, random);
    const batchesB = shuffledBatches(shareB, 15, random);

    const a = nodeA;
    const b = nodeB;
    await Promise.all([
      inParallel(
        batchesA,
        3,
        async (batch) => void (await postEvents(a.url, ACCOUNT, pgTokens.ingest, batch)),
      ),
      inParallel(
        batchesB,
        3,
        async (batch) => void (await postEvents(b.url, ACCOUNT, pgTokens.ingest, batch)),
      ),
    ]);
    const interleaved = batchesA
      .flatMap((batch, i) => [batch, batchesB[i] ?? []])
      .concat(batchesB.slice(batchesA.length));
    for (const batch of interleaved) {
      if (batch.length > 0) await postEvents(single.url, ACCOUNT, sqliteTokens.ingest, batch);
    }

    const [viaA, viaB, reference] = await Promise.all([
      outcome(a.url, ACCOUNT, pgTokens.admin),
      outcome(b.url, ACCOUNT, pgTokens.admin),
      outcome(single.url, ACCOUNT, sqliteTokens.admin),
    ]);
    // The reference itself is what the workload means (a sanity check of the test, not of the nodes).
    const expectedUsers = Array.from({ length: USERS }, (_, u) => u).filter(
      (u) => expectedBehaviors(u).length > 0,
    );
    assert.deepEqual(
      reference.map((u) => u.userId),
      expectedUsers.map(userId),
    );
    for (const u of expectedUsers) {
      const found = reference.find((r) => r.userId === userId(u));
      assert.deepEqual(found?.events.map((e) => e.name).length, expectedBehaviors(u).length);
    }
    assert.deepEqual(viaA, reference, 'two PostgreSQL nodes record what one SQLite node records');
    assert.deepEqual(viaB, viaA, 'both nodes answer the same');
  });

  it('a reset and a behavior change made through one node take effect on the other at once', async () => {
    assert.ok(nodeA && nodeB);
    const user = userId(100);
    const soon = (ms: number): string => new Date(Date.now() + ms).toISOString();
    const file = (id: string, timestamp: string): GenericEvent =>
      ({
        id,
        type: 'file_verdict',
        timestamp,
        user: { id: user, email: 'reset@example.com' },
        verdict: 'malicious',
        direction: 'upload',
      }) as GenericEvent;
    const userPath = `/accounts/${ACCOUNT}/zt_risk_scoring/${user}`;

    const first = await postEvents(nodeA.url, ACCOUNT, pgTokens.ingest, [file('reset-1', soon(-60_000))]);
    assert.equal(first.risk_events, 1);
    await api(nodeB.url, pgTokens.admin, 'POST', `${userPath}/reset`, { reason: 'cleared on node B' });
    const afterReset = (await api(nodeA.url, pgTokens.admin, 'GET', userPath)).result as {
      events: unknown[];
      risk_level?: string;
    };
    assert.deepEqual(afterReset.events, [], 'node A sees the reset made on node B');
    assert.equal(afterReset.risk_level, undefined);

    await api(nodeA.url, pgTokens.admin, 'PUT', `/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, {
      behaviors: { malicious_file: { enabled: false, risk_level: 'high' } },
    });
    const disabled = await postEvents(nodeB.url, ACCOUNT, pgTokens.ingest, [file('reset-2', soon(60_000))]);
    assert.equal(disabled.risk_events, 0, 'node B no longer detects a behavior disabled on node A');

    await api(nodeB.url, pgTokens.admin, 'PUT', `/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, {
      behaviors: { malicious_file: { enabled: true, risk_level: 'low' } },
    });
    const enabled = await postEvents(nodeA.url, ACCOUNT, pgTokens.ingest, [file('reset-3', soon(120_000))]);
    assert.equal(enabled.risk_events, 1, 'node A detects it again, at the level set on node B');
    const now = (await api(nodeB.url, pgTokens.admin, 'GET', userPath)).result as {
      events: { risk_level: string }[];
      risk_level?: string;
    };
    assert.equal(now.risk_level, 'low');
    assert.deepEqual(
      now.events.map((e) => e.risk_level),
      ['low'],
    );
  });
});
