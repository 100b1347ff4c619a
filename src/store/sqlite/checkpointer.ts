import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A WAL checkpointer running in a worker thread; {@link close} stops it. */
export interface Checkpointer {
  /** Asks for a checkpoint soon (after a large commit); cheap, coalesced by the worker. */
  nudge(): void;
  close(): Promise<void>;
}

/** Options of {@link startCheckpointer}. */
export interface CheckpointerOptions {
  /** Pause between two passive checkpoints when nothing asks for one, ms (default 5,000). */
  readonly intervalMs?: number;
}

// CommonJS run by the worker (eval): its own connection, a PASSIVE checkpoint when nudged (at most every
// 20 ms) and every interval. PASSIVE never waits for and never blocks the writer; failures are left to
// the writer's own auto-checkpoint. Each checkpoint fsyncs the database file, so it is not run more
// often than useful: small writes would otherwise share the disk with a checkpoint every few commits.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
let last = 0;
function checkpoint() {
  last = Date.now();
  try {
    db ??= new Database(workerData.path, { fileMustExist: true });
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
}
const timer = setInterval(() => { if (Date.now() - last >= workerData.intervalMs) checkpoint(); }, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    if (Date.now() - last >= 20) checkpoint();
    return;
  }
  clearInterval(timer);
  try { db?.close(); } catch {}
  parentPort.close();
});
`;

/**
 * Moves WAL checkpoints off the writing thread (docs/decisions/0008-sqlite-write-path.md): a worker
 * thread with its own connection copies committed WAL pages into the database file while the store's
 * connection keeps writing; the store nudges it after large commits (ingestion). The store's connection keeps a high `wal_autocheckpoint` as a bound, so
 * the WAL cannot grow without limit if this worker falls behind or fails.
 */
export function startCheckpointer(path: string, options: CheckpointerOptions = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver, intervalMs: options.intervalMs ?? 5_000 },
    // The worker runs plain CommonJS: it needs none of the parent's loaders (tsx in development).
    execArgv: [],
  });
  worker.unref();
  worker.on('error', () => {
    // The writer's auto-checkpoint still bounds the WAL; nothing to recover here.
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    nudge() {
      try {
        worker.postMessage('checkpoint');
      } catch {
        // A worker that is gone cannot checkpoint; the writer's auto-checkpoint bounds the WAL.
      }
    },
    async close() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
