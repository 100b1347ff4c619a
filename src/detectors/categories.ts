/**
 * Gateway content category ids the domain behaviors match (LOGPUSH.md §5). Ids only: names have been
 * renamed over time and differ between Cloudflare's pages (§4.5). Each set holds the parent id and all
 * its subcategory ids, since logged arrays may carry either or both.
 */

/** Security threats (21) and its subcategories (LOGPUSH.md §5.1). Includes 134 Private IP Address, which also flags internal names resolving to private addresses. */
export const SECURITY_THREAT_CATEGORY_IDS: ReadonlySet<number> = new Set([
  21, 68, 80, 83, 117, 131, 134, 151, 153, 175, 176, 178, 187, 188, 191,
]);

/** Security Risks (32) and its subcategories (LOGPUSH.md §5.2). */
export const SECURITY_RISK_CATEGORY_IDS: ReadonlySet<number> = new Set([32, 128, 169, 177]);

/** What `security_risk_domain` matches: Security threats ∪ Security Risks. */
export const SECURITY_DOMAIN_CATEGORY_IDS: ReadonlySet<number> = new Set([
  ...SECURITY_THREAT_CATEGORY_IDS,
  ...SECURITY_RISK_CATEGORY_IDS,
]);

/**
 * What `high_risk_domain` matches (LOGPUSH.md §5.3): Questionable Content (17: 85, 87, 102, 135, 138,
 * 157, 162), Violence (29: 165, 166) and CIPA (34: 182).
 */
export const HIGH_RISK_CATEGORY_IDS: ReadonlySet<number> = new Set([
  17, 85, 87, 102, 135, 138, 157, 162, 29, 165, 166, 34, 182,
]);

/** The ids of `categoryIds` that are in `set`, without duplicates, in their logged order. */
export function matchingCategoryIds(categoryIds: readonly number[], set: ReadonlySet<number>): number[] {
  return [...new Set(categoryIds.filter((id) => set.has(id)))];
}
