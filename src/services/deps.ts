import type { Store } from '../store/store.js';

/** What every service needs: the store and the clock (time is always injected, never read). */
export interface ServiceDeps {
  readonly store: Store;
  /** Current time in epoch milliseconds. */
  readonly now: () => number;
}
