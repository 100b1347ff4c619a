import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  guardedLookup,
  hostOf,
  refusedAddressReason,
  type TargetPolicy,
  TargetRefusedError,
} from './target-guard.js';

/** What one RFC 8935 push attempt came to. */
export type PushResult =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'permanent'; readonly error: string }
  | { readonly kind: 'retry'; readonly error: string; readonly retryAfterMs: number | undefined };

/** Options of a push. */
export interface PushOptions {
  /** The receiver's `Authorization` header value, if any. */
  readonly authorizationHeader?: string | undefined;
  /** Whole-request timeout (connect, send, response). */
  readonly timeoutMs: number;
  readonly policy: TargetPolicy;
}

/** Most response bytes read (for the error description). */
const MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * Parses `Retry-After` (delta-seconds or an HTTP-date) into milliseconds from `nowMs`; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

function describeError(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { err?: unknown; description?: unknown };
    if (typeof parsed.err === 'string') {
      const description =
        typeof parsed.description === 'string' ? `: ${parsed.description.slice(0, 200)}` : '';
      return `HTTP ${status} ${parsed.err}${description}`;
    }
  } catch {
    // Not the RFC 8935 error body.
  }
  return `HTTP ${status}`;
}

/**
 * Classifies a push response (RFC 8935 §2.3/§2.4): any 2xx is success; 408, 429 and 5xx are transient
 * (retried, honouring `Retry-After`); every other status, redirects included, is a permanent failure.
 */
export function classifyPushResponse(
  status: number,
  body: string,
  retryAfter: string | undefined,
  nowMs: number,
): PushResult {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'retry',
      error: describeError(status, body),
      retryAfterMs: parseRetryAfter(retryAfter, nowMs),
    };
  }
  if (status >= 300 && status < 400)
    return { kind: 'permanent', error: `HTTP ${status} (redirects are not followed)` };
  return { kind: 'permanent', error: describeError(status, body) };
}

const agents = new Map<boolean, { http: http.Agent; https: https.Agent }>();

function agentsFor(policy: TargetPolicy) {
  let found = agents.get(policy.allowPrivateTargets);
  if (!found) {
    const lookup = guardedLookup(policy);
    found = {
      http: new http.Agent({ keepAlive: true, lookup }),
      https: new https.Agent({ keepAlive: true, lookup }),
    };
    agents.set(policy.allowPrivateTargets, found);
  }
  return found;
}

/**
 * POSTs one SET (`Content-Type: application/secevent+jwt`, `Accept: application/json`) to a push
 * endpoint, connecting only to addresses the policy allows. Never throws.
 */
export function pushSet(endpointUrl: string, set: string, options: PushOptions): Promise<PushResult> {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    return Promise.resolve({ kind: 'permanent', error: 'the endpoint URL is not a URL' });
  }
  const secure = url.protocol === 'https:';
  if (!secure && !(url.protocol === 'http:' && options.policy.allowPrivateTargets)) {
    return Promise.resolve({
      kind: 'permanent',
      error: `refused: ${url.protocol} endpoints are not allowed`,
    });
  }
  const host = hostOf(url);
  // Literal addresses never reach the lookup function, so they are checked here.
  if (isIP(host) !== 0) {
    const reason = refusedAddressReason(host, options.policy);
    if (reason) return Promise.resolve({ kind: 'permanent', error: `refused: ${reason}` });
  }
  const agent = agentsFor(options.policy);
  return new Promise<PushResult>((resolve) => {
    let settled = false;
    const finish = (result: PushResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const headers: Record<string, string> = {
      'content-type': 'application/secevent+jwt',
      accept: 'application/json',
      'content-length': String(Buffer.byteLength(set)),
    };
    if (options.authorizationHeader !== undefined) headers.authorization = options.authorizationHeader;
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers,
      agent: secure ? agent.https : agent.http,
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('error', (error) => {
      if (error instanceof TargetRefusedError)
        finish({ kind: 'permanent', error: `refused: ${error.message}` });
      else finish({ kind: 'retry', error: `network error: ${error.message}`, retryAfterMs: undefined });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
      });
      response.on('error', (error) =>
        finish({ kind: 'retry', error: `network error: ${error.message}`, retryAfterMs: undefined }),
      );
      response.on('end', () => {
        const retryAfter = response.headers['retry-after'];
        finish(
          classifyPushResponse(
            response.statusCode ?? 0,
            Buffer.concat(chunks).toString('utf8'),
            Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            Date.now(),
          ),
        );
      });
    });
    request.end(set);
  });
}

/** Closes kept-alive connections (at shutdown). */
export function closePushConnections(): void {
  for (const a of agents.values()) {
    a.http.destroy();
    a.https.destroy();
  }
  agents.clear();
}
