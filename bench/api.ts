import http from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { type BehaviorKey, behaviorDefinition } from '../src/domain/behaviors.js';
import { PERMISSIONS } from '../src/domain/permissions.js';
import type { RiskLevel } from '../src/domain/risk-level.js';
import type { NewRiskEvent } from '../src/domain/types.js';
import { createGeolocator } from '../src/ingest/geo/geolocator.js';
import { createServices } from '../src/services/services.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { LoadRequest, LoadResult } from './load-client.js';
import { type BenchRow, formatTable, machineNote, median, percentile, progress, tempDir } from './measure.js';

/** Options of the API benchmark. */
export interface ApiBenchOptions {
  /** Scored users in the account (one risk event each), for the summary. */
  readonly users: number;
  /** Risk events of the user that GET user reads. */
  readonly userEvents: number;
  /** Concurrent keep-alive connections of the load client. */
  readonly concurrency: number;
  /** Requests per measured run of GET user and of GET summary. */
  readonly userRequests: number;
  readonly summaryRequests: number;
  /** Cap of one measured run, ms (the request count is the normal bound). */
  readonly maxRunMs: number;
  /** Measured runs of each (app, baseline) pair; the median is reported. */
  readonly repetitions: number;
}

/** 10,000 scored users, a user with 100 risk events, 8 connections, three runs each. */
export const DEFAULT_API_BENCH: ApiBenchOptions = Object.freeze({
  users: 10_000,
  userEvents: 100,
  concurrency: 8,
  userRequests: 3_000,
  summaryRequests: 600,
  maxRunMs: 10_000,
  repetitions: 3,
});

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const NOW_MS = Date.parse('2026-03-02T12:00:00.000Z');
const BEHAVIORS: readonly BehaviorKey[] = ['high_dlp', 'imp_travel', 'failed_logins', 'malicious_file'];
const LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high'];

function userId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

function riskEvent(user: number, k: number, timeMs: number): NewRiskEvent {
  const behavior = BEHAVIORS[(user + k) % BEHAVIORS.length] ?? 'high_dlp';
  return {
    id: `00000000-0000-4000-9000-${(user * 1000 + k).toString(16).padStart(12, '0')}`,
    userId: userId(user),
    email: `user${user}@example.com`,
    name: `User ${user}`,
    behavior,
    behaviorName: behaviorDefinition(behavior).name,
    riskLevel: LEVELS[(user + k) % LEVELS.length] ?? 'low',
    timestamp: new Date(timeMs).toISOString(),
    details: { behavior, source_event_ids: [`evt-${user}-${k}`], count: 15 + (k % 5) },
    dedupeKey: `${behavior}:bench:${user}:${k}`,
  };
}

/** Runs the load client in a worker thread against one URL. */
function load(task: LoadRequest): Promise<LoadResult> {
  return new Promise((resolvePromise, reject) => {
    // Loader hooks are per thread in Node 20: the worker registers tsx itself, then loads the client.
    const tsx = import.meta.resolve('tsx/esm/api');
    const client = new URL('./load-client.ts', import.meta.url).href;
    const source = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(client)}); })`;
    const worker = new Worker(source, { eval: true, workerData: task });
    worker.once('message', (result: LoadResult) => resolvePromise(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load client exited with ${code}`));
    });
  });
}

function fetchBody(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode} ${body.slice(0, 200)}`));
          else resolvePromise(body);
        });
      })
      .on('error', reject);
  });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

interface Measured {
  readonly reqPerSec: number;
  readonly p99Ms: number;
  readonly bodyBytes: number;
}

async function measure(task: LoadRequest): Promise<Measured> {
  const r = await load(task);
  if (r.failures > 0) throw new Error(`${task.url}: ${r.failures} failed requests`);
  return {
    reqPerSec: (r.completed / r.elapsedMs) * 1000,
    p99Ms: percentile(r.latenciesMs, 99),
    bodyBytes: r.bodyBytes,
  };
}

/**
 * API smoke benchmark: GET user (100 risk events) and GET summary (first page of 10,000 scored users)
 * through a listening server over real services on a SQLite file, driven by keep-alive clients in a
 * worker thread; baseline: a bare Fastify route returning the same JSON body as a constant object.
 */
export async function runApiBench(options: ApiBenchOptions = DEFAULT_API_BENCH): Promise<{
  rows: BenchRow[];
  notes: string[];
}> {
  const dir = tempDir('api');
  const store = createSqliteStore({ path: join(dir.path, 'ztrisk.db') });
  const baselineApp = Fastify({ logger: false });
  let app: FastifyInstance | undefined;
  try {
    await store.migrate();
    const services = createServices(
      { store, now: () => NOW_MS },
      { geolocator: createGeolocator({ mmdbPaths: [] }) },
    );
    const created = await services.credentials.createToken({
      name: 'bench',
      grants: PERMISSIONS.map((permission) => ({ accountId: ACCOUNT, permission })),
      actor: 'cli',
    });

    progress(`api: seeding ${options.users.toLocaleString('en-US')} scored users`);
    const recordedAt = new Date(NOW_MS).toISOString();
    const firstMs = NOW_MS - 7 * 24 * 3_600_000;
    let batch: NewRiskEvent[] = [];
    for (let u = 1; u <= options.users; u += 1) {
      batch.push(riskEvent(u, 0, firstMs + u * 1000));
      if (batch.length === 5_000) {
        await store.recordRiskEvents(ACCOUNT, batch, recordedAt);
        batch = [];
      }
    }
    const heavy = options.users + 1;
    for (let k = 0; k < options.userEvents; k += 1) batch.push(riskEvent(heavy, k, firstMs + k * 60_000));
    await store.recordRiskEvents(ACCOUNT, batch, recordedAt);

    app = buildApp({
      services,
      publicUrl: () => 'http://127.0.0.1',
      bodyLimitBytes: 1_048_576,
      logLevel: false,
    });
    const appUrl = await listen(app);
    const headers = { authorization: `Bearer ${created.secret}` };
    const base = `${appUrl}/client/v4/accounts/${ACCOUNT}/zt_risk_scoring`;
    const endpoints = [
      {
        name: `GET user (${options.userEvents} risk events)`,
        path: `${base}/${userId(heavy)}`,
        requests: options.userRequests,
        baselinePath: '/user',
      },
      {
        name: `GET summary page 1 (${options.users.toLocaleString('en-US')} users, default per_page)`,
        path: `${base}/summary`,
        requests: options.summaryRequests,
        baselinePath: '/summary',
      },
    ];

    // The baseline serves each real response body, parsed once, as a constant object: Fastify
    // serializes it per request exactly as it serializes the app's (no response schema either way).
    const bodies = await Promise.all(endpoints.map((e) => fetchBody(e.path, headers)));
    endpoints.forEach((e, i) => {
      const constant = JSON.parse(bodies[i] ?? 'null') as unknown;
      baselineApp.get(e.baselinePath, async () => constant);
    });
    const baselineUrl = await listen(baselineApp);

    const rows: BenchRow[] = [];
    const notes: string[] = [];
    for (const e of endpoints) {
      const task = (url: string, requests: number): LoadRequest => ({
        url,
        headers,
        requests,
        concurrency: options.concurrency,
        maxMs: options.maxRunMs,
      });
      progress(`api: ${e.name}: warming up`);
      await measure(task(e.path, Math.ceil(e.requests / 5)));
      await measure(task(`${baselineUrl}${e.baselinePath}`, Math.ceil(e.requests / 5)));
      const appRuns: Measured[] = [];
      const baseRuns: Measured[] = [];
      for (let rep = 1; rep <= options.repetitions; rep += 1) {
        baseRuns.push(await measure(task(`${baselineUrl}${e.baselinePath}`, e.requests)));
        appRuns.push(await measure(task(e.path, e.requests)));
        progress(
          `api: ${e.name}: run ${rep}/${options.repetitions}: app ${appRuns.at(-1)?.reqPerSec.toFixed(0)} req/s, ` +
            `baseline ${baseRuns.at(-1)?.reqPerSec.toFixed(0)} req/s`,
        );
      }
      const baselineName = 'bare Fastify route returning the same JSON body (constant object)';
      rows.push({
        benchmark: `api: ${e.name}`,
        unit: 'req/s',
        value: median(appRuns.map((r) => r.reqPerSec)),
        baseline: median(baseRuns.map((r) => r.reqPerSec)),
        baselineName,
      });
      rows.push({
        benchmark: `api: ${e.name}, p99`,
        unit: 'ms',
        value: median(appRuns.map((r) => r.p99Ms)),
        baseline: median(baseRuns.map((r) => r.p99Ms)),
        baselineName,
        lowerIsBetter: true,
      });
      const bytes = appRuns[0]?.bodyBytes ?? 0;
      const baseBytes = baseRuns[0]?.bodyBytes ?? 0;
      notes.push(
        `api: ${e.name}: ${e.requests.toLocaleString('en-US')} requests per run, response ${bytes.toLocaleString('en-US')} bytes ` +
          `(baseline ${baseBytes.toLocaleString('en-US')} bytes).`,
      );
    }
    notes.unshift(
      `api: server in the main thread over a SQLite file (WAL), load from a worker thread with ` +
        `${options.concurrency} keep-alive connections; bearer token auth on every request; ` +
        `median of ${options.repetitions} runs after a warm-up; p99 is the median of the runs' p99s.`,
    );
    return { rows, notes };
  } finally {
    await baselineApp.close();
    if (app) await app.close();
    await store.close();
    dir.remove();
  }
}

const invokedDirectly = import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href;
if (invokedDirectly) {
  const result = await runApiBench();
  process.stdout.write(`${machineNote()}\n\n${formatTable(result.rows)}\n\n${result.notes.join('\n')}\n`);
}
