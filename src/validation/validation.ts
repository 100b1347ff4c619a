import { isIP } from 'node:net';
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { escapePointerToken, type Problem } from '../domain/errors.js';
import { validateTenantUrl } from '../domain/urls.js';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    coerceTypes: coerce,
    useDefaults: false,
    verbose: true,
  });
  addFormats(ajv);
  // Annotation read when mapping additionalProperties errors (e.g. "unknown behavior").
  ajv.addKeyword({ keyword: 'x-unknown-message', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-ztrisk', schemaType: 'boolean' });
  ajv.addFormat('http-url', (value: string) => validateTenantUrl(value).length === 0);
  ajv.addFormat('ip-address', (value: string) => isIP(value) !== 0);
  return ajv;
}

const bodyAjv = makeAjv(false);
const paramAjv = makeAjv(true);

function describeType(type: unknown): string {
  const name = Array.isArray(type) ? type.join(' or ') : String(type);
  if (name === 'integer' || name === 'object' || name === 'array') return `an ${name}`;
  return `a ${name}`;
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'type':
      return `must be ${describeType(p.type)}`;
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'format':
      if (p.format === 'uuid') return 'must be a UUID';
      if (p.format === 'date-time') return 'must be an RFC 3339 date-time';
      if (p.format === 'uri') return 'must be an absolute URL';
      if (p.format === 'ip-address') return 'must be an IPv4 or IPv6 address';
      if (p.format === 'http-url') return 'must be an absolute http or https URL of at most 2048 characters';
      return `must be a valid ${String(p.format)}`;
    case 'minimum':
      return `must be >= ${String(p.limit)}`;
    case 'maximum':
      return `must be <= ${String(p.limit)}`;
    case 'minLength':
      return `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'minItems':
      return `must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'pattern':
      return 'has an invalid format';
    case 'additionalProperties': {
      const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-unknown-message'];
      return typeof custom === 'string' ? custom : 'is not allowed';
    }
    default:
      return e.message ?? 'is invalid';
  }
}

function pointerOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `${e.instancePath}/${escapePointerToken(String(p.missingProperty))}`;
  if (e.keyword === 'additionalProperties') {
    return `${e.instancePath}/${escapePointerToken(String(p.additionalProperty))}`;
  }
  return e.instancePath;
}

/**
 * Maps ajv errors to problems, dropping the noise of failed union branches, duplicates, and a type error
 * where the same member also failed an enum (the enum message says more).
 */
function toProblems(errors: readonly ErrorObject[]): { message: string; pointer: string }[] {
  const seen = new Set<string>();
  const out: { message: string; pointer: string }[] = [];
  const enumAt = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    if (e.keyword === 'type' && enumAt.has(e.instancePath)) continue;
    const problem = { message: messageOf(e), pointer: pointerOf(e) };
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}

/** A compiled validator returning every problem (pointer-based). */
export type Check = (value: unknown) => { message: string; pointer: string }[];

function compile(ajv: Ajv, schema: TSchema): Check {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => (validate(value) ? [] : toProblems(validate.errors ?? []));
}

/**
 * JSON Schema validation (Ajv over TypeBox schemas) speaking ztrisk's problem vocabulary: every problem
 * at once, RFC 6901 pointers for body members, `name: message` for path and query parameters.
 */

/** Compiles a body schema: problems carry RFC 6901 pointers (`source.pointer`). */
export function compileBodyCheck(schema: TSchema): (value: unknown) => Problem[] {
  return compile(bodyAjv, schema);
}

/**
 * Compiles a path or query schema (values coerced from strings in place): problems have no pointer and
 * their message starts with the parameter name (`user_id: must be a UUID`).
 */
export function compileParamCheck(schema: TSchema): (value: unknown) => Problem[] {
  const check = compile(paramAjv, schema);
  return (value) =>
    check(value).map((p) => {
      const name = p.pointer.replace(/^\//, '').split('/')[0] ?? '';
      return { message: name ? `${name.replace(/~1/g, '/').replace(/~0/g, '~')}: ${p.message}` : p.message };
    });
}
