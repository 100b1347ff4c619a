import { DETECTORS } from '../detectors/detectors.js';
import { createGeolocator, type Geolocator } from '../ingest/geo/geolocator.js';
import { type Metrics, NO_METRICS } from '../metrics/metrics.js';
import { createAuditService } from './audit.js';
import { createBehaviorService } from './behaviors.js';
import { createCredentialService } from './credentials.js';
import type { ServiceDeps } from './deps.js';
import { createDetectorSettingsService } from './detector-settings.js';
import { createIngestService, type IngestLimits } from './ingest.js';
import { createInsightsService } from './insights.js';
import { createIntegrationService } from './integrations.js';
import { createRiskService, type LevelChangeListener } from './risk.js';
import { createStreamService, type StreamServiceOptions } from './streams.js';

/** Optional parts of the services; defaults suit tests and small tools. */
export interface ServiceOptions {
  readonly levelListeners?: readonly LevelChangeListener[];
  /**
   * IP geolocation for ingestion. Default: no database, so only operator overrides and the special
   * ranges apply (the composition root passes the configured DB-IP/GeoIP reader).
   */
  readonly geolocator?: Geolocator;
  readonly ingestLimits?: IngestLimits;
  /** Where ingestion and detection counts go (default: nowhere). */
  readonly metrics?: Metrics;
  /** Shared Signals: signing keys, push target policy, worker wake-up (defaults suit tests). */
  readonly signals?: StreamServiceOptions;
}

/** Every use case, built over one store and clock; the API, CLI and dashboard share this object. */
export function createServices(deps: ServiceDeps, options: ServiceOptions = {}) {
  const levelListeners = options.levelListeners ?? [];
  const detectorSettings = createDetectorSettingsService(deps);
  return {
    credentials: createCredentialService(deps),
    risk: createRiskService(deps, levelListeners),
    behaviors: createBehaviorService(deps),
    detectorSettings,
    integrations: createIntegrationService(deps),
    audit: createAuditService(deps),
    insights: createInsightsService(deps),
    streams: createStreamService(deps, options.signals),
    ingest: createIngestService(deps, {
      geolocator: options.geolocator ?? createGeolocator({ mmdbPaths: [] }),
      detectors: DETECTORS,
      detectorSettings,
      levelListeners,
      ...(options.ingestLimits ? { limits: options.ingestLimits } : {}),
      metrics: options.metrics ?? NO_METRICS,
    }),
  };
}

/** The services object. */
export type Services = ReturnType<typeof createServices>;
