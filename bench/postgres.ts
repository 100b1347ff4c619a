import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { BEHAVIOR_CATALOG } from '../src/domain/behaviors.js';
import { createServices } from '../src/services/services.js';
import { openStore } from '../src/store/open-store.js';
import { freshSchema } from '../test/scale/fixtures.js';
import { type Server, startServer } from '../test/support/server.js';
import { ACCOUNT, prepare, SPAN_MS, START_MS } from './ingest.js';
import { type BenchRow, formatTable, machineNote, median, percentile, progress, tempDir } from './measure.js';
import { generateWorkload } from './workload.js';

/**
 * Scale-out benchmarks (issue "Scale out"), every figure beside a same-run baseline:
 * - ingestion over HTTP (gzip NDJSON, all nine behaviors) into one `ztrisk serve` on PostgreSQL and into
 *   two nodes on the same database, against one node on SQLite;
 * - GET user and GET summary latency on PostgreSQL for an account of 1,000,000 users, against the same
 *   requests for an account of 1,000 users on the same server.
 * Servers are real child processes (`ztrisk serve`), so two nodes are two event loops.
 */

/** Options of the PostgreSQL benchmarks. */
export interface PostgresBenchOptions {
  readonly events: number;
  readonly users: number;
  /** Events per ingestion request. */
  readonly chunkEvents: number;
  /** Requests in flight at once, over all nodes. */
  readonly concurrency: number;
  /** Scored users of the large account. */
  readonly bigUsers: number;
  /** Scored users of the baseline account. */
  readonly smallUsers: number;
  /** Measured requests per read endpoint. */
  readonly readRequests: number;
}

/** 50,000 events of 2,000 users in requests of 1,000, four in flight; reads over 1,000,000 users. */
export const DEFAULT_POSTGRES_BENCH: PostgresBenchOptions = Object.freeze({
  events: 50_000,
  users: 2_000,
  chunkEvents: 1_000,
  concurrency: 4,
  bigUsers: 1_000_000,
  smallUsers: 1_000,
  readRequests: 300,
});

const BIG = 'bench0big000000000000000000000ac';
const SMALL = 'bench0small0000000000000000000ac';

/** Creates an admin token (write, PII read and ingest) directly through the services. */
async function adminToken(db: string, accounts: readonly string[]): Promise<string> {
  const store = await openStore(db);
  try {
    await store.migrate();
    const services = createServices({ store, now: Date.now });
    const created = await services.credentials.createToken({
      name: 'bench',
      grants: accounts.flatMap((accountId) =>
        (['Zero Trust Write', 'Zero Trust: PII Read', 'Zero Trust: Risk Ingest'] as const).map(
          (permission) => ({
            accountId,
            permission,
          }),
        ),
      ),
      actor: 'cli',
    });
    return created.secret;
  } finally {
    await store.close();
  }
}

async function request(url: string, token: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** One ingestion run: every chunk posted once, spread over the nodes, `concurrency` in flight. */
async function ingestRun(
  nodes: readonly Server[],
  token: string,
  bodies: readonly Buffer[],
  concurrency: number,
) {
  for (const node of nodes) {
    await request(`${node.url}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, token, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        behaviors: Object.fromEntries(
          BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: true, risk_level: b.defaultLevel }]),
        ),
      }),
    });
  }
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < bodies.length) {
        const i = next;
        next += 1;
        const node = nodes[(i + worker) % nodes.length] as Server;
        await request(`${node.url}/client/v4/accounts/${ACCOUNT}/ztrisk/events`, token, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
          body: new Uint8Array(bodies[i] as Buffer),
        });
      }
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function withNodes<T>(db: string, count: number, run: (nodes: Server[]) => Promise<T>): Promise<T> {
  const nodes = await Promise.all(
    Array.from({ length: count }, () => startServer(db, ['--geoip-mmdb', 'none'])),
  );
  try {
    return await run(nodes);
  } finally {
    for (const node of nodes) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
  }
}

/** Seeds `users` scored users into an account of a migrated schema, one risk event per 10th user. */
async function seedUsers(url: string, schema: string, accountId: string, users: number): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\?.*$/, '') });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    await client.query(
      'INSERT INTO accounts (account_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [accountId, new Date().toISOString()],
    );
    // One multi-row INSERT … SELECT over generate_series: no round trip per row.
    await client.query(
      `INSERT INTO users (account_id, user_id, email, name, risk_rank, event_count, last_event, last_reset_time, level_changed_at, updated_at)
       SELECT $1, u.id, 'user' || g || '@example.com', 'User ' || g, 1 + g % 3, 1 + g % 7, u.ts, NULL, u.ts, u.ts
       FROM generate_series(1, $2::int) AS g,
            LATERAL (SELECT '00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0') AS id,
                            to_char(timestamp '2026-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts) u`,
      [accountId, users],
    );
    await client.query(
      `INSERT INTO risk_events (account_id, risk_event_id, user_id, behavior, behavior_name, risk_level, ts, details, dedupe_key, created_at)
       SELECT $1, gen_random_uuid()::text, '00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'), 'malicious_file',
              'Malicious file', 'high', to_char(timestamp '2026-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              '{"behavior":"malicious_file"}', 'seed:' || g, '2026-01-02T00:00:00.000Z'
       FROM generate_series(10, $2::int, 10) AS g`,
      [accountId, users],
    );
    // What autovacuum would have done by then: statistics, and the visibility map index-only scans need.
    await client.query('VACUUM ANALYZE users');
    await client.query('VACUUM ANALYZE risk_events');
  } finally {
    await client.end();
  }
}

/** Latencies (ms) of `count` sequential GETs, after 20 unmeasured ones. */
async function latencies(urlFor: (i: number) => string, token: string, count: number): Promise<number[]> {
  for (let i = 0; i < 20; i += 1) await request(urlFor(i), token);
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    await request(urlFor(i), token);
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

/** Runs both PostgreSQL benchmarks; rows for the table and notes. */
export async function runPostgresBench(
  options: PostgresBenchOptions = DEFAULT_POSTGRES_BENCH,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  process.env.ZTRISK_RATE_LIMIT_PER_MINUTE = '0';
  process.env.ZTRISK_LOG_LEVEL = 'warn';
  progress(`postgres: generating ${options.events.toLocaleString('en-US')} events`);
  const workload = generateWorkload({
    events: options.events,
    users: options.users,
    startMs: START_MS,
    spanMs: SPAN_MS,
    seed: 1,
  });
  const bodies = prepare(workload.events, options.chunkEvents).gzipped;
  const perSecond = (ms: number): number => (options.events / ms) * 1000;

  const dir = tempDir('postgres');
  const runs: Record<'sqlite' | 'pg1' | 'pg2', number[]> = { sqlite: [], pg1: [], pg2: [] };
  try {
    for (let rep = 1; rep <= 2; rep += 1) {
      const sqlite = `sqlite:${join(dir.path, `single-${rep}.db`)}`;
      const sqliteToken = await adminToken(sqlite, [ACCOUNT]);
      runs.sqlite.push(
        await withNodes(sqlite, 1, (n) => ingestRun(n, sqliteToken, bodies, options.concurrency)),
      );
      for (const [key, count] of [
        ['pg1', 1],
        ['pg2', 2],
      ] as const) {
        const schema = freshSchema('ztrisk_bench');
        try {
          const token = await adminToken(schema.url, [ACCOUNT]);
          runs[key].push(
            await withNodes(schema.url, count, (n) => ingestRun(n, token, bodies, options.concurrency)),
          );
        } finally {
          await schema.drop();
        }
      }
      progress(
        `postgres: ingest run ${rep}: sqlite ${runs.sqlite.at(-1)?.toFixed(0)} ms, postgres 1 node ${runs.pg1.at(-1)?.toFixed(0)} ms, ` +
          `2 nodes ${runs.pg2.at(-1)?.toFixed(0)} ms`,
      );
    }
  } finally {
    dir.remove();
  }
  const sqliteRate = perSecond(median(runs.sqlite));
  const baselineName = `one ztrisk serve on SQLite, same gzip NDJSON requests, ${options.concurrency} in flight`;
  const rows: BenchRow[] = [
    {
      benchmark: 'ingest over HTTP: PostgreSQL, 1 node',
      unit: 'events/s',
      value: perSecond(median(runs.pg1)),
      baseline: sqliteRate,
      baselineName,
    },
    {
      benchmark: 'ingest over HTTP: PostgreSQL, 2 nodes',
      unit: 'events/s',
      value: perSecond(median(runs.pg2)),
      baseline: sqliteRate,
      baselineName,
    },
  ];

  progress(`postgres: seeding ${options.bigUsers.toLocaleString('en-US')} users`);
  const schema = freshSchema('ztrisk_bench_reads');
  try {
    const token = await adminToken(schema.url, [BIG, SMALL]);
    const seedStart = Date.now();
    await seedUsers(schema.url, schema.schema, BIG, options.bigUsers);
    const seedSeconds = (Date.now() - seedStart) / 1000;
    await seedUsers(schema.url, schema.schema, SMALL, options.smallUsers);
    await withNodes(schema.url, 1, async ([node]) => {
      if (!node) throw new Error('no node');
      const base = (account: string) => `${node.url}/client/v4/accounts/${account}/zt_risk_scoring`;
      const user = (n: number, i: number) =>
        `00000000-0000-4000-8000-${(((i * 7919) % (n / 10)) * 10 + 10).toString(16).padStart(12, '0')}`;
      const measure = async (name: string, path: (account: string, users: number, i: number) => string) => {
        const big = await latencies((i) => path(BIG, options.bigUsers, i), token, options.readRequests);
        const small = await latencies((i) => path(SMALL, options.smallUsers, i), token, options.readRequests);
        for (const [p, label] of [
          [50, 'p50'],
          [99, 'p99'],
        ] as const) {
          rows.push({
            benchmark: `${name} on PostgreSQL, ${options.bigUsers.toLocaleString('en-US')} users (${label})`,
            unit: 'ms',
            value: percentile(big, p),
            baseline: percentile(small, p),
            baselineName: `the same request for an account of ${options.smallUsers.toLocaleString('en-US')} users`,
            lowerIsBetter: true,
          });
        }
      };
      await measure('GET user', (account, users, i) => `${base(account)}/${user(users, i)}`);
      await measure('GET summary (per_page=25)', (account) => `${base(account)}/summary?per_page=25`);
      await measure(
        'GET summary risk_level=high, by event_count',
        (account) => `${base(account)}/summary?per_page=25&risk_level=high&order_by=event_count`,
      );
    });
    const notes = [
      `postgres ingest: ${options.events.toLocaleString('en-US')} generic events of ${options.users.toLocaleString('en-US')} users, ` +
        `gzip NDJSON requests of ${options.chunkEvents.toLocaleString('en-US')}, ${options.concurrency} in flight spread over the nodes, ` +
        `all nine behaviors; each run on a fresh store (SQLite file / PostgreSQL schema); median of 2 runs; ` +
        `nodes are separate ztrisk serve processes on this machine, sharing its cores with PostgreSQL.`,
      `postgres reads: ${options.bigUsers.toLocaleString('en-US')} scored users seeded with INSERT … SELECT generate_series in ` +
        `${seedSeconds.toFixed(1)} s (one risk event per 10th user); ${options.readRequests} sequential requests per endpoint after 20 warm-up ones.`,
    ];
    return { rows, notes };
  } finally {
    await schema.drop();
  }
}

const invokedDirectly = import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href;
if (invokedDirectly) {
  const result = await runPostgresBench();
  process.stdout.write(`${machineNote()}\n\n${formatTable(result.rows)}\n\n${result.notes.join('\n')}\n`);
}
