import { randomBytes } from 'node:crypto';
import { PERMISSIONS } from '../domain/permissions.js';
import type { CredentialService } from './credentials.js';
import type { ServiceDeps } from './deps.js';

/** What bootstrapping a brand-new store created (the token secret is shown once). */
export interface Bootstrapped {
  readonly accountId: string;
  readonly tokenId: string;
  readonly tokenSecret: string;
}

/** A new account id: 32 lowercase hex characters, the shape of a Cloudflare account tag. */
export function generateAccountId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * On a store with no account at all, creates one account and an admin token holding every permission
 * on it; otherwise does nothing and resolves undefined.
 */
export async function bootstrapIfEmpty(
  deps: ServiceDeps,
  credentials: CredentialService,
): Promise<Bootstrapped | undefined> {
  if ((await deps.store.listAccounts()).length > 0) return undefined;
  const accountId = generateAccountId();
  const created = await credentials.createToken({
    name: 'admin (created at first start)',
    grants: PERMISSIONS.map((permission) => ({ accountId, permission })),
    actor: 'cli',
  });
  return { accountId, tokenId: created.token.id, tokenSecret: created.secret };
}
