import type { BehaviorKey } from '../domain/behaviors.js';
import { crowdStrikeLowZta, crowdStrikeMediumZta } from './crowdstrike-zta.js';
import type { Detector } from './detector.js';
import { failedLogins } from './failed-logins.js';
import { highDlp } from './high-dlp.js';
import { highRiskDomain } from './high-risk-domain.js';
import { impossibleTravel } from './impossible-travel.js';
import { maliciousFile } from './malicious-file.js';
import { securityRiskDomain } from './security-risk-domain.js';
import { sentinelOne } from './sentinel-one.js';

/** Every detector, one per catalog behavior, in catalog order (`BEHAVIOR_CATALOG`). */
export const DETECTORS: readonly Detector[] = [
  impossibleTravel,
  highDlp,
  sentinelOne,
  crowdStrikeLowZta,
  crowdStrikeMediumZta,
  maliciousFile,
  securityRiskDomain,
  highRiskDomain,
  failedLogins,
];

const BY_BEHAVIOR = new Map<BehaviorKey, Detector>(DETECTORS.map((d) => [d.behavior, d]));

/** The detector of a behavior; throws for a behavior without one (a programming error). */
export function detectorFor(behavior: BehaviorKey): Detector {
  const found = BY_BEHAVIOR.get(behavior);
  if (!found) throw new Error(`no detector for ${behavior}`);
  return found;
}
