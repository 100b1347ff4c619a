import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import type { Config } from './config/config.js';
import { createGeolocator, type Geolocator } from './ingest/geo/geolocator.js';
import { loadOverridesFile } from './ingest/geo/overrides.js';
import { type Bootstrapped, bootstrapIfEmpty } from './services/bootstrap.js';
import type { ServiceDeps } from './services/deps.js';
import { createServices, type Services } from './services/services.js';
import { openStore } from './store/open-store.js';
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
  const store = await openStore(config.db);
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

/** The composition root: the only place that wires configuration, store, services and the HTTP app. */
export async function createZtrisk(config: Config, options: { now?: () => number } = {}): Promise<Ztrisk> {
  const store = await openConfiguredStore(config);
  const deps: ServiceDeps = { store, now: options.now ?? Date.now };
  const services = createServices(deps, {
    geolocator: createConfiguredGeolocator(config),
    ingestLimits: { maxRecords: config.ingestMaxRecords, maxBytes: config.ingestMaxBytes },
  });
  let publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  // The app reads the public URL per request, so a port chosen at listen time (port 0) is reflected.
  const app = buildApp({
    services,
    publicUrl: () => publicUrl,
    bodyLimitBytes: config.bodyLimitBytes,
    logLevel: config.logLevel === 'silent' ? false : config.logLevel,
  });
  let stopped = false;
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
      return { url, bootstrapped };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await store.close();
    },
  };
}
