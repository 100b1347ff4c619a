/** Mean Earth radius in km (IUGG mean radius R1), the sphere used for great-circle distances. */
export const EARTH_RADIUS_KM = 6371.0088;

/** A point on Earth in degrees. */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

const RAD = Math.PI / 180;

/**
 * Great-circle distance in km between two points (haversine formula on a sphere of
 * {@link EARTH_RADIUS_KM}); within about 0.5 % of the ellipsoidal distance, which is far below the
 * uncertainty of IP geolocation.
 */
export function greatCircleDistanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** True when the point has finite coordinates within −90..90 latitude and −180..180 longitude. */
export function isValidLatLon(point: LatLon): boolean {
  return (
    Number.isFinite(point.lat) &&
    Number.isFinite(point.lon) &&
    Math.abs(point.lat) <= 90 &&
    Math.abs(point.lon) <= 180
  );
}
