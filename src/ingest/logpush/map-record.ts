import { mapAccessRequest } from './access-requests.js';
import { isLogpushDataset, type LogpushDataset } from './datasets.js';
import { mapDevicePostureResult } from './device-posture-results.js';
import { fieldValue, isRecord, type LogpushRecord } from './fields.js';
import { mapGatewayDns } from './gateway-dns.js';
import { mapGatewayHttp } from './gateway-http.js';
import { type MapResult, skipped } from './map-result.js';

export type { MapResult } from './map-result.js';

/** What a mapper needs besides the record: the ztrisk account the delivery was addressed to. */
export interface MapContext {
  readonly accountId: string;
}

const MAPPERS: Readonly<Record<LogpushDataset, (record: LogpushRecord, ctx: MapContext) => MapResult>> = {
  access_requests: mapAccessRequest,
  gateway_http: mapGatewayHttp,
  gateway_dns: mapGatewayDns,
  device_posture_results: mapDevicePostureResult,
};

/**
 * Maps one parsed NDJSON line of a Logpush delivery for `dataset` to security events, a skip or the
 * problems that make it invalid. Pure and total: no I/O, no clock, and it never throws, whatever JSON
 * value it is given. Unknown keys are ignored and missing or empty values tolerated (LOGPUSH.md §1, §8).
 * Event ids are derived from the record, so a re-delivery maps to the same ids; events carry no
 * `location` (geolocation from `ip` is the ingestion service's job).
 *
 * A value that is not an object is invalid (pointer `''`); the destination validation payload
 * `{"content":"tests"}` (LOGPUSH.md §1.2) is skipped, should it reach a mapper.
 */
export function mapLogpushRecord(dataset: LogpushDataset, record: unknown, ctx: MapContext): MapResult {
  if (!isLogpushDataset(dataset)) return skipped(`unsupported dataset "${String(dataset).slice(0, 40)}"`);
  if (!isRecord(record)) {
    return {
      kind: 'invalid',
      problems: [{ message: 'must be a JSON object (one Logpush record)', pointer: '' }],
    };
  }
  if (isValidationPayload(record)) return skipped('Logpush destination test payload');
  return MAPPERS[dataset](record, ctx);
}

/** The body Logpush uploads to check a new HTTP destination: `{"content":"tests"}`. */
function isValidationPayload(record: LogpushRecord): boolean {
  const keys = Object.keys(record);
  return keys.length === 1 && keys[0] === 'content' && fieldValue(record, 'content') === 'tests';
}
