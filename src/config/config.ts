import { ZtriskError } from '../domain/errors.js';

/** ztrisk's configuration: parsed once at the entry point, then passed down frozen. */
export interface Config {
  /** Interface to listen on. */
  readonly host: string;
  /** TCP port (0 picks a free one). */
  readonly port: number;
  /** Store URL: `sqlite:<path>`, `sqlite::memory:` or `postgres://…`. */
  readonly db: string;
  /** Public base URL for absolute links (`well_known_url`); default `http://<host>:<port>`. */
  readonly publicUrl: string | undefined;
  /** Log level (`fatal` … `trace`, or `silent`). */
  readonly logLevel: string;
  /** Largest request body in bytes. */
  readonly bodyLimitBytes: number;
  /** Apply migrations at start. */
  readonly migrateOnStart: boolean;
  /** On a brand-new store, create an account and an admin token and print them once. */
  readonly bootstrap: boolean;
  /** City mmdb files for IP geolocation; undefined = the bundled DB-IP City Lite; empty = none. */
  readonly geoipMmdbPaths: readonly string[] | undefined;
  /** Operator geolocation overrides file (JSON), if any. */
  readonly geoOverridesFile: string | undefined;
  /** Most records per ingestion request. */
  readonly ingestMaxRecords: number;
  /** Largest ingestion body in bytes (as received and after decompression). */
  readonly ingestMaxBytes: number;
  /**
   * Directory of the SET signing keys (`:memory:` for an in-memory ring); undefined = `keys` beside the
   * SQLite file (`./data/keys` by default), in memory for `sqlite::memory:`, `./data/keys` otherwise.
   */
  readonly keysDir: string | undefined;
  /** Allow SET push targets on loopback, private, link-local and other special addresses, and http. */
  readonly ssfAllowPrivateTargets: boolean;
  /** First retry delay of a SET push (doubled per attempt, jittered), ms. */
  readonly ssfRetryBaseMs: number;
  /** Largest retry delay of a SET push from backoff alone, ms. */
  readonly ssfRetryMaxMs: number;
  /** How often the delivery worker looks for due SETs when idle, ms. */
  readonly ssfWorkerIntervalMs: number;
  /** Timeout of one SET push request, ms. */
  readonly ssfPushTimeoutMs: number;
  /** Serve the dashboard at `/` (sign-in with an API token or Global API key). */
  readonly dashboard: boolean;
  /** A dashboard session ends after this many minutes without a request. */
  readonly sessionIdleMinutes: number;
  /** A dashboard session ends this many hours after sign-in, however active. */
  readonly sessionMaxHours: number;
  /** Sustained API requests per minute per token or key (0 disables). */
  readonly rateLimitPerMinute: number;
  /** Burst size of the per-caller rate limit. */
  readonly rateLimitBurst: number;
  /** Failed authentications per minute per client address before it gets 429 (0 disables). */
  readonly authFailuresPerMinute: number;
  /** Time allowed to receive a whole request, ms. */
  readonly requestTimeoutMs: number;
  /** Largest request head (request line and headers), bytes. */
  readonly maxHeaderBytes: number;
  /** PostgreSQL store: most pooled connections per process. */
  readonly dbPoolMax: number;
  /** NATS server to consume events from with JetStream (`nats://…`); undefined: no NATS ingestion. */
  readonly natsUrl: string | undefined;
  /** JetStream stream holding the events (created if missing). */
  readonly natsStream: string;
  /** Subject filter of the stream, ending in `.>`; the tokens after its prefix are the account id. */
  readonly natsSubject: string;
  /** Durable pull consumer shared by every node. */
  readonly natsConsumer: string;
  /** Subject prefix invalid messages are republished under, with the reason (stream `<natsStream>_DLQ`). */
  readonly natsDeadLetterSubject: string;
}

/** One configuration key: its environment variable, CLI flag, default and meaning (README table). */
export interface ConfigKey {
  readonly key: keyof Config;
  readonly env: string;
  readonly flag: string | undefined;
  readonly defaultValue: string;
  readonly description: string;
}

/** Every configuration key, documented; the README's configuration table mirrors this list. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: 'host',
    env: 'ZTRISK_HOST',
    flag: '--host',
    defaultValue: '127.0.0.1',
    description: 'Interface to listen on',
  },
  {
    key: 'port',
    env: 'ZTRISK_PORT',
    flag: '--port',
    defaultValue: '8787',
    description: 'TCP port (0 = any free port)',
  },
  {
    key: 'db',
    env: 'ZTRISK_DB',
    flag: '--db',
    defaultValue: 'sqlite:./data/ztrisk.db',
    description: 'Store URL: sqlite:<path>, sqlite::memory: or postgres://user@host:5432/db[?schema=name]',
  },
  {
    key: 'publicUrl',
    env: 'ZTRISK_PUBLIC_URL',
    flag: '--public-url',
    defaultValue: 'http://<host>:<port>',
    description: 'Public base URL used for absolute links such as well_known_url',
  },
  {
    key: 'logLevel',
    env: 'ZTRISK_LOG_LEVEL',
    flag: undefined,
    defaultValue: 'info',
    description: 'JSON log level on stderr: fatal, error, warn, info, debug, trace or silent',
  },
  {
    key: 'bodyLimitBytes',
    env: 'ZTRISK_BODY_LIMIT_BYTES',
    flag: undefined,
    defaultValue: '1048576',
    description: 'Largest request body in bytes (larger: 413 / 1001)',
  },
  {
    key: 'migrateOnStart',
    env: 'ZTRISK_MIGRATE_ON_START',
    flag: '--no-migrate',
    defaultValue: 'true',
    description: 'Apply pending schema migrations when the server starts',
  },
  {
    key: 'bootstrap',
    env: 'ZTRISK_BOOTSTRAP',
    flag: '--no-bootstrap',
    defaultValue: 'true',
    description: 'On a brand-new store, create an account and an admin token and print them once',
  },
  {
    key: 'geoipMmdbPaths',
    env: 'ZTRISK_GEOIP_MMDB',
    flag: '--geoip-mmdb',
    defaultValue: 'bundled DB-IP City Lite',
    description:
      'Comma-separated City mmdb files (DB-IP, GeoLite2 or GeoIP2 City) for IP geolocation, or "none"',
  },
  {
    key: 'geoOverridesFile',
    env: 'ZTRISK_GEO_OVERRIDES',
    flag: '--geo-overrides',
    defaultValue: '(none)',
    description: 'JSON file of CIDR → fixed location or "ignore" (VPN/proxy egress); see docs/events.md',
  },
  {
    key: 'ingestMaxRecords',
    env: 'ZTRISK_INGEST_MAX_RECORDS',
    flag: undefined,
    defaultValue: '10000',
    description: 'Most events/records per ingestion request (more: 413)',
  },
  {
    key: 'ingestMaxBytes',
    env: 'ZTRISK_INGEST_MAX_BYTES',
    flag: undefined,
    defaultValue: '10485760',
    description: 'Largest ingestion body in bytes, compressed and decompressed (larger: 413)',
  },
  {
    key: 'keysDir',
    env: 'ZTRISK_KEYS_DIR',
    flag: '--keys-dir',
    defaultValue: '"keys" beside the SQLite file (./data/keys)',
    description:
      'Directory of the SET signing keys (created 0700, keys 0600); ":memory:" keeps them in memory (the default for sqlite::memory:)',
  },
  {
    key: 'ssfAllowPrivateTargets',
    env: 'ZTRISK_SSF_ALLOW_PRIVATE_TARGETS',
    flag: undefined,
    defaultValue: 'false',
    description:
      'Allow SET push endpoints on loopback, private, link-local (metadata), CGNAT and other special addresses, and plain http',
  },
  {
    key: 'ssfRetryBaseMs',
    env: 'ZTRISK_SSF_RETRY_BASE_MS',
    flag: undefined,
    defaultValue: '1000',
    description: 'First retry delay of a failed SET push in ms; doubled per attempt, with jitter',
  },
  {
    key: 'ssfRetryMaxMs',
    env: 'ZTRISK_SSF_RETRY_MAX_MS',
    flag: undefined,
    defaultValue: '300000',
    description: "Largest SET retry delay from backoff in ms (a receiver's Retry-After may ask up to 1 h)",
  },
  {
    key: 'ssfWorkerIntervalMs',
    env: 'ZTRISK_SSF_WORKER_INTERVAL_MS',
    flag: undefined,
    defaultValue: '1000',
    description: 'How often the SET delivery worker looks for due deliveries when idle, in ms',
  },
  {
    key: 'ssfPushTimeoutMs',
    env: 'ZTRISK_SSF_PUSH_TIMEOUT_MS',
    flag: undefined,
    defaultValue: '10000',
    description: 'Timeout of one SET push request in ms (slower: retried)',
  },
  {
    key: 'dashboard',
    env: 'ZTRISK_DASHBOARD',
    flag: undefined,
    defaultValue: 'true',
    description: 'Serve the dashboard at / (sign in with an API token or a Global API key)',
  },
  {
    key: 'sessionIdleMinutes',
    env: 'ZTRISK_SESSION_IDLE_MINUTES',
    flag: undefined,
    defaultValue: '30',
    description: 'Dashboard sessions end after this many minutes without a request (1 to 1440)',
  },
  {
    key: 'sessionMaxHours',
    env: 'ZTRISK_SESSION_MAX_HOURS',
    flag: undefined,
    defaultValue: '12',
    description: 'Dashboard sessions end this many hours after sign-in, however active (1 to 720)',
  },
  {
    key: 'rateLimitPerMinute',
    env: 'ZTRISK_RATE_LIMIT_PER_MINUTE',
    flag: undefined,
    defaultValue: '1200',
    description: 'Sustained API requests per minute per token or key (429 / 1429 beyond; 0 disables)',
  },
  {
    key: 'rateLimitBurst',
    env: 'ZTRISK_RATE_LIMIT_BURST',
    flag: undefined,
    defaultValue: '200',
    description: 'Requests a token or key may make at once before the per-minute rate applies',
  },
  {
    key: 'authFailuresPerMinute',
    env: 'ZTRISK_AUTH_FAILURES_PER_MINUTE',
    flag: undefined,
    defaultValue: '60',
    description:
      'Failed authentications (API requests and dashboard sign-ins) per minute per client address before it gets 429 (0 disables)',
  },
  {
    key: 'requestTimeoutMs',
    env: 'ZTRISK_REQUEST_TIMEOUT_MS',
    flag: undefined,
    defaultValue: '30000',
    description: 'Time allowed to receive a whole request (slow clients get 408)',
  },
  {
    key: 'maxHeaderBytes',
    env: 'ZTRISK_MAX_HEADER_BYTES',
    flag: undefined,
    defaultValue: '16384',
    description: 'Largest request line plus headers (larger: 431)',
  },
  {
    key: 'dbPoolMax',
    env: 'ZTRISK_DB_POOL_MAX',
    flag: undefined,
    defaultValue: '10',
    description: 'PostgreSQL store: most pooled connections per process (see docs/scale-out.md for sizing)',
  },
  {
    key: 'natsUrl',
    env: 'ZTRISK_NATS_URL',
    flag: '--nats',
    defaultValue: '(none)',
    description:
      'NATS server (nats://host:4222) to consume events from with JetStream; unset: no NATS ingestion',
  },
  {
    key: 'natsStream',
    env: 'ZTRISK_NATS_STREAM',
    flag: '--nats-stream',
    defaultValue: 'ZTRISK_EVENTS',
    description: 'JetStream stream of events (created if missing)',
  },
  {
    key: 'natsSubject',
    env: 'ZTRISK_NATS_SUBJECT',
    flag: '--nats-subject',
    defaultValue: 'ztrisk.events.>',
    description: 'Subjects of the stream; a message on <prefix>.<account_id> belongs to that account',
  },
  {
    key: 'natsConsumer',
    env: 'ZTRISK_NATS_CONSUMER',
    flag: undefined,
    defaultValue: 'ztrisk',
    description: 'Durable pull consumer shared by all nodes',
  },
  {
    key: 'natsDeadLetterSubject',
    env: 'ZTRISK_NATS_DLQ_SUBJECT',
    flag: undefined,
    defaultValue: 'ztrisk.dlq',
    description:
      'Invalid messages are republished to <this>.<account_id> with the reason (stream <stream>_DLQ)',
  },
];

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function parseBool(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ZtriskError('invalid', `${name}: must be true or false, got ${JSON.stringify(value)}`);
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ZtriskError(
      'invalid',
      `${name}: must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function parseList(value: string | undefined): readonly string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (value.trim().toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function intOr(
  input: { value: string | undefined; name: string },
  fallback: number,
  min: number,
  max: number,
): number {
  return input.value === undefined ? fallback : parseInteger(input.name, input.value, min, max);
}

function boolOr(input: { value: string | undefined; name: string }, fallback: boolean): boolean {
  return input.value === undefined ? fallback : parseBool(input.name, input.value);
}

const NATS_SUBJECT = /^[^\s*>]+\.>$/;
const NATS_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The NATS keys, checked: a nats:// (or tls://) URL, a subject ending in `.>`, plain stream names. */
function natsConfig(get: (key: keyof Config) => { value: string | undefined; name: string }) {
  const url = get('natsUrl');
  const natsUrl = emptyToUndefined(url.value);
  if (natsUrl !== undefined && !/^(nats|tls):\/\/\S+$/.test(natsUrl)) {
    throw new ZtriskError('invalid', `${url.name}: must be a nats:// or tls:// URL`);
  }
  const subject = get('natsSubject');
  const natsSubject = subject.value ?? 'ztrisk.events.>';
  if (!NATS_SUBJECT.test(natsSubject)) {
    throw new ZtriskError(
      'invalid',
      `${subject.name}: must be a subject ending in ".>", such as ztrisk.events.>`,
    );
  }
  const named = (key: 'natsStream' | 'natsConsumer', fallback: string): string => {
    const input = get(key);
    const value = input.value ?? fallback;
    if (!NATS_NAME.test(value))
      throw new ZtriskError('invalid', `${input.name}: must be 1-64 of A-Z a-z 0-9 _ -`);
    return value;
  };
  const dlq = get('natsDeadLetterSubject');
  const natsDeadLetterSubject = dlq.value ?? 'ztrisk.dlq';
  if (!/^[^\s*>]+$/.test(natsDeadLetterSubject)) {
    throw new ZtriskError('invalid', `${dlq.name}: must be a subject without wildcards`);
  }
  return {
    natsUrl,
    natsStream: named('natsStream', 'ZTRISK_EVENTS'),
    natsSubject,
    natsConsumer: named('natsConsumer', 'ztrisk'),
    natsDeadLetterSubject,
  };
}

/** Raw values by key, from flags (preferred) or the environment. */
export type ConfigInput = Partial<Record<keyof Config, string | boolean | number | undefined>>;

/**
 * Builds the configuration from CLI flag values (which win) and environment variables. Throws a
 * `ZtriskError('invalid')` naming the variable or flag on a bad value.
 */
export function loadConfig(flags: ConfigInput, env: Readonly<Record<string, string | undefined>>): Config {
  const raw = (k: ConfigKey): string | undefined => {
    const f = flags[k.key];
    if (f !== undefined) return String(f);
    return env[k.env];
  };
  const get = (key: keyof Config): { value: string | undefined; name: string } => {
    const k = CONFIG_KEYS.find((c) => c.key === key);
    if (!k) throw new Error(`no config key ${key}`);
    return { value: raw(k), name: flags[key] !== undefined && k.flag ? k.flag : k.env };
  };

  const host = get('host').value ?? '127.0.0.1';
  const portIn = get('port');
  const port = portIn.value === undefined ? 8787 : parseInteger(portIn.name, portIn.value, 0, 65535);
  const publicIn = get('publicUrl');
  let publicUrl: string | undefined;
  if (publicIn.value !== undefined && publicIn.value !== '') {
    let url: URL;
    try {
      url = new URL(publicIn.value);
    } catch {
      throw new ZtriskError('invalid', `${publicIn.name}: must be an absolute http(s) URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ZtriskError('invalid', `${publicIn.name}: must be an absolute http(s) URL`);
    }
    publicUrl = publicIn.value.replace(/\/+$/, '');
  }
  const level = get('logLevel');
  const logLevel = level.value ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new ZtriskError('invalid', `${level.name}: must be one of ${[...LOG_LEVELS].join(', ')}`);
  }
  const limit = get('bodyLimitBytes');
  const migrate = get('migrateOnStart');
  const boot = get('bootstrap');
  return Object.freeze({
    host,
    port,
    db: get('db').value ?? 'sqlite:./data/ztrisk.db',
    publicUrl,
    logLevel,
    bodyLimitBytes:
      limit.value === undefined ? 1_048_576 : parseInteger(limit.name, limit.value, 1024, 1_073_741_824),
    migrateOnStart: migrate.value === undefined ? true : parseBool(migrate.name, migrate.value),
    bootstrap: boot.value === undefined ? true : parseBool(boot.name, boot.value),
    geoipMmdbPaths: parseList(get('geoipMmdbPaths').value),
    geoOverridesFile: emptyToUndefined(get('geoOverridesFile').value),
    ingestMaxRecords: intOr(get('ingestMaxRecords'), 10_000, 1, 1_000_000),
    ingestMaxBytes: intOr(get('ingestMaxBytes'), 10 * 1024 * 1024, 1024, 1_073_741_824),
    keysDir: emptyToUndefined(get('keysDir').value),
    ssfAllowPrivateTargets: boolOr(get('ssfAllowPrivateTargets'), false),
    ssfRetryBaseMs: intOr(get('ssfRetryBaseMs'), 1000, 1, 3_600_000),
    ssfRetryMaxMs: intOr(get('ssfRetryMaxMs'), 300_000, 1, 86_400_000),
    ssfWorkerIntervalMs: intOr(get('ssfWorkerIntervalMs'), 1000, 10, 3_600_000),
    ssfPushTimeoutMs: intOr(get('ssfPushTimeoutMs'), 10_000, 100, 600_000),
    dashboard: boolOr(get('dashboard'), true),
    sessionIdleMinutes: intOr(get('sessionIdleMinutes'), 30, 1, 1440),
    sessionMaxHours: intOr(get('sessionMaxHours'), 12, 1, 720),
    rateLimitPerMinute: intOr(get('rateLimitPerMinute'), 1200, 0, 10_000_000),
    rateLimitBurst: intOr(get('rateLimitBurst'), 200, 1, 1_000_000),
    authFailuresPerMinute: intOr(get('authFailuresPerMinute'), 60, 0, 1_000_000),
    requestTimeoutMs: intOr(get('requestTimeoutMs'), 30_000, 1000, 3_600_000),
    maxHeaderBytes: intOr(get('maxHeaderBytes'), 16 * 1024, 1024, 1024 * 1024),
    dbPoolMax: intOr(get('dbPoolMax'), 10, 1, 1000),
    ...natsConfig(get),
  });
}
