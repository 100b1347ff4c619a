import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A WAL checkpointer running in a worker thread; {@link close} stops it. */
export interface Checkpointer {
  close(): Promise<void>;
}

/** Options of {@link startCheckpointer}. */
export interface CheckpointerOptions {
  /** Pause between two passive checkpoints, ms (default 250). */
  readonly intervalMs?: number;
}

// CommonJS run by the worker (eval): its own connection, a PASSIVE checkpoint every interval. PASSIVE
// never waits for and never blocks the writer; failures are left to the writer's own auto-checkpoint.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
let timer;
function tick() {
  try {
    db ??= new Database(workerData.path, { fileMustExist: true });
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
  timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', () => {
  clearTimeout(timer);
  try { db?.close(); } catch {}
  parentPort.close();
});
tick();
`;

/**
 * Moves WAL checkpoints off the writing thread (docs/decisions/0008-sqlite-write-path.md): a worker
 * thread with its own connection copies committed WAL pages into the database file while the store's
 * connection keeps writing. The store's connection keeps a high `wal_autocheckpoint` as a bound, so
 * the WAL cannot grow without limit if this worker falls behind or fails.
 */
export function startCheckpointer(path: string, options: CheckpointerOptions = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver, intervalMs: options.intervalMs ?? 250 },
    // The worker runs plain CommonJS: it needs none of the parent's loaders (tsx in development).
    execArgv: [],
  });
  worker.unref();
  worker.on('error', () => {
    // The writer's auto-checkpoint still bounds the WAL; nothing to recover here.
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async close() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
