import { type ErrorKind, ZtriskError } from '../domain/errors.js';

/** One row of the error table: how a kind of error looks on the wire (API.md §6). */
export interface ErrorRow {
  readonly status: number;
  readonly code: number;
  /** Fixed message; `undefined` means the error's own problem messages are shown. */
  readonly message: string | undefined;
}

/**
 * The one error table: kind → HTTP status → v4 error code. Everything that produces an error response
 * (API, dashboard JSON endpoints, tests) reads it from here.
 */
export const ERROR_TABLE: Readonly<Record<ErrorKind, ErrorRow>> = {
  invalid_body: { status: 400, code: 1001, message: 'Invalid request body' },
  too_large: { status: 413, code: 1001, message: undefined },
  invalid: { status: 400, code: 1002, message: undefined },
  not_found: { status: 404, code: 1404, message: undefined },
  rate_limited: { status: 429, code: 1429, message: 'Rate limited' },
  internal: { status: 500, code: 1500, message: undefined },
  unavailable: { status: 503, code: 1503, message: 'Service unavailable' },
  no_route: { status: 404, code: 7000, message: 'No route for that URI' },
  no_endpoint: { status: 404, code: 7003, message: 'No route for the URI' },
  forbidden: { status: 403, code: 9109, message: 'Unauthorized to access requested resource' },
  unauthenticated: { status: 401, code: 10000, message: 'Authentication error' },
};

/** At most this many problems are reported in one error response. */
export const MAX_PROBLEMS = 50;

/**
 * The Shared Signals endpoints' column of the error table (SSF.md, API.md §6 last line): they answer
 * `{ "err": <this code>, "description": … }` with the HTTP status of {@link ERROR_TABLE}.
 */
export const SSF_ERROR_CODES: Readonly<Record<ErrorKind, string>> = {
  invalid_body: 'invalid_request',
  too_large: 'invalid_request',
  invalid: 'invalid_request',
  not_found: 'not_found',
  no_route: 'not_found',
  no_endpoint: 'not_found',
  rate_limited: 'too_many_requests',
  internal: 'server_error',
  unavailable: 'temporarily_unavailable',
  forbidden: 'access_denied',
  unauthenticated: 'authentication_failed',
};

/** The SSF error body `{ err, description }` and status of an error (anything unknown is internal). */
export function ssfFailure(
  error: unknown,
  requestId: string,
): { status: number; body: { err: string; description: string }; retryAfterSeconds: number | undefined } {
  const e = error instanceof ZtriskError ? error : new ZtriskError('internal', 'internal');
  const description =
    e.kind === 'internal'
      ? `Internal error (request id ${requestId})`
      : e.kind === 'unauthenticated'
        ? 'Authentication error'
        : e.problems
            .slice(0, MAX_PROBLEMS)
            .map((p) => (p.pointer ? `${p.pointer}: ${p.message}` : p.message))
            .join('; ');
  return {
    status: ERROR_TABLE[e.kind].status,
    body: { err: SSF_ERROR_CODES[e.kind], description },
    retryAfterSeconds: e.retryAfterSeconds,
  };
}
