import { type IpAddress, parseCidr } from './ip-address.js';
import { createPrefixTable } from './prefix-table.js';

/** Why an address has no location of its own. */
export type SpecialReason = 'private' | 'loopback' | 'reserved';

/** A network that is never geolocated, with the reason and a human-readable detail (and its source). */
export interface SpecialRange {
  readonly cidr: string;
  readonly reason: SpecialReason;
  readonly detail: string;
}

/**
 * Networks from the IANA IPv4 and IPv6 special-purpose address registries that cannot say where a person
 * is. `private` = a local or carrier-internal network (RFC 1918, ULA, CGNAT, link-local); `reserved` =
 * not a unicast address on the public internet (documentation, benchmarking, multicast, future use).
 * For IPv6 everything outside global unicast 2000::/3 is reserved and more specific entries refine it.
 * Overrides are checked before this list, so an operator can still place any of these networks.
 */
export const SPECIAL_RANGES: readonly SpecialRange[] = Object.freeze([
  { cidr: '0.0.0.0/8', reason: 'reserved', detail: '"this network" (RFC 791)' },
  { cidr: '10.0.0.0/8', reason: 'private', detail: 'private network (RFC 1918)' },
  { cidr: '100.64.0.0/10', reason: 'private', detail: 'shared address space / carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', reason: 'loopback', detail: 'loopback (RFC 1122)' },
  { cidr: '169.254.0.0/16', reason: 'private', detail: 'link-local (RFC 3927)' },
  { cidr: '172.16.0.0/12', reason: 'private', detail: 'private network (RFC 1918)' },
  { cidr: '192.0.0.0/24', reason: 'reserved', detail: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.0.2.0/24', reason: 'reserved', detail: 'documentation TEST-NET-1 (RFC 5737)' },
  { cidr: '192.168.0.0/16', reason: 'private', detail: 'private network (RFC 1918)' },
  { cidr: '198.18.0.0/15', reason: 'reserved', detail: 'benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', reason: 'reserved', detail: 'documentation TEST-NET-2 (RFC 5737)' },
  { cidr: '203.0.113.0/24', reason: 'reserved', detail: 'documentation TEST-NET-3 (RFC 5737)' },
  { cidr: '224.0.0.0/4', reason: 'reserved', detail: 'multicast (RFC 5771)' },
  {
    cidr: '240.0.0.0/4',
    reason: 'reserved',
    detail: 'reserved for future use and broadcast (RFC 1112, RFC 919)',
  },
  { cidr: '::/3', reason: 'reserved', detail: 'outside IPv6 global unicast 2000::/3 (RFC 4291)' },
  { cidr: '::1/128', reason: 'loopback', detail: 'loopback (RFC 4291)' },
  { cidr: '100::/64', reason: 'reserved', detail: 'discard-only (RFC 6666)' },
  { cidr: '2001:2::/48', reason: 'reserved', detail: 'benchmarking (RFC 5180)' },
  { cidr: '2001:db8::/32', reason: 'reserved', detail: 'documentation (RFC 3849)' },
  { cidr: '3fff::/20', reason: 'reserved', detail: 'documentation (RFC 9637)' },
  { cidr: '4000::/2', reason: 'reserved', detail: 'outside IPv6 global unicast 2000::/3 (RFC 4291)' },
  { cidr: '8000::/1', reason: 'reserved', detail: 'outside IPv6 global unicast 2000::/3 (RFC 4291)' },
  { cidr: 'fc00::/7', reason: 'private', detail: 'unique local address (RFC 4193)' },
  { cidr: 'fe80::/10', reason: 'private', detail: 'link-local (RFC 4291)' },
  { cidr: 'fec0::/10', reason: 'private', detail: 'site-local, deprecated (RFC 3879)' },
  { cidr: 'ff00::/8', reason: 'reserved', detail: 'multicast (RFC 4291)' },
] satisfies SpecialRange[]);

const table = createPrefixTable(
  SPECIAL_RANGES.map((range) => {
    const parsed = parseCidr(range.cidr);
    if ('error' in parsed) throw new Error(`special range ${range.cidr}: ${parsed.error}`);
    return { cidr: parsed.cidr, value: range };
  }),
);

/** The most specific special-purpose range containing `address`, or undefined for an ordinary address. */
export function findSpecialRange(address: IpAddress): SpecialRange | undefined {
  return table.lookup(address);
}
