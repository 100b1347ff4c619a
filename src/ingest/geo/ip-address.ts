import { isIP } from 'node:net';

/**
 * An IP address as unsigned 32-bit words, most significant first: one word for IPv4, four for IPv6.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are IPv4, so one address has one representation.
 */
export type IpAddress =
  | { readonly family: 4; readonly words: readonly [number] }
  | { readonly family: 6; readonly words: readonly [number, number, number, number] };

/** A network: its address with the host bits cleared, and the prefix length in bits. */
export interface Cidr {
  readonly address: IpAddress;
  readonly prefixLength: number;
}

/**
 * Parses an IPv4 or IPv6 address as written in logs (`net.isIP` rules: no leading zeros in IPv4, an IPv6
 * zone such as `%eth0` is accepted and dropped). Returns undefined for anything else, never throws.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { family: 4, words: [parseIpv4Word(text)] };
  if (family === 6) return parseIpv6(text);
  return undefined;
}

/**
 * Parses `address/prefix` (a bare address means a single host). The address must be the network address:
 * `198.51.100.7/24` is rejected with the network to write instead, because it is almost always a typo.
 */
export function parseCidr(text: string): { readonly cidr: Cidr } | { readonly error: string } {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseIpAddress(addressText);
  if (address === undefined) return { error: `"${addressText}" is not an IPv4 or IPv6 address` };
  if (address.family === 4 && isIP(addressText) === 6) {
    return { error: 'write IPv4-mapped ranges in IPv4 notation (for example 192.0.2.0/24)' };
  }
  if (addressText.includes('%')) return { error: 'a zone index (%…) is not allowed in a CIDR' };
  const maxLength = address.family === 4 ? 32 : 128;
  let prefixLength = maxLength;
  if (slash !== -1) {
    const lengthText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > maxLength) {
      return {
        error: `prefix length must be a whole number from 0 to ${maxLength} for IPv${address.family}`,
      };
    }
    prefixLength = Number(lengthText);
  }
  const network = maskAddress(address, prefixLength);
  if (!sameAddress(network, address)) {
    return { error: `host bits are set; the network is ${formatIpAddress(network)}/${prefixLength}` };
  }
  return { cidr: { address: network, prefixLength } };
}

/** Formats an address canonically: dotted IPv4, or RFC 5952 IPv6 (lowercase, longest zero run as `::`). */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) {
    const w = address.words[0];
    return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
  }
  const groups: number[] = [];
  for (const word of address.words) groups.push(word >>> 16, word & 0xffff);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (part: number[]) => part.map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** Formats a network as `address/prefixLength`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpAddress(cidr.address)}/${cidr.prefixLength}`;
}

/** The 32-bit mask for word `index` (0 = most significant) of a prefix of `prefixLength` bits. */
export function wordMask(prefixLength: number, index: number): number {
  const bits = Math.min(32, Math.max(0, prefixLength - 32 * index));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function maskAddress(address: IpAddress, prefixLength: number): IpAddress {
  if (address.family === 4)
    return { family: 4, words: [(address.words[0] & wordMask(prefixLength, 0)) >>> 0] };
  const [a, b, c, d] = address.words;
  return {
    family: 6,
    words: [
      (a & wordMask(prefixLength, 0)) >>> 0,
      (b & wordMask(prefixLength, 1)) >>> 0,
      (c & wordMask(prefixLength, 2)) >>> 0,
      (d & wordMask(prefixLength, 3)) >>> 0,
    ],
  };
}

function sameAddress(left: IpAddress, right: IpAddress): boolean {
  return left.family === right.family && left.words.every((word, i) => word === right.words[i]);
}

/** Dotted quad to an unsigned 32-bit word; the text is already validated by `isIP`. */
function parseIpv4Word(text: string): number {
  let word = 0;
  for (const octet of text.split('.')) word = word * 256 + Number(octet);
  return word;
}

function parseIpv6(input: string): IpAddress {
  const zone = input.indexOf('%');
  let text = zone === -1 ? input : input.slice(0, zone);
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) becomes two hexadecimal groups.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIpv4Word(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const groups = new Array<number>(8).fill(0);
  const doubleColon = text.indexOf('::');
  const head = doubleColon === -1 ? text : text.slice(0, doubleColon);
  const tail = doubleColon === -1 ? '' : text.slice(doubleColon + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  headGroups.forEach((group, i) => {
    groups[i] = Number.parseInt(group, 16);
  });
  tailGroups.forEach((group, i) => {
    groups[8 - tailGroups.length + i] = Number.parseInt(group, 16);
  });
  const word = (i: number) => (((groups[i] ?? 0) << 16) | (groups[i + 1] ?? 0)) >>> 0;
  const words = [word(0), word(2), word(4), word(6)] as const;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { family: 4, words: [words[3]] };
  return { family: 6, words };
}
