#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/config.js';
import { ZtriskError } from '../domain/errors.js';
import { isPermission, PERMISSIONS, type Permission } from '../domain/permissions.js';
import { formatTimestamp, parseRfc3339 } from '../domain/time.js';
import {
  createConfiguredGeolocator,
  createConfiguredKeyRing,
  createZtrisk,
  keysLocation,
  openConfiguredStore,
} from '../main.js';
import { createServices } from '../services/services.js';
import type { Store } from '../store/store.js';
import { registerDemoCommand } from './demo.js';
import { createProgress, ingestFiles, parseSource, totalSize } from './ingest-files.js';
import { publishFiles } from './publish-files.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function permissionOf(value: string): Permission {
  if (!isPermission(value)) {
    throw new InvalidArgumentError(`must be one of: ${PERMISSIONS.map((p) => JSON.stringify(p)).join(', ')}`);
  }
  return value;
}

async function withStore<T>(db: string | undefined, run: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig({ db }, process.env);
  const store = await openConfiguredStore({ ...config, migrateOnStart: true });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function servicesOver(store: Store) {
  return createServices({ store, now: Date.now });
}

/** The `ztrisk` command line (its interface is relied on by other tools: change it with care). */
export function buildCli(): Command {
  const program = new Command('ztrisk')
    .description('Self-hosted Zero Trust user risk scoring, wire-compatible with Cloudflare zt_risk_scoring')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('serve')
    .description('serve the API on HOST:PORT until SIGTERM/SIGINT')
    .option('--host <host>', 'interface to listen on (env ZTRISK_HOST, default 127.0.0.1)')
    .option('--port <port>', 'TCP port, 0 for any free port (env ZTRISK_PORT, default 8787)')
    .option('--db <url>', 'store URL (env ZTRISK_DB, default sqlite:./data/ztrisk.db)')
    .option('--public-url <url>', 'public base URL for absolute links (env ZTRISK_PUBLIC_URL)')
    .option('--no-migrate', 'do not apply migrations at start')
    .option('--no-bootstrap', 'do not create an account and admin token on a brand-new store')
    .option('--geoip-mmdb <paths>', 'comma-separated City mmdb files, or "none" (env ZTRISK_GEOIP_MMDB)')
    .option('--geo-overrides <file>', 'geolocation overrides JSON file (env ZTRISK_GEO_OVERRIDES)')
    .option('--keys-dir <dir>', 'SET signing keys (env ZTRISK_KEYS_DIR, default: beside the SQLite file)')
    .option('--nats <url>', 'also consume events from NATS JetStream at this URL (env ZTRISK_NATS_URL)')
    .option(
      '--nats-stream <name>',
      'JetStream stream of events (env ZTRISK_NATS_STREAM, default ZTRISK_EVENTS)',
    )
    .option('--nats-subject <subject>', "events subjects, <prefix>.<account_id> (default 'ztrisk.events.>')")
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const config = loadConfig(
        {
          host: opts.host,
          port: opts.port,
          db: opts.db,
          publicUrl: opts.publicUrl,
          geoipMmdbPaths: opts.geoipMmdb,
          geoOverridesFile: opts.geoOverrides,
          keysDir: opts.keysDir,
          natsUrl: opts.nats,
          natsStream: opts.natsStream,
          natsSubject: opts.natsSubject,
          ...(opts.migrate === false ? { migrateOnStart: false } : {}),
          ...(opts.bootstrap === false ? { bootstrap: false } : {}),
        },
        process.env,
      );
      const ztrisk = await createZtrisk(config);
      const shutdown = (signal: string): void => {
        ztrisk.app.log.info({ signal }, 'shutting down: draining in-flight requests');
        ztrisk.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`ztrisk: error while stopping: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      const { url, bootstrapped } = await ztrisk.start();
      if (bootstrapped) {
        const base = `${url}/client/v4/accounts/${bootstrapped.accountId}/zt_risk_scoring`;
        out('ztrisk: new store, created an account and an admin token (shown only this once):');
        out(`  account id: ${bootstrapped.accountId}`);
        out(`  api token:  ${bootstrapped.tokenSecret}`);
        out(`  try:        curl -s -H "Authorization: Bearer ${bootstrapped.tokenSecret}" ${base}/behaviors`);
      }
      out(`ztrisk listening on ${url}`);
    });

  program
    .command('migrate')
    .description('apply pending schema migrations')
    .option('--db <url>', 'store URL (env ZTRISK_DB)')
    .action(async (opts: { db?: string }) => {
      await withStore(opts.db, async () => undefined);
      out('migrations applied');
    });

  program
    .command('ingest')
    .description('ingest NDJSON or gzip NDJSON files (or - for stdin) through the ingestion service')
    .argument('<files...>', 'files to read, - for standard input')
    .requiredOption('--account <id>', 'account the events belong to')
    .option('--source <source>', 'events (generic event schema) or logpush:<dataset>', 'events')
    .option('--db <url>', 'store URL (env ZTRISK_DB)')
    .option('--geoip-mmdb <paths>', 'comma-separated City mmdb files, or "none" (env ZTRISK_GEOIP_MMDB)')
    .option('--geo-overrides <file>', 'geolocation overrides JSON file (env ZTRISK_GEO_OVERRIDES)')
    .option('--to <nats-url>', 'publish the events to the NATS JetStream stream instead (events source only)')
    .option('--nats-stream <name>', 'with --to: stream (env ZTRISK_NATS_STREAM, default ZTRISK_EVENTS)')
    .option('--nats-subject <subject>', "with --to: events subjects (default 'ztrisk.events.>')")
    .action(
      async (
        files: string[],
        opts: {
          account: string;
          source: string;
          db?: string;
          geoipMmdb?: string;
          geoOverrides?: string;
          to?: string;
          natsStream?: string;
          natsSubject?: string;
        },
      ) => {
        const source = parseSource(opts.source);
        if (opts.to !== undefined) {
          if (source.kind !== 'events')
            throw new ZtriskError('invalid', '--to: only --source events is published');
          const natsConfig = loadConfig(
            { natsStream: opts.natsStream, natsSubject: opts.natsSubject },
            process.env,
          );
          const started = Date.now();
          const published = await publishFiles(opts.to, natsConfig, opts.account, files, {
            progress: createProgress(totalSize(files), started, Date.now),
            onRejected: (r) => process.stderr.write(`${r.file}:${r.line}: ${r.messages.join('; ')}\n`),
          });
          out(
            `published ${published.published} events in ${published.messages} messages to stream ${natsConfig.natsStream}, ` +
              `unreadable ${published.unreadable} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
          return;
        }
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
          const summary = await ingestFiles(services, opts.account, source, files, {
            progress: createProgress(totalSize(files), started, Date.now),
            onRejected: (r) => {
              shown += 1;
              if (shown <= 20) process.stderr.write(`${r.file}:${r.line}: ${r.messages.join('; ')}\n`);
              else if (shown === 21) process.stderr.write('(further rejections not shown)\n');
            },
          });
          const seconds = (Date.now() - started) / 1000;
          const records = summary.accepted + summary.duplicates + summary.skipped + summary.rejected.length;
          if (summary.skipped > 0)
            process.stderr.write(`skipped ${summary.skipped} (no real identity, logouts, test payloads)\n`);
          out(
            `accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${summary.rejected.length} in ${seconds.toFixed(1)} s (${Math.round(records / Math.max(seconds, 0.001))} events/s)`,
          );
        } finally {
          await store.close();
        }
      },
    );

  registerDemoCommand(program);

  const tokens = program.command('tokens').description('manage API tokens');
  tokens
    .command('create')
    .description('create an API token; prints only the secret')
    .requiredOption('--account <id>', 'account id (created if needed)', collect, [])
    .requiredOption(
      '--permission <name>',
      `permission (repeatable): ${PERMISSIONS.join(', ')}`,
      (v: string, p: Permission[]) => [...p, permissionOf(v)],
      [],
    )
    .option('--name <name>', 'a label for the token', 'cli token')
    .option('--expires <rfc3339>', 'expiry time (RFC 3339)')
    .option('--db <url>', 'store URL (env ZTRISK_DB)')
    .action(
      async (opts: {
        account: string[];
        permission: Permission[];
        name: string;
        expires?: string;
        db?: string;
      }) => {
        let expiresAt: string | undefined;
        if (opts.expires !== undefined) {
          const ms = parseRfc3339(opts.expires);
          if (ms === undefined) throw new ZtriskError('invalid', '--expires: must be an RFC 3339 date-time');
          expiresAt = formatTimestamp(ms);
        }
        if (opts.account.some((a) => a.length === 0 || a.length > 256)) {
          throw new ZtriskError('invalid', '--account: must be 1 to 256 characters');
        }
        const secret = await withStore(opts.db, async (store) => {
          const created = await servicesOver(store).credentials.createToken({
            name: opts.name,
            grants: opts.account.flatMap((accountId) =>
              [...new Set(opts.permission)].map((permission) => ({ accountId, permission })),
            ),
            ...(expiresAt !== undefined ? { expiresAt } : {}),
            actor: 'cli',
          });
          return created.secret;
        });
        out(secret);
      },
    );
  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--db <url>', 'store URL (env ZTRISK_DB)')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { db?: string; json?: boolean }) => {
      const list = await withStore(opts.db, (store) => servicesOver(store).credentials.listTokens());
      for (const t of list) {
        const status = t.revokedAt
          ? 'revoked'
          : t.expiresAt && t.expiresAt <= formatTimestamp(Date.now())
            ? 'expired'
            : 'active';
        if (opts.json) {
          out(
            JSON.stringify({
              id: t.id,
              name: t.name,
              status,
              grants: t.grants,
              created_at: t.createdAt,
              expires_at: t.expiresAt ?? null,
              revoked_at: t.revokedAt ?? null,
            }),
          );
        } else {
          const grants = t.grants.map((g) => `${g.accountId}:${g.permission}`).join(', ');
          out(
            `${t.id}  ${status.padEnd(7)}  ${t.name}  [${grants}]${t.expiresAt ? `  expires ${t.expiresAt}` : ''}`,
          );
        }
      }
    });
  tokens
    .command('revoke <id>')
    .description('revoke a token')
    .option('--db <url>', 'store URL (env ZTRISK_DB)')
    .action(async (id: string, opts: { db?: string }) => {
      await withStore(opts.db, (store) => servicesOver(store).credentials.revokeToken(id, 'cli'));
      out(`revoked ${id}`);
    });

  const keys = program.command('keys').description('manage Global API keys and the SET signing key');
  keys
    .command('create')
    .description(
      'create a Global API key for an owner email (replaces their previous key); prints only the key',
    )
    .requiredOption('--email <email>', 'owner email')
    .requiredOption('--account <id>', 'account the owner belongs to (created if needed)')
    .option('--db <url>', 'store URL (env ZTRISK_DB)')
    .action(async (opts: { email: string; account: string; db?: string }) => {
      if (!/^[^\s@]+@[^\s@]+$/.test(opts.email))
        throw new ZtriskError('invalid', '--email: must be an email address');
      const key = await withStore(opts.db, (store) =>
        servicesOver(store).credentials.createGlobalKey({
          email: opts.email,
          accountId: opts.account,
          actor: 'cli',
        }),
      );
      out(key.secret);
    });
  keys
    .command('rotate-signing')
    .description(
      'make a new SET signing key active; the old one stays in the JWKS until nothing signed with it is pending (prints key ids only)',
    )
    .option('--keys-dir <dir>', 'signing key directory (env ZTRISK_KEYS_DIR, default: beside the db)')
    .option('--db <url>', 'store URL, to see which keys pending SETs use (env ZTRISK_DB)')
    .action(async (opts: { keysDir?: string; db?: string }) => {
      const config = loadConfig({ db: opts.db, keysDir: opts.keysDir }, process.env);
      if (keysLocation(config) === ':memory:') {
        throw new ZtriskError('invalid', '--keys-dir: an in-memory key ring cannot be rotated');
      }
      const ring = createConfiguredKeyRing(config);
      const rotated = await ring.rotate();
      const pending = await withStore(opts.db, async (store) => new Set(await store.listPendingKids()));
      const removed = await ring.prune(pending);
      out(`active signing key: ${rotated.active}`);
      if (rotated.retired !== undefined && !removed.includes(rotated.retired)) {
        out(`retired signing key: ${rotated.retired} (published while SETs signed with it are pending)`);
      }
      for (const kid of removed) out(`removed signing key: ${kid}`);
    });

  return program;
}

/** Runs the CLI; errors print one clear line on stderr and exit non-zero. */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`ztrisk: ${message}\n`);
    process.exitCode = error instanceof ZtriskError && error.kind === 'invalid' ? 2 : 1;
  }
}

await runCli(process.argv);
