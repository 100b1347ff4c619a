/**
 * The Cloudflare Logpush datasets ztrisk maps to security events (LOGPUSH.md §3). Records do not say which
 * dataset they belong to, so the receiver binds the dataset from the delivery URL (LOGPUSH.md §1.1).
 */
export const LOGPUSH_DATASETS = [
  'access_requests',
  'gateway_http',
  'gateway_dns',
  'device_posture_results',
] as const;

/** A Logpush dataset ztrisk can map (`access_requests`, `gateway_http`, …). */
export type LogpushDataset = (typeof LOGPUSH_DATASETS)[number];

/** True when the value names a dataset ztrisk can map. */
export function isLogpushDataset(value: unknown): value is LogpushDataset {
  return typeof value === 'string' && (LOGPUSH_DATASETS as readonly string[]).includes(value);
}
