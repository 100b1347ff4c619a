import type { BehaviorKey } from '../domain/behaviors.js';
import type { DnsRequestEvent, HttpRequestEvent, SecurityEvent } from '../domain/security-event.js';
import { matchingCategoryIds } from './categories.js';
import { type Detector, dedupeKey, findingFor } from './detector.js';

function isRequest(event: SecurityEvent): event is DnsRequestEvent | HttpRequestEvent {
  return event.type === 'dns_request' || event.type === 'http_request';
}

/**
 * A detector for "the user resolved or visited a domain in one of these categories, even if blocked":
 * one finding per matching `dns_request` or `http_request`, dedupe key `<behavior>:<event id>`.
 */
export function domainVisitDetector(behavior: BehaviorKey, categories: ReadonlySet<number>): Detector {
  return {
    behavior,
    accepts: (event) => isRequest(event) && event.categoryIds.some((id) => categories.has(id)),
    history: () => [],
    detect(event) {
      if (!isRequest(event)) return [];
      const matched = matchingCategoryIds(event.categoryIds, categories);
      if (matched.length === 0) return [];
      return [
        findingFor(event.user, {
          behavior,
          timestamp: event.timestamp,
          details: {
            request_type: event.type === 'dns_request' ? 'dns' : 'http',
            domain: event.type === 'dns_request' ? event.domain : event.host,
            url: event.type === 'http_request' ? event.url : undefined,
            category_ids: [...event.categoryIds],
            matched_category_ids: matched,
            blocked: event.blocked,
            ip: event.ip,
            source_event_ids: [event.id],
          },
          dedupeKey: dedupeKey(behavior, event.id),
        }),
      ];
    },
  };
}
