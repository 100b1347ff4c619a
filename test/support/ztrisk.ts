import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { createZtrisk, type Ztrisk } from '../../src/main.js';
import { createServices } from '../../src/services/services.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** A composed ztrisk listening on 127.0.0.1 over a real SQLite file, with fast SET delivery timings. */
export interface RunningZtrisk {
  readonly ztrisk: Ztrisk;
  readonly url: string;
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * Starts `createZtrisk` (the composition root: store, services, HTTP app and the SET delivery worker) in
 * this process on a free port, with private push targets allowed and short retry timings. `env` adds or
 * overrides configuration variables.
 */
export async function startZtrisk(env: Record<string, string> = {}): Promise<RunningZtrisk> {
  const dir = mkdtempSync(join(tmpdir(), 'ztrisk-signals-'));
  const config = loadConfig(
    { db: `sqlite:${join(dir, 'ztrisk.db')}`, port: 0, host: '127.0.0.1' },
    {
      ZTRISK_BOOTSTRAP: 'false',
      ZTRISK_LOG_LEVEL: 'silent',
      ZTRISK_GEOIP_MMDB: 'none',
      ZTRISK_SSF_ALLOW_PRIVATE_TARGETS: 'true',
      ZTRISK_SSF_WORKER_INTERVAL_MS: '20',
      ZTRISK_SSF_RETRY_BASE_MS: '50',
      ZTRISK_SSF_RETRY_MAX_MS: '400',
      ZTRISK_SSF_PUSH_TIMEOUT_MS: '2000',
      ...env,
    },
  );
  const ztrisk = await createZtrisk(config);
  const { url } = await ztrisk.start();
  return {
    ztrisk,
    url,
    dir,
    async close() {
      await ztrisk.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates a token with Write, PII Read and Risk Ingest on the account directly in a SQLite file (as
 * `ztrisk tokens create` would, without starting a process); resolves with its secret.
 */
export async function createToken(dbPath: string, accountId: string): Promise<string> {
  const store = createSqliteStore({ path: dbPath });
  try {
    await store.migrate();
    const created = await createServices({ store, now: Date.now }).credentials.createToken({
      name: 'e2e',
      grants: (['Zero Trust Write', 'Zero Trust: PII Read', 'Zero Trust: Risk Ingest'] as const).map(
        (permission) => ({
          accountId,
          permission,
        }),
      ),
      actor: 'cli',
    });
    return created.secret;
  } finally {
    await store.close();
  }
}
