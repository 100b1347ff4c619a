import { SECURITY_DOMAIN_CATEGORY_IDS } from './categories.js';
import type { Detector } from './detector.js';
import { domainVisitDetector } from './domain-visit.js';

/**
 * `security_risk_domain`: a DNS query or HTTP request whose category ids include Security threats (21)
 * or Security Risks (32) or any of their subcategories (LOGPUSH.md §5.1, §5.2; Cloudflare's "Suspicious
 * Security Domain Visited", API.md §8), **even if blocked**. DNS uses `QueryCategoryIDs`, so a category
 * reached only through a CNAME counts. No threshold; one finding per request, dedupe key
 * `security_risk_domain:<event id>`.
 */
export const securityRiskDomain: Detector = domainVisitDetector(
  'security_risk_domain',
  SECURITY_DOMAIN_CATEGORY_IDS,
);
