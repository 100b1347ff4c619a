import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify } from 'jose';

/** One request a test receiver got. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The status the receiver answered. */
  readonly status: number;
  readonly at: number;
}

/** What the receiver answers: a status, optional headers and body. */
export interface ReceiverAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * A local RFC 8935 push receiver (127.0.0.1, any free port), as Okta or any SSF receiver would run one:
 * it records every request and answers what `answer` says (202 by default).
 */
export interface TestReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Decides each answer; replace it to simulate outages. */
  answer: (request: { path: string; body: string; count: number }) => ReceiverAnswer;
  /** Bodies of the requests answered 2xx, in arrival order. */
  accepted(path?: string): string[];
  close(): Promise<void>;
}

/** Starts a test receiver. */
export async function startReceiver(): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  let server: Server | undefined;
  const receiver: TestReceiver = {
    url: '',
    requests,
    answer: () => ({ status: 202 }),
    accepted(path) {
      return requests
        .filter((r) => r.status >= 200 && r.status < 300 && (path === undefined || r.path === path))
        .map((r) => r.body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      }),
  };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const answer = receiver.answer({ path, body, count: requests.length });
      requests.push({ path, headers: req.headers, body, status: answer.status, at: Date.now() });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(receiver, { url: `http://127.0.0.1:${port}` });
  return receiver;
}

/** Waits until `done()` is true (polling every 20 ms); fails with `what` after `timeoutMs`. */
export async function waitFor(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The SET checks every receiver makes (SSF.md "The SETs"), with the JWKS fetched over HTTP. */
export async function verifyReceivedSet(
  set: string,
  expect: { jwksUri: string; issuer: string; audience: string },
): Promise<
  JWTPayload & { events: Record<string, Record<string, unknown>>; sub_id: Record<string, unknown> }
> {
  const { payload, protectedHeader } = await jwtVerify(set, createRemoteJWKSet(new URL(expect.jwksUri)), {
    issuer: expect.issuer,
    audience: expect.audience,
    typ: 'secevent+jwt',
    algorithms: ['RS256'],
  });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(typeof protectedHeader.kid, 'string');
  assert.equal(payload.aud, expect.audience, 'aud is exactly the receiver');
  assert.equal(typeof payload.jti, 'string');
  assert.equal(typeof payload.iat, 'number');
  assert.equal(typeof payload.txn, 'string');
  assert.equal(payload.sub, undefined, 'no sub claim');
  assert.equal(payload.exp, undefined, 'no exp claim');
  assert.equal(typeof payload.sub_id, 'object');
  assert.equal(Object.keys(payload.events as object).length, 1, 'exactly one event');
  return payload as JWTPayload & {
    events: Record<string, Record<string, unknown>>;
    sub_id: Record<string, unknown>;
  };
}

/** The claims of a SET without verifying it (for ordering checks). */
export function claimsOf(set: string): Record<string, unknown> {
  return decodeJwt(set) as Record<string, unknown>;
}
