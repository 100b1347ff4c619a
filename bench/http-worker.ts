import http from 'node:http';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

/**
 * HTTP load for the API benchmarks, run in a worker thread (bench/api7.ts starts one and posts it one
 * task at a time) so that the client never shares the event loop of a server in the main thread. Two
 * modes:
 * - `autocannon`: throughput and p99 with autocannon's programmatic API, bounded by a request count;
 * - `sequential`: one request at a time over one keep-alive connection, every latency kept with
 *   sub-millisecond precision (for the flatness measurements, where autocannon's 1 ms buckets are too
 *   coarse).
 */

/** One autocannon run against a listening server. */
export interface AutocannonTask {
  readonly mode: 'autocannon';
  /** Origin, e.g. `http://127.0.0.1:1234`. */
  readonly origin: string;
  readonly method: 'GET' | 'PUT' | 'POST';
  /** Request paths, used in turn (one path: every request the same). */
  readonly paths: readonly string[];
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly connections: number;
  /** Requests to complete (autocannon's `amount`). */
  readonly amount: number;
}

/** Sequential requests, latencies kept. */
export interface SequentialTask {
  readonly mode: 'sequential';
  readonly origin: string;
  /** Request paths (GET), used in turn. */
  readonly paths: readonly string[];
  readonly headers: Record<string, string>;
  readonly requests: number;
}

export type HttpTask = AutocannonTask | SequentialTask;

/** What a run reports back. */
export interface HttpResult {
  readonly completed: number;
  /** Non-2xx responses, errors and timeouts. */
  readonly failures: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Size of a response, bytes (autocannon: head and body; sequential: body). */
  readonly bodyBytes: number;
}

/** The part of autocannon's (aggregated) result this benchmark reads. */
interface AutocannonResult {
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly amount: number;
  readonly timeout: number;
  readonly sampleInt: number;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly requests: readonly { setupRequest: (req: AutocannonRequest) => AutocannonRequest }[];
}

/** What `autocannon(options)` returns: an event emitter that is also a promise of the result. */
interface AutocannonInstance extends PromiseLike<unknown> {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): void;
}

/**
 * autocannon ships no types; this is the part of its programmatic API used here. Outside the main
 * thread it resolves with an unaggregated result (encoded histograms), which `aggregateResult` decodes.
 */
interface Autocannon {
  (options: AutocannonOptions): AutocannonInstance;
  aggregateResult(results: readonly unknown[], options: AutocannonOptions): AutocannonResult;
}

/**
 * autocannon's own throughput figure is per whole sampling second (its result arrives at the first
 * 1 s tick after the last response) and its latency histogram has 1 ms buckets, too coarse for runs
 * of a second or two and latencies of a few ms. So: every response's latency (autocannon's own
 * per-request timing, float ms) is kept from its `response` events, and the rate is completed 2xx
 * responses over the time from the start to the last response.
 */
async function runAutocannon(task: AutocannonTask): Promise<HttpResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  let next = 0;
  const headers = {
    ...task.headers,
    ...(task.body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  const options: AutocannonOptions = {
    url: task.origin,
    connections: task.connections,
    amount: task.amount,
    timeout: 30,
    // Its result comes at the first sampling tick after the last response: tick often.
    sampleInt: 100,
    method: task.method,
    headers,
    ...(task.body !== undefined ? { body: task.body } : {}),
    requests: [
      {
        setupRequest: (req) => {
          req.path = task.paths[next % task.paths.length] ?? '/';
          next += 1;
          return req;
        },
      },
    ],
  };
  const latencies: number[] = [];
  let bytes = 0;
  let last = 0n;
  const start = process.hrtime.bigint();
  const instance = autocannon(options);
  instance.on('response', (_client, status, resBytes, responseTimeMs) => {
    last = process.hrtime.bigint();
    if (status >= 200 && status < 300) {
      latencies.push(responseTimeMs);
      bytes = resBytes;
    }
  });
  const result = autocannon.aggregateResult([await instance], options);
  const elapsedMs = Number(last - start) / 1e6;
  latencies.sort((a, b) => a - b);
  return {
    completed: latencies.length,
    failures: result.non2xx + result.errors + result.timeouts,
    reqPerSec: (latencies.length / elapsedMs) * 1000,
    p50Ms: nearestRank(latencies, 50),
    p99Ms: nearestRank(latencies, 99),
    bodyBytes: bytes,
  };
}

function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

function get(url: string, agent: http.Agent, headers: Record<string, string>) {
  return new Promise<{ status: number; bytes: number }>((resolve, reject) => {
    http
      .get(url, { agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function runSequential(task: SequentialTask): Promise<HttpResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let failures = 0;
  let bodyBytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < task.requests; i += 1) {
    const sent = process.hrtime.bigint();
    const res = await get(`${task.origin}${task.paths[i % task.paths.length] ?? '/'}`, agent, task.headers);
    if (res.status !== 200) failures += 1;
    else {
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      bodyBytes = res.bytes;
    }
  }
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    completed: latencies.length,
    failures,
    reqPerSec: (latencies.length / elapsedMs) * 1000,
    p50Ms: nearestRank(latencies, 50),
    p99Ms: nearestRank(latencies, 99),
    bodyBytes,
  };
}

/** Runs one task in this thread. */
export function runTask(task: HttpTask): Promise<HttpResult> {
  return task.mode === 'autocannon' ? runAutocannon(task) : runSequential(task);
}

// In a worker thread: run each task posted to it, one at a time, and post back its result.
if (parentPort) {
  const port = parentPort;
  port.on('message', (task: HttpTask) => {
    runTask(task).then(
      (result) => port.postMessage({ ok: true, result }),
      (error: unknown) => port.postMessage({ ok: false, error: String(error) }),
    );
  });
}
