import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the scale-out tests use (trust auth here and in CI). Override with
 * `ZTRISK_TEST_PG_URL`; it must allow creating and dropping schemas.
 */
export const PG_URL = process.env.ZTRISK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The NATS server with JetStream the ingestion tests use (override with `ZTRISK_TEST_NATS_URL`). */
export const NATS_URL = process.env.ZTRISK_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A unique lower-case suffix for names of one test run (schemas, streams, consumers). */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** A schema that does not exist yet, its store URL, and how to drop it (with everything in it). */
export interface FreshSchema {
  readonly schema: string;
  /** `PG_URL` with `?schema=<schema>`: what `--db` and `createPostgresStore` take. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Names a fresh schema for one test run (the store creates it when it migrates); `drop()` removes it.
 * Schemas, not databases: creating one is instant and needs no connection to another database.
 */
export function freshSchema(prefix = 'ztrisk_test'): FreshSchema {
  const schema = `${prefix}_${uniqueSuffix()}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return {
    schema,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
