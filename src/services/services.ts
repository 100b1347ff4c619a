import { createAuditService } from './audit.js';
import { createBehaviorService } from './behaviors.js';
import { createCredentialService } from './credentials.js';
import type { ServiceDeps } from './deps.js';
import { createIntegrationService } from './integrations.js';
import { createRiskService, type LevelChangeListener } from './risk.js';

/** Every use case, built over one store and clock; the API, CLI and dashboard share this object. */
export function createServices(
  deps: ServiceDeps,
  options: { levelListeners?: readonly LevelChangeListener[] } = {},
) {
  return {
    credentials: createCredentialService(deps),
    risk: createRiskService(deps, options.levelListeners ?? []),
    behaviors: createBehaviorService(deps),
    integrations: createIntegrationService(deps),
    audit: createAuditService(deps),
  };
}

/** The services object. */
export type Services = ReturnType<typeof createServices>;
