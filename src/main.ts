import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import type { Config } from './config/config.js';
import { createGeolocator, DBIP_ATTRIBUTION, type Geolocator } from './ingest/geo/geolocator.js';
import { loadOverridesFile } from './ingest/geo/overrides.js';
import { type NatsIngestion, startNatsIngestion } from './ingest/nats/nats-ingestion.js';
import { createPrometheusMetrics } from './metrics/metrics.js';
import { type Bootstrapped, bootstrapIfEmpty } from './services/bootstrap.js';
import type { ServiceDeps } from './services/deps.js';
import { createServices, type Services } from './services/services.js';
import { createDeliveryWorker } from './signals/delivery-worker.js';
import { createFileKeyRing, createMemoryKeyRing, type KeyRing } from './signals/keys.js';
import { closePushConnections } from './signals/push.js';
import { openStore, parseStoreUrl } from './store/open-store.js';
import type { Store } from './store/store.js';

/** A composed ztrisk: config → store → services → app, with its lifecycle. */
export interface Ztrisk {
  readonly config: Config;
  readonly store: Store;
  readonly services: Services;
  readonly app: FastifyInstance;
  /** Listens; resolves with the bound URL and what bootstrapping created (if anything). */
  start(): Promise<{ url: string; bootstrapped: Bootstrapped | undefined }>;
  /** Stops accepting, drains in-flight requests, closes the store. */
  stop(): Promise<void>;
}

/** Opens the store named by the config and migrates it when the config says so. */
export async function openConfiguredStore(config: Config): Promise<Store> {
  const store = await openStore(config.db, { maxConnections: config.dbPoolMax });
  if (config.migrateOnStart) await store.migrate();
  return store;
}

/**
 * The geolocator the configuration names: the bundled DB-IP City Lite data (or the configured City
 * mmdb files) plus the operator overrides file. Reads the files once, here.
 */
export function createConfiguredGeolocator(config: Config): Geolocator {
  const overrides = config.geoOverridesFile ? loadOverridesFile(config.geoOverridesFile) : [];
  return createGeolocator({
    ...(config.geoipMmdbPaths !== undefined ? { mmdbPaths: config.geoipMmdbPaths } : {}),
    overrides,
  });
}

/**
 * Where the SET signing keys live: `keysDir` when set (`:memory:` = in memory), else a `keys` folder
 * beside the SQLite file, in memory for `sqlite::memory:`, and `./data/keys` for other stores.
 */
export function keysLocation(config: Pick<Config, 'keysDir' | 'db'>): string {
  if (config.keysDir !== undefined) return config.keysDir;
  const location = parseStoreUrl(config.db);
  if (location.kind !== 'sqlite') return './data/keys';
  if (location.path === ':memory:') return ':memory:';
  return `${location.path.replace(/[^/\\]*$/, '') || './'}keys`;
}

/** The configured signing key ring (see {@link keysLocation}). */
export function createConfiguredKeyRing(config: Pick<Config, 'keysDir' | 'db'>): KeyRing {
  const location = keysLocation(config);
  return location === ':memory:' ? createMemoryKeyRing() : createFileKeyRing(location);
}

/** The composition root: the only place that wires configuration, store, services and the HTTP app. */
export async function createZtrisk(config: Config, options: { now?: () => number } = {}): Promise<Ztrisk> {
  const store = await openConfiguredStore(config);
  const deps: ServiceDeps = { store, now: options.now ?? Date.now };
  const metrics = createPrometheusMetrics();
  // Shared Signals: SETs are enqueued with each risk change; this worker signs and pushes them.
  const keyRing = createConfiguredKeyRing(config);
  const policy = { allowPrivateTargets: config.ssfAllowPrivateTargets };
  const worker = createDeliveryWorker({
    store,
    keyRing,
    now: deps.now,
    publicUrl: () => publicUrl,
    policy,
    settings: {
      backoff: { baseMs: config.ssfRetryBaseMs, maxMs: config.ssfRetryMaxMs },
      intervalMs: config.ssfWorkerIntervalMs,
      pushTimeoutMs: config.ssfPushTimeoutMs,
    },
    log: { warn: (o, m) => app.log.warn(o, m), error: (o, m) => app.log.error(o, m) },
  });
  const services = createServices(deps, {
    geolocator: createConfiguredGeolocator(config),
    ingestLimits: { maxRecords: config.ingestMaxRecords, maxBytes: config.ingestMaxBytes },
    metrics,
    levelListeners: [() => worker.wake()],
    signals: { keyRing, policy, wake: () => worker.wake() },
  });
  metrics.gauge(
    'ztrisk_ssf_delivery_backlog',
    'Shared Signals SETs pending delivery (held, retrying, or not yet polled/acknowledged), per stream',
    ['account', 'stream', 'kind'],
    async () => {
      const out: { labels: Record<string, string>; value: number }[] = [];
      for (const account of await store.listAccounts()) {
        for (const s of await services.streams.health(account)) {
          out.push({ labels: { account, stream: s.streamId, kind: s.kind }, value: s.health.backlog });
        }
      }
      return out;
    },
  );
  let publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  // The app reads the public URL per request, so a port chosen at listen time (port 0) is reflected.
  const app = buildApp({
    services,
    publicUrl: () => publicUrl,
    bodyLimitBytes: config.bodyLimitBytes,
    logLevel: config.logLevel === 'silent' ? false : config.logLevel,
    ...(config.dashboard
      ? {
          dashboard: {
            sessionIdleMs: config.sessionIdleMinutes * 60_000,
            sessionMaxAgeMs: config.sessionMaxHours * 3_600_000,
            // The bundled DB-IP data needs its attribution wherever geolocated places are shown.
            ...(config.geoipMmdbPaths === undefined ? { geoAttribution: DBIP_ATTRIBUTION } : {}),
            ...(options.now ? { now: options.now } : {}),
          },
        }
      : {}),
    metrics,
    rateLimit: {
      perCaller: { perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst },
      authFailuresPerAddress: {
        perMinute: config.authFailuresPerMinute,
        burst: Math.max(1, config.authFailuresPerMinute),
      },
    },
    readiness: async () => {
      try {
        await store.ping();
        const pending = await store.pendingMigrations();
        return pending === 0 ? [] : [`${pending} schema migration(s) pending: run ztrisk migrate`];
      } catch {
        return ['store unreachable'];
      }
    },
    requestTimeoutMs: config.requestTimeoutMs,
    maxHeaderBytes: config.maxHeaderBytes,
  });
  let stopped = false;
  let nats: NatsIngestion | undefined;
  return {
    config,
    store,
    services,
    app,
    async start() {
      const bootstrapped = config.bootstrap ? await bootstrapIfEmpty(deps, services.credentials) : undefined;
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      const url = `http://${host}:${port}`;
      if (config.publicUrl === undefined) publicUrl = url;
      worker.start();
      if (config.natsUrl !== undefined) {
        nats = await startNatsIngestion(
          {
            url: config.natsUrl,
            stream: config.natsStream,
            subject: config.natsSubject,
            consumer: config.natsConsumer,
            deadLetterSubject: config.natsDeadLetterSubject,
          },
          {
            ingest: services.ingest,
            accountExists: async (accountId) => (await store.listAccounts()).includes(accountId),
            log: app.log,
          },
        );
      }
      return { url, bootstrapped };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // NATS first: the batch in hand is stored and acknowledged before the store closes.
      await nats?.stop();
      await app.close();
      // The round of SET pushes in flight finishes (bounded by the push timeout); the rest stays queued.
      await worker.stop();
      closePushConnections();
      await store.close();
    },
  };
}
