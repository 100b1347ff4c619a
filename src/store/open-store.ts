import { ZtriskError } from '../domain/errors.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** A parsed `--db` URL. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/**
 * Parses a store URL: `sqlite:<path>`, `sqlite::memory:`, `sqlite://<path>`, or `postgres://…` /
 * `postgresql://…`. A bare path is taken as a SQLite file.
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  if (url.startsWith('sqlite://'))
    return { kind: 'sqlite', path: url.slice('sqlite://'.length) || ':memory:' };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', path: url.slice('sqlite:'.length) || ':memory:' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ZtriskError(
      'invalid',
      `db: unsupported store URL scheme in ${JSON.stringify(url.split(':')[0])}`,
    );
  }
  return { kind: 'sqlite', path: url };
}

/** How to open a store beyond its URL. */
export interface OpenStoreOptions {
  /** PostgreSQL: most pooled connections of this process (default 10). */
  readonly maxConnections?: number;
}

/** Opens (but does not migrate) the store a URL names. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  if (location.kind === 'sqlite') return createSqliteStore({ path: location.path });
  return createPostgresStore({
    url: location.url,
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
  });
}
