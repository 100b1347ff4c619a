import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialProof } from '../services/credentials.js';

/** A signed-in dashboard session, as the request handlers see it. */
export interface Session {
  /** Re-checks the credentials on every request (holds hashes, never the secret). */
  readonly proof: CredentialProof;
  /** Synchronizer token every form and htmx request of this session must send back. */
  readonly csrfToken: string;
  /** The account the pages show; undefined until one is picked. */
  readonly accountId: string | undefined;
  /** Sign-in time, epoch ms. */
  readonly createdAtMs: number;
}

/** Lifetimes of a session. */
export interface SessionLimits {
  /** A session ends after this long without a request, ms. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however active, ms. */
  readonly maxAgeMs: number;
  /** At most this many live sessions; the least recently used one is dropped beyond. */
  readonly maxSessions?: number;
}

interface SessionRecord {
  proof: CredentialProof;
  csrfToken: string;
  accountId: string | undefined;
  createdAtMs: number;
  lastSeenMs: number;
  flash: string | undefined;
}

/** A new random token: 32 bytes (256 bits), base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two tokens in constant time (for equal lengths). */
export function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && ab.length > 0 && timingSafeEqual(ab, bb);
}

function hashId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/**
 * Dashboard sessions kept in this process's memory, keyed by the SHA-256 of the session id (the id
 * itself only ever lives in the browser's cookie). Sessions end when idle for `idleMs`, `maxAgeMs` after
 * sign-in, at sign-out, or when the process restarts; with several ztrisk nodes behind a load balancer,
 * use sticky sessions (docs/decisions/0006-dashboard.md).
 */
export function createMemorySessions(limits: SessionLimits, now: () => number) {
  const records = new Map<string, SessionRecord>();
  const maxSessions = limits.maxSessions ?? 10_000;

  function expired(r: SessionRecord, at: number): boolean {
    return at - r.lastSeenMs > limits.idleMs || at - r.createdAtMs > limits.maxAgeMs;
  }

  function live(id: string | undefined): SessionRecord | undefined {
    if (id === undefined || id.length === 0 || id.length > 128) return undefined;
    const key = hashId(id);
    const r = records.get(key);
    if (!r) return undefined;
    if (expired(r, now())) {
      records.delete(key);
      return undefined;
    }
    return r;
  }

  function sweep(): void {
    const at = now();
    for (const [key, r] of records) if (expired(r, at)) records.delete(key);
    // Map order is least recently used first (touch re-inserts).
    while (records.size >= maxSessions) {
      const oldest = records.keys().next();
      if (oldest.done) break;
      records.delete(oldest.value);
    }
  }

  const view = (r: SessionRecord): Session => ({
    proof: r.proof,
    csrfToken: r.csrfToken,
    accountId: r.accountId,
    createdAtMs: r.createdAtMs,
  });

  return {
    /** Starts a session; resolves the new session id for the cookie (≥ 256 bits of randomness). */
    create(proof: CredentialProof, accountId: string | undefined): string {
      sweep();
      const id = randomToken();
      const at = now();
      records.set(hashId(id), {
        proof,
        csrfToken: randomToken(),
        accountId,
        createdAtMs: at,
        lastSeenMs: at,
        flash: undefined,
      });
      return id;
    },

    /** The live session of an id (and marks it used now); undefined when unknown or expired. */
    touch(id: string | undefined): Session | undefined {
      const r = live(id);
      if (!r || id === undefined) return undefined;
      r.lastSeenMs = now();
      const key = hashId(id);
      records.delete(key);
      records.set(key, r);
      return view(r);
    },

    /** Picks the account the session shows. */
    selectAccount(id: string, accountId: string): void {
      const r = live(id);
      if (r) r.accountId = accountId;
    },

    /** Leaves a one-time message for the next page of this session. */
    setFlash(id: string, message: string): void {
      const r = live(id);
      if (r) r.flash = message;
    },

    /** The pending one-time message, removed as it is read. */
    takeFlash(id: string): string | undefined {
      const r = live(id);
      if (!r) return undefined;
      const message = r.flash;
      r.flash = undefined;
      return message;
    },

    /** Ends a session (sign-out, or credentials no longer valid). */
    destroy(id: string | undefined): void {
      if (id !== undefined) records.delete(hashId(id));
    },

    /** Live sessions, for tests and metrics. */
    count(): number {
      return records.size;
    },
  };
}

/** The in-memory session store's functions. */
export type Sessions = ReturnType<typeof createMemorySessions>;
