import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from '../../src/api/app.js';
import { PERMISSIONS, type Permission } from '../../src/domain/permissions.js';
import { createServices, type ServiceOptions, type Services } from '../../src/services/services.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { assertValidFailure, assertValidResponse } from './openapi.js';

/** The account every harness creates. */
export const ACCOUNT = '0123456789abcdef0123456789abcdef';
/** Another account, for tenancy tests. */
export const OTHER_ACCOUNT = 'fedcba9876543210fedcba9876543210';
/** The public URL the harness app is configured with. */
export const PUBLIC_URL = 'http://ztrisk.test';

/** A controllable clock (epoch ms). */
export interface TestClock {
  now(): number;
  set(iso: string): void;
  advance(ms: number): void;
}

/** A response as the tests read it. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: unknown;
  /** The body as a loose record, for assertions. */
  readonly json: Record<string, unknown>;
}

/** Options of one request. */
export interface RequestOptions {
  /** Bearer token; `null` sends no Authorization header. Default: the admin token. */
  readonly token?: string | null;
  readonly body?: unknown;
  /** Send this raw payload instead of JSON-encoding `body`. */
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
  /**
   * Validate the response against this Cloudflare operation (success: its 200 schema; failure: its 4XX
   * schema). Every failure is validated against the failure envelope regardless.
   */
  readonly operationId?: string;
}

/** A running in-process ztrisk over a real SQLite store (`:memory:` unless a path is given). */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly services: Services;
  readonly clock: TestClock;
  readonly adminToken: string;
  /** Creates a token with these permissions on the account(s). */
  token(
    permissions: readonly Permission[],
    accounts?: readonly string[],
    options?: { expiresAt?: string },
  ): Promise<string>;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

/** Starts an app on a fresh migrated SQLite store with an admin token (all permissions on ACCOUNT). */
export async function startTestApp(
  options: { path?: string; services?: ServiceOptions; app?: Partial<AppOptions> } = {},
): Promise<TestApp> {
  const store = createSqliteStore({ path: options.path ?? ':memory:' });
  await store.migrate();
  let nowMs = Date.parse('2026-03-02T12:00:00.000Z');
  const clock: TestClock = {
    now: () => nowMs,
    set: (iso) => {
      nowMs = Date.parse(iso);
    },
    advance: (ms) => {
      nowMs += ms;
    },
  };
  const services = createServices({ store, now: () => clock.now() }, options.services ?? {});
  const app = buildApp({
    services,
    publicUrl: () => PUBLIC_URL,
    bodyLimitBytes: 1_048_576,
    logLevel: false,
    now: () => clock.now(),
    ...(options.app ?? {}),
  });
  await app.ready();

  async function token(
    permissions: readonly Permission[],
    accounts: readonly string[] = [ACCOUNT],
    opts: { expiresAt?: string } = {},
  ): Promise<string> {
    const created = await services.credentials.createToken({
      name: 'test',
      grants: accounts.flatMap((accountId) => permissions.map((permission) => ({ accountId, permission }))),
      ...(opts.expiresAt !== undefined ? { expiresAt: opts.expiresAt } : {}),
      actor: 'cli',
    });
    return created.secret;
  }

  const adminToken = await token(PERMISSIONS);

  return {
    app,
    store,
    services,
    clock,
    adminToken,
    token,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const tok = opts.token === undefined ? adminToken : opts.token;
      if (tok !== null) headers.authorization = `Bearer ${tok}`;
      let payload: string | Buffer | undefined;
      if (opts.raw !== undefined) payload = opts.raw;
      else if (opts.body !== undefined) {
        payload = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await app.inject({
        method: method as 'GET',
        url: path,
        headers,
        ...(payload !== undefined ? { payload } : {}),
      });
      const body: unknown = res.body.length > 0 ? JSON.parse(res.body) : undefined;
      if (res.statusCode >= 400) assertValidFailure(body);
      if (opts.operationId) assertValidResponse(opts.operationId, res.statusCode, body);
      return {
        status: res.statusCode,
        headers: res.headers,
        body,
        json: (body ?? {}) as Record<string, unknown>,
      };
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** Asserts a failure: status, a single (first) error code, and optionally its pointer and message. */
export function assertError(
  res: TestResponse,
  status: number,
  code: number,
  expect: { pointer?: string; message?: string | RegExp } = {},
): void {
  assert.equal(res.status, status, `status ${res.status}: ${JSON.stringify(res.body)}`);
  const errors = res.json.errors as { code: number; message: string; source?: { pointer: string } }[];
  assert.ok(errors.length > 0);
  const first = errors[0];
  assert.ok(first);
  assert.equal(first.code, code, JSON.stringify(errors));
  if (expect.pointer !== undefined)
    assert.equal(first.source?.pointer, expect.pointer, JSON.stringify(errors));
  if (expect.message instanceof RegExp) assert.match(first.message, expect.message);
  else if (expect.message !== undefined) assert.equal(first.message, expect.message);
  assert.equal(res.json.success, false);
  assert.equal(res.json.result, null);
}

/** The zt_risk_scoring base path of an account. */
export function base(account = ACCOUNT, prefix = '/client/v4'): string {
  return `${prefix}/accounts/${account}/zt_risk_scoring`;
}
