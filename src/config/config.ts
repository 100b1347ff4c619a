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
    description: 'Store URL: sqlite:<path> or sqlite::memory:',
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
  });
}
