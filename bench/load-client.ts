import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/** What the load client is asked to do (its `workerData`). */
export interface LoadRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  /** Requests to send in total (the run stops earlier at `maxMs`). */
  readonly requests: number;
  /** Concurrent keep-alive connections, each with one request in flight. */
  readonly concurrency: number;
  readonly maxMs: number;
}

/** What the load client reports back. */
export interface LoadResult {
  readonly completed: number;
  /** Responses that were not 200, and transport errors. */
  readonly failures: number;
  readonly elapsedMs: number;
  /** Latency of every completed request, ms. */
  readonly latenciesMs: number[];
  /** Body size of the last response, bytes. */
  readonly bodyBytes: number;
}

function get(
  url: string,
  agent: http.Agent,
  headers: Record<string, string>,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * Drives one URL with `concurrency` keep-alive clients until `requests` are done or `maxMs` passed.
 * Runs in a worker thread so that the client's work does not share the server's event loop.
 */
export async function drive(task: LoadRequest): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: task.concurrency });
  const latenciesMs: number[] = [];
  let issued = 0;
  let failures = 0;
  let bodyBytes = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(task.maxMs) * 1_000_000n;
  const client = async (): Promise<void> => {
    while (issued < task.requests && process.hrtime.bigint() < deadline) {
      issued += 1;
      const sent = process.hrtime.bigint();
      try {
        const res = await get(task.url, agent, task.headers);
        if (res.status !== 200) failures += 1;
        else {
          latenciesMs.push(Number(process.hrtime.bigint() - sent) / 1e6);
          bodyBytes = res.bytes;
        }
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: task.concurrency }, client));
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  agent.destroy();
  return { completed: latenciesMs.length, failures, elapsedMs, latenciesMs, bodyBytes };
}

if (parentPort) {
  const port = parentPort;
  const result = await drive(workerData as LoadRequest);
  port.postMessage(result);
}
