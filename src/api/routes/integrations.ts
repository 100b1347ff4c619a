import { actorOf } from '../../domain/permissions.js';
import type { Integration } from '../../domain/types.js';
import { defineRoute } from '../route.js';
import {
  AccountParams,
  CreateIntegrationBody,
  IntegrationArraySchema,
  IntegrationParams,
  IntegrationSchema,
  NullSchema,
  ReferenceParams,
  UpdateIntegrationBody,
} from '../schemas.js';

const BASE = '/accounts/:account_id/zt_risk_scoring/integrations';
const TAGS = ['Zero Trust Risk Scoring Integrations'];

/** The SSF well-known URL of an integration, absolute from the public base URL. */
export function wellKnownUrl(publicUrl: string, integrationId: string): string {
  return `${publicUrl}/.well-known/sse-configuration/${integrationId}/`;
}

/** Wire shape of an integration (`dlp_RiskScoreIntegration`). */
export function toWireIntegration(i: Integration, publicUrl: string) {
  return {
    id: i.id,
    account_tag: i.accountId,
    integration_type: i.integrationType,
    reference_id: i.referenceId,
    tenant_url: i.tenantUrl,
    well_known_url: wellKnownUrl(publicUrl, i.id),
    active: i.active,
    created_at: i.createdAt,
  };
}

/** Integrations CRUD and lookup by reference id. */
export const integrationRoutes = [
  defineRoute({
    method: 'GET',
    path: BASE,
    operationId: 'dlp-zt-risk-score-integration-list',
    summary: 'List all risk score integrations for the account',
    tags: TAGS,
    permissions: ['Zero Trust Read', 'Zero Trust Write'],
    params: AccountParams,
    result: IntegrationArraySchema,
    async handler({ params, services, publicUrl }) {
      const list = await services.integrations.list(params.account_id);
      return { result: list.map((i) => toWireIntegration(i, publicUrl)) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: BASE,
    operationId: 'dlp-zt-risk-score-integration-create',
    summary: 'Create new risk score integration',
    tags: TAGS,
    permissions: ['Zero Trust Write'],
    params: AccountParams,
    body: CreateIntegrationBody,
    bodyMode: 'required',
    result: IntegrationSchema,
    async handler({ params, body, principal, services, publicUrl }) {
      if (!body) throw new Error('body is required by bodyMode');
      const created = await services.integrations.create(
        params.account_id,
        {
          integrationType: body.integration_type,
          tenantUrl: body.tenant_url,
          referenceId: body.reference_id,
        },
        actorOf(principal),
      );
      return { result: toWireIntegration(created, publicUrl) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/reference_id/:reference_id`,
    operationId: 'dlp-zt-risk-score-integration-get-by-reference-id',
    summary: 'Get risk score integration by reference id',
    tags: TAGS,
    permissions: ['Zero Trust Read', 'Zero Trust Write'],
    params: ReferenceParams,
    result: IntegrationSchema,
    async handler({ params, services, publicUrl }) {
      const found = await services.integrations.getByReference(params.account_id, params.reference_id);
      return { result: toWireIntegration(found, publicUrl) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/:integration_id`,
    operationId: 'dlp-zt-risk-score-integration-get',
    summary: 'Get risk score integration by id',
    tags: TAGS,
    permissions: ['Zero Trust Read', 'Zero Trust Write'],
    params: IntegrationParams,
    result: IntegrationSchema,
    async handler({ params, services, publicUrl }) {
      const found = await services.integrations.get(params.account_id, params.integration_id.toLowerCase());
      return { result: toWireIntegration(found, publicUrl) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${BASE}/:integration_id`,
    operationId: 'dlp-zt-risk-score-integration-update',
    summary: 'Update a risk score integration',
    tags: TAGS,
    permissions: ['Zero Trust Write'],
    params: IntegrationParams,
    body: UpdateIntegrationBody,
    bodyMode: 'required',
    result: IntegrationSchema,
    async handler({ params, body, principal, services, publicUrl }) {
      if (!body) throw new Error('body is required by bodyMode');
      const updated = await services.integrations.update(
        params.account_id,
        params.integration_id.toLowerCase(),
        {
          tenantUrl: body.tenant_url,
          ...(body.active !== undefined ? { active: body.active } : {}),
          referenceId: body.reference_id,
        },
        actorOf(principal),
      );
      return { result: toWireIntegration(updated, publicUrl) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${BASE}/:integration_id`,
    operationId: 'dlp-zt-risk-score-integration-delete',
    summary: 'Delete a risk score integration',
    tags: TAGS,
    permissions: ['Zero Trust Write'],
    params: IntegrationParams,
    result: NullSchema,
    async handler({ params, principal, services }) {
      await services.integrations.remove(
        params.account_id,
        params.integration_id.toLowerCase(),
        actorOf(principal),
      );
      return { result: null };
    },
  }),
];
