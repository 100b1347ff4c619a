import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import { ACCOUNT, assertError, base, startTestApp, type TestApp } from '../support/harness.js';

describe('operations: health, readiness, metrics', () => {
  let t: TestApp;
  before(async () => {
    const metrics = createPrometheusMetrics({ processMetrics: false });
    t = await startTestApp({
      services: { metrics },
      app: {
        metrics,
        readiness: async () => {
          await t.store.ping();
          const pending = await t.store.pendingMigrations();
          return pending === 0 ? [] : ['pending'];
        },
      },
    });
  });
  after(async () => t.close());

  it('answers liveness and readiness without credentials', async () => {
    const live = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', problems: [] });
  });

  it('exports request counts by route pattern and status, and ingestion and detection counts', async () => {
    await t.request('GET', `${base()}/behaviors`);
    await t.request('GET', `${base()}/${randomUUID()}`);
    await t.request('POST', `/client/v4/accounts/${ACCOUNT}/ztrisk/events`, {
      body: [
        {
          id: 'm1',
          type: 'sign_in',
          timestamp: '2026-03-02T10:00:00Z',
          user: { id: randomUUID() },
          outcome: 'success',
        },
      ],
    });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const text = res.body;
    assert.match(
      text,
      /ztrisk_http_requests_total\{route="\/client\/v4\/accounts\/:account_id\/zt_risk_scoring\/behaviors",method="GET",status="200"\} 1/,
    );
    assert.match(
      text,
      /ztrisk_http_requests_total\{route="\/client\/v4\/accounts\/:account_id\/zt_risk_scoring\/:user_id",method="GET",status="404"\} 1/,
    );
    assert.match(text, /ztrisk_http_request_duration_seconds_bucket/);
    assert.match(text, /ztrisk_ingested_records_total\{source="events",outcome="accepted"\} 1/);
    assert.ok(!text.includes(t.adminToken), 'no secrets in metrics');
  });
});

describe('rate limits', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({
      app: {
        rateLimit: {
          perCaller: { perMinute: 60, burst: 3 },
          authFailuresPerAddress: { perMinute: 6, burst: 2 },
        },
      },
    });
  });
  after(async () => t.close());

  it('answers 429 / 1429 with Retry-After once a token exceeds its burst, and refills over time', async () => {
    const token = await t.token(['Zero Trust Read']);
    for (let i = 0; i < 3; i++)
      assert.equal((await t.request('GET', `${base()}/behaviors`, { token })).status, 200);
    const limited = await t.request('GET', `${base()}/behaviors`, { token });
    assertError(limited, 429, 1429, { message: 'Rate limited' });
    assert.equal(limited.headers['retry-after'], '1');
    const other = await t.token(['Zero Trust Read']);
    assert.equal(
      (await t.request('GET', `${base()}/behaviors`, { token: other })).status,
      200,
      'limits are per token',
    );
    t.clock.advance(1000);
    assert.equal((await t.request('GET', `${base()}/behaviors`, { token })).status, 200);
  });

  it('refuses an address with repeated authentication failures before checking more credentials', async () => {
    assertError(await t.request('GET', `${base()}/behaviors`, { token: 'wrong-1' }), 401, 10000);
    assertError(await t.request('GET', `${base()}/behaviors`, { token: 'wrong-2' }), 401, 10000);
    const limited = await t.request('GET', `${base()}/behaviors`, { token: 'wrong-3' });
    assertError(limited, 429, 1429);
    assert.equal(limited.headers['retry-after'], '10');
    t.clock.advance(10_000);
    assertError(await t.request('GET', `${base()}/behaviors`, { token: 'wrong-4' }), 401, 10000);
  });
});

describe('slow and oversized clients on a listening server', () => {
  let t: TestApp;
  let port = 0;
  before(async () => {
    t = await startTestApp({ app: { requestTimeoutMs: 1000, maxHeaderBytes: 2048 } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => t.close());

  /** Writes a raw payload; resolves with what came back and whether the server closed the socket first. */
  function rawExchange(payload: string, waitMs: number): Promise<{ data: string; closedByServer: boolean }> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      let closedByServer = true;
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        data += d;
      });
      socket.on('close', () => resolve({ data, closedByServer }));
      socket.on('error', () => undefined);
      socket.write(payload);
      setTimeout(() => {
        closedByServer = false;
        socket.destroy();
      }, waitMs);
    });
  }

  it('answers 431 to a request head over the limit', async () => {
    const res = await rawExchange(
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`,
      3000,
    );
    assert.match(res.data, /^HTTP\/1\.1 431/);
    assert.equal(JSON.parse(res.data.split('\r\n\r\n')[1] ?? '').errors[0].code, 1001);
  });

  it('disconnects a client that stops sending in the middle of its request', async () => {
    const res = await rawExchange(
      `POST ${base()}/integrations HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nAuthorization: Bearer ${t.adminToken}\r\n\r\n{`,
      5000,
    );
    assert.equal(res.closedByServer, true, 'the server closed the idle socket');
    assert.doesNotMatch(res.data, /^HTTP\/1\.1 [25]/);
  });

  it('answers 408 to a client that never finishes its request head', async () => {
    const res = await rawExchange(`GET /healthz HTTP/1.1\r\nHost: x\r\n`, 5000);
    assert.equal(res.closedByServer, true);
  });
});
