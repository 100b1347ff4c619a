import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { type BehaviorKey, behaviorDefinition } from '../src/domain/behaviors.js';
import { PERMISSIONS } from '../src/domain/permissions.js';
import type { RiskLevel } from '../src/domain/risk-level.js';
import type { NewRiskEvent } from '../src/domain/types.js';
import { createGeolocator } from '../src/ingest/geo/geolocator.js';
import { createServices, type Services } from '../src/services/services.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import type { HttpResult, HttpTask } from './http-worker.js';
import { type BenchRow, formatTable, machineNote, median, percentile, progress, tempDir } from './measure.js';
import { seed, seededUserId, timeSummaryStatements, unscoredUsers } from './sql-seed.js';

/**
 * The API benchmarks of issue 7, over one ztrisk server (buildApp over real services on a SQLite file)
 * listening in this process, load from a worker thread:
 * - `http`: autocannon throughput and p99 of GET user (100 risk events), GET summary first page
 *   (100,000 scored users), PUT behaviors and POST reset, each beside a bare Fastify route answering a
 *   constant body of the same size and beside Prism's mock of Cloudflare's OpenAPI document;
 * - `reset`: reset latency for a user with 1,000,000 risk events beside one with 10, same store;
 * - `scale`: summary first page and GET user at 10,000, 100,000 and 1,000,000 scored users beside the
 *   same requests at 10,000, with the process RSS at each size.
 * The store grows in place (10k → 100k → 1M users), so the sections share their seeding.
 */

export type Api7Section = 'http' | 'reset' | 'scale';

/** Options of these benchmarks. */
export interface Api7Options {
  /** Store sizes (scored users) of the `scale` section; `http` runs at the second one. */
  readonly sizes: readonly [number, number, number];
  /** Risk events of the user GET user reads in `http`. */
  readonly userEvents: number;
  /** autocannon connections. */
  readonly connections: number;
  /** autocannon requests per measured run, per route. */
  readonly amounts: {
    readonly user: number;
    readonly summary: number;
    readonly put: number;
    readonly reset: number;
  };
  /** Measured autocannon runs per (route, target); the median is reported. */
  readonly repetitions: number;
  /** Sequential requests per size in `scale` (summary default page, summary 25 rows, GET user). */
  readonly scaleRequests: { readonly summary: number; readonly summary25: number; readonly user: number };
  /** History of the heavy user and of the light one in `reset`, and resets timed per user. */
  readonly resetHistory: { readonly heavy: number; readonly light: number; readonly resets: number };
}

export const DEFAULT_API7: Api7Options = Object.freeze({
  sizes: [10_000, 100_000, 1_000_000] as const,
  userEvents: 100,
  connections: 8,
  amounts: { user: 2_000, summary: 300, put: 1_000, reset: 1_000 },
  repetitions: 3,
  scaleRequests: { summary: 40, summary25: 150, user: 300 },
  resetHistory: { heavy: 1_000_000, light: 10, resets: 150 },
});

const ACCOUNT = '0123456789abcdef0123456789abcdef';
/** The clock of the services: fixed, advanced explicitly by the reset benchmark. */
const NOW_MS = Date.parse('2026-03-02T12:00:00.000Z');
/** Seeded users' risk events are dated from here, one second apart. */
const FIRST_MS = Date.parse('2026-01-01T00:00:00.000Z');
const RECORDED_AT = new Date(NOW_MS - 3_600_000).toISOString();
/** Users outside the seeded ranges. */
const GET_USER = 50_000_001;
const RESET_LIGHT = 50_000_002;
const RESET_HEAVY = 50_000_003;
const BEHAVIORS: readonly BehaviorKey[] = ['high_dlp', 'imp_travel', 'failed_logins', 'malicious_file'];
const LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high'];
const BASE = `/accounts/${ACCOUNT}/zt_risk_scoring`;
const PUT_BODY = JSON.stringify({
  behaviors: {
    high_dlp: { enabled: true, risk_level: 'high' },
    imp_travel: { enabled: true, risk_level: 'medium' },
  },
});

function riskEvent(user: number, k: number, timeMs: number, tag = 'bench'): NewRiskEvent {
  const behavior = BEHAVIORS[(user + k) % BEHAVIORS.length] ?? 'high_dlp';
  return {
    id: randomUUID(),
    userId: seededUserId(user),
    email: `user${user}@example.com`,
    name: `User ${user}`,
    behavior,
    behaviorName: behaviorDefinition(behavior).name,
    riskLevel: LEVELS[(user + k) % LEVELS.length] ?? 'low',
    timestamp: new Date(timeMs).toISOString(),
    details: { behavior, source_event_ids: [`evt-${user}-${k}`], count: 15 + (k % 5) },
    dedupeKey: `${behavior}:${tag}:${user}:${k}`,
  };
}

/** The HTTP load client: one worker thread (which registers tsx itself: loader hooks are per thread). */
interface LoadClient {
  run(task: HttpTask, what: string): Promise<HttpResult>;
  close(): Promise<void>;
}

type WorkerReply = { ok: true; result: HttpResult } | { ok: false; error: string };

function startLoadClient(): LoadClient {
  const tsx = import.meta.resolve('tsx/esm/api');
  const client = new URL('./http-worker.ts', import.meta.url).href;
  const source = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(client)}); })`;
  const worker = new Worker(source, { eval: true });
  let failure: Error | undefined;
  worker.on('error', (e) => {
    failure = e;
  });
  return {
    run(task, what) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolvePromise, reject) => {
        const onExit = (code: number) => reject(new Error(`HTTP worker exited with ${code}`));
        worker.once('exit', onExit);
        worker.once('message', (reply: WorkerReply) => {
          worker.off('exit', onExit);
          if (!reply.ok) reject(new Error(`${what}: ${reply.error}`));
          else if (reply.result.failures > 0)
            reject(new Error(`${what}: ${reply.result.failures} failed requests`));
          else resolvePromise(reply.result);
        });
        worker.postMessage(task);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

async function fetchJson(url: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Prism's mock of Cloudflare's schema, as a child process; resolves once it answers. */
async function startPrism(): Promise<{ origin: string; stop: () => Promise<void> }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, 'node_modules/@stainless-api/prism-cli/dist/index.js'),
      'mock',
      join(root, '../shared/zt-risk-scoring.openapi.json'),
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${origin}${BASE}/summary`, { headers: { authorization: 'Bearer prism' } });
      await r.text();
      if (r.status === 200) return { origin, stop };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('Prism mock did not start');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Bench {
  readonly dbPath: string;
  readonly store: Store;
  readonly services: Services;
  readonly origin: string;
  readonly headers: Record<string, string>;
  readonly load: LoadClient;
  setClock(ms: number): void;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function mb(bytes: number): number {
  return bytes / 1024 ** 2;
}

/**
 * RSS split as Linux reports it: anonymous memory (heaps, SQLite's page cache) and file-backed pages
 * (code, and the pages of the database SQLite reads through its 256 MiB mmap). NaN elsewhere.
 */
function rssSplitMb(): { anon: number; file: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string): number =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
  } catch {
    return { anon: Number.NaN, file: Number.NaN };
  }
}

/** Section `http`: autocannon against ztrisk, the bare Fastify route and Prism, per route. */
async function runHttp(
  b: Bench,
  options: Api7Options,
  users: number,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const heavy = seededUserId(GET_USER);
  const routes = [
    {
      name: `GET user (${options.userEvents} risk events)`,
      method: 'GET' as const,
      pattern: '/accounts/:account_id/zt_risk_scoring/:user_id',
      paths: () => [`${BASE}/${heavy}`],
      amount: options.amounts.user,
    },
    {
      name: `GET summary page 1 (${users.toLocaleString('en-US')} users, default per_page)`,
      method: 'GET' as const,
      pattern: '/accounts/:account_id/zt_risk_scoring/summary',
      paths: () => [`${BASE}/summary`],
      amount: options.amounts.summary,
    },
    {
      name: 'PUT behaviors (2 behaviors)',
      method: 'PUT' as const,
      pattern: '/accounts/:account_id/zt_risk_scoring/behaviors',
      paths: () => [`${BASE}/behaviors`],
      body: PUT_BODY,
      amount: options.amounts.put,
    },
    {
      name: 'POST reset (distinct scored users)',
      method: 'POST' as const,
      pattern: '/accounts/:account_id/zt_risk_scoring/:user_id/reset',
      // Every ztrisk reset hits a user that is still scored: a real reset, not an idempotent repeat.
      paths: (() => {
        let next = 1;
        return () => {
          const count = options.amounts.reset + 64;
          const paths = Array.from({ length: count }, (_, i) => `${BASE}/${seededUserId(next + i)}/reset`);
          next += count;
          return paths;
        };
      })(),
      amount: options.amounts.reset,
    },
  ];

  // The bare baseline: each route's real ztrisk response body, parsed once, served as a constant.
  const bare = Fastify({ logger: false });
  for (const r of routes) {
    const [first] = r.paths();
    const body = await fetchJson(`${b.origin}${first}`, {
      method: r.method,
      headers: { ...b.headers, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(r.body !== undefined ? { body: r.body } : {}),
    });
    bare.route({ method: r.method, url: r.pattern, handler: async () => body });
  }
  const bareOrigin = await listen(bare);
  progress('api7: starting the Prism mock');
  const prism = await startPrism();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  try {
    for (const r of routes) {
      const task = (origin: string, amount: number, paths: readonly string[]): HttpTask => ({
        mode: 'autocannon',
        origin,
        method: r.method,
        paths,
        headers: b.headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
        connections: options.connections,
        amount,
      });
      const runs = { ztrisk: [] as HttpResult[], bare: [] as HttpResult[], prism: [] as HttpResult[] };
      const staticPaths = r.paths();
      const warm = Math.ceil(r.amount / 5);
      progress(`api7: ${r.name}: warming up`);
      await b.load.run(task(b.origin, warm, r.paths()), r.name);
      await b.load.run(task(bareOrigin, warm, staticPaths), `${r.name} (bare)`);
      await b.load.run(task(prism.origin, warm, staticPaths), `${r.name} (prism)`);
      for (let rep = 1; rep <= options.repetitions; rep += 1) {
        runs.bare.push(await b.load.run(task(bareOrigin, r.amount, staticPaths), `${r.name} (bare)`));
        runs.prism.push(await b.load.run(task(prism.origin, r.amount, staticPaths), `${r.name} (prism)`));
        runs.ztrisk.push(await b.load.run(task(b.origin, r.amount, r.paths()), r.name));
        progress(
          `api7: ${r.name}: run ${rep}/${options.repetitions}: ztrisk ${runs.ztrisk.at(-1)?.reqPerSec.toFixed(0)} req/s, ` +
            `bare ${runs.bare.at(-1)?.reqPerSec.toFixed(0)} req/s, prism ${runs.prism.at(-1)?.reqPerSec.toFixed(0)} req/s`,
        );
      }
      const rps = (xs: HttpResult[]) => median(xs.map((x) => x.reqPerSec));
      const p99 = (xs: HttpResult[]) => median(xs.map((x) => x.p99Ms));
      const bareName = 'bare Fastify route, same method and path, constant body of the same size';
      const prismName = 'Prism mock of ../shared/zt-risk-scoring.openapi.json, same method and path';
      rows.push(
        {
          benchmark: `api7: ${r.name} vs bare Fastify`,
          unit: 'req/s',
          value: rps(runs.ztrisk),
          baseline: rps(runs.bare),
          baselineName: bareName,
        },
        {
          benchmark: `api7: ${r.name} vs bare Fastify, p99`,
          unit: 'ms',
          value: p99(runs.ztrisk),
          baseline: p99(runs.bare),
          baselineName: bareName,
          lowerIsBetter: true,
        },
        {
          benchmark: `api7: ${r.name} vs Prism`,
          unit: 'req/s',
          value: rps(runs.ztrisk),
          baseline: rps(runs.prism),
          baselineName: prismName,
        },
        {
          benchmark: `api7: ${r.name} vs Prism, p99`,
          unit: 'ms',
          value: p99(runs.ztrisk),
          baseline: p99(runs.prism),
          baselineName: prismName,
          lowerIsBetter: true,
        },
      );
      const bytes = (xs: HttpResult[]) => Math.round(xs[0]?.bodyBytes ?? 0).toLocaleString('en-US');
      notes.push(
        `api7: ${r.name}: ${r.amount.toLocaleString('en-US')} requests per run; response bytes (headers + body, ` +
          `autocannon): ztrisk ${bytes(runs.ztrisk)}, bare ${bytes(runs.bare)}, Prism ${bytes(runs.prism)}.`,
      );
    }
  } finally {
    await prism.stop();
    await bare.close();
  }
  notes.unshift(
    `api7 http: autocannon ${options.connections} keep-alive connections, bounded by a request count, from a worker ` +
      `thread; ztrisk and the bare route listen in the main thread, Prism in its own process; bearer token on every ` +
      `request; median of ${options.repetitions} runs after a warm-up, interleaved bare / Prism / ztrisk; p99 from ` +
      `autocannon's per-request latencies (kept from its response events, not its 1 ms histogram), the median of the runs' p99s. Prism answers its schema examples (a few hundred ` +
      `bytes), so the Prism ratio compares ztrisk with a mock doing schema validation and no storage, not with equal work.`,
  );
  return { rows, notes };
}

interface SizeFigures {
  readonly users: number;
  readonly summary: HttpResult;
  readonly summary25: HttpResult;
  readonly user: HttpResult;
  readonly countMs: number;
  readonly pageMs: number;
  readonly rssMb: number;
  readonly rssAnonMb: number;
  readonly rssFileMb: number;
  readonly heapMb: number;
  readonly dbMb: number;
}

/** Section `scale` at one size: sequential summary and GET user requests, RSS, and the SQL split. */
async function measureSize(b: Bench, options: Api7Options, users: number): Promise<SizeFigures> {
  const sequential = (paths: string[], requests: number): HttpTask => ({
    mode: 'sequential',
    origin: b.origin,
    paths,
    headers: b.headers,
    requests,
  });
  // Users spread over the whole id range (a multiplicative walk), each with one risk event.
  const userPaths = Array.from(
    { length: options.scaleRequests.user },
    (_, i) => `${BASE}/${seededUserId(1 + ((i * 7_919 + 13) % users))}`,
  );
  progress(`api7: ${users.toLocaleString('en-US')} users: measuring`);
  await b.load.run(sequential([`${BASE}/summary`], 5), 'warm-up');
  const summary = await b.load.run(sequential([`${BASE}/summary`], options.scaleRequests.summary), 'summary');
  const summary25 = await b.load.run(
    sequential([`${BASE}/summary?per_page=25`], options.scaleRequests.summary25),
    'summary 25',
  );
  const user = await b.load.run(sequential(userPaths, options.scaleRequests.user), 'GET user');
  const memory = process.memoryUsage();
  const split = rssSplitMb();
  const sql = timeSummaryStatements(b.dbPath, ACCOUNT, 15);
  if (sql.total < users) throw new Error(`expected ≥ ${users} scored users, found ${sql.total}`);
  let dbBytes = 0;
  for (const suffix of ['', '-wal']) {
    try {
      dbBytes += statSync(`${b.dbPath}${suffix}`).size;
    } catch {
      // no WAL file
    }
  }
  return {
    users,
    summary,
    summary25,
    user,
    countMs: sql.countMs,
    pageMs: sql.pageMs,
    rssMb: mb(memory.rss),
    rssAnonMb: split.anon,
    rssFileMb: split.file,
    heapMb: mb(memory.heapUsed),
    dbMb: mb(dbBytes),
  };
}

function scaleRows(figures: readonly SizeFigures[]): { rows: BenchRow[]; table: string } {
  const [base, ...rest] = figures;
  const rows: BenchRow[] = [];
  if (!base) return { rows, table: '' };
  const baselineName = `the same measurement at ${base.users.toLocaleString('en-US')} scored users, same store, same run`;
  for (const f of rest) {
    const n = f.users.toLocaleString('en-US');
    const add = (benchmark: string, unit: string, value: number, baseline: number) =>
      rows.push({ benchmark, unit, value, baseline, baselineName, lowerIsBetter: true });
    add(
      `scale: GET summary page 1 (default per_page), ${n} users, median`,
      'ms',
      f.summary.p50Ms,
      base.summary.p50Ms,
    );
    add(
      `scale: GET summary page 1 (per_page=25), ${n} users, median`,
      'ms',
      f.summary25.p50Ms,
      base.summary25.p50Ms,
    );
    add(`scale: GET user (1 risk event), ${n} users, median`, 'ms', f.user.p50Ms, base.user.p50Ms);
    add(`scale: summary total_count COUNT(*) alone (SQL), ${n} users`, 'ms', f.countMs, base.countMs);
    add(`scale: summary page query alone (SQL, 1,000 rows), ${n} users`, 'ms', f.pageMs, base.pageMs);
    add(`scale: process RSS after the requests, ${n} users`, 'MB', f.rssMb, base.rssMb);
  }
  const header =
    '| scored users | summary p50 / p99 ms | summary per_page=25 p50 / p99 ms | GET user p50 / p99 ms | COUNT(*) ms | page query ms | RSS MB (anon + file) | JS heap MB | SQLite file MB |';
  const rule = '| -: | -: | -: | -: | -: | -: | -: | -: | -: |';
  const lines = figures.map(
    (f) =>
      `| ${f.users.toLocaleString('en-US')} | ${ms(f.summary.p50Ms)} / ${ms(f.summary.p99Ms)} | ${ms(f.summary25.p50Ms)} / ${ms(f.summary25.p99Ms)} | ` +
      `${ms(f.user.p50Ms)} / ${ms(f.user.p99Ms)} | ${ms(f.countMs)} | ${ms(f.pageMs)} | ${f.rssMb.toFixed(0)} (${f.rssAnonMb.toFixed(0)} + ${f.rssFileMb.toFixed(0)}) | ${f.heapMb.toFixed(0)} | ${f.dbMb.toFixed(0)} |`,
  );
  return { rows, table: [header, rule, ...lines].join('\n') };
}

/** Section `reset`: reset latency, heavy (1M events) vs light (10 events) user, interleaved. */
async function runReset(
  b: Bench,
  options: Api7Options,
  users: number,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const { heavy: heavyCount, light: lightCount, resets } = options.resetHistory;
  const light = seededUserId(RESET_LIGHT);
  const heavy = seededUserId(RESET_HEAVY);
  const historyEnd = NOW_MS - 86_400_000;
  await b.store.recordRiskEvents(
    ACCOUNT,
    Array.from({ length: lightCount }, (_, k) => riskEvent(RESET_LIGHT, k, historyEnd - k * 60_000)),
    RECORDED_AT,
  );
  await b.store.recordRiskEvents(ACCOUNT, [riskEvent(RESET_HEAVY, 0, historyEnd)], RECORDED_AT);
  progress(`api7: reset: seeding ${(heavyCount - 1).toLocaleString('en-US')} risk events of one user`);
  const seedMs = seed({
    kind: 'history',
    path: b.dbPath,
    accountId: ACCOUNT,
    userId: heavy,
    count: heavyCount - 1,
    lastMs: historyEnd,
    stepMs: 10_000,
    recordedAt: RECORDED_AT,
  });
  const page = { page: 1, perPage: 1000 };
  // GET user before any reset: the page of events since the (absent) reset, in process.
  const getUserMs = async (userId: string): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const start = process.hrtime.bigint();
      const view = await b.services.risk.getUser(ACCOUNT, userId, page);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (view.events.items.length === 0) throw new Error('no events');
    }
    return median(times);
  };
  const heavyView = await b.services.risk.getUser(ACCOUNT, heavy, page);
  if (heavyView.events.totalCount !== heavyCount) {
    throw new Error(`heavy user has ${heavyView.events.totalCount} events, expected ${heavyCount}`);
  }
  const getHeavy = await getUserMs(heavy);
  const getLight = await getUserMs(light);

  progress(`api7: reset: ${resets} resets per user`);
  const times = { light: [] as number[], heavy: [] as number[] };
  let clock = NOW_MS;
  for (let i = 0; i < resets; i += 1) {
    // Re-score both users with one new risk event after the previous reset, so each reset is real.
    clock += 1_000;
    b.setClock(clock);
    if (i > 0) {
      await b.store.recordRiskEvents(
        ACCOUNT,
        [
          riskEvent(RESET_LIGHT, 1_000 + i, clock - 500, 'rescore'),
          riskEvent(RESET_HEAVY, 1_000 + i, clock - 500, 'rescore'),
        ],
        new Date(clock).toISOString(),
      );
    }
    const order = i % 2 === 0 ? (['light', 'heavy'] as const) : (['heavy', 'light'] as const);
    for (const which of order) {
      const start = process.hrtime.bigint();
      const result = await b.services.risk.resetUser(ACCOUNT, which === 'light' ? light : heavy, 'bench');
      times[which].push(Number(process.hrtime.bigint() - start) / 1e6);
      if (result.after.eventCount !== 0) throw new Error('reset left events counting');
    }
  }
  const baselineName = `the same reset of a user with ${lightCount} risk events, same store, interleaved`;
  const rows: BenchRow[] = [
    {
      benchmark: `reset: user with ${heavyCount.toLocaleString('en-US')} risk events, median`,
      unit: 'ms',
      value: median(times.heavy),
      baseline: median(times.light),
      baselineName,
      lowerIsBetter: true,
    },
    {
      benchmark: `reset: GET user (in process) before reset, ${heavyCount.toLocaleString('en-US')} events since reset, page 1`,
      unit: 'ms',
      value: getHeavy,
      baseline: getLight,
      baselineName: `the same call for a user with ${lightCount} risk events`,
      lowerIsBetter: true,
    },
  ];
  const notes = [
    `reset: services.risk.resetUser in process (store transaction with synchronous=FULL, audit row, level change), ` +
      `${resets} resets per user, light and heavy interleaved; before each reset both users get one new risk event so ` +
      `every reset clears a real score; store of ${users.toLocaleString('en-US')} scored users; the heavy history ` +
      `(${heavyCount.toLocaleString('en-US')} risk events) seeded by SQL in ${(seedMs / 1000).toFixed(1)} s. ` +
      `p99: heavy ${ms(percentile(times.heavy, 99))} ms, light ${ms(percentile(times.light, 99))} ms.`,
  ];
  return { rows, notes };
}

/** Runs the chosen sections; rows for the table, notes, and extra Markdown tables. */
export async function runApi7Bench(
  sections: ReadonlySet<Api7Section>,
  options: Api7Options = DEFAULT_API7,
): Promise<{ rows: BenchRow[]; notes: string[]; tables: string[] }> {
  const dir = tempDir('api7');
  const dbPath = join(dir.path, 'ztrisk.db');
  const store = createSqliteStore({ path: dbPath });
  let clock = NOW_MS;
  let app: FastifyInstance | undefined;
  const load = startLoadClient();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const tables: string[] = [];
  try {
    await store.migrate();
    const services = createServices(
      { store, now: () => clock },
      { geolocator: createGeolocator({ mmdbPaths: [] }) },
    );
    const created = await services.credentials.createToken({
      name: 'bench',
      grants: PERMISSIONS.map((permission) => ({ accountId: ACCOUNT, permission })),
      actor: 'cli',
    });
    await store.recordRiskEvents(
      ACCOUNT,
      Array.from({ length: options.userEvents }, (_, k) =>
        riskEvent(GET_USER, k, NOW_MS - 86_400_000 + k * 60_000),
      ),
      RECORDED_AT,
    );
    app = buildApp({
      services,
      publicUrl: () => 'http://127.0.0.1',
      bodyLimitBytes: 1_048_576,
      logLevel: false,
    });
    const b: Bench = {
      dbPath,
      store,
      services,
      origin: await listen(app),
      headers: { authorization: `Bearer ${created.secret}` },
      load,
      setClock: (ms) => {
        clock = ms;
      },
    };

    const [small, medium, large] = options.sizes;
    let users = 0;
    /** Seeds scored users up to `to` (from the last size reached). */
    const grow = (to: number): void => {
      const from = users + 1;
      users = to;
      progress(`api7: seeding scored users ${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')}`);
      const took = seed({
        kind: 'users',
        path: dbPath,
        accountId: ACCOUNT,
        from,
        to,
        firstMs: FIRST_MS,
        recordedAt: RECORDED_AT,
      });
      notes.push(
        `api7: seeded users ${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} by SQL in ${(took / 1000).toFixed(1)} s.`,
      );
    };
    const figures: SizeFigures[] = [];
    grow(small);
    if (sections.has('scale')) figures.push(await measureSize(b, options, small));
    if (sections.has('http') || sections.has('scale')) {
      grow(medium);
      if (sections.has('scale')) figures.push(await measureSize(b, options, medium));
      if (sections.has('http')) {
        const http = await runHttp(b, options, medium);
        rows.push(...http.rows);
        notes.push(...http.notes);
        // Re-score the users the reset route cleared, so the larger sizes count every seeded user.
        clock = NOW_MS + 2_000;
        const rescore = unscoredUsers(dbPath, ACCOUNT).map((id) =>
          riskEvent(Number.parseInt(id.slice(-12), 16), 1, NOW_MS + 1_000, 'rescore'),
        );
        await store.recordRiskEvents(ACCOUNT, rescore, new Date(clock).toISOString());
      }
    }
    if (sections.has('scale') || sections.has('reset')) {
      grow(large);
      if (sections.has('scale')) figures.push(await measureSize(b, options, large));
    }
    if (sections.has('scale')) {
      const scale = scaleRows(figures);
      rows.push(...scale.rows);
      tables.push(scale.table);
      notes.push(
        'scale: one store grown in place; at each size, sequential requests over one keep-alive connection from a ' +
          `worker thread (after 5 warm-up requests): ${options.scaleRequests.summary} GET summary (default per_page = 1,000 rows), ` +
          `${options.scaleRequests.summary25} with per_page=25, ${options.scaleRequests.user} GET user of users spread ` +
          'over the whole id range; latencies to the microsecond; RSS is process.memoryUsage().rss of the benchmark ' +
          'process (server, services, SQLite connection with its 64 MiB page cache and 256 MiB mmap, harness) ' +
          'right after the requests; the SQL rows time the two statements of a default first page on a separate ' +
          'read-only connection (median of 15).',
      );
    }
    if (sections.has('reset')) {
      const reset = await runReset(b, options, users);
      rows.push(...reset.rows);
      notes.push(...reset.notes);
    }
    return { rows, notes, tables };
  } finally {
    await load.close();
    if (app) await app.close();
    await store.close();
    dir.remove();
  }
}

const invokedDirectly = import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href;
if (invokedDirectly) {
  const result = await runApi7Bench(new Set<Api7Section>(['http', 'reset', 'scale']));
  process.stdout.write(
    `${machineNote()}\n\n${formatTable(result.rows)}\n\n${result.tables.join('\n\n')}\n\n${result.notes.join('\n')}\n`,
  );
}
