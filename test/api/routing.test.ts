import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, assertError, base, startTestApp, type TestApp } from '../support/harness.js';

describe('routing, envelope and request handling', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('serves every route both under /client/v4 and at the root', async () => {
    const v4 = await t.request('GET', `${base()}/behaviors`);
    const root = await t.request('GET', `${base(ACCOUNT, '')}/behaviors`);
    assert.equal(v4.status, 200);
    assert.deepEqual(root.body, v4.body);
    const rootVerify = await t.request('GET', '/user/tokens/verify');
    assert.equal(rootVerify.status, 200);
  });

  it('answers JSON with charset and echoes a valid x-request-id, replacing an invalid one', async () => {
    const res = await t.request('GET', `${base()}/behaviors`, {
      headers: { 'x-request-id': 'abc.DEF_123-x' },
    });
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['x-request-id'], 'abc.DEF_123-x');
    const bad = await t.request('GET', `${base()}/behaviors`, { headers: { 'x-request-id': 'has space' } });
    assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  const noEndpoint: [string, string][] = [
    ['POST', `${base()}/summary`],
    ['DELETE', `${base()}/behaviors`],
    ['POST', `${base()}/summary/reset`],
    ['GET', `${base()}/integrations/reference_id`],
    ['GET', `${base()}/${randomUUID()}/reset`],
    ['GET', `${base()}/a/b/c/d`],
    ['PATCH', `${base()}/integrations`],
    ['GET', `${base(ACCOUNT, '')}/nothing/here`],
  ];
  for (const [method, path] of noEndpoint) {
    it(`answers 404 / 7003 for ${method} ${path.replace(ACCOUNT, ':account')} before checking credentials`, async () => {
      assertError(await t.request(method, path, { token: null }), 404, 7003, {
        message: 'No route for the URI',
      });
    });
  }

  it('answers 404 / 7000 outside every zt_risk_scoring route', async () => {
    assertError(await t.request('GET', '/client/v4/zones', { token: null }), 404, 7000, {
      message: 'No route for that URI',
    });
    assertError(await t.request('GET', '/nope', { token: null }), 404, 7000);
  });

  it('rejects an unknown literal-looking segment as a bad user id', async () => {
    assertError(await t.request('GET', `${base()}/foo`), 400, 1002, { message: 'user_id: must be a UUID' });
  });

  it('answers 413 / 1001 for a body over 1 MiB and stays up', async () => {
    const big = JSON.stringify({ behaviors: {}, padding: 'x'.repeat(1_100_000) });
    const res = await t.request('PUT', `${base()}/behaviors`, {
      raw: big,
      headers: { 'content-type': 'application/json' },
    });
    assertError(res, 413, 1001, { message: 'Invalid request body' });
    assert.equal((await t.request('GET', `${base()}/behaviors`)).status, 200);
  });

  it('answers 1001 for a body that is not JSON, also without a Content-Type', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${base()}/integrations`,
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-length': '3' },
      payload: '{{{',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(JSON.parse(res.body).errors[0].code, 1001);
  });

  it('serves its own OpenAPI document generated from the route schemas, extensions marked', async () => {
    const res = await t.request('GET', '/client/v4/openapi.json', { token: null });
    assert.equal(res.status, 200);
    const doc = res.json as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; 'x-ztrisk'?: boolean }>>;
    };
    assert.equal(doc.openapi, '3.0.3');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    const ids = ops.map((o) => o.operationId).sort();
    for (const id of [
      'dlp-risk-score-summary-get-for-user',
      'dlp-risk-score-reset-post',
      'dlp-risk-score-behaviors-get',
      'dlp-risk-score-behaviors-put',
      'dlp-risk-score-summary-get',
      'dlp-zt-risk-score-integration-list',
      'dlp-zt-risk-score-integration-create',
      'dlp-zt-risk-score-integration-get',
      'dlp-zt-risk-score-integration-update',
      'dlp-zt-risk-score-integration-delete',
      'dlp-zt-risk-score-integration-get-by-reference-id',
    ]) {
      assert.ok(ids.includes(id), `missing ${id}`);
    }
    const audit = ops.find((o) => o.operationId === 'ztrisk-audit-list');
    assert.equal(audit?.['x-ztrisk'], true);
    const get = ops.find((o) => o.operationId === 'dlp-risk-score-behaviors-get');
    assert.equal(get?.['x-ztrisk'], undefined);
    assert.ok(doc.paths['/accounts/{account_id}/zt_risk_scoring/{user_id}']);
  });

  it('pages the audit trail newest first with result_info and filters by actor', async () => {
    await t.request('PUT', `${base()}/behaviors`, {
      body: { behaviors: { high_dlp: { enabled: true, risk_level: 'low' } } },
    });
    const res = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/audit?per_page=1`);
    assert.equal(res.status, 200);
    const info = res.json.result_info as { count: number; total_count: number };
    assert.equal(info.count, 1);
    assert.ok(info.total_count >= 2, 'token.create and behaviors.update');
    const entries = res.json.result as { action: string; actor: string }[];
    assert.equal(entries[0]?.action, 'behaviors.update');
    const cli = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/audit?actor=cli`);
    assert.ok((cli.json.result as { actor: string }[]).every((e) => e.actor === 'cli'));
    assertError(await t.request('GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/audit?page=0`), 400, 1002, {
      message: /^page: /,
    });
  });
});
