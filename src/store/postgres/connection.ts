import { createHash } from 'node:crypto';
import pg from 'pg';
import { ZtriskError } from '../../domain/errors.js';

/** Where and how to connect, parsed from a `postgres://` store URL. */
export interface PostgresLocation {
  /** The URL handed to `pg`, without ztrisk's own query parameters. */
  readonly connectionString: string;
  /** Schema holding ztrisk's tables (`?schema=` in the URL; default `public`). */
  readonly schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Splits ztrisk's `schema` query parameter off a `postgres://` URL (every other parameter, such as
 * `sslmode`, is `pg`'s). A schema name is a plain lower-case identifier, so it is safe to interpolate.
 */
export function parsePostgresUrl(url: string): PostgresLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ZtriskError('invalid', 'db: not a valid postgres:// URL');
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new ZtriskError('invalid', 'db: schema must be a lower-case identifier ([a-z_][a-z0-9_]*)');
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** Options of the connection pool. */
export interface PoolOptions {
  /** Most connections this process opens (`pg` Pool `max`). */
  readonly maxConnections: number;
}

/** A `pg` pool whose connections use the location's schema. Idle-connection errors are absorbed. */
export function createPool(location: PostgresLocation, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: options.maxConnections,
    application_name: 'ztrisk',
    options: `-c search_path=${location.schema}`,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener Node would exit.
  // The pool drops that client and the next query connects anew.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATEs after which a whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/**
 * Runs `work` in one READ COMMITTED transaction on one pooled connection and commits it. A deadlock or
 * serialization failure rolls back and runs `work` again (it must be free of outside side effects);
 * anything else rolls back and rethrows. READ COMMITTED matters: a statement run after a lock wait sees
 * what the lock holder committed (decision 0007).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      if (broken === undefined && attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(error) ?? '')) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** A signed 64-bit advisory lock key (as a decimal string) for a name. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
