import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCallback,
  type KeyObject,
} from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';

const generateKeyPair = promisify(generateKeyPairCallback);

/** RSA modulus length of new signing keys (CAEP interoperability profile: 2048 bits or more). */
export const SIGNING_KEY_BITS = 2048;

/** A private signing key with its public half as a JWK. The private key is never serialised or logged. */
export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: the JWS `kid`. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** `{ kty, n, e, kid, alg: "RS256", use: "sig" }`. */
  readonly publicJwk: JWK;
}

/** A published JSON Web Key Set. */
export interface Jwks {
  readonly keys: readonly JWK[];
}

/**
 * The installation's SET signing keys: one active key signs, retired keys stay published while SETs
 * signed with them are pending. Reads are cheap (the file ring re-reads its manifest only when it
 * changed on disk, so a rotation done by the CLI reaches a running server).
 */
export interface KeyRing {
  /** Where the keys live (`memory` for the in-memory ring). */
  readonly location: string;
  /** The key new SETs are signed with; generated (and stored) on first use. */
  activeKey(): Promise<SigningKey>;
  /** The active key and every retired key whose kid is in `pendingKids`, as a JWKS. */
  publicJwks(pendingKids: ReadonlySet<string>): Promise<Jwks>;
  /** Makes a new key active and retires the previous one; resolves with both kids. */
  rotate(): Promise<{ readonly active: string; readonly retired: string | undefined }>;
  /** Forgets retired keys whose kid is not in `pendingKids` (deletes their files); resolves with them. */
  prune(pendingKids: ReadonlySet<string>): Promise<string[]>;
}

interface ManifestEntry {
  kid: string;
  created_at: string;
  retired_at?: string;
}

interface Manifest {
  version: 1;
  active: string | undefined;
  keys: ManifestEntry[];
}

async function newKey(): Promise<{ key: SigningKey; pem: string }> {
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: SIGNING_KEY_BITS });
  const key = toSigningKey(privateKey);
  return { key: await key, pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

async function toSigningKey(privateKey: KeyObject): Promise<SigningKey> {
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const base: JWK = { kty: exported.kty, n: exported.n, e: exported.e };
  const kid = await calculateJwkThumbprint(base, 'sha256');
  return { kid, privateKey, publicJwk: { ...base, kid, alg: 'RS256', use: 'sig' } };
}

/** An in-memory key ring (for `sqlite::memory:` stores and tests): keys die with the process. */
export function createMemoryKeyRing(): KeyRing {
  const keys = new Map<string, SigningKey>();
  let active: SigningKey | undefined;
  let generating: Promise<SigningKey> | undefined;

  async function activeKey(): Promise<SigningKey> {
    if (active) return active;
    generating ??= newKey().then(({ key }) => {
      keys.set(key.kid, key);
      active = key;
      return key;
    });
    return generating;
  }

  return {
    location: 'memory',
    activeKey,
    async publicJwks(pendingKids) {
      const current = await activeKey();
      return {
        keys: [...keys.values()]
          .filter((k) => k.kid === current.kid || pendingKids.has(k.kid))
          .map((k) => k.publicJwk),
      };
    },
    async rotate() {
      const previous = active?.kid;
      const { key } = await newKey();
      keys.set(key.kid, key);
      active = key;
      generating = Promise.resolve(key);
      return { active: key.kid, retired: previous };
    },
    async prune(pendingKids) {
      const removed: string[] = [];
      for (const kid of keys.keys()) {
        if (kid !== active?.kid && !pendingKids.has(kid)) {
          keys.delete(kid);
          removed.push(kid);
        }
      }
      return removed;
    },
  };
}

const MANIFEST = 'keyring.json';
const LOCK = 'keyring.lock';
/** A lock file older than this is taken to be left by a crashed process. */
const STALE_LOCK_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A key ring in a directory (created with mode 0700): `keyring.json` names the active key and the
 * retired ones; each private key is `<kid>.pem` (PKCS #8, mode 0600). Changes take a lock file so a
 * server and the CLI never overwrite each other's manifest.
 */
export function createFileKeyRing(dir: string, now: () => number = Date.now): KeyRing {
  const manifestPath = join(dir, MANIFEST);
  let cached: { mtimeMs: number; size: number; manifest: Manifest } | undefined;
  const loaded = new Map<string, SigningKey>();

  function ensureDir(): void {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
  }

  function readManifest(): Manifest {
    if (!existsSync(manifestPath)) return { version: 1, active: undefined, keys: [] };
    const st = statSync(manifestPath);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.manifest;
    const parsed = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    cached = { mtimeMs: st.mtimeMs, size: st.size, manifest: parsed };
    return parsed;
  }

  function writeManifest(manifest: Manifest): void {
    const tmp = `${manifestPath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, manifestPath);
    cached = undefined;
  }

  async function withLock<T>(run: () => Promise<T>): Promise<T> {
    ensureDir();
    const lockPath = join(dir, LOCK);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        closeSync(openSync(lockPath, 'wx', 0o600));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        try {
          if (Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS) rmSync(lockPath, { force: true });
        } catch {
          // The holder released it meanwhile.
        }
        if (Date.now() > deadline) throw new Error(`key ring ${dir} is locked (${lockPath})`);
        await sleep(25);
      }
    }
    try {
      return await run();
    } finally {
      rmSync(lockPath, { force: true });
    }
  }

  async function load(kid: string): Promise<SigningKey> {
    const found = loaded.get(kid);
    if (found) return found;
    const pem = readFileSync(join(dir, `${kid}.pem`), 'utf8');
    const key = await toSigningKey(createPrivateKey(pem));
    if (key.kid !== kid) throw new Error(`key file ${kid}.pem holds key ${key.kid}`);
    loaded.set(kid, key);
    return key;
  }

  async function addKey(manifest: Manifest): Promise<{ manifest: Manifest; kid: string }> {
    const { key, pem } = await newKey();
    writeFileSync(join(dir, `${key.kid}.pem`), pem, { mode: 0o600, flag: 'wx' });
    chmodSync(join(dir, `${key.kid}.pem`), 0o600);
    loaded.set(key.kid, key);
    const at = new Date(now()).toISOString();
    const keys = manifest.keys.map((k) =>
      k.kid === manifest.active && k.retired_at === undefined ? { ...k, retired_at: at } : k,
    );
    return {
      manifest: { version: 1, active: key.kid, keys: [...keys, { kid: key.kid, created_at: at }] },
      kid: key.kid,
    };
  }

  async function activeKey(): Promise<SigningKey> {
    const current = readManifest().active;
    if (current !== undefined) return load(current);
    return withLock(async () => {
      const manifest = readManifest();
      if (manifest.active !== undefined) return load(manifest.active);
      const next = await addKey(manifest);
      writeManifest(next.manifest);
      return load(next.kid);
    });
  }

  return {
    location: dir,
    activeKey,
    async publicJwks(pendingKids) {
      const active = await activeKey();
      const manifest = readManifest();
      const keys: JWK[] = [];
      for (const entry of manifest.keys) {
        if (entry.kid === active.kid || pendingKids.has(entry.kid))
          keys.push((await load(entry.kid)).publicJwk);
      }
      return { keys };
    },
    async rotate() {
      return withLock(async () => {
        const manifest = readManifest();
        const previous = manifest.active;
        const next = await addKey(manifest);
        writeManifest(next.manifest);
        return { active: next.kid, retired: previous };
      });
    },
    async prune(pendingKids) {
      return withLock(async () => {
        const manifest = readManifest();
        const removed = manifest.keys.filter((k) => k.kid !== manifest.active && !pendingKids.has(k.kid));
        if (removed.length === 0) return [];
        writeManifest({ ...manifest, keys: manifest.keys.filter((k) => !removed.includes(k)) });
        for (const k of removed) {
          rmSync(join(dir, `${k.kid}.pem`), { force: true });
          loaded.delete(k.kid);
        }
        return removed.map((k) => k.kid);
      });
    },
  };
}
