import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BEHAVIOR_CATALOG } from '../../src/domain/behaviors.js';
import { generateDemo } from '../../src/ingest/demo/generate.js';
import { createPrng } from '../../src/ingest/demo/prng.js';
import type { GenericEvent } from '../../src/ingest/events/generic-event.js';
import { onlyLine, runCli, type Server, startServer } from '../support/server.js';

/**
 * Crash safety: a stream of batches is ingested while the server is killed with SIGKILL at random
 * points and restarted; the client re-sends every batch that was not acknowledged. Afterwards every
 * acknowledged event is stored exactly once and every user's level, count and last event equal a
 * recomputation from their risk events.
 */

const ACCOUNT = 'crash0safety00000000000000000001';
const BATCH = 250;
const KILLS = 4;

describe('crash safety under SIGKILL during ingestion', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-crash-'));
  const dbPath = join(dir, 'ztrisk.db');
  let server: Server | undefined;

  after(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged event, stores none twice, and keeps every level consistent', async () => {
    const seed = Number(process.env.ZTRISK_CRASH_SEED ?? 20261204);
    const random = createPrng(seed); // deterministic: ZTRISK_CRASH_SEED replays a failure
    const token = onlyLine(
      await runCli([
        'tokens',
        'create',
        '--account',
        ACCOUNT,
        '--permission',
        'Zero Trust Write',
        '--db',
        `sqlite:${dbPath}`,
      ]),
    );
    server = await startServer(dbPath);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const enable = await fetch(`${server.url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        behaviors: Object.fromEntries(
          BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: true, risk_level: b.defaultLevel }]),
        ),
      }),
    });
    assert.equal(enable.status, 200);

    const events: GenericEvent[] = [
      ...generateDemo({ seed, users: 60, days: 2, endMs: Date.parse('2026-12-01T00:00:00Z') }).events(),
    ];
    const batches: GenericEvent[][] = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
    const killAt = new Set<number>();
    while (killAt.size < KILLS) killAt.add(1 + Math.floor(random.next() * (batches.length - 2)));

    const acknowledged = new Set<string>();
    let kills = 0;
    let retries = 0;
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i] ?? [];
      const current: Server = server;
      // Settled eagerly so a connection the kill breaks is an outcome, not an unhandled rejection.
      const post = fetch(`${current.url}/client/v4/accounts/${ACCOUNT}/ztrisk/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify(batch),
      }).then(
        async (res) => ({
          status: res.status,
          body: (await res.json()) as { result?: { rejected: unknown[] } },
        }),
        () => undefined,
      );
      if (killAt.delete(i)) {
        // Kill while this batch is in flight (before, during or after its transaction).
        await new Promise((resolve) => setTimeout(resolve, random.int(0, 39)));
        current.child.kill('SIGKILL');
        await current.exited;
        kills += 1;
      }
      const answer = await post;
      const ok = answer?.status === 200;
      if (answer && ok) assert.deepEqual(answer.body.result?.rejected, []);
      if (!ok) {
        if (current.child.exitCode !== null || current.child.signalCode !== null)
          server = await startServer(dbPath);
        i -= 1; // re-send the unacknowledged batch
        retries += 1;
        assert.ok(retries <= KILLS * 3, `too many retries (last answer ${JSON.stringify(answer)})`);
        continue;
      }
      for (const e of batch) acknowledged.add(e.id);
      if (current !== server) continue;
      if (current.child.exitCode !== null || current.child.signalCode !== null)
        server = await startServer(dbPath);
    }
    assert.equal(kills, KILLS);
    server.child.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null });

    const db = new Database(dbPath, { readonly: true });
    try {
      const stored = db
        .prepare<[string], { event_id: string }>('SELECT event_id FROM events WHERE account_id = ?')
        .all(ACCOUNT)
        .map((r) => r.event_id);
      assert.equal(new Set(stored).size, stored.length, 'no event stored twice');
      const storedSet = new Set(stored);
      const missing = [...acknowledged].filter((id) => !storedSet.has(id));
      assert.deepEqual(missing, [], 'every acknowledged event is stored');
      assert.equal(
        acknowledged.size,
        new Set(events.map((e) => e.id)).size,
        'every batch was eventually acknowledged',
      );

      const keys = db
        .prepare<[string], { n: number; d: number }>(
          'SELECT COUNT(*) AS n, COUNT(DISTINCT dedupe_key) AS d FROM risk_events WHERE account_id = ?',
        )
        .get(ACCOUNT);
      assert.equal(keys?.n, keys?.d, 'no occurrence detected twice');
      assert.ok((keys?.n ?? 0) > 0, 'the stream produced risk events');

      const mismatches = db
        .prepare<[{ account: string }], { user_id: string }>(
          `SELECT u.user_id FROM users u
           LEFT JOIN (
             SELECT r.user_id,
                    COUNT(*) AS n,
                    MAX(CASE r.risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) AS rank,
                    MAX(r.ts) AS last
             FROM risk_events r JOIN users u2 ON u2.account_id = r.account_id AND u2.user_id = r.user_id
             WHERE r.account_id = @account AND r.ts > COALESCE(u2.last_reset_time, '')
             GROUP BY r.user_id
           ) x ON x.user_id = u.user_id
           WHERE u.account_id = @account
             AND (u.event_count IS NOT COALESCE(x.n, 0) OR u.risk_rank IS NOT x.rank OR u.last_event IS NOT x.last)`,
        )
        .all({ account: ACCOUNT });
      assert.deepEqual(mismatches, [], 'every level equals a recomputation from the risk events');
    } finally {
      db.close();
    }
  });
});
