/** A token-bucket rate limiter keyed by caller (token or key id, or client address). */
export interface RateLimiter {
  /** Takes one request from the key's bucket; returns the seconds to wait when the bucket is empty. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number };
  /** Like {@link take} but consumes nothing: whether a request for the key would be refused now. */
  check(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

/** Limits of one limiter: a sustained rate and a burst. 0 requests per minute disables it. */
export interface RateLimit {
  readonly perMinute: number;
  readonly burst: number;
}

/**
 * In-memory token buckets (per process: with several nodes, each enforces its own share). Buckets of
 * idle keys are forgotten after they would have refilled, so memory stays bounded by active callers.
 */
export function createRateLimiter(limit: RateLimit, now: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = limit.perMinute / 60_000;
  let lastSweep = now();
  function refill(key: string, t: number): { tokens: number; at: number } {
    const b = buckets.get(key) ?? { tokens: limit.burst, at: t };
    b.tokens = Math.min(limit.burst, b.tokens + (t - b.at) * ratePerMs);
    b.at = t;
    return b;
  }
  const wait = (tokens: number): number => Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000));
  return {
    check(key) {
      if (limit.perMinute <= 0 || !buckets.has(key)) return { allowed: true };
      const b = refill(key, now());
      return b.tokens >= 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: wait(b.tokens) };
    },
    take(key) {
      if (limit.perMinute <= 0) return { allowed: true };
      const t = now();
      if (t - lastSweep > 60_000) {
        for (const [k, b] of buckets) if (b.tokens + (t - b.at) * ratePerMs >= limit.burst) buckets.delete(k);
        lastSweep = t;
      }
      const b = refill(key, t);
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: wait(b.tokens) };
    },
  };
}
