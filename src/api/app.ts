import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { type TSchema, Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type DashboardSettings, registerDashboard, type SignInLimit } from '../dashboard/dashboard.js';
import { type Problem, ZtriskError } from '../domain/errors.js';
import { isAllowed, type Principal } from '../domain/permissions.js';
import { type Metrics, NO_METRICS } from '../metrics/metrics.js';
import type { Services } from '../services/services.js';
import { compileBodyCheck, compileParamCheck } from '../validation/validation.js';
import { failure, ok, okPage } from './envelope.js';
import { ERROR_TABLE } from './errors.js';
import { buildOpenApiDocument } from './openapi.js';
import { createRateLimiter, type RateLimit, type RateLimiter } from './rate-limit.js';
import type { ApiRoute } from './route.js';
import { API_ROUTES } from './routes/index.js';
import { registerSignalRoutes } from './routes/ssf.js';

/** Options of the HTTP application. */
export interface AppOptions {
  readonly services: Services;
  /** Absolute public base URL without trailing slash (used in `well_known_url`), read per request. */
  readonly publicUrl: () => string;
  /** Largest accepted request body in bytes (larger → 413 / 1001). */
  readonly bodyLimitBytes: number;
  /** Pino log level, or false for no logging. */
  readonly logLevel: string | false;
  /** Where JSON logs go (a writable stream); defaults to stderr. */
  readonly logStream?: NodeJS.WritableStream;
  /** Where request counts and latencies go (default: nowhere). */
  readonly metrics?: Metrics;
  /**
   * Rate limits (default: none). `perCaller` applies to every authenticated API request per token or
   * key; `authFailuresPerAddress` counts failed authentications per client address and refuses that
   * address once its bucket is empty. Both answer 429 / 1429 with `Retry-After`.
   */
  readonly rateLimit?: { readonly perCaller: RateLimit; readonly authFailuresPerAddress: RateLimit };
  /** Readiness problems (store unreachable, migrations pending); empty when ready. */
  readonly readiness?: () => Promise<string[]>;
  /**
   * Time allowed to receive a whole request, and the longest a socket may stay idle, ms (a slow client
   * gets 408 or is disconnected). Default 30 s.
   */
  readonly requestTimeoutMs?: number;
  /** Largest request head (request line + headers), bytes (larger: 431). Default 16 KiB. */
  readonly maxHeaderBytes?: number;
  /** Clock for the rate limiter (epoch ms). */
  readonly now?: () => number;
  /** Serve the dashboard at `/` with these settings (default: no dashboard). */
  readonly dashboard?: DashboardSettings;
}

/** The API base prefixes: every route is served under both. */
export const API_PREFIXES = ['/client/v4', ''] as const;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const ZT_RISK_PATH = /^(?:\/client\/v4)?\/accounts\/[^/]+\/zt_risk_scoring(?:\/|$)/;
/** Literal sibling segments that are never taken as a `{user_id}` or `{integration_id}` (API.md §1). */
const LITERAL_SEGMENTS: Readonly<Record<string, ReadonlySet<string>>> = {
  user_id: new Set(['behaviors', 'summary', 'integrations']),
  integration_id: new Set(['reference_id']),
};

/** The body as received; JSON is decoded at validation time so path and query problems come first. */
class ReceivedBody {
  constructor(readonly buffer: Buffer) {}
}

const UNPARSABLE = Symbol('unparsable');

function decodeJson(body: unknown): unknown {
  if (!(body instanceof ReceivedBody)) return body;
  try {
    return JSON.parse(body.buffer.toString('utf8'));
  } catch {
    return UNPARSABLE;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fastifyErrorKind(error: { code?: string; statusCode?: number }): ZtriskError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    return new ZtriskError('too_large', 'Invalid request body');
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new ZtriskError('invalid_body', 'Invalid request body');
  }
  return undefined;
}

/**
 * Answers errors the HTTP parser raises before any route runs (oversized head 431, request timeout 408,
 * malformed request 400) with the v4 failure envelope, then closes the connection.
 */
function writeClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : [400, 'Bad Request'];
  const body = JSON.stringify({
    success: false,
    errors: [{ code: ERROR_TABLE.invalid_body.code, message: reason }],
    messages: [],
    result: null,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Builds the Fastify application: the API routes under `/client/v4` and at the root, the v4 envelope
 * and error table, authentication and authorization, and the OpenAPI document.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const { services } = options;
  const app = Fastify({
    logger:
      options.logLevel === false
        ? false
        : {
            level: options.logLevel,
            stream: options.logStream ?? process.stderr,
            redact: ['req.headers.authorization', 'req.headers["x-auth-key"]', 'req.headers.cookie'],
          },
    bodyLimit: options.bodyLimitBytes,
    // HEAD is not an endpoint of this API (API.md §1: a method with no endpoint is 404 / 7003).
    exposeHeadRoutes: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    requestIdHeader: false,
    genReqId: (req) => {
      const given = headerValue(req.headers['x-request-id']);
      return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: false,
    clientErrorHandler: writeClientError,
    // The router's own rejections (a percent-encoding that is not UTF-8, a path segment over
    // maxParamLength) are path problems: 400 / 1002 in the envelope, like any path validation.
    frameworkErrors: (error, request, reply) => {
      void reply.header('x-request-id', request.id);
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'path: a segment is longer than 1024 characters'
          : 'path: is not valid percent-encoded UTF-8';
      const { status, body } = failure(new ZtriskError('invalid', [{ message }]), request.id);
      void (reply as FastifyReply).code(status).send(body);
    },
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // Idle sockets (a client that stops sending mid-request) are closed after the same time.
    connectionTimeout: options.requestTimeoutMs ?? 30_000,
    http: {
      maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
      // Node checks request timeouts on this interval (30 s by default): check often enough to matter.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, (options.requestTimeoutMs ?? 30_000) / 4)),
    },
  });
  const metrics = options.metrics ?? NO_METRICS;
  // Node answers these outside Fastify: an `Expect` other than 100-continue (bare 417) is routed as if
  // the header were absent; CONNECT (connection closed, no response) gets 404 / 7000.
  app.server.on('checkExpectation', (req, res) => app.routing(req, res));
  app.server.on('connect', (_req, socket: Duplex) => {
    const id = randomUUID();
    const body = JSON.stringify(failure(new ZtriskError('no_route', 'no route'), id).body);
    socket.write(
      `HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  });

  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const problems = options.readiness ? await options.readiness() : [];
    void reply.code(problems.length === 0 ? 200 : 503);
    return { status: problems.length === 0 ? 'ready' : 'not ready', problems };
  });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    void reply.header('content-type', contentType);
    return body;
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    const buf = body as Buffer;
    done(null, buf.length === 0 ? undefined : new ReceivedBody(buf));
  });

  app.setErrorHandler((error, request, reply) => {
    const known =
      error instanceof ZtriskError
        ? error
        : fastifyErrorKind(error as { code?: string; statusCode?: number });
    if (!known) request.log.error({ err: error }, 'unhandled error');
    const { status, body } = failure(known ?? error, request.id);
    if (known?.retryAfterSeconds !== undefined) reply.header('retry-after', String(known.retryAfterSeconds));
    void reply.code(status).send(body);
  });

  // Failed authentications per client address, counted alike for API requests and dashboard sign-ins.
  const authFailures = options.rateLimit
    ? addressGuard(
        createRateLimiter(options.rateLimit.authFailuresPerAddress, options.now ?? Date.now),
        metrics,
      )
    : undefined;

  // The dashboard at `/` (pages, sign-in, assets); its unknown pages get an HTML 404, API paths never do.
  const dashboardNotFound = options.dashboard
    ? registerDashboard(app, {
        ...options.dashboard,
        services,
        publicUrl: options.publicUrl,
        ...(authFailures ? { signInLimit: authFailures } : {}),
      })
    : undefined;

  app.setNotFoundHandler((request, reply) => {
    if (dashboardNotFound?.(request, reply)) return;
    const path = request.url.split('?')[0] ?? '';
    const kind = ZT_RISK_PATH.test(path) ? 'no_endpoint' : 'no_route';
    const { status, body } = failure(new ZtriskError(kind, kind), request.id);
    void reply.code(status).send(body);
  });

  const authenticate = createAuthenticator(options, metrics, authFailures);
  for (const prefix of API_PREFIXES) {
    for (const route of API_ROUTES) registerRoute(app, prefix, route, options, authenticate);
    app.get(`${prefix}/user/tokens/verify`, async (request) => {
      const token = await services.credentials.verifyToken(headerValue(request.headers.authorization));
      return {
        ...ok({
          id: token.id,
          status: 'active',
          ...(token.expiresAt ? { expires_on: token.expiresAt } : {}),
        }),
        messages: [{ code: 10000, message: 'This API Token is valid and active' }],
      };
    });
    app.get(`${prefix}/openapi.json`, async () => buildOpenApiDocument(API_ROUTES, options.publicUrl()));
  }
  // Shared Signals transmitter (root only, SSF's own error shape): /.well-known/… and /ssf/….
  registerSignalRoutes(app, { services, publicUrl: options.publicUrl, authenticate });
  return app;
}

/**
 * Authenticates a request's credentials (API.md §4) under the rate limits: a client address with too
 * many recent authentication failures, or a caller over its rate, gets 429 / 1429 with `Retry-After`.
 */
export type RequestAuthenticator = (request: FastifyRequest) => Promise<Principal>;

/** The per-address limit on failed authentications; a refusal is counted as rate limited. */
function addressGuard(limiter: RateLimiter, metrics: Metrics): SignInLimit {
  return {
    check(address) {
      const blocked = limiter.check(address);
      if (!blocked.allowed) metrics.countRateLimited(1);
      return blocked;
    },
    failed(address) {
      limiter.take(address);
    },
  };
}

function createAuthenticator(
  options: AppOptions,
  metrics: Metrics,
  failures: SignInLimit | undefined,
): RequestAuthenticator {
  const now = options.now ?? Date.now;
  const perCaller = options.rateLimit ? createRateLimiter(options.rateLimit.perCaller, now) : undefined;
  const rateLimited = (retryAfterSeconds: number): ZtriskError =>
    new ZtriskError('rate_limited', 'Rate limited', { retryAfterSeconds });
  const refuse = (retryAfterSeconds: number): ZtriskError => {
    metrics.countRateLimited(1);
    return rateLimited(retryAfterSeconds);
  };
  return async (request) => {
    const address = request.ip;
    const blocked = failures?.check(address);
    if (blocked && !blocked.allowed) throw rateLimited(blocked.retryAfterSeconds);
    let principal: Principal;
    try {
      principal = await options.services.credentials.authenticate({
        authorization: headerValue(request.headers.authorization),
        email: headerValue(request.headers['x-auth-email']),
        key: headerValue(request.headers['x-auth-key']),
      });
    } catch (error) {
      failures?.failed(address);
      throw error;
    }
    const taken = perCaller?.take(`${principal.kind}:${principal.id}`);
    if (taken && !taken.allowed) throw refuse(taken.retryAfterSeconds);
    return principal;
  };
}

function registerRoute(
  app: FastifyInstance,
  prefix: string,
  route: ApiRoute,
  options: AppOptions,
  authenticate: RequestAuthenticator,
): void {
  const { services } = options;
  const checkParams = compileParamCheck(route.params ?? emptyObject());
  const checkQuery = route.query ? compileParamCheck(route.query) : undefined;
  const checkBody = route.body ? compileBodyCheck(route.body) : undefined;

  app.route({
    method: route.method,
    url: `${prefix}${route.path}`,
    ...(route.bodyLimitBytes ? { bodyLimit: route.bodyLimitBytes(services) } : {}),
    // Route (404) → authentication (401) → authorization (403), before the body is read.
    onRequest: async (request: FastifyRequest) => {
      const params = request.params as Record<string, string>;
      for (const [name, literals] of Object.entries(LITERAL_SEGMENTS)) {
        const value = params[name];
        if (value !== undefined && literals.has(value)) throw new ZtriskError('no_endpoint', 'no endpoint');
      }
      const principal = await authenticate(request);
      const accountId = params.account_id ?? '';
      if (!isAllowed(principal, accountId, route.permissions)) {
        throw new ZtriskError('forbidden', 'Unauthorized to access requested resource');
      }
      request.principal = principal;
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const params: Record<string, unknown> = { ...(request.params as Record<string, unknown>) };
      const query: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
      const problems: Problem[] = [...checkParams(params), ...(checkQuery ? checkQuery(query) : [])];
      if (problems.length > 0) throw new ZtriskError('invalid', problems);

      const received = request.body instanceof ReceivedBody ? request.body : undefined;
      let body: unknown = route.bodyMode === 'raw' ? undefined : decodeJson(request.body);
      if (route.bodyMode === 'required') {
        if (!isPlainObject(body)) throw new ZtriskError('invalid_body', 'Invalid request body');
      } else if (!isPlainObject(body)) {
        body = undefined;
      }
      if (body !== undefined && checkBody) {
        const bodyProblems = checkBody(body);
        if (bodyProblems.length > 0) throw new ZtriskError('invalid', bodyProblems);
      }

      const principal = request.principal;
      if (!principal) throw new ZtriskError('unauthenticated', 'Authentication error');
      const out = await route.handler({
        params,
        query,
        body,
        raw: received
          ? {
              buffer: received.buffer,
              contentType: headerValue(request.headers['content-type']),
              contentEncoding: headerValue(request.headers['content-encoding']),
            }
          : undefined,
        principal,
        services,
        requestId: request.id,
        publicUrl: options.publicUrl(),
      });
      void reply.code(200);
      return out.page ? okPage(out.result, out.page) : ok(out.result);
    },
  });
}

function emptyObject(): TSchema {
  return Type.Object({});
}
