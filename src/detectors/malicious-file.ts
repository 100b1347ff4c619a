import { type Detector, dedupeKey, findingFor } from './detector.js';

/**
 * `malicious_file`: the user uploaded or downloaded a file that antivirus scanning or sandboxing judged
 * malicious (`file_verdict` with verdict `malicious`), **even if it was blocked** (Cloudflare's
 * "Malicious File Interaction", API.md §8, LOGPUSH.md §7). No threshold; one finding per verdict event,
 * dedupe key `malicious_file:<event id>`.
 */
export const maliciousFile: Detector = {
  behavior: 'malicious_file',
  accepts: (event) => event.type === 'file_verdict' && event.verdict === 'malicious',
  history: () => [],
  detect(event) {
    if (event.type !== 'file_verdict' || event.verdict !== 'malicious') return [];
    return [
      findingFor(event.user, {
        behavior: 'malicious_file',
        timestamp: event.timestamp,
        details: {
          direction: event.direction,
          blocked: event.blocked,
          file_name: event.fileName,
          sha256: event.sha256,
          reason: event.reason,
          host: event.host,
          url: event.url,
          ip: event.ip,
          source_event_ids: [event.id],
        },
        dedupeKey: dedupeKey('malicious_file', event.id),
      }),
    ];
  },
};
