/** Longest wait a receiver's `Retry-After` can ask for (longer values are capped). */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Retry timing of push deliveries. */
export interface BackoffPolicy {
  /** Delay before the second attempt (before jitter), in milliseconds. */
  readonly baseMs: number;
  /** Largest delay from backoff alone, in milliseconds. */
  readonly maxMs: number;
}

/**
 * Delay before the next attempt after `attempts` failed ones (≥ 1): exponential (`baseMs × 2^(attempts-1)`,
 * capped at `maxMs`) with "equal jitter" (a uniformly random half of it is dropped, so nodes retrying the
 * same receiver spread out), but never sooner than the receiver's `Retry-After` (itself capped at
 * {@link MAX_RETRY_AFTER_MS}). `random` returns [0, 1).
 */
export function retryDelayMs(
  attempts: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 40);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}
