/**
 * Permission names a token can hold for an account. The first three are Cloudflare's; later ones are
 * ztrisk's own (see API.md §5 and the issues that add them).
 */
export type Permission =
  | 'Zero Trust Read'
  | 'Zero Trust Write'
  | 'Zero Trust: PII Read'
  | 'Zero Trust: Risk Ingest';

/**
 * Every permission a token may be granted, in display order. `Zero Trust: Risk Ingest` is ztrisk's: it
 * allows event ingestion and nothing else (a log shipper's token cannot read or reset users).
 */
export const PERMISSIONS: readonly Permission[] = [
  'Zero Trust Read',
  'Zero Trust Write',
  'Zero Trust: PII Read',
  'Zero Trust: Risk Ingest',
];

/** True when the string is a known permission name (exact spelling). */
export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/**
 * What a held permission implies: `Zero Trust Write` implies `Zero Trust Read`; `Zero Trust: PII Read`
 * stands alone (Write does not imply it), as in Cloudflare.
 */
export function expandPermissions(held: Iterable<Permission>): Set<Permission> {
  const out = new Set<Permission>(held);
  if (out.has('Zero Trust Write')) out.add('Zero Trust Read');
  return out;
}

/** The authenticated caller of a request, CLI command or dashboard session. */
export interface Principal {
  /** `token` for an API token, `global_key` for an owner's Global API key. */
  readonly kind: 'token' | 'global_key';
  /** The token or key id (never the secret), used as the audit actor. */
  readonly id: string;
  /** Permissions per account id, already expanded by {@link expandPermissions}. */
  readonly grants: ReadonlyMap<string, ReadonlySet<Permission>>;
}

/** True when the principal holds at least one of `anyOf` on the account. */
export function isAllowed(principal: Principal, accountId: string, anyOf: readonly Permission[]): boolean {
  const held = principal.grants.get(accountId);
  if (!held) return false;
  return anyOf.some((p) => held.has(p));
}

/** The audit actor string for a principal: `token:<id>` or `global_key:<id>`. */
export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}
