import type Database from 'better-sqlite3';

/** One open transaction shared by the writes of one event-loop turn. */
interface Group {
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for one SQLite connection (docs/decisions/0008-sqlite-write-path.md): the small writes
 * issued in the same event-loop turn share one transaction and so one WAL fsync, instead of paying one
 * each. Each write runs in its own savepoint, so a write that fails is undone alone; each resolves only
 * after the shared COMMIT, so nothing is acknowledged before it is durable. If the COMMIT fails, every
 * write of the group rejects and nothing of it stays.
 */
export interface GroupCommit {
  /** Runs `write` (synchronous SQLite work) in the open group, opening one if needed; resolves after COMMIT. */
  join<T>(write: () => T): Promise<T>;
  /** Resolves once no group is open, so a read sees only committed data and a transaction can begin. */
  idle(): Promise<void>;
}

function ignore(): void {}

/** Group commit over `db`; `onRollback` runs when a group's transaction is rolled back as a whole. */
export function createGroupCommit(db: Database.Database, onRollback: () => void): GroupCommit {
  // Prepared once, outside the statement cache: transaction control, never switched into other modes.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT ztrisk_group_write');
  const release = db.prepare('RELEASE ztrisk_group_write');
  const rollbackTo = db.prepare('ROLLBACK TO ztrisk_group_write');
  let open: Group | undefined;

  function finish(group: Group): void {
    open = undefined;
    try {
      commit.run();
      group.resolve();
    } catch (error) {
      if (db.inTransaction) rollback.run();
      onRollback();
      group.reject(error);
    }
  }

  function start(): Group {
    begin.run();
    let resolve: () => void = ignore;
    let reject: (error: unknown) => void = ignore;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(ignore); // joiners observe the failure; the group itself must not be "unhandled"
    const group: Group = { done, resolve, reject };
    // After the I/O callbacks of this turn (the requests that arrived together), before the next poll.
    setImmediate(() => finish(group));
    return group;
  }

  return {
    async join(write) {
      const group = open ?? start();
      open = group;
      savepoint.run();
      let result: ReturnType<typeof write>;
      try {
        result = write();
        release.run();
      } catch (error) {
        rollbackTo.run();
        release.run();
        throw error;
      }
      await group.done;
      return result;
    },

    async idle() {
      while (open) await open.done.then(ignore, ignore);
    },
  };
}
