import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

/**
 * Fast seeding of a migrated ztrisk SQLite file with plain SQL (one `INSERT … SELECT` over a recursive
 * counter per table, in one transaction). The rows are what the store itself writes for a user with one
 * risk event (users row with rank, count 1 and last event; a risk_events row with a unique dedupe key),
 * so every index the API reads is populated as in production. Runs in a child process
 * ({@link seed}) so that the seeding connection's page cache never shows in the benchmark process's RSS.
 */

/** User ids of seeded users: `00000000-0000-4000-8000-<n as 12 hex digits>`, n ≥ 1. */
export function seededUserId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A seeding job, as passed to the child process. */
export type SeedJob =
  | {
      /** Users `from`…`to` (inclusive), each scored by one risk event dated `firstMs + n` seconds. */
      readonly kind: 'users';
      readonly path: string;
      readonly accountId: string;
      readonly from: number;
      readonly to: number;
      readonly firstMs: number;
      readonly recordedAt: string;
    }
  | {
      /** `count` more risk events of the known user `userId`, one every `stepMs` back from `lastMs`. */
      readonly kind: 'history';
      readonly path: string;
      readonly accountId: string;
      readonly userId: string;
      readonly count: number;
      readonly lastMs: number;
      readonly stepMs: number;
      readonly recordedAt: string;
    };

const USER_ID_SQL = "'00000000-0000-4000-8000-' || printf('%012x', n)";
const LEVEL_SQL = "CASE n % 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END";
/** The rank stored in users.risk_rank for LEVEL_SQL (low 1, medium 2, high 3). */
const RANK_SQL = '(1 + n % 3)';
const COUNTER = 'WITH RECURSIVE g(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM g WHERE n < ?)';

function run(job: SeedJob): void {
  const db = new Database(job.path);
  try {
    // A fixture, not an acknowledged write: no fsync, a big cache (this process exits afterwards).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -524288');
    if (job.kind === 'users') {
      const ts = "strftime('%Y-%m-%dT%H:%M:%fZ', ? + n, 'unixepoch')";
      db.transaction(() => {
        db.prepare(
          `${COUNTER}
           INSERT INTO users (account_id, user_id, email, name, risk_rank, event_count, last_event, last_reset_time, level_changed_at, updated_at)
           SELECT ?, ${USER_ID_SQL}, 'user' || n || '@example.com', 'User ' || n, ${RANK_SQL}, 1, ${ts}, NULL, ?, ? FROM g`,
        ).run(job.from, job.to, job.accountId, job.firstMs / 1000, job.recordedAt, job.recordedAt);
        db.prepare(
          `${COUNTER}
           INSERT INTO risk_events (account_id, risk_event_id, user_id, behavior, behavior_name, risk_level, ts, details, dedupe_key, created_at)
           SELECT ?, '00000000-0000-4000-a000-' || printf('%012x', n), ${USER_ID_SQL}, 'high_dlp',
                  'High number of DLP policies triggered', ${LEVEL_SQL}, ${ts},
                  '{"behavior":"high_dlp","count":15}', 'seed:' || printf('%012d', n), ? FROM g`,
        ).run(job.from, job.to, job.accountId, job.firstMs / 1000, job.recordedAt);
      })();
    } else {
      db.transaction(() => {
        db.prepare(
          `${COUNTER}
           INSERT INTO risk_events (account_id, risk_event_id, user_id, behavior, behavior_name, risk_level, ts, details, dedupe_key, created_at)
           SELECT ?, ? || '-' || printf('%012x', n), ?, 'failed_logins', 'Failed logins', ${LEVEL_SQL},
                  strftime('%Y-%m-%dT%H:%M:%fZ', (? - n * ?) / 1000.0, 'unixepoch'),
                  '{"behavior":"failed_logins","count":12}', 'history:' || ? || ':' || printf('%012d', n), ? FROM g`,
        ).run(
          1,
          job.count,
          job.accountId,
          job.userId,
          job.userId,
          job.lastMs,
          job.stepMs,
          job.userId,
          job.recordedAt,
        );
        db.prepare(
          `UPDATE users SET event_count = event_count + ?, risk_rank = 3,
             last_event = MAX(COALESCE(last_event, ''), ?), updated_at = ?
           WHERE account_id = ? AND user_id = ?`,
        ).run(
          job.count,
          new Date(job.lastMs - job.stepMs).toISOString(),
          job.recordedAt,
          job.accountId,
          job.userId,
        );
      })();
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Runs a seeding job in a child process (blocking); returns the elapsed ms. */
export function seed(job: SeedJob): number {
  const start = Date.now();
  execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(job)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return Date.now() - start;
}

/** Median ms of the two statements of a default first summary page, on a read-only connection. */
export function timeSummaryStatements(
  path: string,
  accountId: string,
  repetitions: number,
): { countMs: number; pageMs: number; total: number } {
  const db = new Database(path, { readonly: true });
  try {
    // What listUserSummaries runs for the default first page (no filters, last_event descending).
    const count = db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM users WHERE account_id = ? AND event_count > 0',
    );
    const page = db.prepare(
      `SELECT * FROM users INDEXED BY users_scored_last_event WHERE account_id = ? AND event_count > 0
       ORDER BY last_event DESC, user_id ASC LIMIT ? OFFSET ?`,
    );
    const timed = (fn: () => void): number => {
      const start = process.hrtime.bigint();
      fn();
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    let total = 0;
    const countTimes: number[] = [];
    const pageTimes: number[] = [];
    count.get(accountId);
    page.all(accountId, 1000, 0);
    for (let i = 0; i < repetitions; i += 1) {
      countTimes.push(
        timed(() => {
          total = count.get(accountId)?.n ?? 0;
        }),
      );
      pageTimes.push(timed(() => page.all(accountId, 1000, 0)));
    }
    const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    return { countMs: mid(countTimes), pageMs: mid(pageTimes), total };
  } finally {
    db.close();
  }
}

/** Ids of the known users of an account that are not scored (event_count 0, e.g. after a reset). */
export function unscoredUsers(path: string, accountId: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[string], { user_id: string }>(
        'SELECT user_id FROM users WHERE account_id = ? AND event_count = 0',
      )
      .all(accountId)
      .map((r) => r.user_id);
  } finally {
    db.close();
  }
}

const invokedDirectly = import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href;
if (invokedDirectly) {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('usage: sql-seed.ts <job as JSON>');
  run(JSON.parse(arg) as SeedJob);
}
