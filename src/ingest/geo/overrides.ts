import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Problem, pointer } from '../../domain/errors.js';
import { formatCidr, parseCidr } from './ip-address.js';

/** A fixed place for an override; same units and conventions as a geolocated location. */
export interface OverrideLocation {
  /** Latitude in degrees, −90…90. */
  readonly lat: number;
  /** Longitude in degrees, −180…180. */
  readonly lon: number;
  /** ISO 3166-1 alpha-2, uppercase. */
  readonly country?: string;
  readonly city?: string;
  readonly region?: string;
  /** Radius of uncertainty in km; absent means the operator states none. */
  readonly accuracyKm?: number;
}

/**
 * One operator override: addresses in `cidr` are either placed at `location` or ignored (VPN, proxy and
 * relay egress ranges whose location says nothing about the user and must never count as travel).
 * `cidr` is canonical after parsing (`198.51.100.23/32`, lowercase compressed IPv6).
 */
export type GeoOverride =
  | {
      readonly cidr: string;
      readonly location: OverrideLocation;
      readonly ignore?: never;
      readonly note?: string;
    }
  | { readonly cidr: string; readonly ignore: true; readonly location?: never; readonly note?: string };

/**
 * Validates the content of an overrides file. The format (JSON):
 *
 * ```json
 * {
 *   "note": "optional free text",
 *   "overrides": [
 *     { "cidr": "198.51.100.0/24", "location": { "lat": 40.7128, "lon": -74.006, "city": "New York",
 *       "region": "New York", "country": "US", "accuracyKm": 5 }, "note": "head office" },
 *     { "cidr": "2001:db8:100::/48", "ignore": true, "note": "corporate VPN egress" }
 *   ]
 * }
 * ```
 *
 * Each entry has `cidr` (IPv4 or IPv6; a bare address is a single host) and exactly one of `location`
 * (`lat` and `lon` required; `country`, `city`, `region`, `accuracyKm` optional) or `"ignore": true`.
 * When several entries contain an address the most specific (longest prefix) wins; the same network twice
 * is an error. Unknown members are errors, since a misspelt key (`lng`) would otherwise be silently lost.
 * Reports every problem at once, each with an RFC 6901 pointer into the document.
 */
export function parseOverrides(
  json: unknown,
): { readonly overrides: GeoOverride[] } | { readonly problems: Problem[] } {
  const problems: Problem[] = [];
  const overrides: GeoOverride[] = [];
  if (!isObject(json)) {
    return { problems: [{ message: 'must be an object with an "overrides" array', pointer: '' }] };
  }
  checkMembers(json, ['overrides', 'note'], [], problems);
  if (json.note !== undefined && typeof json.note !== 'string') {
    problems.push({ message: 'must be a string', pointer: pointer('note') });
  }
  if (!Array.isArray(json.overrides)) {
    const message = json.overrides === undefined ? 'is required (an array of overrides)' : 'must be an array';
    problems.push({ message, pointer: pointer('overrides') });
    return { problems };
  }
  const seen = new Map<string, number>();
  json.overrides.forEach((entry: unknown, index: number) => {
    const override = parseEntry(entry, ['overrides', index], problems);
    if (override === undefined) return;
    const first = seen.get(override.cidr);
    if (first !== undefined) {
      problems.push({
        message: `network ${override.cidr} is already given at ${pointer('overrides', first)}`,
        pointer: pointer('overrides', index, 'cidr'),
      });
      return;
    }
    seen.set(override.cidr, index);
    overrides.push(override);
  });
  return problems.length > 0 ? { problems } : { overrides };
}

/** Thrown by {@link loadOverridesFile}; the message names the file and lists every problem. */
export class GeoOverridesFileError extends Error {
  /** Absolute path of the file. */
  readonly path: string;
  readonly problems: readonly Problem[];

  constructor(path: string, problems: readonly Problem[], options?: { cause?: unknown }) {
    const lines = problems.map((p) => `  ${p.pointer ? `${p.pointer}: ` : ''}${p.message}`);
    super(`invalid geolocation overrides file ${path}:\n${lines.join('\n')}`, options);
    this.name = 'GeoOverridesFileError';
    this.path = path;
    this.problems = problems;
  }
}

/**
 * Reads and validates an overrides file (format: {@link parseOverrides}). Synchronous: meant to run once
 * at startup. Throws {@link GeoOverridesFileError} when the file cannot be read, is not JSON or is invalid.
 */
export function loadOverridesFile(path: string): GeoOverride[] {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new GeoOverridesFileError(absolute, [{ message: `cannot read the file: ${messageOf(error)}` }], {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GeoOverridesFileError(absolute, [{ message: `not valid JSON: ${messageOf(error)}` }], {
      cause: error,
    });
  }
  const parsed = parseOverrides(json);
  if ('problems' in parsed) throw new GeoOverridesFileError(absolute, parsed.problems);
  return parsed.overrides;
}

function parseEntry(
  entry: unknown,
  at: readonly (string | number)[],
  problems: Problem[],
): GeoOverride | undefined {
  if (!isObject(entry)) {
    problems.push({
      message: 'must be an object with "cidr" and "location" or "ignore"',
      pointer: pointer(...at),
    });
    return undefined;
  }
  const before = problems.length;
  checkMembers(entry, ['cidr', 'location', 'ignore', 'note'], at, problems);

  let cidr: string | undefined;
  if (typeof entry.cidr !== 'string') {
    const message = entry.cidr === undefined ? 'is required' : 'must be a string such as "198.51.100.0/24"';
    problems.push({ message, pointer: pointer(...at, 'cidr') });
  } else {
    const parsed = parseCidr(entry.cidr);
    if ('error' in parsed) {
      problems.push({
        message: `"${entry.cidr}" is not a valid CIDR: ${parsed.error}`,
        pointer: pointer(...at, 'cidr'),
      });
    } else {
      cidr = formatCidr(parsed.cidr);
    }
  }

  let note: string | undefined;
  if (typeof entry.note === 'string') note = entry.note;
  else if (entry.note !== undefined)
    problems.push({ message: 'must be a string', pointer: pointer(...at, 'note') });

  const hasLocation = entry.location !== undefined;
  const hasIgnore = entry.ignore !== undefined;
  let location: OverrideLocation | undefined;
  if (hasLocation && hasIgnore) {
    problems.push({ message: 'has both "location" and "ignore"; give exactly one', pointer: pointer(...at) });
  } else if (!hasLocation && !hasIgnore) {
    problems.push({ message: 'needs either "location" or "ignore": true', pointer: pointer(...at) });
  } else if (hasIgnore && entry.ignore !== true) {
    problems.push({
      message: 'must be true (to place the addresses, give "location" instead)',
      pointer: pointer(...at, 'ignore'),
    });
  } else if (hasLocation) {
    location = parseLocation(entry.location, [...at, 'location'], problems);
  }

  if (problems.length > before || cidr === undefined) return undefined;
  const withNote = note === undefined ? {} : { note };
  return location === undefined ? { cidr, ignore: true, ...withNote } : { cidr, location, ...withNote };
}

const LOCATION_HINTS: Readonly<Record<string, string>> = {
  latitude: 'lat',
  lng: 'lon',
  long: 'lon',
  longitude: 'lon',
  country_code: 'country',
  countryCode: 'country',
  state: 'region',
  accuracy_radius: 'accuracyKm',
  accuracy: 'accuracyKm',
};

function parseLocation(
  value: unknown,
  at: readonly (string | number)[],
  problems: Problem[],
): OverrideLocation | undefined {
  if (!isObject(value)) {
    problems.push({ message: 'must be an object with "lat" and "lon"', pointer: pointer(...at) });
    return undefined;
  }
  const before = problems.length;
  checkMembers(
    value,
    ['lat', 'lon', 'country', 'city', 'region', 'accuracyKm'],
    at,
    problems,
    LOCATION_HINTS,
  );
  const lat = checkNumber(value.lat, -90, 90, 'degrees', [...at, 'lat'], problems, true);
  const lon = checkNumber(value.lon, -180, 180, 'degrees', [...at, 'lon'], problems, true);
  const accuracyKm = checkNumber(value.accuracyKm, 0, 20_038, 'km', [...at, 'accuracyKm'], problems, false);
  let country: string | undefined;
  if (value.country !== undefined) {
    if (typeof value.country === 'string' && /^[A-Za-z]{2}$/.test(value.country)) {
      country = value.country.toUpperCase();
    } else {
      problems.push({
        message: 'must be an ISO 3166-1 alpha-2 code such as "US"',
        pointer: pointer(...at, 'country'),
      });
    }
  }
  const city = checkText(value.city, [...at, 'city'], problems);
  const region = checkText(value.region, [...at, 'region'], problems);
  if (problems.length > before || lat === undefined || lon === undefined) return undefined;
  return {
    lat,
    lon,
    ...(country !== undefined && { country }),
    ...(city !== undefined && { city }),
    ...(region !== undefined && { region }),
    ...(accuracyKm !== undefined && { accuracyKm }),
  };
}

function checkNumber(
  value: unknown,
  min: number,
  max: number,
  unit: string,
  at: readonly (string | number)[],
  problems: Problem[],
  required: boolean,
): number | undefined {
  if (value === undefined) {
    if (required) problems.push({ message: 'is required', pointer: pointer(...at) });
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    problems.push({ message: `must be a number from ${min} to ${max} (${unit})`, pointer: pointer(...at) });
    return undefined;
  }
  return value;
}

function checkText(
  value: unknown,
  at: readonly (string | number)[],
  problems: Problem[],
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ message: 'must be a non-empty string', pointer: pointer(...at) });
    return undefined;
  }
  return value.trim();
}

function checkMembers(
  object: Record<string, unknown>,
  allowed: readonly string[],
  at: readonly (string | number)[],
  problems: Problem[],
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const hint = Object.hasOwn(hints, key) ? ` (did you mean "${hints[key]}"?)` : '';
    problems.push({
      message: `unknown member${hint}; allowed: ${allowed.map((name) => `"${name}"`).join(', ')}`,
      pointer: pointer(...at, key),
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
