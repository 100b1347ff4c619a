/** The closed set of error kinds; the API maps each to an HTTP status and a v4 code in one table. */
export type ErrorKind =
  | 'invalid'
  | 'invalid_body'
  | 'too_large'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'no_route'
  | 'no_endpoint'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** One problem with a request: a safe message and, for body members, an RFC 6901 pointer. */
export interface Problem {
  readonly message: string;
  readonly pointer?: string;
}

/**
 * A typed, safe-to-show error. Code throws it; the edge (API, CLI, dashboard) turns it into its own
 * representation. `problems` holds every problem found (validation reports them all at once).
 */
export class ZtriskError extends Error {
  readonly kind: ErrorKind;
  readonly problems: readonly Problem[];
  /** Seconds a client should wait before retrying (rate_limited, unavailable). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: ErrorKind,
    problems: string | readonly Problem[],
    options: { retryAfterSeconds?: number } = {},
  ) {
    const list = typeof problems === 'string' ? [{ message: problems }] : problems;
    super(list.map((p) => (p.pointer ? `${p.pointer}: ${p.message}` : p.message)).join('; '));
    this.name = 'ZtriskError';
    this.kind = kind;
    this.problems = list;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Shorthand for a validation error with one or more problems. */
export function invalid(problems: string | readonly Problem[]): ZtriskError {
  return new ZtriskError('invalid', problems);
}

/** Shorthand for a not-found error. */
export function notFound(message: string): ZtriskError {
  return new ZtriskError('not_found', message);
}

/** Escapes one JSON Pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON Pointer from unescaped reference tokens. */
export function pointer(...tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(String(t))}`).join('');
}
