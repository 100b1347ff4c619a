import { randomUUID } from 'node:crypto';
import type { BehaviorKey } from '../../src/domain/behaviors.js';
import type { Finding } from '../../src/domain/finding.js';
import type { RiskLevel } from '../../src/domain/risk-level.js';
import type { Services } from '../../src/services/services.js';

/** A finding with sensible defaults; override what the test is about. */
export function aFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    userId: randomUUID(),
    email: 'alice@acme-corp.example',
    name: 'Alice Example',
    behavior: 'imp_travel',
    timestamp: '2026-03-02T10:00:00.000Z',
    details: { source_event_ids: [randomUUID()] },
    dedupeKey: randomUUID(),
    ...overrides,
  };
}

/** Enables behaviors at the given levels through the service (as an admin would). */
export async function enableBehaviors(
  services: Services,
  accountId: string,
  levels: Partial<Record<BehaviorKey, RiskLevel>>,
): Promise<void> {
  await services.behaviors.update(
    accountId,
    new Map(Object.entries(levels).map(([key, level]) => [key, { enabled: true, riskLevel: level }])),
    'cli',
  );
}
