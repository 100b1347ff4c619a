import { ZtriskError } from '../domain/errors.js';
import { ERROR_TABLE, MAX_PROBLEMS } from './errors.js';

/** A v4 message item (`dlp_messages`). */
export interface WireMessage {
  code: number;
  message: string;
  source?: { pointer: string };
}

/** The v4 `result_info` ztrisk sends on paged endpoints: all five as integers. */
export interface ResultInfo {
  count: number;
  page: number;
  per_page: number;
  total_count: number;
  total_pages: number;
}

/** A success envelope. */
export interface SuccessEnvelope<T> {
  success: true;
  errors: WireMessage[];
  messages: WireMessage[];
  result: T;
  result_info?: ResultInfo;
}

/** A failure envelope (`dlp_api-response-common-failure`). */
export interface FailureEnvelope {
  success: false;
  errors: WireMessage[];
  messages: WireMessage[];
  result: null;
}

/** Wraps a result in the success envelope (no `result_info`). */
export function ok<T>(result: T): SuccessEnvelope<T> {
  return { success: true, errors: [], messages: [], result };
}

/** Builds `result_info` for a page: `total_pages` is 0 when empty. */
export function resultInfo(count: number, page: number, perPage: number, totalCount: number): ResultInfo {
  return {
    count,
    page,
    per_page: perPage,
    total_count: totalCount,
    total_pages: Math.ceil(totalCount / perPage),
  };
}

/** Wraps one page of results with its `result_info`. */
export function okPage<T>(
  result: T,
  info: { count: number; page: number; perPage: number; totalCount: number },
): SuccessEnvelope<T> {
  return { ...ok(result), result_info: resultInfo(info.count, info.page, info.perPage, info.totalCount) };
}

/** The status and failure envelope of an error (a {@link ZtriskError}, or anything else as internal). */
export function failure(error: unknown, requestId: string): { status: number; body: FailureEnvelope } {
  const e = error instanceof ZtriskError ? error : new ZtriskError('internal', 'internal');
  const row = ERROR_TABLE[e.kind];
  let errors: WireMessage[];
  if (e.kind === 'internal') {
    errors = [{ code: row.code, message: `Internal error (request id ${requestId})` }];
  } else if (row.message !== undefined) {
    errors = [{ code: row.code, message: row.message }];
  } else {
    errors = e.problems.slice(0, MAX_PROBLEMS).map((p) => ({
      code: row.code,
      message: p.message,
      ...(p.pointer !== undefined ? { source: { pointer: p.pointer } } : {}),
    }));
  }
  return { status: row.status, body: { success: false, errors, messages: [], result: null } };
}
