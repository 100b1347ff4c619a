import type { Static, TSchema } from '@sinclair/typebox';
import type { Permission, Principal } from '../domain/permissions.js';
import type { Services } from '../services/services.js';

/** What a handler receives: validated, typed input and the services. */
export interface RouteContext<P extends TSchema, Q extends TSchema, B extends TSchema> {
  readonly params: Static<P>;
  readonly query: Static<Q>;
  readonly body: Static<B> | undefined;
  /** The undecoded request body, for `bodyMode: 'raw'` routes (undefined when empty). */
  readonly raw: RawBody | undefined;
  /** The authenticated caller (always set on authenticated routes). */
  readonly principal: Principal;
  readonly services: Services;
  readonly requestId: string;
  /** Absolute public base URL (no trailing slash), for URLs in responses. */
  readonly publicUrl: string;
}

/** A request body as received: bytes and the headers that say how to read them. */
export interface RawBody {
  readonly buffer: Buffer;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
}

/** What a handler returns: the `result` and, for paged endpoints, the page facts for `result_info`. */
export interface RouteResult {
  readonly result: unknown;
  readonly page?: { count: number; page: number; perPage: number; totalCount: number };
}

/**
 * One API route: the wire schemas (validation, types, OpenAPI), the permission rule, and a handler that
 * only maps input → one service call → result. Routes are registered from plain lists.
 */
export interface ApiRoute<
  P extends TSchema = TSchema,
  Q extends TSchema = TSchema,
  B extends TSchema = TSchema,
> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base (`/client/v4` or root), Fastify style (`/accounts/:account_id/...`). */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  /** Any one suffices; checked against the path's `account_id`. */
  readonly permissions: readonly Permission[];
  /** A ztrisk extension (marked `x-ztrisk: true` in the OpenAPI document). */
  readonly extension?: boolean;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /**
   * `required`: a JSON object body must be present (1001 otherwise). `optional`: validated when it is a
   * JSON object, otherwise ignored (the SDK sends no body on reset and delete).
   */
  readonly bodyMode?: 'required' | 'optional' | 'raw';
  /** Route-specific request body limit in bytes (as received, before any decompression). */
  readonly bodyLimitBytes?: (services: Services) => number;
  /** Schema of `result`. */
  readonly result: TSchema;
  /** Whether the response carries `result_info`. */
  readonly paged?: boolean;
  readonly handler: (ctx: RouteContext<P, Q, B>) => Promise<RouteResult>;
}

/**
 * Declares a route: infers the schema types for its handler, then erases them for the plain route list.
 * The erasure is sound because the app validates params, query and body against these very schemas
 * before calling the handler.
 */
export function defineRoute<P extends TSchema, Q extends TSchema, B extends TSchema>(
  route: ApiRoute<P, Q, B>,
): ApiRoute {
  return route as unknown as ApiRoute;
}
