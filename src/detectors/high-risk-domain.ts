import { HIGH_RISK_CATEGORY_IDS } from './categories.js';
import type { Detector } from './detector.js';
import { domainVisitDetector } from './domain-visit.js';

/**
 * `high_risk_domain`: a DNS query or HTTP request whose category ids include Questionable Content (17),
 * Violence (29) or CIPA (34) or any of their subcategories (LOGPUSH.md §5.3; Cloudflare's "High Risk
 * Domain Visited", API.md §8), **even if blocked**. No threshold; one finding per request, dedupe key
 * `high_risk_domain:<event id>`.
 */
export const highRiskDomain: Detector = domainVisitDetector('high_risk_domain', HIGH_RISK_CATEGORY_IDS);
