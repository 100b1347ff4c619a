import { randomUUID } from 'node:crypto';
import { invalid, notFound, type Problem } from '../domain/errors.js';
import { formatTimestamp } from '../domain/time.js';
import type { Integration } from '../domain/types.js';
import { validateTenantUrl } from '../domain/urls.js';
import type { ServiceDeps } from './deps.js';

/** Input of create (validated shape; see {@link validateTenantUrl} for the URL rule). */
export interface CreateIntegrationInput {
  readonly integrationType: 'Okta';
  readonly tenantUrl: string;
  readonly referenceId?: string | null;
}

/** Input of update: `active` and `referenceId` unchanged when absent (or null for the reference id). */
export interface UpdateIntegrationInput {
  readonly tenantUrl: string;
  readonly active?: boolean;
  readonly referenceId?: string | null;
}

function validateReferenceId(value: string | null | undefined): Problem[] {
  if (typeof value === 'string' && (value.length < 1 || value.length > 255)) {
    return [{ message: 'must be 1 to 255 characters', pointer: '/reference_id' }];
  }
  return [];
}

/** Risk-score integrations (Okta today): CRUD with audit. */
export function createIntegrationService(deps: ServiceDeps) {
  const { store } = deps;

  async function get(accountId: string, integrationId: string): Promise<Integration> {
    const found = await store.getIntegration(accountId, integrationId);
    if (!found) throw notFound('Integration not found');
    return found;
  }

  return {
    /** Creates an active integration; a missing or null reference id becomes a random UUID v4. */
    async create(accountId: string, input: CreateIntegrationInput, actor: string): Promise<Integration> {
      const problems = [...validateTenantUrl(input.tenantUrl), ...validateReferenceId(input.referenceId)];
      if (problems.length > 0) throw invalid(problems);
      const at = formatTimestamp(deps.now());
      const integration: Integration = {
        id: randomUUID(),
        accountId,
        integrationType: input.integrationType,
        referenceId: input.referenceId ?? randomUUID(),
        tenantUrl: input.tenantUrl,
        active: true,
        createdAt: at,
        updatedAt: at,
      };
      await store.createIntegration(integration, { actor, at });
      return integration;
    },

    get,

    /** The account's integrations, oldest first. */
    list(accountId: string): Promise<Integration[]> {
      return store.listIntegrations(accountId);
    },

    /** The newest integration with this reference id. */
    async getByReference(accountId: string, referenceId: string): Promise<Integration> {
      const found = await store.findIntegrationByReference(accountId, referenceId);
      if (!found) throw notFound('Integration not found');
      return found;
    },

    /** Overwrites the tenant URL, and `active` / reference id when given. */
    async update(
      accountId: string,
      integrationId: string,
      input: UpdateIntegrationInput,
      actor: string,
    ): Promise<Integration> {
      const problems = [...validateTenantUrl(input.tenantUrl), ...validateReferenceId(input.referenceId)];
      if (problems.length > 0) throw invalid(problems);
      const updated = await store.updateIntegration(
        accountId,
        integrationId,
        {
          tenantUrl: input.tenantUrl,
          ...(input.active !== undefined ? { active: input.active } : {}),
          ...(typeof input.referenceId === 'string' ? { referenceId: input.referenceId } : {}),
        },
        { actor, at: formatTimestamp(deps.now()) },
      );
      if (!updated) throw notFound('Integration not found');
      return updated;
    },

    /** Deletes (forgets) an integration. */
    async remove(accountId: string, integrationId: string, actor: string): Promise<void> {
      const done = await store.deleteIntegration(accountId, integrationId, {
        actor,
        at: formatTimestamp(deps.now()),
      });
      if (!done) throw notFound('Integration not found');
    },
  };
}

/** The integration service's functions. */
export type IntegrationService = ReturnType<typeof createIntegrationService>;
