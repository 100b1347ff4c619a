import type { BehaviorKey } from './behaviors.js';

/**
 * What a detector reports: one occurrence of a behavior for one user, with its evidence. The risk
 * service turns a finding of an enabled behavior into a risk event at the behavior's current level.
 */
export interface Finding {
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  readonly behavior: BehaviorKey;
  /** Event time of the finding (RFC 3339 UTC ms): when the risky thing happened, not when it arrived. */
  readonly timestamp: string;
  /** Evidence and references to the source event(s); `behavior` is added by the service. */
  readonly details: Record<string, unknown>;
  /**
   * Stable identity of the finding within the account (for example behavior + the source event ids):
   * detecting the same thing again records nothing.
   */
  readonly dedupeKey: string;
}
