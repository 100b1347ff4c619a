import { type Cidr, formatCidr, type IpAddress, wordMask } from './ip-address.js';

/** One network and the value it maps to. */
export interface PrefixEntry<T> {
  readonly cidr: Cidr;
  readonly value: T;
}

/** Longest-prefix match over a fixed set of IPv4 and IPv6 networks. */
export interface PrefixTable<T> {
  /** The value of the most specific network containing `address`, or undefined when none does. */
  lookup(address: IpAddress): T | undefined;
}

interface Level<T> {
  /** The prefix mask per 32-bit word; IPv4 uses the first only. */
  readonly masks: readonly [number, number, number, number];
  readonly networks: Map<number | string, T>;
}

/**
 * Builds a table answering in one hash lookup per distinct prefix length (at most 33 for IPv4, 129 for
 * IPv6, a handful in practice), so its cost does not grow with the number of networks.
 * Throws when the same network appears twice: which value should win would be ambiguous.
 */
export function createPrefixTable<T>(entries: readonly PrefixEntry<T>[]): PrefixTable<T> {
  const v4 = new Map<number, Level<T>>();
  const v6 = new Map<number, Level<T>>();
  for (const { cidr, value } of entries) {
    const byLength = cidr.address.family === 4 ? v4 : v6;
    let level = byLength.get(cidr.prefixLength);
    if (level === undefined) {
      const length = cidr.prefixLength;
      const masks = [
        wordMask(length, 0),
        wordMask(length, 1),
        wordMask(length, 2),
        wordMask(length, 3),
      ] as const;
      level = { masks, networks: new Map() };
      byLength.set(cidr.prefixLength, level);
    }
    const key = networkKey(cidr.address, level.masks);
    if (level.networks.has(key)) throw new Error(`network ${formatCidr(cidr)} appears more than once`);
    level.networks.set(key, value);
  }
  const mostSpecificFirst = (levels: Map<number, Level<T>>) =>
    [...levels.entries()].sort(([a], [b]) => b - a).map(([, level]) => level);
  const v4Levels = mostSpecificFirst(v4);
  const v6Levels = mostSpecificFirst(v6);

  return {
    lookup(address) {
      for (const level of address.family === 4 ? v4Levels : v6Levels) {
        const value = level.networks.get(networkKey(address, level.masks));
        if (value !== undefined) return value;
      }
      return undefined;
    },
  };
}

function networkKey(address: IpAddress, masks: Level<unknown>['masks']): number | string {
  if (address.family === 4) return (address.words[0] & masks[0]) >>> 0;
  const [a, b, c, d] = address.words;
  return `${(a & masks[0]) >>> 0}:${(b & masks[1]) >>> 0}:${(c & masks[2]) >>> 0}:${(d & masks[3]) >>> 0}`;
}
