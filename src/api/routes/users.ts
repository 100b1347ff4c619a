import { actorOf } from '../../domain/permissions.js';
import type { RiskLevel } from '../../domain/risk-level.js';
import type { RiskEvent, UserRisk } from '../../domain/types.js';
import type { SummaryOrder } from '../../store/store.js';
import { defineRoute } from '../route.js';
import {
  AccountParams,
  EmptyObjectSchema,
  ResetBody,
  RiskEventsSchema,
  RiskSummarySchema,
  SummaryQuery,
  UserParams,
  UserQuery,
} from '../schemas.js';

const BASE = '/accounts/:account_id/zt_risk_scoring';

/** Wire shape of a risk event (`dlp_RiskEvent`). */
export function toWireRiskEvent(e: RiskEvent) {
  return {
    id: e.id,
    name: e.name,
    risk_level: e.riskLevel,
    timestamp: e.timestamp,
    event_details: e.details,
  };
}

/** Wire shape of a summary row (`dlp_UserRiskInfo`); only for scored users. */
export function toWireUserRiskInfo(u: UserRisk) {
  return {
    user_id: u.userId,
    name: u.name,
    email: u.email,
    max_risk_level: u.riskLevel ?? 'low',
    event_count: u.eventCount,
    last_event: u.lastEvent ?? u.lastResetTime ?? '',
  };
}

const ORDER: Record<string, SummaryOrder> = {
  timestamp: 'last_event',
  last_event: 'last_event',
  event_count: 'event_count',
  max_risk_level: 'max_risk_level',
};

/** GET user, reset, summary. */
export const userRoutes = [
  defineRoute({
    method: 'GET',
    path: `${BASE}/summary`,
    operationId: 'dlp-risk-score-summary-get',
    summary: 'Get risk score info for all users in the account',
    tags: ['Zero Trust Risk Scoring'],
    permissions: ['Zero Trust: PII Read'],
    params: AccountParams,
    query: SummaryQuery,
    result: RiskSummarySchema,
    paged: true,
    async handler({ params, query, services }) {
      const page = query.page ?? 1;
      const perPage = query.per_page ?? 1000;
      const levels = query.risk_level ? ([...new Set(query.risk_level.split(','))] as RiskLevel[]) : [];
      const found = await services.risk.summary(params.account_id, {
        page,
        perPage,
        levels,
        orderBy: ORDER[query.order_by ?? 'timestamp'] ?? 'last_event',
        direction: query.direction ?? 'desc',
      });
      return {
        result: { users: found.items.map(toWireUserRiskInfo) },
        page: { count: found.items.length, page, perPage, totalCount: found.totalCount },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/:user_id`,
    operationId: 'dlp-risk-score-summary-get-for-user',
    summary: 'Get risk event/score information for a specific user',
    tags: ['Zero Trust Risk Scoring'],
    permissions: ['Zero Trust: PII Read'],
    params: UserParams,
    query: UserQuery,
    result: RiskEventsSchema,
    paged: true,
    async handler({ params, query, services }) {
      const page = query.page ?? 1;
      const perPage = query.per_page ?? 1000;
      const { user, events } = await services.risk.getUser(params.account_id, params.user_id.toLowerCase(), {
        page,
        perPage,
      });
      return {
        result: {
          name: user.name,
          email: user.email,
          events: events.items.map(toWireRiskEvent),
          ...(user.riskLevel !== undefined && user.eventCount > 0 ? { risk_level: user.riskLevel } : {}),
          last_reset_time: user.lastResetTime ?? null,
        },
        page: { count: events.items.length, page, perPage, totalCount: events.totalCount },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/:user_id/reset`,
    operationId: 'dlp-risk-score-reset-post',
    summary: 'Clear the risk score for a particular user',
    tags: ['Zero Trust Risk Scoring'],
    permissions: ['Zero Trust Write'],
    params: UserParams,
    body: ResetBody,
    bodyMode: 'optional',
    result: EmptyObjectSchema,
    async handler({ params, body, principal, services }) {
      await services.risk.resetUser(
        params.account_id,
        params.user_id.toLowerCase(),
        actorOf(principal),
        body?.reason,
      );
      return { result: {} };
    },
  }),
];
