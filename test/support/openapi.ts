import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Path of Cloudflare's OpenAPI document, beside the repository (`../shared`). */
export const CLOUDFLARE_OPENAPI_PATH = new URL(
  '../../../shared/zt-risk-scoring.openapi.json',
  import.meta.url,
);

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

const doc = JSON.parse(readFileSync(CLOUDFLARE_OPENAPI_PATH, 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'cf');

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

const operations = new Map<string, { path: string; method: string }>();
for (const [path, methods] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(methods)) operations.set(op.operationId, { path, method });
}

function validatorFor(operationId: string, status: '200' | '4XX') {
  const op = operations.get(operationId);
  if (!op) throw new Error(`no operation ${operationId} in Cloudflare's OpenAPI document`);
  return ajv.compile({
    $ref: `cf#/paths/${escapeToken(op.path)}/${op.method}/responses/${status}/content/${escapeToken('application/json')}/schema`,
  });
}

/** Every operationId of Cloudflare's document. */
export const CLOUDFLARE_OPERATION_IDS = [...operations.keys()];

/**
 * Throws unless the body is valid against the operation's response schema in Cloudflare's document:
 * its `200` schema for 2xx, its `4XX` (failure envelope) schema otherwise.
 */
export function assertValidResponse(operationId: string, status: number, body: unknown): void {
  const validate = validatorFor(operationId, status < 300 ? '200' : '4XX');
  if (!validate(body)) {
    throw new Error(
      `response (${status}) of ${operationId} is not valid against Cloudflare's OpenAPI: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`,
    );
  }
}

const failureSchema = ajv.compile({ $ref: 'cf#/components/schemas/dlp_api-response-common-failure' });

/** Throws unless the body is Cloudflare's failure envelope (`dlp_api-response-common-failure`). */
export function assertValidFailure(body: unknown): void {
  if (!failureSchema(body)) {
    throw new Error(
      `not a valid failure envelope: ${ajv.errorsText(failureSchema.errors)}\n${JSON.stringify(body)}`,
    );
  }
}
