import type { TSchema } from '@sinclair/typebox';
import type { ApiRoute } from './route.js';

/** Strips TypeBox's symbol keys and returns a plain JSON Schema (OpenAPI 3.0 dialect). */
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

const MESSAGES = {
  type: 'array',
  items: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'integer', minimum: 1000 },
      message: { type: 'string' },
      documentation_url: { type: 'string' },
      source: { type: 'object', properties: { pointer: { type: 'string' } } },
    },
  },
};

const RESULT_INFO = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    page: { type: 'integer' },
    per_page: { type: 'integer' },
    total_count: { type: 'integer' },
    total_pages: { type: 'integer' },
  },
};

const FAILURE = {
  type: 'object',
  required: ['success', 'errors', 'messages', 'result'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    errors: { ...MESSAGES, minItems: 1 },
    messages: MESSAGES,
    result: { type: 'object', nullable: true, enum: [null] },
  },
};

function parameters(schema: TSchema | undefined, location: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const s = plain(schema);
  const properties = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(properties).map(([name, p]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    schema: p,
  }));
}

/**
 * The OpenAPI 3.0 document of ztrisk's API, generated from the same route list and schemas that serve
 * and validate requests. ztrisk extensions are marked `x-ztrisk: true`.
 */
export function buildOpenApiDocument(
  routes: readonly ApiRoute[],
  publicUrl: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
      'x-permissions': route.permissions,
      ...(route.extension ? { 'x-ztrisk': true } : {}),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: route.bodyMode === 'required',
              content: { 'application/json': { schema: plain(route.body) } },
            },
          }
        : {}),
      responses: {
        '200': {
          description: 'Success',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: [
                  'success',
                  'errors',
                  'messages',
                  'result',
                  ...(route.paged ? ['result_info'] : []),
                ],
                properties: {
                  success: { type: 'boolean', enum: [true] },
                  errors: MESSAGES,
                  messages: MESSAGES,
                  result: plain(route.result),
                  ...(route.paged ? { result_info: RESULT_INFO } : {}),
                },
              },
            },
          },
        },
        '4XX': { description: 'Failure', content: { 'application/json': { schema: FAILURE } } },
      },
      security: [{ api_token: [] }, { api_email: [], api_key: [] }],
    };
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'ztrisk API',
      version: '0.1.0',
      description:
        "Zero Trust user risk scoring, wire-compatible with Cloudflare's zt_risk_scoring API. Operations marked x-ztrisk are ztrisk extensions.",
    },
    servers: [{ url: `${publicUrl}/client/v4` }],
    paths,
    components: {
      securitySchemes: {
        api_token: { type: 'http', scheme: 'bearer' },
        api_email: { type: 'apiKey', in: 'header', name: 'X-Auth-Email' },
        api_key: { type: 'apiKey', in: 'header', name: 'X-Auth-Key' },
      },
    },
  };
}
