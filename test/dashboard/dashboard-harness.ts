import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from '../../src/api/app.js';
import { PERMISSIONS, type Permission } from '../../src/domain/permissions.js';
import { DBIP_ATTRIBUTION } from '../../src/ingest/geo/geolocator.js';
import { createServices, type Services } from '../../src/services/services.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/** The account every dashboard harness creates. */
export const ACCOUNT = '0123456789abcdef0123456789abcdef';
/** A second account, for the account picker. */
export const OTHER_ACCOUNT = 'fedcba9876543210fedcba9876543210';

/** Session lifetimes of the harness (short, so expiry can be tested with the clock). */
export const IDLE_MS = 30 * 60_000;
/** Absolute session lifetime of the harness. */
export const MAX_AGE_MS = 12 * 3_600_000;

/** A page response as the tests read it. */
export interface PageResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
}

/** A signed-in browser, as far as inject tests need one. */
export interface Browser {
  readonly cookie: string;
  readonly csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<PageResponse>;
  /** Posts a form; `_csrf` is added unless `csrf: false`. */
  post(
    path: string,
    form: Record<string, string>,
    options?: { csrf?: boolean | string; headers?: Record<string, string> },
  ): Promise<PageResponse>;
}

/** An in-process ztrisk with the dashboard, over a real SQLite store, with a controllable clock. */
export interface DashboardApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly services: Services;
  readonly adminToken: string;
  /** Current time, epoch ms, as the app sees it. */
  nowMs: number;
  /** The public base URL the app uses (set it to the listening URL for browser tests). */
  publicUrl: string;
  token(permissions: readonly Permission[], accounts?: readonly string[]): Promise<string>;
  /** Signs in with a token through the login form (as a browser does) and returns that browser. */
  signIn(token: string): Promise<Browser>;
  request(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; payload?: string },
  ): Promise<PageResponse>;
  close(): Promise<void>;
}

/** The value of a cookie in a response's `set-cookie` headers. */
export function setCookie(res: PageResponse, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)];
  for (const c of list) {
    const [pair] = c.split(';');
    if (pair?.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  }
  return undefined;
}

/** The `value` of the hidden `_csrf` input of a page. */
export function csrfOf(body: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(body);
  assert.ok(m?.[1], 'the page has a CSRF field');
  return m[1];
}

/** Starts the app on a migrated SQLite store (`:memory:` unless a path is given) with an admin token. */
export async function startDashboardApp(
  options: { path?: string; nowMs?: number; publicUrl?: string; rateLimit?: AppOptions['rateLimit'] } = {},
): Promise<DashboardApp> {
  const store = createSqliteStore({ path: options.path ?? ':memory:' });
  await store.migrate();
  const state = { nowMs: options.nowMs ?? Date.parse('2026-03-02T12:00:00.000Z') };
  const now = () => state.nowMs;
  const services = createServices({ store, now });
  let publicUrl = options.publicUrl ?? 'http://ztrisk.test';
  const app = buildApp({
    services,
    publicUrl: () => publicUrl,
    bodyLimitBytes: 1_048_576,
    logLevel: false,
    now,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    dashboard: { sessionIdleMs: IDLE_MS, sessionMaxAgeMs: MAX_AGE_MS, geoAttribution: DBIP_ATTRIBUTION, now },
  });
  await app.ready();

  async function token(
    permissions: readonly Permission[],
    accounts: readonly string[] = [ACCOUNT],
  ): Promise<string> {
    const created = await services.credentials.createToken({
      name: 'dashboard test',
      grants: accounts.flatMap((accountId) => permissions.map((permission) => ({ accountId, permission }))),
      actor: 'cli',
    });
    return created.secret;
  }

  async function request(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; payload?: string } = {},
  ): Promise<PageResponse> {
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      headers: opts.headers ?? {},
      ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  function browser(cookie: string, csrf: string): Browser {
    return {
      cookie,
      csrf,
      get: (path, headers = {}) => request('GET', path, { headers: { cookie, ...headers } }),
      post(path, form, opts = {}) {
        const fields = { ...form };
        if (opts.csrf !== false) fields._csrf = typeof opts.csrf === 'string' ? opts.csrf : csrf;
        return request('POST', path, {
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers ?? {}) },
          payload: new URLSearchParams(fields).toString(),
        });
      },
    };
  }

  const adminToken = await token(PERMISSIONS);
  const harness: DashboardApp = {
    app,
    store,
    services,
    adminToken,
    get nowMs() {
      return state.nowMs;
    },
    set nowMs(value: number) {
      state.nowMs = value;
    },
    get publicUrl() {
      return publicUrl;
    },
    set publicUrl(value: string) {
      publicUrl = value;
    },
    token,
    request,
    async signIn(secret) {
      const login = await request('GET', '/login');
      assert.equal(login.status, 200);
      const loginCookie = setCookie(login, 'ztrisk_login');
      assert.ok(loginCookie);
      const res = await request('POST', '/login', {
        headers: {
          cookie: `ztrisk_login=${loginCookie}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({ _csrf: csrfOf(login.body), token: secret }).toString(),
      });
      assert.equal(res.status, 303, `sign-in failed: ${res.status} ${res.body.slice(0, 400)}`);
      const session = setCookie(res, 'ztrisk_session');
      assert.ok(session);
      const cookie = `ztrisk_session=${session}`;
      let page = await request('GET', '/overview', { headers: { cookie } });
      if (page.status === 303) page = await request('GET', '/account', { headers: { cookie } });
      return browser(cookie, csrfOf(page.body));
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
  return harness;
}
