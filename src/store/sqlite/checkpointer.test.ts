import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'ztrisk-checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A WAL database whose writer never checkpoints by itself during the test, with ~8 MB committed. */
function filledDatabase(name: string): { db: Database.Database; path: string } {
  const path = join(dir, name);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 100000');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, blob BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO t (blob) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i += 1) insert.run(Buffer.alloc(4000, i % 251));
  })();
  return { db, path };
}

async function sizeAfterWaiting(path: string, atLeast: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let size = statSync(path).size;
  while (size < atLeast && Date.now() < deadline) {
    await sleep(20);
    size = statSync(path).size;
  }
  return size;
}

describe('background WAL checkpointer (worker thread, real files)', () => {
  it('copies committed WAL pages into the database file while the writer does nothing (periodic)', async () => {
    const { db, path } = filledDatabase('with.db');
    try {
      assert.ok(statSync(path).size < 1_000_000, 'before: the pages are only in the WAL');
      const checkpointer = startCheckpointer(path, { intervalMs: 20 });
      const size = await sizeAfterWaiting(path, 8_000_000, 10_000);
      await checkpointer.close();
      assert.ok(size >= 8_000_000, `the database file holds the pages (${size} bytes)`);
      db.prepare('INSERT INTO t (blob) VALUES (?)').run(Buffer.alloc(10)); // the writer is unaffected
      assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM t').get(), { n: 2001 });
    } finally {
      db.close();
    }
  });

  it('checkpoints when nudged, long before its interval', async () => {
    const { db, path } = filledDatabase('nudged.db');
    try {
      const checkpointer = startCheckpointer(path, { intervalMs: 600_000 });
      await sleep(100); // the worker is up; its first periodic checkpoint is ten minutes away
      assert.ok(statSync(path).size < 1_000_000, 'nothing checkpointed yet');
      checkpointer.nudge();
      const size = await sizeAfterWaiting(path, 8_000_000, 10_000);
      await checkpointer.close();
      assert.ok(size >= 8_000_000, `the database file holds the pages (${size} bytes)`);
    } finally {
      db.close();
    }
  });

  it('without it, the same pages stay in the WAL (control)', async () => {
    const { db, path } = filledDatabase('without.db');
    try {
      const size = await sizeAfterWaiting(path, 8_000_000, 300);
      assert.ok(size < 1_000_000, `nothing checkpointed the file (${size} bytes)`);
    } finally {
      db.close();
    }
  });

  it('stops promptly on close, also for a file it cannot open', async () => {
    const checkpointer = startCheckpointer(join(dir, 'missing', 'nothing.db'), { intervalMs: 10 });
    await sleep(50);
    await checkpointer.close();
  });
});
