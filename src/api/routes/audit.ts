import { defineRoute } from '../route.js';
import { AccountParams, AuditListSchema, AuditQuery } from '../schemas.js';

/** The audit trail (ztrisk extension). */
export const auditRoutes = [
  defineRoute({
    method: 'GET',
    path: '/accounts/:account_id/ztrisk/audit',
    operationId: 'ztrisk-audit-list',
    summary: 'List the audit trail of the account, newest first',
    tags: ['ztrisk'],
    permissions: ['Zero Trust Read'],
    extension: true,
    params: AccountParams,
    query: AuditQuery,
    result: AuditListSchema,
    paged: true,
    async handler({ params, query, services }) {
      const page = query.page ?? 1;
      const perPage = query.per_page ?? 100;
      const found = await services.audit.list(params.account_id, {
        page,
        perPage,
        ...(query.actor !== undefined ? { actor: query.actor } : {}),
        ...(query.action !== undefined ? { action: query.action } : {}),
      });
      return {
        result: found.items.map((e) => ({
          id: e.id,
          at: e.at,
          actor: e.actor,
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          before: e.before ?? null,
          after: e.after ?? null,
          reason: e.reason ?? null,
        })),
        page: { count: found.items.length, page, perPage, totalCount: found.totalCount },
      };
    },
  }),
];
