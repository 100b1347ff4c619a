/**
 * API fuzzing for ztrisk (issue 7, Hardening §1): request generators built at runtime from ztrisk's own
 * OpenAPI document (`/client/v4/openapi.json`), mutations that break every part of a request, two
 * transports (in-process `inject` and raw bytes over a real TCP socket), and the invariants every
 * response must satisfy. Used by the short run (`api.fuzz.test.ts`, part of `npm test`) and the long run
 * (`long-run.ts`, `npm run fuzz`). See docs/fuzzing.md.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { ERROR_TABLE } from '../../src/api/errors.js';
import { LOGPUSH_DATASETS } from '../../src/ingest/logpush/datasets.js';
import { aFinding, enableBehaviors } from '../support/builders.js';
import { ACCOUNT, OTHER_ACCOUNT, startTestApp, type TestApp } from '../support/harness.js';
import { assertValidFailure, assertValidResponse, CLOUDFLARE_OPERATION_IDS } from '../support/openapi.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// ---------------------------------------------------------------------------------------------------
// The OpenAPI document → fuzzable operations
// ---------------------------------------------------------------------------------------------------

/** A JSON Schema node, read loosely (OpenAPI 3.0 dialect). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** How an operation answers errors, read from its documented 4xx response. */
export type ErrorFormat = 'envelope' | 'ssf' | 'json';

/** One path or query parameter of an operation. */
export interface FuzzParam {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

/** One operation of the document, as the fuzzer uses it. */
export interface FuzzOperation {
  readonly operationId: string;
  readonly method: string;
  /** The path template below the API base (`/accounts/{account_id}/…`). */
  readonly path: string;
  readonly params: readonly FuzzParam[];
  /** The JSON request body, when the document has one. */
  readonly body: { readonly schema: JsonSchema; readonly required: boolean } | undefined;
  readonly errorFormat: ErrorFormat;
  /** The documented 200 schema (the whole response body), when JSON. */
  readonly successSchema: JsonSchema | undefined;
  /** Matches a request path (without query) of this operation under any base. */
  readonly pattern: RegExp;
  /** A ztrisk extension (`x-ztrisk`). */
  readonly extension: boolean;
}

/** What the fuzzer needs from the document. */
export interface FuzzSpec {
  /** The API bases the operations are served under (`/client/v4` and the root). */
  readonly prefixes: readonly string[];
  readonly operations: readonly FuzzOperation[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rec(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function jsonSchemaOf(content: unknown): JsonSchema | undefined {
  const c = rec(content);
  for (const [mediaType, media] of Object.entries(c)) {
    if (/json/i.test(mediaType)) return rec(rec(media).schema);
  }
  return undefined;
}

function errorFormatOf(responses: Record<string, unknown>): ErrorFormat {
  for (const [status, response] of Object.entries(responses)) {
    if (!/^4/.test(status)) continue;
    const schema = jsonSchemaOf(rec(response).content);
    if (!schema) continue;
    const props = rec(schema.properties);
    if ('success' in props && 'errors' in props) return 'envelope';
    if ('err' in props) return 'ssf';
    return 'json';
  }
  // Nothing documented: ztrisk's default is the v4 envelope.
  return 'envelope';
}

function servesHtmlOnly(responses: Record<string, unknown>): boolean {
  const ok = rec(rec(responses['200']).content);
  const types = Object.keys(ok);
  return types.length > 0 && !types.some((t) => /json/i.test(t));
}

/**
 * Reads every operation of ztrisk's OpenAPI document. Operations whose success is not JSON (HTML pages)
 * are left out: the fuzzer covers the JSON API under `/client/v4` and the root.
 */
export function readSpec(doc: unknown): FuzzSpec {
  const d = rec(doc);
  const server = rec(list(d.servers)[0]);
  let basePath = '/client/v4';
  if (typeof server.url === 'string') {
    try {
      basePath = new URL(server.url, 'http://x').pathname.replace(/\/$/, '');
    } catch {
      // keep the default
    }
  }
  const prefixes = [...new Set([basePath, ''])];
  const operations: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries(rec(d.paths))) {
    for (const [method, raw] of Object.entries(rec(methods))) {
      if (!/^(get|put|post|delete|patch|head|options)$/i.test(method)) continue;
      const op = rec(raw);
      const responses = rec(op.responses);
      if (servesHtmlOnly(responses)) continue;
      const params: FuzzParam[] = list(op.parameters).flatMap((p) => {
        const param = rec(p);
        if ((param.in !== 'path' && param.in !== 'query') || typeof param.name !== 'string') return [];
        return [
          { name: param.name, in: param.in, required: param.required === true, schema: rec(param.schema) },
        ];
      });
      const requestBody = rec(op.requestBody);
      const bodySchema = jsonSchemaOf(requestBody.content);
      const template = path
        .split('/')
        .map((seg) => (/^\{[^}]+\}$/.test(seg) ? '[^/]+' : escapeRegExp(seg)))
        .join('/');
      operations.push({
        operationId: typeof op.operationId === 'string' ? op.operationId : `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        params,
        body: bodySchema ? { schema: bodySchema, required: requestBody.required === true } : undefined,
        errorFormat: errorFormatOf(responses),
        successSchema: jsonSchemaOf(rec(responses['200']).content),
        pattern: new RegExp(`^(?:${prefixes.map((p) => escapeRegExp(p)).join('|')})${template}/?$`, 'i'),
        extension: op['x-ztrisk'] === true,
      });
    }
  }
  return { prefixes, operations };
}

// ---------------------------------------------------------------------------------------------------
// Nasty values
// ---------------------------------------------------------------------------------------------------

/** Injection strings tried in every position. */
export const INJECTIONS: readonly string[] = [
  "' OR 1=1 --",
  '" OR ""="',
  "'; DROP TABLE risk_events; --",
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, literally
  '${7*7}',
  '#{7*7}',
  '<script>alert(1)</script>',
  '$(id)',
  '`id`',
  '; ls -la',
  '\u0000',
  'a\u0000b',
  '%00',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '\ud800',
  '\udfff\ud800',
  '\uffff\ufffe',
  '\u202e\u0645',
  '😀🏳️‍🌈',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e308',
  '',
  ' ',
  '\t\r\n',
  '%s%s%s%n',
  '\\',
  '"',
  "'",
  '*',
  '%',
  '_',
  'A'.repeat(5000),
];

/** Path traversal and odd path segments. */
export const TRAVERSALS: readonly string[] = [
  '..',
  '.',
  '../',
  '../../',
  '..%2f',
  '%2e%2e%2f',
  '%2e%2e',
  '.%2e',
  '%252e%252e%252f',
  '..\\',
  '..%5c',
  '%00',
  '%2f',
  '%2F..%2F',
  '%c0%af',
  '..;',
  '~',
  '%u002e',
];

/** Percent-encoded byte sequences that are not valid UTF-8. */
export const INVALID_UTF8_ESCAPES: readonly string[] = [
  '%FF',
  '%FE%FF',
  '%C3%28',
  '%C0%AF',
  '%ED%A0%80',
  '%F0%28%8C%BC',
  '%E2%82',
  '%F8%88%80%80%80',
  'a%80b',
];

/** Invalid UTF-8 bytes spliced into bodies. */
const INVALID_UTF8_BYTES: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xfe, 0xff]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf0, 0x28, 0x8c, 0xbc]),
  Buffer.from([0x80, 0x80, 0x80]),
];

/** Number texts JSON.stringify never writes. */
export const HUGE_NUMBERS: readonly string[] = [
  '1e308',
  '-1e308',
  '1e309',
  '-1e309',
  '-0',
  '-0.0',
  '18446744073709551616',
  '-18446744073709551617',
  '9007199254740993',
  '123456789012345678901234567890123456789',
  '0.1e-400',
  '5e-324',
  '1E+2',
  '1.0',
  '0.5',
  '-1',
  '0',
];

/** Values of the wrong JSON type. */
const WRONG_TYPES: readonly unknown[] = [
  0,
  -1,
  1.5,
  true,
  false,
  null,
  'string',
  '1',
  'true',
  [],
  [1, 'a'],
  {},
  { nested: { x: 1 } },
  'NaN',
  'Infinity',
];

/** Odd Content-Type values. */
const CONTENT_TYPES: readonly string[] = [
  'text/plain',
  'multipart/form-data; boundary=ztriskfuzz',
  'application/x-ndjson',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json, text/plain',
  ';;;',
  '*/*',
  'application/xml',
  'application/octet-stream',
  'text/html; charset=utf-8',
  'application/json; boundary=x; charset=utf-8; charset=ascii',
];

/** Query values of the wrong kind. */
const QUERY_VALUES: readonly string[] = [
  'abc',
  '1.5',
  '-1',
  '0',
  '1e308',
  '1e3',
  '18446744073709551616',
  'NaN',
  '-0',
  'Infinity',
  '0x10',
  ' 1',
  '1 ',
  '1,2',
  'true',
  '',
  'null',
  '[]',
  '%FF',
  'low,,high',
  'LOW',
  'low,medium,high,low,medium,high',
];

/** Methods Node's HTTP parser knows (inject can only send these). */
export const KNOWN_METHODS: readonly string[] = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'SEARCH',
  'MKCOL',
  'PURGE',
  'QUERY',
  'COPY',
  'LOCK',
];

/** Methods only a real socket can send (Node's parser rejects them). */
export const RAW_ONLY_METHODS: readonly string[] = ['FOO', 'get', 'G3T', 'CONNECT'];

/** Field names of Cloudflare Logpush records (used for operations with a body but no body schema). */
const LOGPUSH_FIELD_HINTS: readonly string[] = [
  'Action',
  'Allowed',
  'AppDomain',
  'BlockedFileHash',
  'BlockedFileName',
  'CategoryIDs',
  'Connection',
  'Country',
  'CreatedAt',
  'Datetime',
  'DeviceID',
  'DownloadMatchedDlpProfiles',
  'Email',
  'HTTPHost',
  'IPAddress',
  'PolicyID',
  'PostureCheckName',
  'PostureEvaluatedResult',
  'QueryName',
  'RayID',
  'RequestID',
  'ResolverDecision',
  'SourceIP',
  'SrcIP',
  'Timestamp',
  'URL',
  'UploadMatchedDlpProfiles',
  'UserID',
  'UserUID',
];

/** JSON text inserted verbatim by {@link serializeJson} (numbers JSON.stringify cannot write, nesting). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `levels` nested arrays or objects, as JSON text. */
export function deepNesting(levels: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array'
    ? new RawJson(`${'['.repeat(levels)}1${']'.repeat(levels)}`)
    : new RawJson(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
}

/** JSON.stringify that writes {@link RawJson} verbatim. */
export function serializeJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => serializeJson(v)).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${serializeJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const INVALID_UTF8_SENTINEL = 'ZTRISK_FUZZ_INVALID_UTF8';

// ---------------------------------------------------------------------------------------------------
// Fixtures the generators draw from (existing ids, so that valid-ish requests reach the handlers)
// ---------------------------------------------------------------------------------------------------

/** Values known to exist, by parameter or member name; refreshed from the state snapshots. */
export interface Pools {
  account_id: string[];
  user_id: string[];
  integration_id: string[];
  reference_id: string[];
  dataset: string[];
  tenant_url: string[];
  [name: string]: string[];
}

/** Fresh pools with the harness accounts and the Logpush datasets. */
export function newPools(): Pools {
  return {
    account_id: [ACCOUNT],
    user_id: [],
    integration_id: [],
    reference_id: [],
    dataset: [...LOGPUSH_DATASETS],
    tenant_url: ['https://acme.okta.com', 'http://localhost:8080/okta'],
  };
}

/** Picks from a pool lazily (the pool may change between cases). */
function fromPool(pools: Pools, name: string): fc.Arbitrary<string> | undefined {
  if (!(name in pools)) return undefined;
  return fc.tuple(fc.nat(), fc.uuid()).map(([i, fallback]) => {
    const pool = pools[name] ?? [];
    return pool.length === 0 ? fallback : (pool[i % pool.length] ?? fallback);
  });
}

// ---------------------------------------------------------------------------------------------------
// Schema → valid-ish values
// ---------------------------------------------------------------------------------------------------

/** The harness clock; generated timestamps fall within a month before it (and a little after). */
const CLOCK = Date.parse('2026-03-02T12:00:00.000Z');

function dateTimeArb(): fc.Arbitrary<string> {
  return fc
    .integer({ min: CLOCK - 30 * 86_400_000, max: CLOCK + 10 * 60_000 })
    .map((ms) => new Date(ms).toISOString());
}

function stringArb(schema: JsonSchema, name: string | undefined, pools: Pools): fc.Arbitrary<string> {
  const pooled = name !== undefined ? fromPool(pools, name) : undefined;
  const base = plainStringArb(schema, name);
  return pooled ? fc.oneof({ arbitrary: pooled, weight: 3 }, { arbitrary: base, weight: 1 }) : base;
}

function plainStringArb(schema: JsonSchema, name: string | undefined): fc.Arbitrary<string> {
  const minLength = numberOf(schema.minLength) ?? 0;
  const maxLength = Math.max(minLength, Math.min(numberOf(schema.maxLength) ?? 40, 40));
  switch (schema.format) {
    case 'uuid':
      return fc.oneof(
        fc.uuid(),
        fc.uuid().map((u) => u.toUpperCase()),
      );
    case 'date-time':
      return dateTimeArb();
    case 'http-url':
    case 'uri':
    case 'url':
      return fc.oneof(
        fc.constantFrom('https://acme.okta.com', 'https://example.okta.com/a?b=c'),
        fc.webUrl(),
      );
    case 'ip-address':
    case 'ipv4':
    case 'ipv6':
      return fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('81.2.69.142', '2a02:26f0::1', '127.0.0.1'));
    case 'email':
      return fc.emailAddress();
    default:
      break;
  }
  if (typeof schema.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= 200);
    } catch {
      // fall through to a plain string
    }
  }
  if (name !== undefined && /email/i.test(name)) return fc.emailAddress();
  return fc.string({ minLength, maxLength });
}

/**
 * A valid-ish value of a JSON Schema (OpenAPI 3.0 dialect): enums, consts, formats (UUID, date-time,
 * URL, IP), integer and number ranges, lengths, required and optional members, unions. Named members
 * and parameters draw from the pools (existing ids) most of the time. `shadow` is the response schema
 * at the same place, used for open objects whose members only the response documents.
 */
export function valueArb(
  schema: JsonSchema,
  pools: Pools,
  name?: string,
  depth = 0,
  shadow?: JsonSchema,
): fc.Arbitrary<unknown> {
  const base = nonNullValueArb(schema, pools, name, depth, shadow);
  return schema.nullable === true ? fc.oneof({ arbitrary: base, weight: 5 }, fc.constant(null)) : base;
}

function nonNullValueArb(
  schema: JsonSchema,
  pools: Pools,
  name: string | undefined,
  depth: number,
  shadow: JsonSchema | undefined,
): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const union = list(schema.anyOf).length > 0 ? list(schema.anyOf) : list(schema.oneOf);
  if (union.length > 0) return fc.oneof(...union.map((s) => valueArb(rec(s), pools, name, depth, shadow)));
  const allOf = list(schema.allOf);
  if (allOf.length > 0) return valueArb(rec(allOf[0]), pools, name, depth, shadow);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArb(schema, name, pools);
    case 'integer': {
      const min = numberOf(schema.minimum) ?? -1000;
      const max = numberOf(schema.maximum) ?? Math.max(min, 0) + 100_000;
      return fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) });
    }
    case 'number': {
      const min = numberOf(schema.minimum) ?? -1e6;
      const max = numberOf(schema.maximum) ?? 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      if (depth > 6) return fc.constant([]);
      const minLength = numberOf(schema.minItems) ?? 0;
      const maxLength = Math.max(minLength, Math.min(numberOf(schema.maxItems) ?? 3, 3));
      return fc.array(valueArb(rec(schema.items), pools, name, depth + 1, rec(shadow?.items)), {
        minLength,
        maxLength,
      });
    }
    case 'object':
      return objectArb(schema, pools, depth, shadow);
    default:
      if (isRecord(schema.properties)) return objectArb(schema, pools, depth, shadow);
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArb(
  schema: JsonSchema,
  pools: Pools,
  depth: number,
  shadow: JsonSchema | undefined,
): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant({});
  let props = rec(schema.properties);
  let required = new Set(list(schema.required).filter((r): r is string => typeof r === 'string'));
  const shadowProps = rec(shadow?.properties);
  if (Object.keys(props).length === 0 && Object.keys(shadowProps).length > 0) {
    // An open object in the request (a partial update): its members are the response's.
    props = shadowProps;
    required = new Set();
  }
  const keys = Object.keys(props);
  if (keys.length === 0) {
    return schema.additionalProperties === false
      ? fc.constant({})
      : fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
  }
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const key of keys) {
    model[key] = valueArb(rec(props[key]), pools, key, depth + 1, rec(shadowProps[key]));
  }
  return fc.record(model, { requiredKeys: keys.filter((k) => required.has(k)) });
}

/** Records for an operation that takes a body the document does not describe (Logpush destinations). */
function logpushLikeRecordArb(pools: Pools): fc.Arbitrary<Record<string, unknown>> {
  const value = (key: string): fc.Arbitrary<unknown> => {
    if (/^(UserUID|UserID)$/.test(key)) return fromPool(pools, 'user_id') ?? fc.uuid();
    if (/Email/.test(key)) return fc.emailAddress();
    if (/Datetime|Timestamp|CreatedAt/.test(key)) {
      return fc.oneof(
        dateTimeArb(),
        dateTimeArb().map((d) => Date.parse(d) * 1_000_000),
        dateTimeArb().map((d) => Math.floor(Date.parse(d) / 1000)),
      );
    }
    if (/IP/.test(key)) return fc.oneof(fc.ipV4(), fc.ipV6());
    if (/Country/.test(key)) return fc.constantFrom('US', 'DE', 'JP', 'XX', '');
    if (/Allowed|Quarantined/.test(key)) return fc.boolean();
    if (/CategoryIDs/.test(key)) return fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 3 });
    if (/Profiles/.test(key)) {
      return fc.array(fc.record({ ProfileID: fc.uuid(), ProfileName: fc.string({ maxLength: 8 }) }), {
        maxLength: 2,
      });
    }
    if (key === 'Action') return fc.constantFrom('login', 'logout', 'allow', 'block', 'isolate');
    if (key === 'PostureEvaluatedResult') return fc.boolean();
    if (/ID$/.test(key))
      return fc.oneof(
        fc.uuid(),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 }),
      );
    return fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 }));
  };
  return fc
    .subarray([...LOGPUSH_FIELD_HINTS], { minLength: 3, maxLength: 12 })
    .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, value(k)]))));
}

// ---------------------------------------------------------------------------------------------------
// Requests: a draft built from an operation, mutated, then rendered to bytes
// ---------------------------------------------------------------------------------------------------

/** A request as sent: method, raw URL, header lines (duplicates allowed) and body bytes. */
export interface FuzzRequest {
  readonly operationId: string;
  readonly method: string;
  /** The request target exactly as written on the request line. */
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly payload: Buffer | undefined;
  /** What was done to the generated request (empty: a valid-ish request). */
  readonly mutations: readonly string[];
  /** Whether method and path still address the operation (so its 200 schema applies). */
  readonly exact: boolean;
}

type DraftBody =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'ndjson'; values: unknown[] }
  | { kind: 'bytes'; bytes: Buffer };

interface PathValue {
  value: string;
  /** Written as is (not percent-encoded). */
  raw: boolean;
}

/** A request being built; mutations edit it in place. */
export interface Draft {
  method: string;
  prefix: string;
  template: string;
  pathValues: Map<string, PathValue>;
  query: { key: string; value: string; raw: boolean }[];
  headers: [string, string][];
  body: DraftBody;
  /** Post-processing of the encoded body (gzip, multipart framing…). */
  encode: ((bytes: Buffer) => Buffer)[];
  /** Rewrites of the rendered path (traversal, long URLs…). */
  pathRewrite: ((path: string) => string)[];
  mutations: string[];
  exact: boolean;
}

/** Credentials the generated requests use. */
export interface Credentials {
  readonly admin: string;
  /** `Zero Trust Read` only. */
  readonly readOnly: string;
  /** All permissions, on another account. */
  readonly otherAccount: string;
}

/** Options of the generators. */
export interface GenOptions {
  /** The transport can send raw bytes (unknown methods, raw traversal, invalid UTF-8 in the path). */
  readonly raw: boolean;
  /** Allow bodies larger than the 1 MiB limit and gzip bombs (slower; the long run). */
  readonly large: boolean;
}

function authHeaders(kind: string, creds: Credentials): [string, string][] {
  switch (kind) {
    case 'admin':
      return [['authorization', `Bearer ${creds.admin}`]];
    case 'none':
      return [];
    case 'garbage':
      return [['authorization', 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']];
    case 'read-only':
      return [['authorization', `Bearer ${creds.readOnly}`]];
    case 'other-account':
      return [['authorization', `Bearer ${creds.otherAccount}`]];
    case 'global-key':
      return [
        ['x-auth-email', 'nobody@example.com'],
        ['x-auth-key', 'c2547eb745079dac9320b638f5e225cf483cc5cfdda41'],
      ];
    case 'basic':
      return [['authorization', 'Basic dXNlcjpwYXNz']];
    case 'lowercase-scheme':
      return [['authorization', `bearer ${creds.admin}`]];
    case 'bearer-only':
      return [['authorization', 'Bearer']];
    case 'token-injection':
      return [['authorization', `Bearer ${creds.admin}' OR 1=1 --`]];
    default:
      return [['authorization', `Bearer ${creds.admin}`]];
  }
}

const AUTH_KINDS = fc.oneof(
  { arbitrary: fc.constant('admin'), weight: 40 },
  { arbitrary: fc.constantFrom('lowercase-scheme'), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      'none',
      'garbage',
      'read-only',
      'other-account',
      'global-key',
      'basic',
      'bearer-only',
      'token-injection',
    ),
    weight: 8,
  },
);

function baseDraftArb(op: FuzzOperation, spec: FuzzSpec, pools: Pools, creds: Credentials) {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const pathArb = fc.record(
    Object.fromEntries(pathParams.map((p) => [p.name, valueArb(p.schema, pools, p.name).map(String)])),
  );
  const queryArb = fc.record(
    Object.fromEntries(queryParams.map((p) => [p.name, valueArb(p.schema, pools, p.name).map(String)])),
    { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) },
  );
  const responseResult = rec(rec(op.successSchema?.properties).result);
  let bodyArb: fc.Arbitrary<DraftBody>;
  if (op.body) {
    const valid = valueArb(op.body.schema, pools, undefined, 0, responseResult);
    const items = rec(op.body.schema.items);
    const shapes: fc.Arbitrary<DraftBody>[] = [valid.map((value) => ({ kind: 'json' as const, value }))];
    if (op.body.schema.type === 'array') {
      // Ingestion endpoints also take NDJSON and `{ "events": [...] }`.
      shapes.push(
        fc
          .array(valueArb(items, pools), { minLength: 1, maxLength: 4 })
          .map((values) => ({ kind: 'ndjson' as const, values })),
        valid.map((value) => ({ kind: 'json' as const, value: { events: value } })),
      );
    }
    bodyArb = op.body.required
      ? fc.oneof(...shapes)
      : fc.oneof({ arbitrary: fc.oneof(...shapes), weight: 4 }, fc.constant({ kind: 'none' as const }));
  } else if (op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH') {
    // A body the document does not describe (raw ingestion): NDJSON or a JSON array of records.
    bodyArb = fc.oneof(
      fc
        .array(logpushLikeRecordArb(pools), { minLength: 1, maxLength: 4 })
        .map((values) => ({ kind: 'ndjson' as const, values })),
      fc
        .array(logpushLikeRecordArb(pools), { minLength: 1, maxLength: 4 })
        .map((value) => ({ kind: 'json' as const, value })),
      fc.constant({ kind: 'none' as const }),
    );
  } else {
    bodyArb = fc.constant({ kind: 'none' as const });
  }
  return fc
    .record({
      prefix: fc.constantFrom(...spec.prefixes),
      path: pathArb,
      query: queryArb,
      body: bodyArb,
      auth: AUTH_KINDS,
      gzip: fc.nat(9).map((n) => n === 0),
    })
    .map(({ prefix, path, query, body, auth, gzip }): Draft => {
      const headers = authHeaders(auth, creds);
      if (body.kind !== 'none') {
        headers.push(['content-type', body.kind === 'ndjson' ? 'application/x-ndjson' : 'application/json']);
      }
      const encode: ((b: Buffer) => Buffer)[] = [];
      if (gzip && body.kind !== 'none' && !op.body?.required) {
        headers.push(['content-encoding', 'gzip']);
        encode.push((b) => gzipSync(b));
      }
      return {
        method: op.method,
        prefix,
        template: op.path,
        pathValues: new Map(Object.entries(path).map(([k, v]) => [k, { value: String(v), raw: false }])),
        query: Object.entries(query).map(([key, value]) => ({ key, value: String(value), raw: false })),
        headers,
        body,
        encode,
        pathRewrite: [],
        mutations: auth === 'admin' ? [] : [`auth:${auth}`],
        exact: true,
      };
    });
}

/** A change to a draft, with a label for reports. */
export interface Mutation {
  readonly label: string;
  apply(draft: Draft): void;
}

function mutation(label: string, apply: (d: Draft) => void): Mutation {
  return { label, apply };
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** Every node of a JSON value, by path (the root is `[]`). */
function jsonPaths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (out.length > 200 || value instanceof RawJson) return out;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) jsonPaths(v, [...prefix, i], out);
  } else if (isRecord(value)) for (const [k, v] of Object.entries(value)) jsonPaths(v, [...prefix, k], out);
  return out;
}

function cloneJson(value: unknown): unknown {
  if (value instanceof RawJson) return value;
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)]));
  return value;
}

/** Sets (or, with `remove`, deletes) the node at a path of the draft's JSON body. */
function editBody(
  d: Draft,
  pathIndex: number,
  edit: (parent: unknown, key: string | number) => void,
  replaceRoot: (root: unknown) => unknown,
): void {
  let root: unknown;
  if (d.body.kind === 'json') root = d.body.value;
  else if (d.body.kind === 'ndjson') root = d.body.values;
  else root = {};
  root = cloneJson(root);
  const paths = jsonPaths(root);
  const path = pick(paths, pathIndex) ?? [];
  if (path.length === 0) {
    root = replaceRoot(root);
  } else {
    let parent: unknown = root;
    for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[step];
    const last = path[path.length - 1];
    if (last !== undefined) edit(parent, last);
  }
  if (d.body.kind === 'ndjson' && Array.isArray(root)) d.body = { kind: 'ndjson', values: root };
  else d.body = { kind: 'json', value: root };
  if (!d.headers.some(([k]) => k === 'content-type')) d.headers.push(['content-type', 'application/json']);
}

function setAt(d: Draft, pathIndex: number, value: unknown): void {
  editBody(
    d,
    pathIndex,
    (parent, key) => {
      (parent as Record<string | number, unknown>)[key] = value;
    },
    () => value,
  );
}

const stringArbitraryHuge = fc.constantFrom(
  'x'.repeat(100_000),
  '😀'.repeat(50_000),
  '\u0000'.repeat(100_000),
  '<'.repeat(100_000),
  'é'.repeat(100_000),
);

function bodyMutationArb(): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  return fc.oneof(
    fc
      .tuple(at, fc.constantFrom(...WRONG_TYPES))
      .map(([i, v]) => mutation(`body:wrong-type(${JSON.stringify(v)})`, (d) => setAt(d, i, cloneJson(v)))),
    at.map((i) =>
      mutation('body:drop-member', (d) =>
        editBody(
          d,
          i,
          (parent, key) => {
            if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
            else delete (parent as Record<string | number, unknown>)[key];
          },
          () => ({}),
        ),
      ),
    ),
    fc
      .tuple(
        at,
        fc.constantFrom(
          'extra',
          '__proto__',
          'constructor',
          'prototype',
          '',
          '$where',
          'toString',
          'a'.repeat(1000),
        ),
        fc.constantFrom<unknown>(1, 'x', { polluted: true }, [], null, { toString: 1 }),
      )
      .map(([i, key, v]) =>
        mutation(`body:extra-member(${key.slice(0, 20)})`, (d) => {
          const addTo = (target: unknown) => {
            if (isRecord(target))
              Object.defineProperty(target, key, {
                value: cloneJson(v),
                enumerable: true,
                configurable: true,
                writable: true,
              });
          };
          editBody(
            d,
            i,
            (parent, k) => addTo((parent as Record<string | number, unknown>)[k]),
            (root) => {
              addTo(root);
              return root;
            },
          );
        }),
      ),
    fc.tuple(at, stringArbitraryHuge).map(([i, s]) => mutation('body:huge-string', (d) => setAt(d, i, s))),
    fc
      .tuple(at, fc.constantFrom(...HUGE_NUMBERS))
      .map(([i, n]) => mutation(`body:number(${n})`, (d) => setAt(d, i, new RawJson(n)))),
    fc
      .tuple(at, fc.constantFrom(...INJECTIONS))
      .map(([i, s]) => mutation(`body:injection(${JSON.stringify(s.slice(0, 30))})`, (d) => setAt(d, i, s))),
    fc
      .tuple(at, fc.constantFrom<'array' | 'object'>('array', 'object'), fc.constantFrom(1000, 10_000))
      .map(([i, kind, levels]) =>
        mutation(`body:deep-nesting(${kind},${levels})`, (d) => setAt(d, i, deepNesting(levels, kind))),
      ),
    fc.tuple(at, fc.nat(INVALID_UTF8_BYTES.length - 1)).map(([i, b]) =>
      mutation(`body:invalid-utf8-in-string(${INVALID_UTF8_BYTES[b]?.toString('hex')})`, (d) => {
        setAt(d, i, INVALID_UTF8_SENTINEL);
        const bytes = INVALID_UTF8_BYTES[b] ?? Buffer.from([0xff]);
        d.encode.unshift((buf) => replaceAll(buf, Buffer.from(INVALID_UTF8_SENTINEL), bytes));
      }),
    ),
    fc.constantFrom(...RAW_BODIES).map(([label, bytes]) =>
      mutation(`body:replace(${label})`, (d) => {
        d.body = { kind: 'bytes', bytes };
      }),
    ),
    fc.constant(
      mutation('body:duplicate-keys', (d) => {
        const text = d.body.kind === 'json' ? serializeJson(d.body.value) : '{}';
        const dup =
          text.startsWith('{') && text.length > 2 ? `{"behaviors":{},"tenant_url":1,${text.slice(1)}` : text;
        d.body = { kind: 'bytes', bytes: Buffer.from(dup) };
      }),
    ),
  );
}

function replaceAll(buf: Buffer, search: Buffer, replacement: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = buf.indexOf(search, from);
    if (at < 0) break;
    parts.push(buf.subarray(from, at), replacement);
    from = at + search.length;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/** Whole bodies that are not what any endpoint wants. */
const RAW_BODIES: readonly (readonly [string, Buffer])[] = [
  ['empty', Buffer.alloc(0)],
  ['space', Buffer.from(' ')],
  ['null', Buffer.from('null')],
  ['array', Buffer.from('[]')],
  ['string', Buffer.from('"str"')],
  ['number', Buffer.from('123')],
  ['true', Buffer.from('true')],
  ['open-brace', Buffer.from('{')],
  ['truncated', Buffer.from('{"behaviors":{"imp_travel":')],
  ['trailing-garbage', Buffer.from('{}xyz')],
  ['bom', Buffer.from('\ufeff{}')],
  ['utf16le', Buffer.from('{"reason":"x"}', 'utf16le')],
  ['lone-surrogate', Buffer.from('{"reason":"\\ud800","tenant_url":"https://a.b/\\udfff"}')],
  ['nul-bytes', Buffer.from([0x7b, 0x00, 0x7d])],
  [
    'invalid-utf8',
    Buffer.concat([Buffer.from('{"reason":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}')]),
  ],
  ['binary', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x1f, 0x8b])],
  ['gzip-magic', Buffer.from([0x1f, 0x8b, 0x08, 0x00])],
  ['form', Buffer.from('reason=x&tenant_url=https%3A%2F%2Fa.b')],
  ['ndjson-garbage', Buffer.from('{"id":1}\nnot json\n\n{}\n')],
  ['deep-array', Buffer.from(deepNesting(10_000, 'array').text)],
  ['deep-object', Buffer.from(deepNesting(10_000, 'object').text)],
  ['proto', Buffer.from('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')],
  ['many-keys', Buffer.from(`{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`)],
  ['big-number-array', Buffer.from(`[${Array.from({ length: 20_000 }, () => '1e308').join(',')}]`)],
];

function contentTypeMutationArb(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.constantFrom(...CONTENT_TYPES).map((ct) =>
      mutation(`content-type:${ct.slice(0, 40)}`, (d) => {
        d.headers = d.headers.filter(([k]) => k !== 'content-type');
        d.headers.push(['content-type', ct]);
        if (ct.startsWith('multipart/')) {
          d.encode.push((b) =>
            Buffer.concat([
              Buffer.from('--ztriskfuzz\r\nContent-Disposition: form-data; name="file"\r\n\r\n'),
              b,
              Buffer.from('\r\n--ztriskfuzz--\r\n'),
            ]),
          );
        }
      }),
    ),
    fc.constant(
      mutation('content-type:none', (d) => {
        d.headers = d.headers.filter(([k]) => k !== 'content-type');
      }),
    ),
    fc.constant(
      mutation('content-type:huge', (d) => {
        d.headers = d.headers.filter(([k]) => k !== 'content-type');
        d.headers.push(['content-type', `application/json; x=${'a'.repeat(10_000)}`]);
      }),
    ),
    fc.constant(
      mutation('header:duplicate-content-type', (d) => {
        d.headers = d.headers.filter(([k]) => k !== 'content-type');
        d.headers.push(['content-type', 'text/plain'], ['content-type', 'application/json']);
      }),
    ),
  );
}

let bomb: Buffer | undefined;
/** 24 MiB of zeros, gzipped (~24 KiB): over every decompressed-size limit. */
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(24 * 1024 * 1024));
  return bomb;
}

function encodingMutationArb(options: GenOptions): fc.Arbitrary<Mutation> {
  const setEncoding = (d: Draft, value: string) => {
    d.headers = d.headers.filter(([k]) => k !== 'content-encoding');
    d.headers.push(['content-encoding', value]);
  };
  const variants: Mutation[] = [
    mutation('encoding:gzip', (d) => {
      setEncoding(d, 'gzip');
      d.encode.push((b) => gzipSync(b));
    }),
    mutation('encoding:gzip-garbage', (d) => {
      setEncoding(d, 'gzip');
      d.encode.push((b) =>
        Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), b, Buffer.from([0xde, 0xad])]),
      );
    }),
    mutation('encoding:gzip-truncated', (d) => {
      setEncoding(d, 'gzip');
      d.encode.push((b) => {
        const z = gzipSync(b);
        return z.subarray(0, Math.max(3, Math.floor(z.length / 2)));
      });
    }),
    mutation('encoding:gzip-header-plain-body', (d) => setEncoding(d, 'gzip')),
    mutation('encoding:gzip-twice', (d) => {
      setEncoding(d, 'gzip');
      d.encode.push((b) => gzipSync(gzipSync(b)));
    }),
    mutation('encoding:br', (d) => setEncoding(d, 'br')),
    mutation('encoding:deflate', (d) => setEncoding(d, 'deflate')),
    mutation('encoding:list', (d) => setEncoding(d, 'gzip, identity')),
    mutation('encoding:injection', (d) => setEncoding(d, "gzip' OR 1=1 --")),
  ];
  if (options.large) {
    variants.push(
      mutation('encoding:gzip-bomb', (d) => {
        setEncoding(d, 'gzip');
        d.body = { kind: 'bytes', bytes: Buffer.alloc(0) };
        d.encode = [() => gzipBomb()];
      }),
      mutation('body:over-1MiB', (d) => {
        d.body = { kind: 'bytes', bytes: Buffer.from(`{"reason":"${'x'.repeat(1_100_000)}"}`) };
      }),
      mutation('body:over-10MiB', (d) => {
        d.body = { kind: 'bytes', bytes: Buffer.from(`[${'{"id":"x"},'.repeat(1_000_000)}{}]`) };
      }),
    );
  }
  return fc.constantFrom(...variants);
}

/** Header values an HTTP/1.1 request line can carry (no CR, LF or NUL). */
function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is removing control characters
  return value.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '%00').replace(/[^\u0000-\u00ff]/g, '?');
}

function headerMutationArb(creds: Credentials): fc.Arbitrary<Mutation> {
  const headerNames = [
    'x-request-id',
    'accept',
    'user-agent',
    'x-auth-email',
    'x-auth-key',
    'api-version',
    'cookie',
    'x-forwarded-for',
    'x-forwarded-host',
    'origin',
    'accept-encoding',
    'transfer-encoding-x',
    'x-http-method-override',
    'expect',
  ];
  return fc.oneof(
    fc.tuple(fc.constantFrom(...headerNames), fc.constantFrom(...INJECTIONS)).map(([name, value]) =>
      mutation(`header:${name}=${JSON.stringify(value.slice(0, 20))}`, (d) => {
        d.headers.push([name, headerSafe(value)]);
      }),
    ),
    fc.constantFrom(...headerNames).map((name) =>
      mutation(`header:${name}=huge`, (d) => {
        d.headers.push([name, 'h'.repeat(100_000)]);
      }),
    ),
    fc.constantFrom('first', 'second').map((which) =>
      mutation(`header:duplicate-authorization(admin ${which})`, (d) => {
        d.headers = d.headers.filter(([k]) => k !== 'authorization');
        const good: [string, string] = ['authorization', `Bearer ${creds.admin}`];
        const bad: [string, string] = ['authorization', 'Bearer garbage'];
        d.headers.push(...(which === 'first' ? [good, bad] : [bad, good]));
      }),
    ),
    fc.constant(
      mutation('header:authorization-injection', (d) => {
        d.headers = d.headers.filter(([k]) => k !== 'authorization');
        d.headers.push(['authorization', "Bearer ' OR 1=1 --"]);
      }),
    ),
    fc.constant(
      mutation('header:authorization-huge', (d) => {
        d.headers = d.headers.filter(([k]) => k !== 'authorization');
        d.headers.push(['authorization', `Bearer ${'A'.repeat(100_000)}`]);
      }),
    ),
    fc.constant(
      mutation('header:content-length-mismatch', (d) => {
        d.headers.push(['x-fuzz-content-length', 'short']);
      }),
    ),
  );
}

function methodMutationArb(options: GenOptions): fc.Arbitrary<Mutation> {
  const methods = options.raw ? [...KNOWN_METHODS, ...RAW_ONLY_METHODS] : KNOWN_METHODS;
  return fc.constantFrom(...methods).map((m) =>
    mutation(`method:${m}`, (d) => {
      if (d.method !== m) d.exact = false;
      d.method = m;
    }),
  );
}

function pathParamMutationArb(options: GenOptions): fc.Arbitrary<Mutation> {
  const values = fc.oneof(
    fc
      .constantFrom(...INJECTIONS)
      .map((v) => ({ label: `injection(${JSON.stringify(v.slice(0, 20))})`, v: { value: v, raw: false } })),
    fc.constantFrom(...TRAVERSALS).map((v) => ({ label: `traversal(${v})`, v: { value: v, raw: true } })),
    fc
      .constantFrom(...TRAVERSALS)
      .map((v) => ({ label: `traversal-encoded(${v})`, v: { value: v, raw: false } })),
    fc
      .constantFrom(...INVALID_UTF8_ESCAPES)
      .map((v) => ({ label: `invalid-utf8(${v})`, v: { value: v, raw: true } })),
    fc
      .constantFrom(1100, 100_000)
      .map((n) => ({ label: `huge(${n})`, v: { value: 'p'.repeat(n), raw: false } })),
    fc.constant({ label: 'empty', v: { value: '', raw: false } }),
    fc.uuid().map((u) => ({ label: 'unknown-uuid', v: { value: u, raw: false } })),
    fc
      .constantFrom('behaviors', 'summary', 'integrations', 'reference_id', 'reset', 'openapi.json')
      .map((v) => ({
        label: `literal(${v})`,
        v: { value: v, raw: false },
      })),
    fc
      .constantFrom(
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        '{00000000-0000-0000-0000-000000000000}',
        '00000000000000000000000000000000',
      )
      .map((v) => ({
        label: `uuid-ish(${v})`,
        v: { value: v, raw: false },
      })),
    ...(options.raw
      ? [
          fc.constantFrom('\xff\xfe', 'a\xc0\xafb', '\xed\xa0\x80').map((v) => ({
            label: 'raw-invalid-utf8-bytes',
            v: { value: v, raw: true },
          })),
        ]
      : []),
  );
  return fc.tuple(fc.nat(), values).map(([i, { label, v }]) =>
    mutation(`path-param:${label}`, (d) => {
      const name = pick([...d.pathValues.keys()], i);
      if (name === undefined) return;
      d.pathValues.set(name, v);
      // A raw value may add or remove segments (`../`): the request may address another route.
      if (v.raw) d.exact = false;
    }),
  );
}

function queryMutationArb(): fc.Arbitrary<Mutation> {
  const names = ['page', 'per_page', 'risk_level', 'order_by', 'direction', 'actor', 'action', 'unknown'];
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...names),
        fc.oneof(fc.constantFrom(...QUERY_VALUES), fc.constantFrom(...INJECTIONS)),
      )
      .map(([key, value]) =>
        mutation(`query:${key}=${JSON.stringify(value.slice(0, 20))}`, (d) => {
          d.query = d.query.filter((q) => q.key !== key);
          d.query.push({ key, value, raw: false });
        }),
      ),
    fc.constantFrom(...names).map((key) =>
      mutation(`query:${key}-duplicated`, (d) => {
        d.query.push({ key, value: '1', raw: false }, { key, value: '2', raw: false });
      }),
    ),
    fc.constantFrom(...names).map((key) =>
      mutation(`query:${key}[]`, (d) => {
        d.query.push(
          { key: `${key}[]`, value: '1', raw: false },
          { key: `${key}[a]`, value: '1', raw: false },
        );
      }),
    ),
    fc
      .constantFrom(
        '__proto__[polluted]=1',
        'constructor[prototype][polluted]=1',
        '__proto__=x',
        '&&=&',
        '=',
        'a=%FF',
        'page=%00',
        'per_page=1%00',
      )
      .map((raw) =>
        mutation(`query:raw(${raw})`, (d) => {
          d.query.push({ key: raw, value: '', raw: true });
        }),
      ),
    fc.constant(
      mutation('query:huge', (d) => {
        d.query.push({ key: 'q', value: 'q'.repeat(100_000), raw: false });
      }),
    ),
  );
}

function urlMutationArb(options: GenOptions): fc.Arbitrary<Mutation> {
  const structural = (label: string, rewrite: (p: string) => string) =>
    mutation(`url:${label}`, (d) => {
      d.exact = false;
      d.pathRewrite.push(rewrite);
    });
  const variants: Mutation[] = [
    structural('append-slash', (p) => `${p}/`),
    structural('append-dot', (p) => `${p}/.`),
    structural('append-dotdot', (p) => `${p}/..`),
    structural('append-encoded-dotdot', (p) => `${p}/%2e%2e%2f`),
    structural('append-nul', (p) => `${p}%00`),
    structural('append-segment', (p) => `${p}/extra`),
    structural('matrix-param', (p) => `${p};jsessionid=1`),
    structural('double-slashes', (p) => p.replace(/\//g, '//')),
    structural('uppercase', (p) => p.toUpperCase()),
    structural('drop-last-segment', (p) => p.replace(/\/[^/]*$/, '')),
    structural('long-path(100k)', (p) => `${p}/${'l'.repeat(100_000)}`),
    structural('many-segments', (p) => `${p}${'/a'.repeat(5000)}`),
    structural('encoded-slashes', (p) => p.replace(/\//g, '%2F')),
    structural('backslashes', (p) => p.replace(/\//g, '\\')),
    structural('prefix-traversal-encoded', (p) => `/client/v4/%2e%2e/%2e%2e${p}`),
    structural('invalid-utf8-segment', (p) => `${p}/%FF%FE`),
  ];
  if (options.raw) {
    variants.push(
      structural('prefix-traversal', (p) => `/client/v4/../..${p}`),
      structural('dot-segments', (p) => p.replace(/\/accounts\//, '/./accounts/x/../')),
      structural('absolute-form', (p) => `http://ztrisk.test${p}`),
      structural('asterisk', () => '*'),
      structural('no-leading-slash', (p) => p.slice(1)),
      structural('raw-invalid-utf8', (p) => `${p}/\xff\xfe`),
      structural('fragment', (p) => `${p}#frag`),
    );
  }
  return fc.constantFrom(...variants);
}

/** One mutation, any family. */
export function mutationArb(creds: Credentials, options: GenOptions): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { arbitrary: bodyMutationArb(), weight: 8 },
    { arbitrary: pathParamMutationArb(options), weight: 5 },
    { arbitrary: queryMutationArb(), weight: 3 },
    { arbitrary: headerMutationArb(creds), weight: 3 },
    { arbitrary: contentTypeMutationArb(), weight: 3 },
    { arbitrary: encodingMutationArb(options), weight: 2 },
    { arbitrary: methodMutationArb(options), weight: 2 },
    { arbitrary: urlMutationArb(options), weight: 2 },
  );
}

/**
 * encodeURIComponent that also writes lone surrogates (as their WTF-8 bytes, `%ED%A0%80`): on the wire
 * they are invalid UTF-8, which is the point.
 */
export function encodeComponent(value: string): string {
  if (!/[\ud800-\udfff]/.test(value)) return encodeURIComponent(value);
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

function encodeSegment(v: PathValue): string {
  return v.raw ? v.value : encodeComponent(v.value);
}

/** Renders a draft to the request as sent. */
export function render(d: Draft, operationId: string): FuzzRequest {
  let path =
    d.prefix +
    d.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const v = d.pathValues.get(name);
      return v ? encodeSegment(v) : '';
    });
  for (const rewrite of d.pathRewrite) path = rewrite(path);
  const query = d.query
    .map((q) => (q.raw ? q.key : `${encodeComponent(q.key)}=${encodeComponent(q.value)}`))
    .join('&');
  let payload: Buffer | undefined;
  switch (d.body.kind) {
    case 'none':
      payload = undefined;
      break;
    case 'json':
      break;
    case 'ndjson':
      payload = Buffer.from(d.body.values.map((v) => serializeJson(v)).join('\n'));
      break;
    case 'bytes':
      payload = d.body.bytes;
      break;
  }
  if (payload !== undefined) for (const e of d.encode) payload = e(payload);
  return {
    operationId,
    method: d.method,
    url: query === '' ? path : `${path}?${query}`,
    headers: d.headers,
    payload,
    mutations: d.mutations,
    exact: d.exact,
  };
}

/**
 * Requests for every operation of the spec: a valid-ish request from the schemas (about a quarter of
 * cases), or one with one to three mutations.
 */
export function requestArb(
  spec: FuzzSpec,
  pools: Pools,
  creds: Credentials,
  options: GenOptions,
): fc.Arbitrary<FuzzRequest> {
  const mutations = mutationArb(creds, options);
  return fc.constantFrom(...spec.operations).chain((op) =>
    fc
      .tuple(
        baseDraftArb(op, spec, pools, creds),
        fc.oneof(
          { arbitrary: fc.constant([]), weight: 1 },
          { arbitrary: fc.array(mutations, { minLength: 1, maxLength: 3 }), weight: 3 },
        ),
      )
      .map(([draft, ms]) => {
        for (const m of ms) {
          m.apply(draft);
          draft.mutations.push(m.label);
        }
        return render(draft, op.operationId);
      }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Transports
// ---------------------------------------------------------------------------------------------------

/** A response as observed on the wire. */
export interface Observed {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends a request to the app. */
export type Transport = (req: FuzzRequest) => Promise<Observed>;

/** In-process: Fastify's `inject` (light-my-request; the URL is normalized like a WHATWG URL). */
export function injectTransport(t: TestApp): Transport {
  return async (req) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of req.headers) {
      if (k === 'x-fuzz-content-length') continue;
      const prev = headers[k];
      headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    const method = KNOWN_METHODS.includes(req.method) ? req.method : 'GET';
    const res = await t.app.inject({
      method: method as 'GET',
      url: req.url,
      headers,
      ...(req.payload !== undefined ? { payload: req.payload } : {}),
    });
    return {
      status: res.statusCode,
      headers: res.headers as Record<string, string | string[] | undefined>,
      body: res.body,
    };
  };
}

/**
 * Over a real socket: the request is written byte for byte (raw URL, repeated header lines, unknown
 * methods), so Node's HTTP parser and Fastify's client-error path are exercised too.
 */
export function httpTransport(port: number, timeoutMs = 15_000): Transport {
  return (req) =>
    new Promise<Observed>((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no complete response within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', (e) => {
        // A reset after a complete response still counts as the response.
        clearTimeout(timer);
        const parsed = parseHttpResponse(Buffer.concat(chunks));
        if (parsed) resolve(parsed);
        else reject(e);
      });
      socket.on('end', () => {
        clearTimeout(timer);
        const parsed = parseHttpResponse(Buffer.concat(chunks));
        if (parsed) resolve(parsed);
        else
          reject(new Error(`connection closed without a response (${Buffer.concat(chunks).length} bytes)`));
      });
      socket.on('connect', () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`, 'host: ztrisk.test', 'connection: close'];
        const short = req.headers.some(([k]) => k === 'x-fuzz-content-length');
        for (const [k, v] of req.headers) if (k !== 'x-fuzz-content-length') lines.push(`${k}: ${v}`);
        if (req.payload !== undefined) {
          lines.push(`content-length: ${short ? Math.max(0, req.payload.length - 1) : req.payload.length}`);
        }
        const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
        socket.write(req.payload ? Buffer.concat([head, req.payload]) : head);
      });
    });
}

function parseHttpResponse(input: Buffer): Observed | undefined {
  let raw = input;
  // Interim responses (`100 Continue` after `Expect: 100-continue`) precede the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 16).toString('latin1'))) {
    const interimEnd = raw.indexOf('\r\n\r\n');
    if (interimEnd < 0) return undefined;
    raw = raw.subarray(interimEnd + 4);
  }
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m?.[1]) return undefined;
  const headers: Record<string, string | string[] | undefined> = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    const prev = headers[k];
    headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  let body = raw.subarray(end + 4);
  if (String(headers['transfer-encoding'] ?? '').includes('chunked')) body = dechunk(body);
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

// ---------------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------------

const STATUS_OF_CODE = new Map<number, Set<number>>();
for (const row of Object.values(ERROR_TABLE)) {
  const set = STATUS_OF_CODE.get(row.code) ?? new Set<number>();
  set.add(row.status);
  STATUS_OF_CODE.set(row.code, set);
}
/**
 * Statuses the HTTP parser's client-error handler answers before any route runs (malformed request 400,
 * request timeout 408, oversized head 431), with code 1001 and no request id (src/api/app.ts
 * `writeClientError`): only a real socket can see them.
 */
const PRE_ROUTING_STATUSES = new Set([400, 408, 431]);

const successAjv = new Ajv({ strict: false, allErrors: true });
addFormats(successAjv);
successAjv.addFormat('http-url', true);
successAjv.addFormat('ip-address', true);
const successValidators = new WeakMap<JsonSchema, ValidateFunction | null>();

function successValidator(schema: JsonSchema): ValidateFunction | null {
  if (!successValidators.has(schema)) {
    try {
      successValidators.set(schema, successAjv.compile(schema));
    } catch {
      successValidators.set(schema, null);
    }
  }
  return successValidators.get(schema) ?? null;
}

const CLOUDFLARE_IDS = new Set(CLOUDFLARE_OPERATION_IDS);

/** Options of the invariants. */
export interface InvariantOptions {
  /** Statuses ≥ 500 that are deliberate (none by default: ztrisk configures no 503). */
  readonly allowedServerStatuses?: ReadonlySet<number>;
}

function headerString(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** The operation a request path and method address, if any (first match wins, literals first). */
function routeOf(spec: FuzzSpec, method: string, url: string): FuzzOperation | undefined {
  const path = url.split('?')[0] ?? '';
  const candidates = spec.operations.filter((o) => o.method === method && o.pattern.test(path));
  // Prefer the operation with the most literal segments (literal siblings win, API.md §1).
  return candidates.sort((a, b) => literalCount(b.path) - literalCount(a.path))[0];
}

function literalCount(path: string): number {
  return path.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;
}

/**
 * The response invariants (API.md §3, §6): never a 5xx, always JSON, the v4 envelope (success shape, or
 * Cloudflare's failure schema with codes and statuses from the error table), SSF's `{err, description}`
 * where documented, the documented 200 schema (and Cloudflare's) for exact requests, an `x-request-id`.
 * Returns the violations (empty: all hold).
 */
export function checkResponse(
  spec: FuzzSpec,
  req: FuzzRequest,
  res: Observed,
  options: InvariantOptions = {},
  transport: 'inject' | 'http' = 'inject',
): string[] {
  const violations: string[] = [];
  if (res.status >= 500 && !options.allowedServerStatuses?.has(res.status)) {
    violations.push(`5xx: status ${res.status}`);
  }
  if (res.status < 100 || res.status > 599) violations.push(`impossible status ${res.status}`);
  const contentType = headerString(res.headers['content-type']);
  if (!/^application\/json\b/i.test(contentType)) {
    violations.push(`content-type is ${JSON.stringify(contentType)}, not JSON`);
  }
  if (req.method === 'HEAD' && res.body === '') return violations;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    violations.push(`body is not JSON: ${JSON.stringify(res.body.slice(0, 200))}`);
    return violations;
  }
  const op = routeOf(spec, req.method, req.url);
  const format: ErrorFormat = op?.errorFormat ?? 'envelope';
  if (format === 'ssf') {
    const b = rec(body);
    if (res.status >= 400 && (typeof b.err !== 'string' || !('description' in b))) {
      violations.push(`not an SSF error {err, description}: ${JSON.stringify(body).slice(0, 300)}`);
    }
    return violations;
  }
  if (format === 'json') return violations;
  if (res.status >= 400) {
    try {
      assertValidFailure(body);
    } catch (e) {
      violations.push(`invalid failure envelope: ${(e as Error).message.slice(0, 400)}`);
    }
    for (const item of list(rec(body).errors)) {
      const code = rec(item).code;
      const statuses = typeof code === 'number' ? STATUS_OF_CODE.get(code) : undefined;
      const preRouting = transport === 'http' && code === 1001 && PRE_ROUTING_STATUSES.has(res.status);
      if (!statuses) violations.push(`error code ${String(code)} is not in the error table`);
      else if (!statuses.has(res.status) && !preRouting) {
        violations.push(
          `error code ${String(code)} with status ${res.status} (table: ${[...statuses].join('/')})`,
        );
      }
    }
  } else {
    const b = rec(body);
    if (
      b.success !== true ||
      !Array.isArray(b.errors) ||
      b.errors.length > 0 ||
      !Array.isArray(b.messages) ||
      !('result' in b)
    ) {
      violations.push(`invalid success envelope: ${JSON.stringify(body).slice(0, 300)}`);
    }
    if (req.exact && op && op.operationId === req.operationId) {
      const validate = op.successSchema ? successValidator(op.successSchema) : null;
      if (validate && !validate(body)) {
        violations.push(
          `200 not valid against ztrisk's OpenAPI (${op.operationId}): ${successAjv.errorsText(validate.errors)}`,
        );
      }
      if (CLOUDFLARE_IDS.has(op.operationId)) {
        try {
          assertValidResponse(op.operationId, res.status, body);
        } catch (e) {
          violations.push((e as Error).message.slice(0, 400));
        }
      }
    }
  }
  const parserAnswered =
    transport === 'http' &&
    PRE_ROUTING_STATUSES.has(res.status) &&
    /close/i.test(headerString(res.headers.connection));
  if (!headerString(res.headers['x-request-id']) && !parserAnswered) {
    violations.push('no x-request-id header');
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------------
// The target: an app with fixtures, state snapshots and a health probe
// ---------------------------------------------------------------------------------------------------

/** Options of a fuzz target. */
export interface TargetOptions {
  /** `inject` (in-process) or `http` (a listening server, raw sockets). */
  readonly transport: 'inject' | 'http';
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/** True when a request may change state (so a rejection must leave state as it was). */
export function isMutation(req: FuzzRequest): boolean {
  return WRITE_METHODS.has(req.method.toUpperCase());
}

/** A ztrisk app under fuzz: fixtures, credentials, transport, snapshots, health. */
export interface FuzzTarget {
  readonly t: TestApp;
  readonly spec: FuzzSpec;
  readonly pools: Pools;
  readonly creds: Credentials;
  readonly send: Transport;
  readonly transport: 'inject' | 'http';
  /** The account's observable state, as a canonical string (also refreshes the pools). */
  snapshot(): Promise<string>;
  /** True when the app still answers a request that must succeed. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

const SNAPSHOT_PATHS = [
  `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`,
  `/client/v4/accounts/${ACCOUNT}/ztrisk/behavior_settings`,
  `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations`,
  `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/summary?per_page=1000&order_by=event_count&direction=desc`,
  `/client/v4/accounts/${ACCOUNT}/ztrisk/audit?per_page=1`,
];

/** Starts an app on a fresh in-memory store with fixtures: behaviors on, users with events, integrations. */
export async function startFuzzTarget(options: TargetOptions): Promise<FuzzTarget> {
  const t = await startTestApp();
  await enableBehaviors(t.services, ACCOUNT, {
    imp_travel: 'high',
    high_dlp: 'medium',
    failed_logins: 'low',
  });
  const users = [randomUUID(), randomUUID(), randomUUID()];
  await t.services.risk.recordFindings(
    ACCOUNT,
    users.flatMap((userId, i) => [
      aFinding({ userId, behavior: 'failed_logins', timestamp: `2026-03-0${i + 1}T08:00:00.000Z` }),
      aFinding({ userId, behavior: 'high_dlp', timestamp: `2026-03-0${i + 1}T09:00:00.000Z` }),
    ]),
  );
  for (const ref of ['ref-1', 'ref-2', "ref' OR 1=1 --"]) {
    await t.services.integrations.create(
      ACCOUNT,
      { integrationType: 'Okta', tenantUrl: 'https://acme.okta.com', referenceId: ref },
      'cli',
    );
  }
  const creds: Credentials = {
    admin: t.adminToken,
    readOnly: await t.token(['Zero Trust Read']),
    otherAccount: await t.token(
      ['Zero Trust Read', 'Zero Trust Write', 'Zero Trust: PII Read'],
      [OTHER_ACCOUNT],
    ),
  };
  const docRes = await t.app.inject({ method: 'GET', url: '/client/v4/openapi.json' });
  if (docRes.statusCode !== 200) throw new Error(`GET /client/v4/openapi.json answered ${docRes.statusCode}`);
  const spec = readSpec(JSON.parse(docRes.body));
  if (spec.operations.length === 0) throw new Error('the OpenAPI document has no operations');
  let send: Transport = injectTransport(t);
  if (options.transport === 'http') {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    send = httpTransport(address.port);
  }
  const pools = newPools();
  pools.user_id.push(...users);
  for (const op of spec.operations) for (const p of op.params) if (p.in === 'path') pools[p.name] ??= [];
  const adminGet = async (url: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${creds.admin}` },
    });
    if (res.statusCode !== 200)
      throw new Error(`snapshot GET ${url} answered ${res.statusCode}: ${res.body}`);
    return rec(JSON.parse(res.body));
  };
  const target: FuzzTarget = {
    t,
    spec,
    pools,
    creds,
    send,
    transport: options.transport,
    async snapshot() {
      const [behaviors, settings, integrations, summary, audit] = await Promise.all(
        SNAPSHOT_PATHS.map(adminGet),
      );
      const integrationList = list(integrations?.result).map(rec);
      const userList = list(rec(summary?.result).users).map(rec);
      // Refresh the pools from what exists now (fuzzed creates and deletes change it).
      pools.integration_id = integrationList.map((i) => String(i.id));
      pools.reference_id = integrationList
        .map((i) => String(i.reference_id))
        .filter((r) => r !== 'undefined');
      pools.user_id = [...new Set([...users, ...userList.map((u) => String(u.user_id))])].slice(0, 50);
      return JSON.stringify({
        behaviors: behaviors?.result,
        settings: settings?.result,
        integrations: [...integrationList].sort((a, b) => String(a.id).localeCompare(String(b.id))),
        summary: summary?.result,
        summaryInfo: summary?.result_info,
        auditCount: rec(audit?.result_info).total_count,
      });
    },
    async healthy() {
      try {
        const res = await send({
          operationId: 'health',
          method: 'GET',
          url: '/client/v4/user/tokens/verify',
          headers: [['authorization', `Bearer ${creds.admin}`]],
          payload: undefined,
          mutations: [],
          exact: false,
        });
        return res.status === 200;
      } catch {
        return false;
      }
    },
    close: () => t.close(),
  };
  await target.snapshot();
  return target;
}

/** The outcome of one case. */
export interface CaseResult {
  readonly status: number | undefined;
  readonly errorCodes: readonly number[];
  readonly violations: readonly string[];
  readonly ms: number;
}

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).length;

/**
 * Sends one request and checks every invariant: the response's, the process's (still answering, no
 * prototype pollution) and, for a rejected mutation, that the account's state is unchanged.
 */
export async function runCase(
  target: FuzzTarget,
  req: FuzzRequest,
  options: InvariantOptions = {},
): Promise<CaseResult> {
  const started = performance.now();
  const violations: string[] = [];
  const mutation = isMutation(req);
  const before = mutation ? await target.snapshot() : undefined;
  let res: Observed | undefined;
  try {
    res = await target.send(req);
  } catch (e) {
    violations.push(`no response: ${(e as Error).message}`);
  }
  let errorCodes: number[] = [];
  if (res?.status === 200 && req.method === 'GET' && req.exact) harvestIds(target, req, res);
  if (res) {
    violations.push(...checkResponse(target.spec, req, res, options, target.transport));
    try {
      errorCodes = list(rec(JSON.parse(res.body)).errors)
        .map((e) => rec(e).code)
        .filter((c): c is number => typeof c === 'number');
    } catch {
      errorCodes = [];
    }
    // A Content-Length one byte short puts two requests on a socket: the first (complete) may succeed
    // while the parser answers 400 for the leftover byte before the first response is written (Node's
    // behavior). The 400 is not about the mutation, so its state is not compared.
    const twoRequests =
      target.transport === 'http' && req.headers.some(([k]) => k === 'x-fuzz-content-length');
    if (before !== undefined && res.status >= 400 && !twoRequests) {
      const after = await target.snapshot();
      if (after !== before) {
        violations.push(
          `state changed by a rejected request (${res.status}): ${firstDifference(before, after)}`,
        );
      }
    } else if (mutation) {
      await target.snapshot();
    }
  }
  if (Object.getOwnPropertyNames(Object.prototype).length !== prototypeKeys || 'polluted' in {}) {
    violations.push('Object.prototype was polluted');
  }
  if (!(await target.healthy()))
    violations.push('the app no longer answers GET /client/v4/user/tokens/verify');
  return { status: res?.status, errorCodes, violations, ms: performance.now() - started };
}

/**
 * Ids listed by a collection (`GET …/streams` → `result[].id`) feed the pool of the path parameter that
 * addresses one of them in the operations below it (`…/streams/{stream_id}/…`), so routes added later get
 * existing targets without fixtures written for them.
 */
function harvestIds(target: FuzzTarget, req: FuzzRequest, res: Observed): void {
  const op = target.spec.operations.find((o) => o.operationId === req.operationId);
  if (!op) return;
  const child = new RegExp(`^${escapeRegExp(op.path)}/\\{([^}]+)\\}`);
  const names = new Set(
    target.spec.operations.map((o) => child.exec(o.path)?.[1]).filter((n): n is string => n !== undefined),
  );
  if (names.size === 0) return;
  let result: unknown;
  try {
    result = rec(JSON.parse(res.body)).result;
  } catch {
    return;
  }
  const items = Array.isArray(result) ? result : Object.values(rec(result)).find((v) => Array.isArray(v));
  const ids = list(items)
    .map((i) => rec(i).id)
    .filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) return;
  for (const name of names)
    target.pools[name] = [...new Set([...(target.pools[name] ?? []), ...ids])].slice(-50);
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return `…${a.slice(Math.max(0, i - 80), i + 80)}… became …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

/** A request as a reproducible description (curl for small bodies, sizes for large ones). */
export function describeRequest(req: FuzzRequest): string {
  const url = req.url.length > 300 ? `${req.url.slice(0, 300)}…(${req.url.length} chars)` : req.url;
  const headers = req.headers
    .map(([k, v]) => `  ${k}: ${v.length > 120 ? `${v.slice(0, 120)}…(${v.length} chars)` : v}`)
    .join('\n');
  let body = '  (none)';
  if (req.payload) {
    const printable = /^[\x20-\x7e\n\t]*$/.test(req.payload.toString('latin1'));
    body =
      req.payload.length <= 600 && printable
        ? `  ${req.payload.toString('latin1')}`
        : `  ${req.payload.length} bytes, starts ${JSON.stringify(req.payload.subarray(0, 160).toString('latin1'))} (hex ${req.payload.subarray(0, 32).toString('hex')})`;
  }
  return [
    `${req.method} ${url}`,
    `operation: ${req.operationId}; mutations: ${req.mutations.join(', ') || '(none)'}`,
    'headers:',
    headers || '  (none)',
    'body:',
    body,
  ].join('\n');
}

/** Running counts of a fuzz session. */
export class FuzzStats {
  requests = 0;
  readonly byStatus = new Map<string, number>();
  readonly byCode = new Map<number, number>();
  readonly byOperation = new Map<string, number>();
  readonly byMutationFamily = new Map<string, number>();
  /** Distinct failures by signature, with the first example. */
  readonly failures = new Map<string, { count: number; example: string; violations: readonly string[] }>();
  stateChecks = 0;

  record(req: FuzzRequest, result: CaseResult): void {
    this.requests += 1;
    const status = result.status === undefined ? 'none' : String(result.status);
    bump(this.byStatus, status);
    for (const c of new Set(result.errorCodes)) bump(this.byCode, c);
    bump(this.byOperation, req.operationId);
    for (const m of new Set(req.mutations.map((l) => l.split(/[:(]/)[0] ?? l)))
      bump(this.byMutationFamily, m);
    if (isMutation(req) && (result.status ?? 0) >= 400) this.stateChecks += 1;
    for (const v of result.violations) {
      const signature = `${status} ${violationKind(v)}`;
      const prev = this.failures.get(signature);
      if (prev) prev.count += 1;
      else
        this.failures.set(signature, {
          count: 1,
          example: describeRequest(req),
          violations: result.violations,
        });
    }
  }

  /** A plain-text table of the counts. */
  table(): string {
    const lines: string[] = [];
    const section = (title: string, m: Map<string | number, number>) => {
      lines.push(title);
      for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1])) {
        lines.push(`  ${String(k).padEnd(56)} ${String(v).padStart(8)}`);
      }
    };
    lines.push(`requests: ${this.requests}   rejected mutations with state checked: ${this.stateChecks}`);
    section('by status', this.byStatus);
    section(`distinct error codes (${this.byCode.size})`, this.byCode as Map<string | number, number>);
    section('by operation', this.byOperation);
    section('by mutation family', this.byMutationFamily);
    lines.push(`failures: ${this.failures.size} distinct`);
    for (const [sig, f] of this.failures) lines.push(`  ${f.count}× ${sig}`);
    return lines.join('\n');
  }
}

/** A violation without its details (ids, bodies), to group failures. */
export function violationKind(violation: string): string {
  const fastifyCode = /"code":"(FST_[A-Z_]+)"/.exec(violation)?.[1];
  const head = violation.split('\n')[0] ?? violation;
  const short =
    head.includes(':') && /^(invalid failure envelope|200 not valid|state changed|no response)/.test(head)
      ? head.slice(0, head.indexOf(':'))
      : head;
  return `${short.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '<uuid>').slice(0, 100)}${fastifyCode ? ` (${fastifyCode})` : ''}`;
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}
