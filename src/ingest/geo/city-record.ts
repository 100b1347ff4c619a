import type { GeoLocation } from './geolocator.js';

/**
 * Uncertainty given to a city-level record that states none (DB-IP Lite, in both its ip-location-db and
 * its MaxMind-compatible form). MaxMind's GeoLite2 City mostly states 20–100 km for city-level matches of
 * fixed broadband, and DB-IP Lite resolves to the same granularity (a city or district centroid), so
 * 50 km sits in the middle: wide enough that an address placed in the neighbouring town is not "travel",
 * small against the hundreds to thousands of km that make travel impossible.
 */
export const DEFAULT_CITY_ACCURACY_KM = 50;

/**
 * Uncertainty given to a record that places an address in a country but no city (its coordinates are a
 * country centroid). GeoLite2 states 1000 km for such records; we use the same.
 */
export const DEFAULT_COUNTRY_ACCURACY_KM = 1000;

/**
 * Normalises one record of a City mmdb into a location, or undefined when it has no usable coordinates.
 * Understands the two shapes met in practice:
 * - ip-location-db (the bundled DB-IP Lite files): `{ country_code, state1, state2, city, postcode,
 *   latitude, longitude, timezone }`, empty strings for missing values;
 * - MaxMind GeoLite2/GeoIP2 City (and DB-IP's MaxMind-compatible files): `{ city: { names: { en } },
 *   country: { iso_code }, subdivisions: [{ names }], location: { latitude, longitude, accuracy_radius } }`.
 *
 * Coordinates are rounded to 4 decimals (about 11 m): the data is stored as float32 and more digits are
 * noise. `accuracy_radius` is in km; when absent the defaults above apply.
 */
export function normaliseCityRecord(record: unknown): GeoLocation | undefined {
  if (!isObject(record)) return undefined;
  return isObject(record.location) ? fromMaxMind(record, record.location) : fromIpLocationDb(record);
}

function fromIpLocationDb(record: Record<string, unknown>): GeoLocation | undefined {
  return build({
    lat: record.latitude,
    lon: record.longitude,
    country: record.country_code,
    city: record.city,
    region: record.state1,
    accuracyKm: undefined,
  });
}

function fromMaxMind(
  record: Record<string, unknown>,
  location: Record<string, unknown>,
): GeoLocation | undefined {
  const subdivisions = Array.isArray(record.subdivisions) ? record.subdivisions : [];
  return build({
    lat: location.latitude,
    lon: location.longitude,
    country: isObject(record.country) ? record.country.iso_code : undefined,
    city: englishName(record.city),
    region: englishName(subdivisions[0]),
    accuracyKm: location.accuracy_radius,
  });
}

interface RawFields {
  readonly lat: unknown;
  readonly lon: unknown;
  readonly country: unknown;
  readonly city: unknown;
  readonly region: unknown;
  readonly accuracyKm: unknown;
}

function build(raw: RawFields): GeoLocation | undefined {
  if (!isCoordinate(raw.lat, 90) || !isCoordinate(raw.lon, 180)) return undefined;
  const country =
    typeof raw.country === 'string' && /^[A-Za-z]{2}$/.test(raw.country)
      ? raw.country.toUpperCase()
      : undefined;
  const city = nonEmpty(raw.city);
  const region = nonEmpty(raw.region);
  const statedAccuracy =
    typeof raw.accuracyKm === 'number' && Number.isFinite(raw.accuracyKm) && raw.accuracyKm >= 0
      ? raw.accuracyKm
      : undefined;
  const location: GeoLocation = {
    lat: round4(raw.lat),
    lon: round4(raw.lon),
    ...(country !== undefined && { country }),
    ...(city !== undefined && { city }),
    ...(region !== undefined && { region }),
    accuracyKm:
      statedAccuracy ?? (city === undefined ? DEFAULT_COUNTRY_ACCURACY_KM : DEFAULT_CITY_ACCURACY_KM),
    source: 'geoip',
  };
  return Object.freeze(location);
}

function englishName(entity: unknown): string | undefined {
  if (!isObject(entity) || !isObject(entity.names)) return undefined;
  const names = entity.names;
  return (
    nonEmpty(names.en) ??
    Object.values(names)
      .map(nonEmpty)
      .find((name) => name !== undefined)
  );
}

function isCoordinate(value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
