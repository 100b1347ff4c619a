import type { AuditEntry, Page } from '../domain/types.js';
import type { AuditQuery } from '../store/store.js';
import type { ServiceDeps } from './deps.js';

/** Reading the audit trail (entries are written by the store with each mutation). */
export function createAuditService(deps: ServiceDeps) {
  return {
    /** An account's audit entries, newest first, optionally filtered by actor and action. */
    list(accountId: string, query: AuditQuery): Promise<Page<AuditEntry>> {
      return deps.store.listAudit(accountId, query);
    },
  };
}

/** The audit service's functions. */
export type AuditService = ReturnType<typeof createAuditService>;
