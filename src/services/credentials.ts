import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ZtriskError } from '../domain/errors.js';
import { expandPermissions, PERMISSIONS, type Permission, type Principal } from '../domain/permissions.js';
import { formatTimestamp, parseRfc3339 } from '../domain/time.js';
import type { ApiToken } from '../domain/types.js';
import type { Grant } from '../store/store.js';
import type { ServiceDeps } from './deps.js';

/** Credentials as presented on a request (header values, untrusted). */
export interface PresentedCredentials {
  readonly authorization?: string | undefined;
  readonly email?: string | undefined;
  readonly key?: string | undefined;
}

/** Hex SHA-256 of a secret. Secrets carry ≥ 128 bits of entropy, so a fast hash is sufficient. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A new API token secret: 40 base64url characters (240 bits), the length of Cloudflare's tokens. */
export function generateTokenSecret(): string {
  return randomBytes(30).toString('base64url');
}

/** A new Global API key: 37 lowercase hex characters (148 bits), the shape of Cloudflare's. */
export function generateGlobalKeySecret(): string {
  return randomBytes(19).toString('hex').slice(0, 37);
}

const UNAUTHENTICATED = (): ZtriskError => new ZtriskError('unauthenticated', 'Authentication error');

/**
 * What a dashboard session keeps to re-check its credentials on every request without keeping the
 * secret: the SHA-256 of the token, or the owner email and the hash of the Global API key. Revoking or
 * expiring the token (or replacing the key) makes {@link CredentialService.reauthenticate} fail.
 */
export type CredentialProof =
  | { readonly kind: 'token'; readonly secretHash: string }
  | { readonly kind: 'global_key'; readonly email: string; readonly keyHash: string };

/** The outcome of creating a token: its id and the secret, shown once. */
export interface CreatedToken {
  readonly token: ApiToken;
  readonly secret: string;
}

/** Authentication and credential management (API tokens and Global API keys). */
export function createCredentialService(deps: ServiceDeps) {
  const { store } = deps;

  async function principalFromToken(
    secret: string,
  ): Promise<{ principal: Principal; expiresAt: string | undefined }> {
    return principalFromTokenHash(hashSecret(secret));
  }

  async function principalFromTokenHash(
    hash: string,
  ): Promise<{ principal: Principal; expiresAt: string | undefined }> {
    const token = await store.findTokenBySecretHash(hash);
    if (!token || !sameHash(token.secretHash, hash)) throw UNAUTHENTICATED();
    if (token.revokedAt !== undefined) throw UNAUTHENTICATED();
    if (token.expiresAt !== undefined) {
      const expiresMs = parseRfc3339(token.expiresAt);
      if (expiresMs === undefined || expiresMs <= deps.now()) throw UNAUTHENTICATED();
    }
    const byAccount = new Map<string, Permission[]>();
    for (const g of token.grants)
      byAccount.set(g.accountId, [...(byAccount.get(g.accountId) ?? []), g.permission]);
    const principal: Principal = {
      kind: 'token',
      id: token.id,
      grants: new Map([...byAccount].map(([account, perms]) => [account, expandPermissions(perms)])),
    };
    return { principal, expiresAt: token.expiresAt };
  }

  async function principalFromGlobalKey(email: string, key: string): Promise<Principal> {
    return principalFromGlobalKeyHash(email, hashSecret(key));
  }

  async function principalFromGlobalKeyHash(email: string, hash: string): Promise<Principal> {
    const keys = await store.findGlobalKeysByEmail(email.trim());
    // Compare against every candidate so the time taken does not depend on which one matches.
    let match: (typeof keys)[number] | undefined;
    for (const k of keys) if (sameHash(k.keyHash, hash)) match = k;
    if (!match) throw UNAUTHENTICATED();
    const all = expandPermissions(PERMISSIONS);
    return { kind: 'global_key', id: match.id, grants: new Map(match.accountIds.map((a) => [a, all])) };
  }

  function bearerSecret(authorization: string): string {
    const m = /^bearer +([^\s]+) *$/i.exec(authorization);
    if (!m?.[1] || m[1].length > 512) throw UNAUTHENTICATED();
    return m[1];
  }

  return {
    /**
     * Authenticates presented credentials (API.md §4): a present `Authorization` header alone decides
     * (Bearer, scheme case-insensitive); otherwise both `X-Auth-Email` and `X-Auth-Key` are required.
     * Every failure is the same `unauthenticated` error, with no hint which part failed.
     */
    async authenticate(creds: PresentedCredentials): Promise<Principal> {
      if (creds.authorization !== undefined) {
        return (await principalFromToken(bearerSecret(creds.authorization))).principal;
      }
      if (creds.email && creds.key && creds.key.length <= 512 && creds.email.length <= 320) {
        return principalFromGlobalKey(creds.email, creds.key.trim());
      }
      throw UNAUTHENTICATED();
    },

    /**
     * Authenticates like {@link authenticate} and also returns a proof that re-checks these credentials
     * later without the secret (dashboard sessions keep the proof, never the secret).
     */
    async authenticateWithProof(
      creds: PresentedCredentials,
    ): Promise<{ principal: Principal; proof: CredentialProof }> {
      if (creds.authorization !== undefined) {
        const secretHash = hashSecret(bearerSecret(creds.authorization));
        return {
          principal: (await principalFromTokenHash(secretHash)).principal,
          proof: { kind: 'token', secretHash },
        };
      }
      if (creds.email && creds.key && creds.key.length <= 512 && creds.email.length <= 320) {
        const email = creds.email.trim();
        const keyHash = hashSecret(creds.key.trim());
        return {
          principal: await principalFromGlobalKeyHash(email, keyHash),
          proof: { kind: 'global_key', email, keyHash },
        };
      }
      throw UNAUTHENTICATED();
    },

    /**
     * The principal a proof stands for now (current grants and memberships); `unauthenticated` when the
     * token was revoked or has expired, or the key was replaced.
     */
    async reauthenticate(proof: CredentialProof): Promise<Principal> {
      if (proof.kind === 'token') return (await principalFromTokenHash(proof.secretHash)).principal;
      return principalFromGlobalKeyHash(proof.email, proof.keyHash);
    },

    /** The active token a bearer secret names, for `/user/tokens/verify`. */
    async verifyToken(
      authorization: string | undefined,
    ): Promise<{ id: string; expiresAt: string | undefined }> {
      if (authorization === undefined) throw UNAUTHENTICATED();
      const { principal, expiresAt } = await principalFromToken(bearerSecret(authorization));
      return { id: principal.id, expiresAt };
    },

    /** Creates an API token (and its accounts if needed); the secret is returned once and never stored. */
    async createToken(input: {
      readonly name: string;
      readonly grants: readonly Grant[];
      readonly expiresAt?: string;
      readonly actor: string;
    }): Promise<CreatedToken> {
      if (input.grants.length === 0) throw new ZtriskError('invalid', 'permission: at least one is required');
      let expiresAt: string | undefined;
      if (input.expiresAt !== undefined) {
        const ms = parseRfc3339(input.expiresAt);
        if (ms === undefined) throw new ZtriskError('invalid', 'expires: must be an RFC 3339 date-time');
        expiresAt = formatTimestamp(ms);
      }
      const secret = generateTokenSecret();
      const createdAt = formatTimestamp(deps.now());
      const token: ApiToken = {
        id: randomUUID().replace(/-/g, ''),
        name: input.name,
        grants: input.grants,
        createdAt,
        expiresAt,
        revokedAt: undefined,
      };
      await store.createToken(
        { ...token, secretHash: hashSecret(secret) },
        { actor: input.actor, at: createdAt },
      );
      return { token, secret };
    },

    /** Every token, without secrets. */
    listTokens(): Promise<ApiToken[]> {
      return store.listTokens();
    },

    /** Revokes a token; `not_found` when it does not exist or is already revoked. */
    async revokeToken(tokenId: string, actor: string): Promise<void> {
      const done = await store.revokeToken(tokenId, { actor, at: formatTimestamp(deps.now()) });
      if (!done) throw new ZtriskError('not_found', `token ${tokenId} not found or already revoked`);
    },

    /**
     * Creates a Global API key for an owner email and makes the owner a member of the account. Creating
     * another key for the same email replaces (revokes) the previous one, as Cloudflare's "change key".
     */
    async createGlobalKey(input: {
      readonly email: string;
      readonly accountId: string;
      readonly actor: string;
    }) {
      const secret = generateGlobalKeySecret();
      const at = formatTimestamp(deps.now());
      const id = randomUUID().replace(/-/g, '');
      await store.createGlobalKey(
        {
          id,
          email: input.email,
          keyHash: hashSecret(secret),
          accountIds: [input.accountId],
          createdAt: at,
          revokedAt: undefined,
        },
        input.accountId,
        { actor: input.actor, at },
      );
      return { id, secret };
    },
  };
}

/** The credential service's functions. */
export type CredentialService = ReturnType<typeof createCredentialService>;
