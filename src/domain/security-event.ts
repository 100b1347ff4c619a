/**
 * The normalized security event: what every source (generic HTTP events, Cloudflare Logpush records,
 * NATS messages, CLI files) is mapped to before detection. Detectors only ever see this shape.
 *
 * One source record may yield several events (a `gateway_http` record can be an `http_request`, a
 * `dlp_match` and a `file_verdict` at once); each gets its own `id`, derived from the record so that a
 * re-delivery yields the same ids (for example `<RequestID>:dlp`).
 */

/** The kinds of event, the discriminant of {@link SecurityEvent}. */
export type SecurityEventType =
  | 'sign_in'
  | 'dlp_match'
  | 'file_verdict'
  | 'dns_request'
  | 'http_request'
  | 'posture_result';

/** Every event type, in a stable order. */
export const SECURITY_EVENT_TYPES: readonly SecurityEventType[] = [
  'sign_in',
  'dlp_match',
  'file_verdict',
  'dns_request',
  'http_request',
  'posture_result',
];

/** The user an event belongs to. */
export interface EventUser {
  /** Zero Trust user UUID, lower-case. */
  readonly id: string;
  readonly email: string;
  /** Display name; the email when the source has none. */
  readonly name: string;
}

/**
 * Where an event happened.
 * - `event`: coordinates carried by the event itself;
 * - `geoip`: looked up from the event's IP address;
 * - `override`: an administrator's per-address override.
 */
export interface GeoLocation {
  /** Latitude in degrees, −90..90. */
  readonly lat: number;
  /** Longitude in degrees, −180..180. */
  readonly lon: number;
  /** ISO 3166-1 alpha-2, upper-case. */
  readonly country?: string;
  readonly city?: string;
  /** Radius in km within which the true position lies; unknown when absent (detectors then assume a default). */
  readonly accuracyKm?: number;
  readonly source: 'event' | 'geoip' | 'override';
}

/** Where an event came from, kept as evidence. */
export interface EventSource {
  /** `events`: the generic ingestion API; `logpush`: a Cloudflare Logpush delivery; `nats`; `cli`: a file. */
  readonly kind: 'events' | 'logpush' | 'nats' | 'cli';
  /** The Logpush dataset (`access_requests`, `gateway_http`, …) when `kind` is `logpush`. */
  readonly dataset?: string;
  /** The source's own record id (for example `RayID`, `RequestID`, `QueryID`), when it has one. */
  readonly recordId?: string;
}

/** What every event carries, whatever its type. */
interface SecurityEventBase {
  /** Idempotency key, unique per account: storing an event whose id is already stored is a no-op. */
  readonly id: string;
  readonly accountId: string;
  readonly type: SecurityEventType;
  /** Event time, RFC 3339 UTC with milliseconds (the format of `formatTimestamp`). */
  readonly timestamp: string;
  /** The same instant as `timestamp`, in epoch milliseconds. */
  readonly timeMs: number;
  readonly user: EventUser;
  /** Client IP address (v4 or v6), as the source reported it. */
  readonly ip?: string;
  /** Where the client was; absent when unknown or when `travelIgnored`. */
  readonly location?: GeoLocation;
  /**
   * True when an administrator's override says this event's address must never count for travel (for
   * example a VPN egress): such an event has no `location` and impossible travel skips it. Absent means
   * false.
   */
  readonly travelIgnored?: boolean;
  /** Device UUID (Cloudflare `DeviceID`), when the source knows it. */
  readonly deviceId?: string;
  readonly source: EventSource;
}

/** Outcome of a sign-in attempt. */
export type SignInOutcome = 'success' | 'failure';

/**
 * A sign-in attempt (Logpush `access_requests` with `Action = login`: `Allowed` true is a success,
 * false a failure). Logouts are not sign-ins and are not mapped to this type.
 */
export interface SignInEvent extends SecurityEventBase {
  readonly type: 'sign_in';
  readonly outcome: SignInOutcome;
  /** Protected application host (may include a path). */
  readonly app?: string;
  /** Identity provider or login method. */
  readonly method?: string;
}

/** Direction of a transfer: `upload` (request body) or `download` (response body). */
export type TransferDirection = 'upload' | 'download';

/** One matched DLP profile: its id (UUID in Logpush) and, when resolved, its name. */
export interface DlpProfileRef {
  readonly id: string;
  readonly name?: string;
}

/**
 * One request that matched at least one DLP profile (one `gateway_http` record with non-empty
 * `Upload/DownloadMatchedDlpProfiles`); it counts once whatever the number of profiles.
 */
export interface DlpMatchEvent extends SecurityEventBase {
  readonly type: 'dlp_match';
  /** Profiles matched, without duplicates. */
  readonly profiles: readonly DlpProfileRef[];
  /** `both` when profiles matched in the upload and in the download of the same request. */
  readonly direction: TransferDirection | 'both';
  readonly host?: string;
  readonly url?: string;
}

/** An antivirus or sandbox verdict about a file. */
export type FileVerdict = 'malicious' | 'clean' | 'unknown';

/** A file the user uploaded or downloaded, with the scanner's verdict. */
export interface FileVerdictEvent extends SecurityEventBase {
  readonly type: 'file_verdict';
  readonly verdict: FileVerdict;
  readonly direction: TransferDirection;
  /** True when Gateway blocked the transfer (a malicious file still counts). */
  readonly blocked: boolean;
  readonly fileName?: string;
  /** Lower-case hex SHA-256 of the file. */
  readonly sha256?: string;
  /** Why the scanner flagged it, as reported (for example `malware`). */
  readonly reason?: string;
  readonly host?: string;
  readonly url?: string;
}

/** A DNS query resolved by Gateway. */
export interface DnsRequestEvent extends SecurityEventBase {
  readonly type: 'dns_request';
  /** Queried name, lower-case, without trailing dot. */
  readonly domain: string;
  /**
   * Gateway category ids of the query (Logpush `QueryCategoryIDs`: the name, its CNAME chain and its
   * answers). Parents and subcategories may both appear.
   */
  readonly categoryIds: readonly number[];
  /** True when Gateway blocked the query (the visit still counts for the domain behaviors). */
  readonly blocked: boolean;
  /** Logpush `ResolverDecision`, kept as evidence. */
  readonly resolverDecision?: string;
}

/** An HTTP request inspected by Gateway. */
export interface HttpRequestEvent extends SecurityEventBase {
  readonly type: 'http_request';
  /** Host header (SNI when not inspected), lower-case. */
  readonly host: string;
  readonly url?: string;
  /** Gateway category ids of the request (Logpush `CategoryIDs`). */
  readonly categoryIds: readonly number[];
  /** True when Gateway blocked the request. */
  readonly blocked: boolean;
  /** Gateway decision as logged (`allow`, `block`, …), kept as evidence. */
  readonly action?: string;
}

/** Posture check types with a meaning to detectors; any other string is kept as reported. */
export type KnownPostureCheckType = 'sentinelone_s2s' | 'crowdstrike_s2s';

/** A posture check type (Logpush `PostureCheckType`, LOGPUSH.md §6.1). */
export type PostureCheckType = KnownPostureCheckType | (string & {});

/** What SentinelOne reported for the device (attribute names of LOGPUSH.md §6.2, camelCase). */
export interface SentinelOneReport {
  readonly infected?: boolean;
  readonly activeThreats?: number;
  readonly isActive?: boolean;
  readonly networkStatus?: string;
  readonly operationalState?: string;
}

/** CrowdStrike ZTA scores reported for the device, each 0–100 (numbers: mappers convert strings). */
export interface CrowdStrikeReport {
  readonly overall?: number;
  readonly os?: number;
  readonly sensorConfig?: number;
}

/** The result of one device posture check (Logpush `device_posture_results`). */
export interface PostureResultEvent extends SecurityEventBase {
  readonly type: 'posture_result';
  readonly deviceId: string;
  readonly checkType: PostureCheckType;
  /** Posture rule id (Logpush `PolicyID`). */
  readonly checkId?: string;
  readonly checkName?: string;
  /** Whether the device passed the check as configured then (`PostureEvaluatedResult`); absent if unknown. */
  readonly passed?: boolean;
  /** Present for `sentinelone_s2s` results. */
  readonly sentinelOne?: SentinelOneReport;
  /** Present for `crowdstrike_s2s` results. */
  readonly crowdStrike?: CrowdStrikeReport;
}

/** A normalized security event, discriminated by `type`. */
export type SecurityEvent =
  | SignInEvent
  | DlpMatchEvent
  | FileVerdictEvent
  | DnsRequestEvent
  | HttpRequestEvent
  | PostureResultEvent;

/** The event variant of one type. */
export type SecurityEventOf<T extends SecurityEventType> = Extract<SecurityEvent, { readonly type: T }>;

/** True when the value is a known event type name. */
export function isSecurityEventType(value: unknown): value is SecurityEventType {
  return typeof value === 'string' && (SECURITY_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The location an event contributes to travel checks: its `location`, unless the address is
 * travel-ignored. `undefined` means "unknown place", which never counts for travel.
 */
export function travelLocation(event: SecurityEvent): GeoLocation | undefined {
  return event.travelIgnored === true ? undefined : event.location;
}

/**
 * Total order of events by event time, ties broken by id: negative when `a` comes first. Every
 * "before", "after" and "neighbour" in detection uses this order, so ties are never ambiguous.
 */
export function compareEventTime(
  a: Pick<SecurityEvent, 'timeMs' | 'id'>,
  b: Pick<SecurityEvent, 'timeMs' | 'id'>,
): number {
  if (a.timeMs !== b.timeMs) return a.timeMs - b.timeMs;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
