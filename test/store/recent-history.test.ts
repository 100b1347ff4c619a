import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BEHAVIOR_CATALOG } from '../../src/domain/behaviors.js';
import { generateDemo } from '../../src/ingest/demo/generate.js';
import type { GenericEvent } from '../../src/ingest/events/generic-event.js';
import type { BehaviorUpdate } from '../../src/services/behaviors.js';
import { createServices, type Services } from '../../src/services/services.js';
import type { RecentHistoryLimits } from '../../src/store/recent-history.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * The SQLite store answers detection history from memory (RecentHistory) when it can prove the answer
 * complete. These tests hold it to the database's answer on real files: the same detections with the
 * memory on, tiny (constantly declining and evicting) and off; and no stale answer after another
 * connection wrote to the same file.
 */

const ACCOUNT = 'recent0history000000000000000001';
const END_MS = Date.parse('2026-11-01T00:00:00.000Z');
const NOW_MS = END_MS + 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'ztrisk-recent-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function open(
  file: string,
  recentHistory?: RecentHistoryLimits,
): Promise<{ store: Store; services: Services }> {
  const store = createSqliteStore({ path: join(dir, file), ...(recentHistory ? { recentHistory } : {}) });
  await store.migrate();
  await store.ensureAccount(ACCOUNT, new Date(NOW_MS).toISOString());
  const services = createServices({ store, now: () => NOW_MS });
  const settings = new Map<string, BehaviorUpdate>(
    BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: true, riskLevel: b.defaultLevel }]),
  );
  await services.behaviors.update(ACCOUNT, settings, 'cli');
  return { store, services };
}

async function ingest(services: Services, events: readonly GenericEvent[]): Promise<void> {
  const records = events.map((value, index) => ({ index, value }));
  const summary = await services.ingest.ingest(
    ACCOUNT,
    services.ingest.mapRecords(ACCOUNT, { kind: 'events' }, records),
  );
  assert.equal(summary.rejected.length, 0, JSON.stringify(summary.rejected.slice(0, 3)));
}

/** Every recorded risk event of a store file, as comparable rows. */
function riskEvents(file: string): { dedupe_key: string; behavior: string; ts: string; details: string }[] {
  const db = new Database(join(dir, file), { readonly: true });
  try {
    return db
      .prepare<[], { dedupe_key: string; behavior: string; ts: string; details: string }>(
        'SELECT dedupe_key, behavior, ts, details FROM risk_events ORDER BY dedupe_key',
      )
      .all();
  } finally {
    db.close();
  }
}

describe('recent history in memory (SQLite store)', () => {
  it('detects exactly what SQL alone detects, whatever its size', async () => {
    const demo = generateDemo({ seed: 11, users: 60, days: 3, endMs: END_MS });
    const events = [...demo.days()].flatMap((d) => d.events);
    const variants = {
      'default.db': undefined,
      'tiny.db': { maxEvents: 12, maxPerSeries: 2 },
      'off.db': { maxEvents: 0, maxPerSeries: 0 },
    } as const;
    for (const [file, limits] of Object.entries(variants)) {
      const { store, services } = await open(file, limits);
      try {
        for (let i = 0; i < events.length; i += 400) await ingest(services, events.slice(i, i + 400));
      } finally {
        await store.close();
      }
    }
    const reference = riskEvents('off.db');
    const behaviors = new Set(reference.map((r) => r.behavior));
    assert.equal(behaviors.size, BEHAVIOR_CATALOG.length, `every behavior fires: ${[...behaviors]}`);
    assert.deepEqual(riskEvents('default.db'), reference);
    assert.deepEqual(riskEvents('tiny.db'), reference);
  });

  it('does not answer from memory after another connection stored events', async () => {
    const a = await open('shared.db');
    const b = await open('shared.db');
    try {
      const user = { id: '6f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f', email: 'x@example.com', name: 'X' };
      const signIn = (id: string, minute: number, lat: number, lon: number): GenericEvent => ({
        id,
        type: 'sign_in',
        outcome: 'success',
        timestamp: new Date(END_MS - 3_600_000 + minute * 60_000).toISOString(),
        user,
        location: { lat, lon },
      });
      // A holds the user's sign-ins in memory; B (another connection) stores an earlier one; A then
      // ingests one between them, whose earlier neighbour is only in the database.
      await ingest(a.services, [signIn('tokyo', 120, 35.68, 139.69)]);
      await ingest(b.services, [signIn('new-york', 0, 40.71, -74.01)]);
      await ingest(a.services, [signIn('london', 1, 51.51, -0.13)]);
      const pairs = riskEvents('shared.db')
        .filter((r) => r.behavior === 'imp_travel')
        .map((r) => r.dedupe_key);
      assert.deepEqual(pairs, [
        'imp_travel:london:new-york',
        'imp_travel:london:tokyo',
        'imp_travel:new-york:tokyo',
      ]);
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });
});
