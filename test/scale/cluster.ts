import assert from 'node:assert/strict';
import { BEHAVIOR_CATALOG } from '../../src/domain/behaviors.js';
import type { GenericEvent } from '../../src/ingest/events/generic-event.js';
import { onlyLine, runCli, type Server, startServer } from '../support/server.js';

/** Helpers for tests that run several `ztrisk serve` processes and talk to them over HTTP. */

// Children inherit the environment: no per-token rate limit (tests send hundreds of requests at once)
// and quiet logs.
process.env.ZTRISK_RATE_LIMIT_PER_MINUTE = '0';
process.env.ZTRISK_LOG_LEVEL = 'warn';

/** An account's tokens, created with the CLI against a store URL. */
export interface Tokens {
  /** Zero Trust Write + PII Read: behaviors, reads, resets. */
  readonly admin: string;
  /** Zero Trust: Risk Ingest only. */
  readonly ingest: string;
}

/** Creates an admin and a Risk Ingest token for the account with `ztrisk tokens create --db <db>`. */
export async function createTokens(db: string, account: string): Promise<Tokens> {
  const create = async (...permissions: string[]) =>
    onlyLine(
      await runCli([
        'tokens',
        'create',
        '--account',
        account,
        ...permissions.flatMap((p) => ['--permission', p]),
        '--db',
        db,
      ]),
    );
  const admin = await create('Zero Trust Write', 'Zero Trust: PII Read');
  const ingest = await create('Zero Trust: Risk Ingest');
  return { admin, ingest };
}

/** Starts `ztrisk serve` processes on one store (no geolocation database: events carry locations). */
export async function startNodes(
  db: string,
  count: number,
  extraArgs: readonly string[] = [],
): Promise<Server[]> {
  return Promise.all(
    Array.from({ length: count }, () => startServer(db, ['--geoip-mmdb', 'none', ...extraArgs])),
  );
}

/** Stops server processes (SIGTERM, then waits for them to exit). */
export async function stopNodes(nodes: readonly (Server | undefined)[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
      node.child.kill('SIGTERM');
      await node.exited;
    }),
  );
}

/** A v4 API call with a bearer token; resolves with the parsed envelope, asserting success. */
export async function api(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ result: unknown; result_info?: { total_count?: number } }> {
  const response = await fetch(`${baseUrl}/client/v4${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as { result: unknown };
}

/** Enables every behavior at its default level (behaviors start disabled). */
export async function enableAllBehaviors(baseUrl: string, account: string, admin: string): Promise<void> {
  await api(baseUrl, admin, 'PUT', `/accounts/${account}/zt_risk_scoring/behaviors`, {
    behaviors: Object.fromEntries(
      BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: true, risk_level: b.defaultLevel }]),
    ),
  });
}

/** What one ingestion request answered. */
export interface IngestAnswer {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: readonly unknown[];
  readonly risk_events: number;
}

/** Posts one batch of generic events; rejects on a network error or a non-200 answer. */
export async function postEvents(
  baseUrl: string,
  account: string,
  token: string,
  events: readonly GenericEvent[],
): Promise<IngestAnswer> {
  const { result } = await api(baseUrl, token, 'POST', `/accounts/${account}/ztrisk/events`, events);
  const answer = result as IngestAnswer;
  assert.deepEqual(answer.rejected, [], 'no event of the workload is invalid');
  return answer;
}

/** Runs `work` over `items` with at most `concurrency` in flight, in order of start. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await work(item);
      }
    }),
  );
}

/** A user's outcome as the API shows it, without random ids: level, count and risk events. */
export interface UserOutcome {
  readonly userId: string;
  readonly maxRiskLevel: string;
  readonly eventCount: number;
  readonly events: readonly {
    readonly name: string;
    readonly riskLevel: string;
    readonly timestamp: string;
    readonly details: unknown;
  }[];
}

interface WireSummary {
  users: { user_id: string; max_risk_level: string; event_count: number }[];
}

interface WireUser {
  events: { name: string; risk_level: string; timestamp: string; event_details: unknown }[];
}

/**
 * Every scored user of the account (summary) and each one's risk events (GET user), sorted so two runs
 * compare with `deepEqual`: the answers of the API, minus the random risk event ids.
 */
export async function outcome(baseUrl: string, account: string, admin: string): Promise<UserOutcome[]> {
  const summary = (
    await api(baseUrl, admin, 'GET', `/accounts/${account}/zt_risk_scoring/summary?per_page=1000`)
  ).result as WireSummary;
  const users = [...summary.users].sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
  return Promise.all(
    users.map(async (u) => {
      const user = (
        await api(baseUrl, admin, 'GET', `/accounts/${account}/zt_risk_scoring/${u.user_id}?per_page=1000`)
      ).result as WireUser;
      const events = user.events
        .map((e) => ({
          name: e.name,
          riskLevel: e.risk_level,
          timestamp: e.timestamp,
          details: e.event_details,
        }))
        .sort((a, b) => `${a.timestamp}|${a.name}`.localeCompare(`${b.timestamp}|${b.name}`));
      return { userId: u.user_id, maxRiskLevel: u.max_risk_level, eventCount: u.event_count, events };
    }),
  );
}
