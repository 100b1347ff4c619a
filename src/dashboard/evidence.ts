import type { BehaviorKey } from '../domain/behaviors.js';

/** A place named in evidence, with where the location came from. */
export interface EvidencePlace {
  readonly label: string;
  /** `event`: sent with the event; `geoip`: IP geolocation (needs attribution); `override`: the operator's. */
  readonly source: string | undefined;
}

/** A risk event's evidence in words. */
export interface Evidence {
  /** One sentence an administrator can read ("Signed in from Tokyo, JP 31 min after New York, US: …"). */
  readonly summary: string;
  /** Places the evidence mentions (impossible travel), for the location attribution. */
  readonly places: readonly EvidencePlace[];
}

type Details = Readonly<Record<string, unknown>>;

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function obj(value: unknown): Details | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Details)
    : undefined;
}

function list(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => (typeof v === 'string' || typeof v === 'number' ? [String(v)] : []));
}

/** Rounds to three significant digits (21,034 → 21,000), the precision geolocation supports. */
export function roundSignificant(value: number, digits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const magnitude = 10 ** (Math.floor(Math.log10(Math.abs(value))) - digits + 1);
  return magnitude >= 1 ? Math.round(value / magnitude) * magnitude : Math.round(value);
}

/** "31 min", "5 h 12 min", "3.5 days": how long between two events. */
export function formatDuration(minutes: number): string {
  if (minutes < 1) return `${integer.format(Math.round(minutes * 60))} s`;
  if (minutes < 60) return `${integer.format(Math.round(minutes))} min`;
  if (minutes < 48 * 60) {
    const h = Math.floor(minutes / 60);
    const m = Math.round(minutes - h * 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  return `${(minutes / 1440).toFixed(1)} days`;
}

function placeOf(value: unknown): EvidencePlace {
  const p = obj(value) ?? {};
  const city = str(p.city);
  const country = str(p.country);
  const lat = num(p.lat);
  const lon = num(p.lon);
  let label = [city, country].filter((s) => s !== undefined).join(', ');
  if (label === '')
    label =
      lat !== undefined && lon !== undefined ? `${lat.toFixed(2)}, ${lon.toFixed(2)}` : 'an unknown place';
  return { label, source: str(p.location_source) };
}

function blockedText(value: unknown): string {
  if (value === true) return '; blocked by Gateway, still counted';
  if (value === false) return '; allowed by Gateway';
  return '';
}

function travel(d: Details): Evidence {
  const from = placeOf(d.from);
  const to = placeOf(d.to);
  const minutes = num(d.elapsed_minutes);
  const distance = num(d.distance_km);
  const speed = d.speed_kmh === null ? Number.POSITIVE_INFINITY : num(d.speed_kmh);
  const when = minutes !== undefined ? `${formatDuration(minutes)} after` : 'after';
  const parts: string[] = [];
  if (distance !== undefined)
    parts.push(`${integer.format(distance >= 1000 ? Math.round(distance / 10) * 10 : distance)} km`);
  if (speed === Number.POSITIVE_INFINITY) parts.push('at the same instant');
  else if (speed !== undefined) parts.push(`${integer.format(roundSignificant(speed))} km/h`);
  const limit = num(d.min_speed_kmh);
  const ips = [str(obj(d.from)?.ip), str(obj(d.to)?.ip)];
  const via = ips[0] && ips[1] ? ` (${ips[0]} → ${ips[1]})` : '';
  const threshold = limit !== undefined ? `; faster than the ${integer.format(limit)} km/h limit` : '';
  return {
    summary: `Signed in from ${to.label} ${when} ${from.label}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}${threshold}${via}.`,
    places: [from, to],
  };
}

function burst(d: Details, what: string, windowText: string): string {
  const count = num(d.count);
  const min = num(d.min_count);
  return `${count !== undefined ? integer.format(count) : 'Many'} ${what} within ${windowText}${min !== undefined ? ` (threshold ${integer.format(min)})` : ''}`;
}

function describeDlp(d: Details): string {
  const seconds = num(d.window_seconds);
  const profiles = Array.isArray(d.profiles)
    ? d.profiles.flatMap((p) => {
        const o = obj(p);
        const name = str(o?.name) ?? str(o?.id);
        return name ? [name] : [];
      })
    : [];
  const base = burst(d, 'DLP matches', seconds !== undefined ? `${integer.format(seconds)} s` : 'the window');
  return `${base}${profiles.length > 0 ? `; profiles: ${profiles.join(', ')}` : ''}.`;
}

function describeFailedLogins(d: Details): string {
  const minutes = num(d.window_minutes);
  const ips = list(d.ips);
  const apps = list(d.apps);
  const base = burst(
    d,
    'failed sign-ins',
    minutes !== undefined ? `${integer.format(minutes)} min` : 'the window',
  );
  const from =
    ips.length > 0 ? ` from ${ips.slice(0, 5).join(', ')}${ips.length > 5 ? ' and more' : ''}` : '';
  const to = apps.length > 0 ? ` to ${apps.slice(0, 3).join(', ')}` : '';
  return `${base}${from}${to}.`;
}

function device(d: Details): string {
  const id = str(d.device_id);
  const check = str(d.check_name);
  return `${id ? `device ${id}` : 'the device'}${check ? ` (check “${check}”)` : ''}`;
}

function describeSentinelOne(d: Details): string {
  const threats = num(d.active_threats);
  const facts: string[] = [];
  if (threats !== undefined)
    facts.push(`${integer.format(threats)} active threat${threats === 1 ? '' : 's'}`);
  if (d.infected === true) facts.push('infected');
  const state = str(d.operational_state);
  if (state) facts.push(`state ${state}`);
  return `SentinelOne reports ${facts.length > 0 ? facts.join(', ') : 'a threat'} on ${device(d)}.`;
}

function describeCrowdStrike(d: Details): string {
  const worst = num(d.worst_score);
  const scores = (
    [
      ['overall', d.overall],
      ['OS', d.os],
      ['sensor', d.sensor_config],
    ] as const
  ).flatMap(([label, v]) => (num(v) !== undefined ? [`${label} ${num(v)}`] : []));
  const band =
    d.band === 'low'
      ? ` (low band 0–${num(d.low_max_score) ?? 50})`
      : d.band === 'medium'
        ? ` (medium band ${(num(d.low_max_score) ?? 50) + 1}–${num(d.medium_max_score) ?? 79})`
        : '';
  return `CrowdStrike ZTA score ${worst ?? '?'}${band} on ${device(d)}${scores.length > 0 ? `: ${scores.join(', ')}` : ''}.`;
}

function describeFile(d: Details): string {
  const verb = d.direction === 'upload' ? 'Uploaded' : 'Downloaded';
  const name = str(d.file_name) ?? 'a file';
  const reason = str(d.reason);
  const host = str(d.host);
  return `${verb} ${name}, flagged malicious${reason ? ` (${reason})` : ''}${host ? `, ${d.direction === 'upload' ? 'to' : 'from'} ${host}` : ''}${blockedText(d.blocked)}.`;
}

function describeDomain(d: Details, kind: string): string {
  const verb = d.request_type === 'dns' ? 'Resolved' : 'Visited';
  const domain = str(d.domain) ?? 'a domain';
  const categories = list(d.matched_category_ids);
  return `${verb} ${domain}, a ${kind} domain${categories.length > 0 ? ` (categories ${categories.join(', ')})` : ''}${blockedText(d.blocked)}.`;
}

/**
 * Turns the `details` a detector wrote (src/detectors/*.ts) into a sentence. Unknown or partial details
 * still give a sentence; the raw details stay available to show beside it.
 */
export function describeEvidence(behavior: BehaviorKey | string, details: Details): Evidence {
  switch (behavior) {
    case 'imp_travel':
      return travel(details);
    case 'high_dlp':
      return { summary: describeDlp(details), places: [] };
    case 'failed_logins':
      return { summary: describeFailedLogins(details), places: [] };
    case 'sentinel_one':
      return { summary: describeSentinelOne(details), places: [] };
    case 'crowdstrike_low_zta':
    case 'crowdstrike_medium_zta':
      return { summary: describeCrowdStrike(details), places: [] };
    case 'malicious_file':
      return { summary: describeFile(details), places: [] };
    case 'security_risk_domain':
      return { summary: describeDomain(details, 'security-risk'), places: [] };
    case 'high_risk_domain':
      return { summary: describeDomain(details, 'high-risk content'), places: [] };
    default:
      return { summary: 'See the recorded details.', places: [] };
  }
}
