import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Problem } from '../domain/errors.js';
import { parseIpAddress } from '../ingest/geo/ip-address.js';
import { findSpecialRange } from '../ingest/geo/special-ranges.js';

/**
 * SSRF policy for URLs ztrisk sends SETs to (push endpoints are chosen by receivers): unless the operator
 * allows private targets, only `https` URLs whose host resolves exclusively to ordinary public unicast
 * addresses are used. Refused: loopback, link-local (including the 169.254.169.254 metadata service),
 * RFC 1918 and ULA private networks, carrier-grade NAT, and every other IANA special-purpose range
 * (`src/ingest/geo/special-ranges.ts`). The check runs when a stream is configured and again when each
 * connection is made, on the very address that is connected to (no second DNS answer can slip in).
 */
export interface TargetPolicy {
  /** Allow private, loopback and other special addresses, and plain `http` (tests, labs). */
  readonly allowPrivateTargets: boolean;
}

/** A refused target (a permanent condition: retrying does not help). */
export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

/** Why an address may not be connected to under the policy, or undefined when it may. */
export function refusedAddressReason(address: string, policy: TargetPolicy): string | undefined {
  if (policy.allowPrivateTargets) return undefined;
  const parsed = parseIpAddress(address);
  if (!parsed) return `${address} is not an IP address`;
  const special = findSpecialRange(parsed);
  return special ? `${address} is a ${special.detail} address` : undefined;
}

/** The host of a URL as `net` wants it (IPv6 literals without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Problems with the shape of a target URL under the policy: absolute, at most 2048 characters, no
 * credentials, `https` (or `http` when private targets are allowed), and not a refused IP literal.
 */
export function checkTargetShape(value: string, policy: TargetPolicy, at: string): Problem[] {
  if (value.length > 2048) return [{ message: 'must be at most 2048 characters', pointer: at }];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ message: 'must be an absolute https URL', pointer: at }];
  }
  const schemes = policy.allowPrivateTargets ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    return [
      {
        message: policy.allowPrivateTargets
          ? 'must be an absolute http or https URL'
          : 'must be an https URL',
        pointer: at,
      },
    ];
  }
  if (url.username !== '' || url.password !== '') {
    return [{ message: 'must not contain credentials (use authorization_header)', pointer: at }];
  }
  const host = hostOf(url);
  if (isIP(host) !== 0) {
    const reason = refusedAddressReason(host, policy);
    if (reason) return [{ message: `is not allowed: ${reason}`, pointer: at }];
  }
  return [];
}

/** Resolves every address of a host (DNS or literal). */
export type ResolveAll = (host: string) => Promise<readonly { address: string; family: number }[]>;

/** The system resolver (`getaddrinfo`, as connections use), all addresses. */
export const systemResolveAll: ResolveAll = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

/**
 * Checks a target URL completely: its shape, then every address its host resolves to. Throws
 * {@link TargetRefusedError} when refused; DNS failures propagate as they are (they may be transient).
 */
export async function checkTarget(
  value: string,
  policy: TargetPolicy,
  resolveAll: ResolveAll = systemResolveAll,
): Promise<void> {
  const problems = checkTargetShape(value, policy, '');
  const [first] = problems;
  if (first) throw new TargetRefusedError(first.message);
  if (policy.allowPrivateTargets) return;
  const host = hostOf(new URL(value));
  if (isIP(host) !== 0) return;
  const addresses = await resolveAll(host);
  if (addresses.length === 0) throw new TargetRefusedError(`${host} has no address`);
  for (const a of addresses) {
    const reason = refusedAddressReason(a.address, policy);
    if (reason) throw new TargetRefusedError(`${host} resolves to a refused address: ${reason}`);
  }
}

/**
 * A `lookup` for `http.request`/`net.connect` that resolves once and refuses the connection unless every
 * returned address passes the policy, so the socket connects to exactly the address that was checked.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const refused = addresses
        .map((a) => refusedAddressReason(a.address, policy))
        .find((r) => r !== undefined);
      if (refused !== undefined || addresses.length === 0) {
        callback(new TargetRefusedError(refused ?? `${hostname} has no address`), '', 0);
        return;
      }
      if (options.all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return;
      }
      const [first] = addresses;
      if (!first) return;
      callback(null, first.address, first.family);
    });
  };
}
