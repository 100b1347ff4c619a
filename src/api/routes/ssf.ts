import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZtriskError } from '../../domain/errors.js';
import { actorOf, isAllowed, type Principal } from '../../domain/permissions.js';
import type { Stream } from '../../domain/streams.js';
import type { Services } from '../../services/services.js';
import { parsePollRequest } from '../../services/streams.js';
import { toWireStream } from '../../signals/stream-config.js';
import { ssfFailure } from '../errors.js';

/** What the Shared Signals routes need from the app. */
export interface SignalRoutesOptions {
  readonly services: Services;
  /** Absolute public base URL without trailing slash, read per request. */
  readonly publicUrl: () => string;
  /** The app's authenticator (credentials + rate limits); throws `unauthenticated` / `rate_limited`. */
  readonly authenticate: (request: FastifyRequest) => Promise<Principal>;
}

/** Receivers need this permission on the account: streams reveal per-user risk (SSF.md). */
const RECEIVER_PERMISSION = 'Zero Trust: PII Read' as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class Body {
  constructor(readonly buffer: Buffer) {}
}

/** The request body as a JSON object; `required` bodies must be one (400 otherwise). */
function jsonObject(request: FastifyRequest, required: boolean): Record<string, unknown> {
  const raw = request.body;
  if (!(raw instanceof Body)) {
    if (required) throw new ZtriskError('invalid_body', 'a JSON object body is required');
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.buffer.toString('utf8'));
  } catch {
    throw new ZtriskError('invalid_body', 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ZtriskError('invalid_body', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function queryStreamId(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown>).stream_id;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function requiredStreamId(request: FastifyRequest): string {
  const id = queryStreamId(request);
  if (id === undefined) throw new ZtriskError('invalid', 'stream_id: the query parameter is required');
  return id;
}

function accountOf(request: FastifyRequest): string {
  return (request.params as { account_id: string }).account_id;
}

function statusBody(stream: Stream) {
  return {
    stream_id: stream.id,
    status: stream.status,
    ...(stream.statusReason !== undefined ? { reason: stream.statusReason } : {}),
  };
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body, retryAfterSeconds } = ssfFailure(error, request.id);
  if (status >= 500) request.log.error({ err: error }, 'unhandled error');
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Routes every SSF scope shares: its own body parser and SSF's `{ err, description }` errors. */
function ssfScope(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    const buf = body as Buffer;
    done(null, buf.length === 0 ? undefined : new Body(buf));
  });
  scope.setErrorHandler((error, request, reply) => {
    const e = error as { code?: string; statusCode?: number };
    const mapped =
      error instanceof ZtriskError
        ? error
        : e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413
          ? new ZtriskError('too_large', 'the body is too large')
          : typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500
            ? new ZtriskError('invalid_body', 'the request could not be read')
            : error;
    sendError(mapped, request, reply);
  });
}

/**
 * The Shared Signals transmitter's HTTP surface (SSF.md), served at the root only: the metadata
 * documents (`/.well-known/ssf-configuration/ssf/{account_id}` and Cloudflare's legacy
 * `/.well-known/sse-configuration/{integration_id}/`), the JWKS, and per account under
 * `/ssf/{account_id}`: stream configuration, status, subjects, verification and RFC 8936 polling.
 * These keep SSF's own error body `{ err, description }` rather than the v4 envelope. Handlers read the
 * request, call one stream service function and shape its answer.
 */
export function registerSignalRoutes(app: FastifyInstance, options: SignalRoutesOptions): void {
  const { services } = options;
  const streams = () => services.streams;

  void app.register(async (scope) => {
    ssfScope(scope);
    scope.get('/.well-known/ssf-configuration/ssf/:account_id', async (request) =>
      streams().metadata(accountOf(request), options.publicUrl()),
    );
    scope.get('/.well-known/sse-configuration/:integration_id', async (request) => {
      const id = (request.params as { integration_id: string }).integration_id;
      if (!UUID.test(id)) throw new ZtriskError('not_found', 'No such integration');
      return streams().integrationMetadata(id, options.publicUrl());
    });
  });

  void app.register(
    async (scope) => {
      ssfScope(scope);
      scope.setNotFoundHandler((request, reply) => {
        sendError(new ZtriskError('no_route', 'No such SSF endpoint'), request, reply);
      });

      scope.get('/:account_id/jwks.json', async (request, reply) => {
        void reply.header('cache-control', 'public, max-age=60');
        return streams().jwks(accountOf(request));
      });

      // Everything else is for receivers: a token holding PII Read on the account.
      scope.register(async (receiver) => {
        receiver.addHook('onRequest', async (request) => {
          const principal = await options.authenticate(request);
          if (!isAllowed(principal, accountOf(request), [RECEIVER_PERMISSION])) {
            throw new ZtriskError('forbidden', `the token lacks "${RECEIVER_PERMISSION}" on this account`);
          }
          request.principal = principal;
        });
        const actor = (request: FastifyRequest): string => {
          if (!request.principal) throw new ZtriskError('unauthenticated', 'Authentication error');
          return actorOf(request.principal);
        };

        receiver.post('/:account_id/streams', async (request, reply) => {
          const stream = await streams().create(
            accountOf(request),
            jsonObject(request, false),
            actor(request),
          );
          void reply.code(201);
          return toWireStream(stream, options.publicUrl());
        });
        receiver.get('/:account_id/streams', async (request) => {
          const id = queryStreamId(request);
          const publicUrl = options.publicUrl();
          if (id !== undefined) return toWireStream(await streams().get(accountOf(request), id), publicUrl);
          return (await streams().list(accountOf(request))).map((s) => toWireStream(s, publicUrl));
        });
        for (const [method, mode] of [
          ['PATCH', 'patch'],
          ['PUT', 'replace'],
        ] as const) {
          receiver.route({
            method,
            url: '/:account_id/streams',
            handler: async (request) => {
              const publicUrl = options.publicUrl();
              const stream = await streams().update(
                accountOf(request),
                jsonObject(request, true),
                mode,
                actor(request),
                publicUrl,
              );
              return toWireStream(stream, publicUrl);
            },
          });
        }
        receiver.delete('/:account_id/streams', async (request, reply) => {
          await streams().remove(accountOf(request), requiredStreamId(request), actor(request));
          void reply.code(204);
        });

        receiver.get('/:account_id/streams/status', async (request) =>
          statusBody(await streams().get(accountOf(request), requiredStreamId(request))),
        );
        receiver.post('/:account_id/streams/status', async (request) =>
          statusBody(
            await streams().setStatus(accountOf(request), jsonObject(request, true), actor(request), false),
          ),
        );

        receiver.post('/:account_id/subjects/add', async (request, reply) => {
          await streams().setSubject(accountOf(request), jsonObject(request, true), true);
          void reply.code(200);
          return reply.send();
        });
        receiver.post('/:account_id/subjects/remove', async (request, reply) => {
          await streams().setSubject(accountOf(request), jsonObject(request, true), false);
          void reply.code(200);
          return reply.send();
        });

        receiver.post('/:account_id/verify', async (request, reply) => {
          await streams().verify(accountOf(request), jsonObject(request, true));
          void reply.code(204);
          return reply.send();
        });

        receiver.post('/:account_id/poll/:stream_id', async (request) => {
          const streamId = (request.params as { stream_id: string }).stream_id;
          return streams().poll(
            accountOf(request),
            streamId,
            parsePollRequest(jsonObject(request, false)),
            options.publicUrl(),
          );
        });
      });
    },
    { prefix: '/ssf' },
  );
}
