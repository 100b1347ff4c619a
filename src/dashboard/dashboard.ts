import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { wellKnownUrl } from '../api/routes/integrations.js';
import { isBehaviorKey } from '../domain/behaviors.js';
import { ZtriskError } from '../domain/errors.js';
import { actorOf, isAllowed, type Principal } from '../domain/permissions.js';
import { isRiskLevel } from '../domain/risk-level.js';
import type { Attribution } from '../ingest/geo/geolocator.js';
import type { PresentedCredentials } from '../services/credentials.js';
import { isOverviewRange } from '../services/insights.js';
import type { Services } from '../services/services.js';
import type { SummaryOrder } from '../store/store.js';
import { type Assets, loadAssets } from './assets.js';
import { LOGIN_COOKIE, parseCookies, SESSION_COOKIE, serializeCookie } from './cookies.js';
import { errorsByField, formOf, queryPage, queryText, textField } from './forms.js';
import { type Html, toHtmlString } from './html.js';
import type { Access, PageContext } from './layout.js';
import { AUDIT_PER_PAGE, auditPage } from './pages/audit.js';
import { type BehaviorsView, behaviorsPage, THRESHOLD_GROUPS, thresholdName } from './pages/behaviors.js';
import { errorPage } from './pages/errors.js';
import {
  type DeliveryHealthSource,
  type IntegrationFormState,
  integrationsPage,
  type StreamHealth,
} from './pages/integrations.js';
import { accountPickerPage, type LoginView, loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { EVENTS_PER_PAGE, userDetailPage } from './pages/user-detail.js';
import { USER_SORTS, USERS_PER_PAGE, type UserSort, usersPage } from './pages/users.js';
import { createMemorySessions, randomToken, type Session, type Sessions, tokensEqual } from './sessions.js';

/** Dashboard settings the composition root chooses (the rest comes from the app). */
export interface DashboardSettings {
  /** A session ends after this long without a request, ms. */
  readonly sessionIdleMs: number;
  /** A session ends this long after sign-in, ms. */
  readonly sessionMaxAgeMs: number;
  /** Shown wherever IP-geolocated places appear (DB-IP's licence requires it for the bundled data). */
  readonly geoAttribution?: Attribution;
  /** Stream status and delivery health; default: the Shared Signals service's (`services.streams`). */
  readonly deliveryHealth?: DeliveryHealthSource;
  /** Clock for session expiry and relative times (epoch ms). */
  readonly now?: () => number;
}

/**
 * The API's per-address limit on failed authentications, applied to sign-in too: `check` before trying
 * credentials (refused: too many recent failures from this address), `failed` after a rejected attempt.
 */
export interface SignInLimit {
  check(address: string): { allowed: true } | { allowed: false; retryAfterSeconds: number };
  failed(address: string): void;
}

/** Everything the dashboard needs. */
export interface DashboardOptions extends DashboardSettings {
  readonly services: Services;
  /** Absolute public base URL (https makes cookies `Secure`; well-known URLs start with it). */
  readonly publicUrl: () => string;
  /** Limit on failed sign-ins per client address (shared with the API); none when absent. */
  readonly signInLimit?: SignInLimit;
}

/** Answers a request no route matched with the HTML 404 page when it is a dashboard request; else false. */
export type DashboardNotFound = (request: FastifyRequest, reply: FastifyReply) => boolean;

/** Paths the API (or the process) owns at the root: never dashboard pages, always v4/JSON answers. */
const API_PATH =
  /^\/(?:client\/v4(?:\/|$)|accounts(?:\/|$)|user(?:\/|$)|\.well-known(?:\/|$)|openapi\.json$|healthz$|readyz$|metrics$)/;
/** Dashboard sections: unknown paths below them are dashboard 404s whatever the Accept header. */
const DASHBOARD_PATH =
  /^\/(?:$|login|logout|account$|overview|users|behaviors|integrations|audit|assets)(?:\/|$|\?)/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** A signed-in request: session, current principal, account and what it may do. */
interface SignedIn {
  readonly sessionId: string;
  readonly session: Session;
  readonly principal: Principal;
  readonly accounts: readonly string[];
  readonly accountId: string;
  readonly access: Access;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '/';
}

function isHtmx(request: FastifyRequest): boolean {
  return header(request, 'hx-request') === 'true';
}

function wantsHtml(request: FastifyRequest): boolean {
  return /text\/html/i.test(header(request, 'accept') ?? '');
}

function accountsOf(principal: Principal): string[] {
  return [...principal.grants.keys()].sort();
}

function accessOf(principal: Principal, accountId: string): Access {
  return {
    read: isAllowed(principal, accountId, ['Zero Trust Read', 'Zero Trust Write']),
    write: isAllowed(principal, accountId, ['Zero Trust Write']),
    pii: isAllowed(principal, accountId, ['Zero Trust: PII Read']),
  };
}

/** Stream status and delivery health from the Shared Signals service (`…/ztrisk/streams`'s source). */
function streamHealthOf(services: Services): DeliveryHealthSource {
  return async (accountId) =>
    (await services.streams.health(accountId)).map(
      (v): StreamHealth => ({
        streamId: v.streamId,
        kind: v.kind,
        status: v.status,
        delivery: v.deliveryMethod,
        endpointUrl: v.endpointUrl,
        lastSuccessAt: v.health.lastSuccessAt,
        lastError:
          v.health.lastError !== undefined
            ? { at: v.health.lastErrorAt, message: v.health.lastError }
            : undefined,
        backlog: v.health.backlog,
        oldestPendingAt: v.health.oldestPendingAt,
        delivered: v.health.delivered,
        failed: v.health.failed,
      }),
    );
}

/**
 * Registers the dashboard: server-rendered pages at `/` over the same services as the API (handlers are
 * adapters: read the form or query, call one service, render), sign-in with API credentials into an
 * in-memory session, CSRF tokens on every form, and the vendored htmx/uPlot assets. Returns the handler
 * the app's not-found handler asks first, so unknown dashboard pages get an HTML 404 while API paths
 * keep their v4 envelope.
 */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions): DashboardNotFound {
  const { services } = options;
  const now = options.now ?? Date.now;
  const assets = loadAssets();
  const sessions = createMemorySessions(
    { idleMs: options.sessionIdleMs, maxAgeMs: options.sessionMaxAgeMs },
    now,
  );
  const secure = (): boolean => options.publicUrl().startsWith('https:');
  const deliveryHealth = options.deliveryHealth ?? streamHealthOf(services);

  function sendHtml(reply: FastifyReply, status: number, body: Html): FastifyReply {
    return reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store')
      .send(toHtmlString(body));
  }

  function redirect(request: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
    // htmx follows 3xx inside its XHR and would swap a fragment of the target; make it navigate instead.
    if (isHtmx(request) && (location.startsWith('/login') || location.startsWith('/account'))) {
      return reply.code(200).header('hx-redirect', location).header('cache-control', 'no-store').send('');
    }
    return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
  }

  function sessionCookie(id: string): string {
    return serializeCookie(SESSION_COOKIE, id, {
      secure: secure(),
      maxAgeSeconds: Math.floor(options.sessionMaxAgeMs / 1000),
    });
  }

  function clearCookie(name: string): string {
    return serializeCookie(name, '', { secure: secure(), maxAgeSeconds: 0 });
  }

  function cookie(request: FastifyRequest, name: string): string | undefined {
    return parseCookies(header(request, 'cookie')).get(name);
  }

  /** The live session and its freshly re-checked principal; undefined (and the cookie cleared) if none. */
  async function currentSession(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ id: string; session: Session; principal: Principal } | undefined> {
    const id = cookie(request, SESSION_COOKIE);
    const session = sessions.touch(id);
    if (!session || id === undefined) return undefined;
    try {
      const principal = await services.credentials.reauthenticate(session.proof);
      return { id, session, principal };
    } catch (error) {
      if (error instanceof ZtriskError && error.kind === 'unauthenticated') {
        // Revoked, expired or replaced credentials end the session at once.
        sessions.destroy(id);
        void reply.header('set-cookie', clearCookie(SESSION_COOKIE));
        return undefined;
      }
      throw error;
    }
  }

  /** The signed-in context of a page request, or undefined after redirecting to sign-in or the picker. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
    const current = await currentSession(request, reply);
    if (!current) {
      redirect(request, reply, '/login?reason=expired');
      return undefined;
    }
    const { id, session, principal } = current;
    const accounts = accountsOf(principal);
    let accountId = session.accountId;
    if (accountId === undefined || !accounts.includes(accountId)) {
      if (accounts.length !== 1 || accounts[0] === undefined) {
        redirect(request, reply, '/account');
        return undefined;
      }
      accountId = accounts[0];
      sessions.selectAccount(id, accountId);
    }
    return { sessionId: id, session, principal, accounts, accountId, access: accessOf(principal, accountId) };
  }

  function pageContext(s: SignedIn): PageContext {
    return {
      assets,
      csrfToken: s.session.csrfToken,
      accountId: s.accountId,
      multipleAccounts: s.accounts.length > 1,
      actor: actorOf(s.principal),
      access: s.access,
      flash: sessions.takeFlash(s.sessionId),
      nowMs: now(),
      geoAttribution: options.geoAttribution,
    };
  }

  function sameOrigin(request: FastifyRequest): boolean {
    const origin = header(request, 'origin');
    if (origin === undefined || origin === '') return true;
    if (origin === 'null') return false;
    try {
      const o = new URL(origin);
      if (o.origin === new URL(options.publicUrl()).origin) return true;
      return o.host === header(request, 'host');
    } catch {
      return false;
    }
  }

  /** Refuses a state-changing request without this session's CSRF token (form field or htmx header). */
  function checkCsrf(request: FastifyRequest, session: Session): void {
    const sent = formOf(request.body).get('_csrf') ?? header(request, 'x-csrf-token') ?? '';
    if (!sameOrigin(request) || !tokensEqual(sent, session.csrfToken)) {
      throw new ZtriskError('forbidden', 'csrf');
    }
  }

  function requireWrite(s: SignedIn): void {
    if (!s.access.write) throw new ZtriskError('forbidden', 'write');
  }

  /** A signed-in, CSRF-checked POST that needs `Zero Trust Write`. */
  async function writeRequest(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
    const s = await signedIn(request, reply);
    if (!s) return undefined;
    checkCsrf(request, s.session);
    requireWrite(s);
    return s;
  }

  function showLogin(reply: FastifyReply, status: number, message?: LoginView['message'], email?: string) {
    const token = randomToken();
    void reply.header(
      'set-cookie',
      serializeCookie(LOGIN_COOKIE, token, { secure: secure(), maxAgeSeconds: 3600 }),
    );
    return sendHtml(
      reply,
      status,
      loginPage(assets, { csrfToken: token, ...(message ? { message } : {}), ...(email ? { email } : {}) }),
    );
  }

  function errorStatus(error: unknown): { status: number; title: string; message: string } {
    if (error instanceof ZtriskError) {
      switch (error.kind) {
        case 'forbidden':
          return error.message === 'csrf'
            ? {
                status: 403,
                title: 'Request refused',
                message:
                  'The form was not sent by this dashboard session (missing or wrong CSRF token). Reload the page and try again.',
              }
            : {
                status: 403,
                title: 'Not allowed',
                message:
                  error.message === 'write'
                    ? 'This change needs Zero Trust Write on this account, as the API requires.'
                    : 'Your credentials do not allow this on this account.',
              };
        case 'not_found':
          return { status: 404, title: 'Not found', message: error.message };
        case 'invalid':
        case 'invalid_body':
        case 'too_large':
          return { status: 400, title: 'Bad request', message: error.message };
        case 'rate_limited':
          return { status: 429, title: 'Too many requests', message: 'Wait a moment and try again.' };
        case 'unavailable':
          return {
            status: 503,
            title: 'Unavailable',
            message: 'The store is unavailable; try again shortly.',
          };
        default:
          break;
      }
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { status, title: 'Bad request', message: 'The request could not be read.' };
    }
    return { status: 500, title: 'Something went wrong', message: 'An unexpected error occurred.' };
  }

  const notFound: DashboardNotFound = (request, reply) => {
    const path = pathOf(request);
    if (API_PATH.test(path)) return false;
    if (!DASHBOARD_PATH.test(path) && !wantsHtml(request)) return false;
    sendHtml(
      reply,
      404,
      errorPage(assets, 404, 'Page not found', 'There is no dashboard page at this address.', request.id),
    );
    return true;
  };

  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, done) => {
        done(null, new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8')));
      },
    );

    scope.setErrorHandler((error, request, reply) => {
      const e = errorStatus(error);
      if (e.status >= 500) request.log.error({ err: error }, 'dashboard error');
      if (error instanceof ZtriskError && error.kind === 'unauthenticated') {
        redirect(request, reply, '/login?reason=expired');
        return;
      }
      sendHtml(reply, e.status, errorPage(assets, e.status, e.title, e.message, request.id));
    });

    scope.get('/assets/:name', async (request, reply) => {
      const { name } = request.params as { name: string };
      const found = assets.get(name);
      if (!found) {
        return sendHtml(reply, 404, errorPage(assets, 404, 'Not found', 'No such asset.'));
      }
      const etag = `"${found.version}"`;
      const versioned = queryText(request.query, 'v', 64) === found.version;
      void reply
        .header('content-type', found.contentType)
        .header('etag', etag)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (header(request, 'if-none-match') === etag) return reply.code(304).send();
      return reply.code(200).send(found.body);
    });

    scope.get('/', async (request, reply) => {
      const current = await currentSession(request, reply);
      return redirect(request, reply, current ? '/overview' : '/login');
    });

    scope.get('/login', async (request, reply) => {
      const current = await currentSession(request, reply);
      if (current) return redirect(request, reply, '/overview');
      const reason = queryText(request.query, 'reason');
      const message: LoginView['message'] | undefined =
        reason === 'expired'
          ? {
              kind: 'info',
              text: 'Please sign in. Sessions end after a period of inactivity, or when the credentials are revoked.',
            }
          : reason === 'signed_out'
            ? { kind: 'info', text: 'You are signed out.' }
            : undefined;
      return showLogin(reply, 200, message);
    });

    scope.post('/login', async (request, reply) => {
      const form = formOf(request.body);
      const sent = form.get('_csrf') ?? '';
      const expected = cookie(request, LOGIN_COOKIE) ?? '';
      const email = textField(form, 'email', 320);
      if (!sameOrigin(request) || !tokensEqual(sent, expected)) {
        return showLogin(
          reply,
          403,
          { kind: 'error', text: 'The sign-in form expired. Please try again.' },
          email,
        );
      }
      const token = textField(form, 'token', 512);
      const key = textField(form, 'key', 512);
      let creds: PresentedCredentials;
      if (token !== undefined) creds = { authorization: `Bearer ${token}` };
      else if (email !== undefined && key !== undefined) creds = { email, key };
      else {
        return showLogin(
          reply,
          400,
          { kind: 'error', text: 'Enter an API token, or an email and a Global API key.' },
          email,
        );
      }
      const blocked = options.signInLimit?.check(request.ip);
      if (blocked && !blocked.allowed) {
        void reply.header('retry-after', String(blocked.retryAfterSeconds));
        return showLogin(
          reply,
          429,
          {
            kind: 'error',
            text: `Too many failed sign-ins from your address. Try again in ${blocked.retryAfterSeconds} s.`,
          },
          email,
        );
      }
      let signed: Awaited<ReturnType<Services['credentials']['authenticateWithProof']>>;
      try {
        signed = await services.credentials.authenticateWithProof(creds);
      } catch (error) {
        if (error instanceof ZtriskError && error.kind === 'unauthenticated') {
          options.signInLimit?.failed(request.ip);
          return showLogin(
            reply,
            401,
            { kind: 'error', text: 'Those credentials were not accepted.' },
            email,
          );
        }
        throw error;
      }
      const accounts = accountsOf(signed.principal);
      if (accounts.length === 0) {
        return showLogin(reply, 403, { kind: 'error', text: 'These credentials hold no account.' }, email);
      }
      // A new id at every sign-in (no session fixation); an old session of this browser ends.
      sessions.destroy(cookie(request, SESSION_COOKIE));
      const id = sessions.create(signed.proof, accounts.length === 1 ? accounts[0] : undefined);
      void reply.header('set-cookie', [sessionCookie(id), clearCookie(LOGIN_COOKIE)]);
      return redirect(request, reply, accounts.length === 1 ? '/overview' : '/account');
    });

    scope.post('/logout', async (request, reply) => {
      const current = await currentSession(request, reply);
      if (current) {
        checkCsrf(request, current.session);
        sessions.destroy(current.id);
      }
      void reply.header('set-cookie', clearCookie(SESSION_COOKIE));
      return redirect(request, reply, '/login?reason=signed_out');
    });

    scope.get('/account', async (request, reply) => {
      const current = await currentSession(request, reply);
      if (!current) return redirect(request, reply, '/login?reason=expired');
      const accounts = accountsOf(current.principal);
      return sendHtml(
        reply,
        200,
        accountPickerPage(assets, current.session.csrfToken, accounts, current.session.accountId),
      );
    });

    scope.post('/account', async (request, reply) => {
      const current = await currentSession(request, reply);
      if (!current) return redirect(request, reply, '/login?reason=expired');
      checkCsrf(request, current.session);
      const account = textField(formOf(request.body), 'account', 256);
      if (account === undefined || !accountsOf(current.principal).includes(account)) {
        throw new ZtriskError('forbidden', 'account');
      }
      sessions.selectAccount(current.id, account);
      return redirect(request, reply, '/overview');
    });

    scope.get('/overview', async (request, reply) => {
      const s = await signedIn(request, reply);
      if (!s) return reply;
      const rangeParam = queryText(request.query, 'range', 8);
      const range = isOverviewRange(rangeParam) ? rangeParam : '24h';
      const [overview, behaviors] = await Promise.all([
        s.access.pii ? services.insights.riskOverview(s.accountId, range) : undefined,
        s.access.read ? services.behaviors.list(s.accountId) : undefined,
      ]);
      return sendHtml(reply, 200, overviewPage(pageContext(s), { range, overview, behaviors }));
    });

    scope.get('/users', async (request, reply) => {
      const s = await signedIn(request, reply);
      if (!s) return reply;
      const q = request.query;
      const level = queryText(q, 'level', 10);
      const behavior = queryText(q, 'behavior', 40);
      const sortParam = queryText(q, 'sort', 10);
      const sort: UserSort = USER_SORTS.find((o) => o.key === sortParam)?.key ?? 'recent';
      const filters = {
        level: isRiskLevel(level) ? level : undefined,
        behavior: behavior !== undefined && isBehaviorKey(behavior) ? behavior : undefined,
        q: queryText(q, 'q', 200),
        sort,
        page: queryPage(q),
      };
      const orderBy: Record<UserSort, SummaryOrder> = {
        recent: 'last_event',
        level: 'max_risk_level',
        events: 'event_count',
      };
      const users = s.access.pii
        ? await services.risk.summary(s.accountId, {
            page: filters.page,
            perPage: USERS_PER_PAGE,
            levels: filters.level ? [filters.level] : [],
            orderBy: orderBy[sort],
            direction: 'desc',
            ...(filters.behavior ? { behavior: filters.behavior } : {}),
            ...(filters.q ? { search: filters.q } : {}),
          })
        : undefined;
      return sendHtml(reply, 200, usersPage(pageContext(s), { filters, users }));
    });

    scope.get('/users/:userId', async (request, reply) => {
      const s = await signedIn(request, reply);
      if (!s) return reply;
      const { userId } = request.params as { userId: string };
      if (!UUID.test(userId)) throw new ZtriskError('not_found', 'No user has this id.');
      if (!s.access.pii)
        return sendHtml(
          reply,
          200,
          usersPage(pageContext(s), {
            filters: { level: undefined, behavior: undefined, q: undefined, sort: 'recent', page: 1 },
            users: undefined,
          }),
        );
      const id = userId.toLowerCase();
      const pageNo = queryPage(request.query);
      const { user, events } = await services.risk.getUser(s.accountId, id, {
        page: pageNo,
        perPage: EVENTS_PER_PAGE,
      });
      const history =
        queryText(request.query, 'history', 4) === '1'
          ? await services.risk.getUserHistory(s.accountId, id, { page: 1, perPage: 200 })
          : undefined;
      return sendHtml(reply, 200, userDetailPage(pageContext(s), { user, events, page: pageNo, history }));
    });

    scope.post('/users/:userId/reset', async (request, reply) => {
      const s = await writeRequest(request, reply);
      if (!s) return reply;
      const { userId } = request.params as { userId: string };
      if (!UUID.test(userId)) throw new ZtriskError('not_found', 'No user has this id.');
      const reason = textField(formOf(request.body), 'reason', 500);
      const result = await services.risk.resetUser(
        s.accountId,
        userId.toLowerCase(),
        actorOf(s.principal),
        reason,
      );
      const who = result.before.email || result.before.name || result.before.userId;
      sessions.setFlash(
        s.sessionId,
        `Risk reset for ${who}${reason ? ` (reason: ${reason})` : ''}. The audit log has the entry.`,
      );
      return redirect(request, reply, '/users');
    });

    async function behaviorsView(s: SignedIn, extra: Partial<BehaviorsView> = {}): Promise<BehaviorsView> {
      if (!s.access.read) return { behaviors: undefined, thresholds: undefined };
      const [behaviors, thresholds] = await Promise.all([
        services.behaviors.list(s.accountId),
        services.detectorSettings.get(s.accountId),
      ]);
      return { behaviors, thresholds, ...extra };
    }

    scope.get('/behaviors', async (request, reply) => {
      const s = await signedIn(request, reply);
      if (!s) return reply;
      return sendHtml(reply, 200, behaviorsPage(pageContext(s), await behaviorsView(s)));
    });

    scope.post('/behaviors/thresholds', async (request, reply) => {
      const s = await writeRequest(request, reply);
      if (!s) return reply;
      const form = formOf(request.body);
      const patch: Record<string, Record<string, unknown>> = {};
      const entered: Record<string, string> = {};
      const missing: Record<string, string> = {};
      for (const group of THRESHOLD_GROUPS) {
        for (const f of group.fields) {
          const name = thresholdName(f);
          const raw = form.get(name);
          if (raw === null) continue;
          const value = raw.trim();
          entered[name] = value;
          if (value === '') {
            missing[name] = 'is required';
            continue;
          }
          patch[f.group] ??= {};
          const members = patch[f.group] ?? {};
          members[f.member] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
        }
      }
      try {
        if (Object.keys(missing).length > 0) throw new ZtriskError('invalid', 'missing');
        await services.detectorSettings.update(s.accountId, patch, actorOf(s.principal));
      } catch (error) {
        if (!(error instanceof ZtriskError) || error.kind !== 'invalid') throw error;
        const errors = {
          ...(Object.keys(missing).length > 0 ? {} : errorsByField(error.problems)),
          ...missing,
        };
        const view = await behaviorsView(s, {
          enteredThresholds: entered,
          errors,
          formError: 'The thresholds were not saved: correct the fields marked below.',
        });
        return sendHtml(reply, 422, behaviorsPage(pageContext(s), view));
      }
      sessions.setFlash(s.sessionId, 'Detector thresholds saved. They apply to later detections.');
      return redirect(request, reply, '/behaviors#thresholds');
    });

    scope.post('/behaviors/:key', async (request, reply) => {
      const s = await writeRequest(request, reply);
      if (!s) return reply;
      const { key } = request.params as { key: string };
      if (!isBehaviorKey(key)) throw new ZtriskError('not_found', 'No behavior has this key.');
      const form = formOf(request.body);
      const enabledRaw = form.get('enabled');
      const enabled = enabledRaw === 'true' ? true : enabledRaw === 'false' ? false : enabledRaw;
      const riskLevel = form.get('risk_level') ?? undefined;
      try {
        const updated = await services.behaviors.update(
          s.accountId,
          new Map([[key, { enabled, riskLevel }]]),
          actorOf(s.principal),
        );
        const b = updated.find((x) => x.key === key);
        if (b) {
          sessions.setFlash(
            s.sessionId,
            `${b.name} ${b.enabled ? 'enabled' : 'disabled'}, level ${b.riskLevel}.`,
          );
        }
      } catch (error) {
        if (!(error instanceof ZtriskError) || error.kind !== 'invalid') throw error;
        const message = error.problems.map((p) => p.message).join('; ');
        const view = await behaviorsView(s, { errors: { [key]: message } });
        return sendHtml(reply, 422, behaviorsPage(pageContext(s), view));
      }
      return redirect(request, reply, '/behaviors');
    });

    async function renderIntegrations(
      s: SignedIn,
      reply: FastifyReply,
      status: number,
      rejected?: IntegrationFormState,
    ): Promise<FastifyReply> {
      const integrations = s.access.read ? await services.integrations.list(s.accountId) : undefined;
      let streams: readonly StreamHealth[] | undefined;
      if (s.access.read) {
        try {
          streams = await deliveryHealth(s.accountId);
        } catch (error) {
          // The page stays useful without it; the notice says delivery health is not available.
          reply.log.error({ err: error }, 'dashboard: delivery health unavailable');
        }
      }
      return sendHtml(
        reply,
        status,
        integrationsPage(pageContext(s), {
          integrations,
          wellKnownUrl: (id) => wellKnownUrl(options.publicUrl(), id),
          streams,
          ...(rejected ? { rejected } : {}),
        }),
      );
    }

    scope.get('/integrations', async (request, reply) => {
      const s = await signedIn(request, reply);
      if (!s) return reply;
      return renderIntegrations(s, reply, 200);
    });

    /** Runs an integration change; validation problems re-show the form with messages next to fields. */
    async function integrationChange(
      s: SignedIn,
      reply: FastifyReply,
      formId: string,
      values: Record<string, string>,
      change: () => Promise<string>,
    ): Promise<FastifyReply | string> {
      try {
        return await change();
      } catch (error) {
        if (!(error instanceof ZtriskError) || error.kind !== 'invalid') throw error;
        return renderIntegrations(s, reply, 422, {
          form: formId,
          values,
          errors: errorsByField(error.problems),
        });
      }
    }

    scope.post('/integrations', async (request, reply) => {
      const s = await writeRequest(request, reply);
      if (!s) return reply;
      const form = formOf(request.body);
      const tenantUrl = textField(form, 'tenant_url', 4096) ?? '';
      const referenceId = textField(form, 'reference_id', 1024);
      const done = await integrationChange(
        s,
        reply,
        'new',
        { tenant_url: tenantUrl, reference_id: referenceId ?? '' },
        async () => {
          const created = await services.integrations.create(
            s.accountId,
            { integrationType: 'Okta', tenantUrl, referenceId: referenceId ?? null },
            actorOf(s.principal),
          );
          sessions.setFlash(
            s.sessionId,
            `Integration with ${created.tenantUrl} added. Copy its well-known URL into Okta.`,
          );
          return `/integrations#integration-${created.id}`;
        },
      );
      return typeof done === 'string' ? redirect(request, reply, done) : done;
    });

    scope.post('/integrations/:integrationId', async (request, reply) => {
      const s = await writeRequest(request, reply);
      if (!s) return reply;
      const { integrationId } = request.params as { integrationId: string };
      if (!UUID.test(integrationId)) throw new ZtriskError('not_found', 'Integration not found');
      const id = integrationId.toLowerCase();
      const form = formOf(request.body);
      const tenantUrl = textField(form, 'tenant_url', 4096) ?? '';
      const referenceId = textField(form, 'reference_id', 1024);
      const active = form.get('active') === 'on';
      const values = { tenant_url: tenantUrl, reference_id: referenceId ?? '', active: active ? 'on' : '' };
      const done = await integrationChange(s, reply, id, values, async () => {
        const updated = await services.integrations.update(
          s.accountId,
          id,
          { tenantUrl, active, referenceId: referenceId ?? null },
          actorOf(s.principal),
        );
        sessions.setFlash(
          s.sessionId,
          `Integration with ${updated.tenantUrl} saved${updated.active ? '' : ' (inactive: nothing is exported)'}.`,
        );
        return `/integrations#integration-${id}`;
      });
      return typeof done === 'string' ? redirect(request, reply, done) : done;
    });

    scope.post('/integrations/:integrationId/delete', async (request, reply) => {
      const s = await writeRequest(request, reply);
      if (!s) return reply;
      const { integrationId } = request.params as { integrationId: string };
      if (!UUID.test(integrationId)) throw new ZtriskError('not_found', 'Integration not found');
      await services.integrations.remove(s.accountId, integrationId.toLowerCase(), actorOf(s.principal));
      sessions.setFlash(s.sessionId, 'Integration deleted; nothing more is exported to it.');
      return redirect(request, reply, '/integrations');
    });

    scope.get('/audit', async (request, reply) => {
      const s = await signedIn(request, reply);
      if (!s) return reply;
      const filters = {
        actor: queryText(request.query, 'actor', 200),
        action: queryText(request.query, 'action', 100),
        page: queryPage(request.query),
      };
      const entries = s.access.read
        ? await services.audit.list(s.accountId, {
            page: filters.page,
            perPage: AUDIT_PER_PAGE,
            ...(filters.actor ? { actor: filters.actor } : {}),
            ...(filters.action ? { action: filters.action } : {}),
          })
        : undefined;
      return sendHtml(reply, 200, auditPage(pageContext(s), { filters, entries }));
    });
  });

  return notFound;
}

/** The session store type, for tests that inspect it. */
/** Assets, for tests. */
export type { Assets, Sessions };
