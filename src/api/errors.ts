import type { ErrorKind } from '../domain/errors.js';

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
