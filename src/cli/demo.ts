import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { BEHAVIOR_CATALOG } from '../domain/behaviors.js';
import { ZtriskError } from '../domain/errors.js';
import type { RiskLevel } from '../domain/risk-level.js';
import { formatTimestamp, parseRfc3339 } from '../domain/time.js';
import type { UserRisk } from '../domain/types.js';
import type { BatchRecord } from '../ingest/batch.js';
import { type DemoManifest, generateDemo } from '../ingest/demo/generate.js';
import { createConfiguredGeolocator, openConfiguredStore } from '../main.js';
import { type IngestSummary, MAX_FUTURE_SKEW_MS } from '../services/ingest.js';
import { createServices, type Services } from '../services/services.js';
import { createProgress, type Progress } from './ingest-files.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Events per call of the ingest service. */
const CHUNK_EVENTS = 5000;
/** Risky users listed in the closing summary. */
const LISTED_USERS = 10;

/** Validated options of `ztrisk demo`. */
export interface DemoCommandOptions {
  readonly accountId: string;
  readonly users: number;
  readonly days: number;
  readonly seed: number;
  /** End of the simulated period, epoch ms. */
  readonly endMs: number;
}

/** Raw option values as commander hands them over. */
interface RawDemoOptions {
  readonly account: string;
  readonly users: string;
  readonly days: string;
  readonly seed: string;
  readonly end?: string;
}

function integerIn(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ZtriskError(
      'invalid',
      `${flag}: must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Validates the options; problems throw an `invalid` error naming the flag (exit code 2). */
export function parseDemoOptions(raw: RawDemoOptions, nowMs: number): DemoCommandOptions {
  if (raw.account.length === 0 || raw.account.length > 256) {
    throw new ZtriskError('invalid', '--account: must be 1 to 256 characters');
  }
  let endMs = nowMs;
  if (raw.end !== undefined) {
    const parsed = parseRfc3339(raw.end);
    if (parsed === undefined) throw new ZtriskError('invalid', '--end: must be an RFC 3339 date-time');
    if (parsed > nowMs + MAX_FUTURE_SKEW_MS)
      throw new ZtriskError('invalid', '--end: must not be in the future');
    endMs = parsed;
  }
  return {
    accountId: raw.account,
    users: integerIn('--users', raw.users, 1, 100_000),
    days: integerIn('--days', raw.days, 1, 90),
    seed: integerIn('--seed', raw.seed, 0, 4_294_967_295),
    endMs,
  };
}

/** What a demo run did. */
export interface DemoResult {
  readonly manifest: DemoManifest;
  readonly events: number;
  readonly summary: IngestSummary;
}

/**
 * Enables every behavior at its catalog default level (audited, actor `cli`), then generates the demo
 * and ingests it through the ingest service in chunks of 5,000 events, reporting progress by day.
 * Rejections (none are expected) go to `onRejected` with the event id.
 */
export async function runDemo(
  services: Services,
  options: DemoCommandOptions,
  hooks: {
    readonly progress?: Progress;
    readonly onRejected?: (eventId: string, message: string) => void;
  } = {},
): Promise<DemoResult> {
  await services.behaviors.update(
    options.accountId,
    new Map(BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: true, riskLevel: b.defaultLevel }])),
    'cli',
  );
  const demo = generateDemo(options);
  const summary: IngestSummary = { accepted: 0, duplicates: 0, skipped: 0, rejected: [], riskEvents: 0 };
  let events = 0;
  let chunk: BatchRecord[] = [];
  let position = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const inputs = services.ingest.mapRecords(options.accountId, { kind: 'events' }, chunk);
    const s = await services.ingest.ingest(options.accountId, inputs);
    summary.accepted += s.accepted;
    summary.duplicates += s.duplicates;
    summary.skipped += s.skipped;
    summary.riskEvents += s.riskEvents;
    for (const r of s.rejected) {
      summary.rejected.push(r);
      const record = chunk[r.index];
      const id = record && 'value' in record ? String((record.value as { id?: unknown }).id) : '?';
      hooks.onRejected?.(
        id,
        r.errors.map((e) => (e.pointer ? `${e.pointer}: ${e.message}` : e.message)).join('; '),
      );
    }
    events += chunk.length;
    hooks.progress?.update({ records: events, bytes: position });
    chunk = [];
  };
  for (const { day, events: dayEvents } of demo.days()) {
    for (const [i, event] of dayEvents.entries()) {
      chunk.push({ index: chunk.length, value: event });
      position = day + (i + 1) / dayEvents.length;
      if (chunk.length >= CHUNK_EVENTS) await flush();
    }
  }
  await flush();
  hooks.progress?.finish();
  return { manifest: demo.manifest, events, summary };
}

async function scoredCount(services: Services, accountId: string, level: RiskLevel): Promise<number> {
  const page = await services.risk.summary(accountId, {
    page: 1,
    perPage: 1,
    levels: [level],
    orderBy: 'max_risk_level',
    direction: 'desc',
  });
  return page.totalCount;
}

function describeUser(user: UserRisk, manifest: DemoManifest): string {
  const planned = manifest.users.find((u) => u.id === user.userId)?.scenarios ?? [];
  const events = `${user.eventCount} risk event${user.eventCount === 1 ? '' : 's'}`;
  return `  ${(user.riskLevel ?? '-').padEnd(6)}  ${user.email.padEnd(40)}  ${events.padEnd(14)}  ${user.userId}${planned.length > 0 ? `  (${planned.join(', ')})` : ''}`;
}

/**
 * Registers `ztrisk demo`: generates realistic activity for `--users` users over `--days` days (mostly
 * benign, some of every risky behavior, a few events out of order), enables all nine behaviors at their
 * default levels and ingests it, then prints what it did and the riskiest users. Safe to run while
 * `ztrisk serve` uses the same SQLite file (WAL), and idempotent: the same seed gives the same event
 * ids, so a second run only reports duplicates.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'generate and ingest demo activity (all behaviors enabled) so the API and dashboard have data',
    )
    .requiredOption('--account <id>', 'account to fill (for example the id `ztrisk serve` printed)')
    .option('--users <n>', 'number of users, 1 to 100000', '500')
    .option('--days <n>', 'days of activity ending now, 1 to 90', '7')
    .option('--seed <n>', 'random seed, 0 to 4294967295 (same seed: same users and event ids)', '1')
    .option('--end <rfc3339>', 'end of the simulated period (default: now)')
    .option('--db <url>', 'store URL (env ZTRISK_DB)')
    .option('--geoip-mmdb <paths>', 'comma-separated City mmdb files, or "none" (env ZTRISK_GEOIP_MMDB)')
    .option('--geo-overrides <file>', 'geolocation overrides JSON file (env ZTRISK_GEO_OVERRIDES)')
    .action(async (opts: RawDemoOptions & { db?: string; geoipMmdb?: string; geoOverrides?: string }) => {
      const options = parseDemoOptions(opts, Date.now());
      const config = loadConfig(
        { db: opts.db, geoipMmdbPaths: opts.geoipMmdb, geoOverridesFile: opts.geoOverrides },
        process.env,
      );
      const store = await openConfiguredStore({ ...config, migrateOnStart: true });
      try {
        const services = createServices(
          { store, now: Date.now },
          { geolocator: createConfiguredGeolocator(config) },
        );
        const started = Date.now();
        let shown = 0;
        const { manifest, events, summary } = await runDemo(services, options, {
          progress: createProgress(options.days, started, Date.now),
          onRejected: (id, message) => {
            shown += 1;
            if (shown <= 20) process.stderr.write(`demo: event ${id}: ${message}\n`);
            else if (shown === 21) process.stderr.write('(further rejections not shown)\n');
          },
        });
        const seconds = (Date.now() - started) / 1000;
        const { accountId } = options;
        out(
          `demo: ${options.users} users, ${events} events over ${options.days} days; accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${summary.rejected.length}; risk events ${summary.riskEvents}`,
        );
        out(
          `demo: seed ${options.seed}, period ending ${formatTimestamp(options.endMs)}, ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)`,
        );
        const [high, medium, low] = await Promise.all(
          (['high', 'medium', 'low'] as const).map((level) => scoredCount(services, accountId, level)),
        );
        const risky = await services.risk.summary(accountId, {
          page: 1,
          perPage: LISTED_USERS,
          levels: [],
          orderBy: 'max_risk_level',
          direction: 'desc',
        });
        out(`demo: scored users ${risky.totalCount} (high ${high}, medium ${medium}, low ${low}); riskiest:`);
        for (const user of risky.items) out(describeUser(user, manifest));
        const base = `${config.publicUrl ?? `http://${config.host}:${config.port}`}/client/v4/accounts/${accountId}/zt_risk_scoring`;
        const first = risky.items[0]?.userId ?? '<user id>';
        out('look at them with the API token `ztrisk serve` printed on first start:');
        out(`  curl -s -H "Authorization: Bearer $TOKEN" '${base}/summary?order_by=max_risk_level'`);
        out(`  curl -s -H "Authorization: Bearer $TOKEN" ${base}/${first}`);
      } finally {
        await store.close();
      }
    });
}
