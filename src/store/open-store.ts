import { ZtriskError } from '../domain/errors.js';
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

/** Opens (but does not migrate) the store a URL names. */
export async function openStore(url: string): Promise<Store> {
  const location = parseStoreUrl(url);
  if (location.kind === 'sqlite') return createSqliteStore({ path: location.path });
  throw new ZtriskError(
    'invalid',
    'db: the PostgreSQL store is not available in this version; use sqlite:<path>',
  );
}
