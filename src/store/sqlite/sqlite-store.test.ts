import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runStoreContract } from '../store.contract.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { createSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'ztrisk-sqlite-store-'));
let files = 0;

/** A path to a database file that does not exist yet, inside the suite's temporary folder. */
function freshFile(): string {
  files += 1;
  return join(dir, `store-${files}.db`);
}

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

runStoreContract('sqlite :memory:', async () => createSqliteStore({ path: ':memory:' }));
runStoreContract('sqlite file', async () => createSqliteStore({ path: freshFile() }));

describe('SQLite store specifics', () => {
  it('reports every migration pending on a new file, none after migrating', async () => {
    const store = createSqliteStore({ path: freshFile() });
    try {
      assert.equal(await store.pendingMigrations(), SQLITE_MIGRATIONS.length);
      await store.migrate();
      assert.equal(await store.pendingMigrations(), 0);
    } finally {
      await store.close();
    }
  });

  it('migrating twice applies each migration once', async () => {
    const store = createSqliteStore({ path: freshFile() });
    try {
      await store.migrate();
      await store.ensureAccount('acc', '2025-01-01T00:00:00.000Z');
      await store.migrate();
      assert.deepEqual(await store.listAccounts(), ['acc']);
    } finally {
      await store.close();
    }
  });

  it('records one schema_migrations row per migration, however often it migrates', async () => {
    const file = freshFile();
    for (let i = 0; i < 3; i++) {
      const store = createSqliteStore({ path: file });
      await store.migrate();
      await store.migrate();
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const versions = db
        .prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version')
        .all()
        .map((r) => r.version);
      assert.deepEqual(
        versions,
        SQLITE_MIGRATIONS.map((m) => m.version),
      );
    } finally {
      db.close();
    }
  });

  it('keeps data across close and reopen of the same file', async () => {
    const path = freshFile();
    const first = createSqliteStore({ path });
    await first.migrate();
    await first.recordRiskEvents(
      'acc',
      [
        {
          id: '00000000-0000-4000-8000-000000000001',
          userId: 'user-1',
          email: 'u@example.com',
          behavior: 'imp_travel',
          behaviorName: 'Impossible Travel',
          riskLevel: 'high',
          timestamp: '2025-01-01T00:00:00.123Z',
          details: { behavior: 'imp_travel' },
          dedupeKey: 'k1',
        },
      ],
      '2025-01-01T00:00:01.000Z',
    );
    await first.close();

    const second = createSqliteStore({ path });
    try {
      await second.migrate();
      assert.deepEqual(await second.getUserRisk('acc', 'user-1'), {
        accountId: 'acc',
        userId: 'user-1',
        email: 'u@example.com',
        name: '',
        riskLevel: 'high',
        eventCount: 1,
        lastEvent: '2025-01-01T00:00:00.123Z',
        lastResetTime: undefined,
      });
      assert.equal(
        (await second.listUserRiskEvents('acc', 'user-1', undefined, { page: 1, perPage: 10 })).totalCount,
        1,
      );
    } finally {
      await second.close();
    }
  });

  it('uses WAL journaling for a file database', async () => {
    const file = freshFile();
    const store = createSqliteStore({ path: file });
    await store.migrate();
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  it('creates missing parent folders of the database file', async () => {
    const file = join(dir, 'nested', 'deeper', 'store.db');
    const store = createSqliteStore({ path: file });
    try {
      await store.migrate();
      await store.ping();
      assert.equal(existsSync(file), true);
    } finally {
      await store.close();
    }
  });

  it('close is safe to call twice', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.close();
    await store.close();
  });
});
