import { actorOf } from '../../domain/permissions.js';
import type { BehaviorView } from '../../services/behaviors.js';
import { defineRoute } from '../route.js';
import { AccountParams, BehaviorsSchema, UpdateBehaviorsBody, UpdatedBehaviorsSchema } from '../schemas.js';

const BASE = '/accounts/:account_id/zt_risk_scoring';

/** GET and PUT behaviors. */
export const behaviorRoutes = [
  defineRoute({
    method: 'GET',
    path: `${BASE}/behaviors`,
    operationId: 'dlp-risk-score-behaviors-get',
    summary: 'Get all behaviors and associated configuration',
    tags: ['Zero Trust Risk Scoring'],
    permissions: ['Zero Trust Read', 'Zero Trust Write'],
    params: AccountParams,
    result: BehaviorsSchema,
    async handler({ params, services }) {
      const list = await services.behaviors.list(params.account_id);
      return {
        result: {
          behaviors: Object.fromEntries(
            list.map((b: BehaviorView) => [
              b.key,
              { name: b.name, description: b.description, risk_level: b.riskLevel, enabled: b.enabled },
            ]),
          ),
        },
      };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${BASE}/behaviors`,
    operationId: 'dlp-risk-score-behaviors-put',
    summary: 'Update configuration for risk behaviors (partial merge)',
    tags: ['Zero Trust Risk Scoring'],
    permissions: ['Zero Trust Write'],
    params: AccountParams,
    body: UpdateBehaviorsBody,
    bodyMode: 'required',
    result: UpdatedBehaviorsSchema,
    async handler({ params, body, principal, services }) {
      const entries = Object.entries(body?.behaviors ?? {}).map(
        ([key, b]) => [key, { enabled: b?.enabled, riskLevel: b?.risk_level }] as const,
      );
      const list = await services.behaviors.update(params.account_id, new Map(entries), actorOf(principal));
      return {
        result: {
          behaviors: Object.fromEntries(
            list.map((b) => [b.key, { enabled: b.enabled, risk_level: b.riskLevel }]),
          ),
        },
      };
    },
  }),
];
