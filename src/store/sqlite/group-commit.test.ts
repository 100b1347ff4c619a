import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createGroupCommit, type GroupCommit } from './group-commit.js';

const dir = mkdtempSync(join(tmpdir(), 'ztrisk-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('group commit (SQLite, real files, a second connection as the observer)', () => {
  let n = 0;
  let db: Database.Database;
  let observer: Database.Database;
  let commits: GroupCommit;
  let rollbacks: number;

  const rows = (): string[] =>
    observer
      .prepare<[], { v: string }>('SELECT v FROM t ORDER BY v')
      .all()
      .map((r) => r.v);
  const insert = (v: string) => () =>
    db.prepare('INSERT INTO t (v, parent) VALUES (?, ?)').run(v, null).changes;

  beforeEach(() => {
    n += 1;
    const file = join(dir, `g${n}.db`);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE p (id TEXT PRIMARY KEY);
      CREATE TABLE t (v TEXT PRIMARY KEY, parent TEXT REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)`);
    observer = new Database(file, { readonly: true });
    rollbacks = 0;
    commits = createGroupCommit(db, () => {
      rollbacks += 1;
    });
  });
  afterEach(() => {
    observer.close();
    db.close();
  });

  it('writes of one turn share one transaction: none is visible before the commit, all after', async () => {
    const pending = [commits.join(insert('a')), commits.join(insert('b')), commits.join(insert('c'))];
    assert.equal(db.inTransaction, true, 'one open transaction for the turn');
    assert.deepEqual(rows(), [], 'nothing is committed (or acknowledged) yet');
    assert.deepEqual(await Promise.all(pending), [1, 1, 1]);
    assert.equal(db.inTransaction, false);
    assert.deepEqual(rows(), ['a', 'b', 'c']);
  });

  it('a failing write is undone alone; the others of its group commit', async () => {
    const ok = commits.join(insert('a'));
    const failing = commits.join(() => {
      insert('b')();
      insert('a')(); // primary key conflict: this write fails after writing 'b'
    });
    const alsoOk = commits.join(insert('c'));
    await assert.rejects(failing, /UNIQUE constraint failed/);
    assert.deepEqual(await Promise.all([ok, alsoOk]), [1, 1]);
    assert.deepEqual(rows(), ['a', 'c']);
    assert.equal(rollbacks, 0);
  });

  it('a failing COMMIT rejects every write of the group and keeps none of them', async () => {
    const first = commits.join(insert('a'));
    // A deferred foreign key is checked at COMMIT: the write succeeds, the group's COMMIT fails.
    const orphan = commits.join(() =>
      db.prepare('INSERT INTO t (v, parent) VALUES (?, ?)').run('x', 'missing'),
    );
    await assert.rejects(first, /FOREIGN KEY constraint failed/);
    await assert.rejects(orphan, /FOREIGN KEY constraint failed/);
    assert.equal(db.inTransaction, false);
    assert.deepEqual(rows(), []);
    assert.equal(rollbacks, 1);
    assert.deepEqual(await commits.join(insert('after')), 1, 'the next group works');
    assert.deepEqual(rows(), ['after']);
  });

  it('idle() waits for the open group, so what runs after it sees only committed data', async () => {
    const write = commits.join(insert('a'));
    let sawOpen = true;
    const read = commits.idle().then(() => {
      sawOpen = db.inTransaction;
      return rows();
    });
    assert.deepEqual(await read, ['a']);
    assert.equal(sawOpen, false);
    await write;
    await commits.idle(); // nothing open: resolves at once
  });

  it('writes of later turns form new groups', async () => {
    await commits.join(insert('a'));
    const second = commits.join(insert('b'));
    assert.deepEqual(rows(), ['a']);
    await second;
    assert.deepEqual(rows(), ['a', 'b']);
  });
});
