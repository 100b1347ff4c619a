import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  ACCOUNT,
  assertError,
  base,
  OTHER_ACCOUNT,
  PUBLIC_URL,
  startTestApp,
  type TestApp,
} from '../support/harness.js';

interface WireIntegration {
  id: string;
  account_tag: string;
  integration_type: string;
  reference_id: string;
  tenant_url: string;
  well_known_url: string;
  active: boolean;
  created_at: string;
}

describe('integrations API', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  async function create(body: Record<string, unknown>): Promise<WireIntegration> {
    const res = await t.request('POST', `${base()}/integrations`, {
      body,
      operationId: 'dlp-zt-risk-score-integration-create',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.json.result as WireIntegration;
  }

  it('creates an active integration with defaults and an absolute well_known_url (200, not 201)', async () => {
    const created = await create({ integration_type: 'Okta', tenant_url: 'https://acme.okta.com' });
    assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(created.account_tag, ACCOUNT);
    assert.equal(created.integration_type, 'Okta');
    assert.match(created.reference_id, /^[0-9a-f-]{36}$/, 'random UUID reference id');
    assert.equal(created.tenant_url, 'https://acme.okta.com');
    assert.equal(created.well_known_url, `${PUBLIC_URL}/.well-known/sse-configuration/${created.id}/`);
    assert.equal(created.active, true);
    assert.match(created.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('keeps a given reference id and a null one becomes a UUID; unknown members are ignored', async () => {
    const a = await create({
      integration_type: 'Okta',
      tenant_url: 'https://a.okta.com',
      reference_id: 'idp-1',
      extra: 1,
    });
    assert.equal(a.reference_id, 'idp-1');
    const b = await create({
      integration_type: 'Okta',
      tenant_url: 'https://b.okta.com',
      reference_id: null,
    });
    assert.match(b.reference_id, /^[0-9a-f-]{36}$/);
  });

  it('lists integrations oldest first as a bare array without result_info', async () => {
    const res = await t.request('GET', `${base()}/integrations`, {
      operationId: 'dlp-zt-risk-score-integration-list',
    });
    assert.equal(res.status, 200);
    const list = res.json.result as WireIntegration[];
    assert.ok(list.length >= 3);
    const times = list.map((i) => i.created_at);
    assert.deepEqual(times, [...times].sort());
    assert.equal(res.json.result_info, undefined);
  });

  it('gets by id (any case) and 404s another account’s or an unknown id', async () => {
    const created = await create({ integration_type: 'Okta', tenant_url: 'https://get.okta.com' });
    const res = await t.request('GET', `${base()}/integrations/${created.id.toUpperCase()}`, {
      operationId: 'dlp-zt-risk-score-integration-get',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.result, created);
    assertError(
      await t.request('GET', `${base()}/integrations/${randomUUID()}`, {
        operationId: 'dlp-zt-risk-score-integration-get',
      }),
      404,
      1404,
      {
        message: 'Integration not found',
      },
    );
    const other = await t.token(['Zero Trust Read'], [OTHER_ACCOUNT]);
    assertError(
      await t.request('GET', `${base(OTHER_ACCOUNT)}/integrations/${created.id}`, { token: other }),
      404,
      1404,
    );
  });

  it('updates tenant_url, keeps active and reference_id when absent or null, ignores integration_type', async () => {
    clockTick();
    const created = await create({
      integration_type: 'Okta',
      tenant_url: 'https://old.okta.com',
      reference_id: 'ref-upd',
    });
    const res = await t.request('PUT', `${base()}/integrations/${created.id}`, {
      body: { tenant_url: 'https://new.okta.com', integration_type: 'Whatever', reference_id: null },
      operationId: 'dlp-zt-risk-score-integration-update',
    });
    assert.equal(res.status, 200);
    const updated = res.json.result as WireIntegration;
    assert.equal(updated.tenant_url, 'https://new.okta.com');
    assert.equal(updated.active, true);
    assert.equal(updated.reference_id, 'ref-upd');
    assert.equal(updated.integration_type, 'Okta');
    assert.equal(updated.created_at, created.created_at);
    assert.equal(updated.well_known_url, created.well_known_url);

    const off = await t.request('PUT', `${base()}/integrations/${created.id}`, {
      body: { tenant_url: 'https://new.okta.com', active: false, reference_id: 'ref-2' },
    });
    assert.equal((off.json.result as WireIntegration).active, false);
    assert.equal((off.json.result as WireIntegration).reference_id, 'ref-2');
  });

  it('finds the newest integration by reference id (URL-decoded, no UUID check)', async () => {
    clockTick();
    const first = await create({
      integration_type: 'Okta',
      tenant_url: 'https://r1.okta.com',
      reference_id: 'shared ref/1',
    });
    clockTick();
    const second = await create({
      integration_type: 'Okta',
      tenant_url: 'https://r2.okta.com',
      reference_id: 'shared ref/1',
    });
    const res = await t.request(
      'GET',
      `${base()}/integrations/reference_id/${encodeURIComponent('shared ref/1')}`,
      {
        operationId: 'dlp-zt-risk-score-integration-get-by-reference-id',
      },
    );
    assert.equal(res.status, 200);
    assert.equal((res.json.result as WireIntegration).id, second.id);
    assert.notEqual(first.id, second.id);
    assertError(await t.request('GET', `${base()}/integrations/reference_id/nope`), 404, 1404);
  });

  it('deletes with 200 and result null; later get and delete are 404', async () => {
    const created = await create({ integration_type: 'Okta', tenant_url: 'https://del.okta.com' });
    const res = await t.request('DELETE', `${base()}/integrations/${created.id}`, {
      operationId: 'dlp-zt-risk-score-integration-delete',
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.result, null);
    assert.equal(res.json.success, true);
    assertError(await t.request('GET', `${base()}/integrations/${created.id}`), 404, 1404);
    assertError(await t.request('DELETE', `${base()}/integrations/${created.id}`), 404, 1404);
  });

  it('ignores a body and Content-Type on DELETE', async () => {
    const created = await create({ integration_type: 'Okta', tenant_url: 'https://del2.okta.com' });
    const res = await t.request('DELETE', `${base()}/integrations/${created.id}`, {
      raw: 'not json',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200);
  });

  const badCreates: { name: string; body: unknown; pointer?: string; code: number }[] = [
    {
      name: 'a missing integration_type',
      body: { tenant_url: 'https://x.okta.com' },
      pointer: '/integration_type',
      code: 1002,
    },
    {
      name: 'a lowercase integration_type',
      body: { integration_type: 'okta', tenant_url: 'https://x.okta.com' },
      pointer: '/integration_type',
      code: 1002,
    },
    { name: 'a missing tenant_url', body: { integration_type: 'Okta' }, pointer: '/tenant_url', code: 1002 },
    {
      name: 'a relative tenant_url',
      body: { integration_type: 'Okta', tenant_url: 'acme.okta.com' },
      pointer: '/tenant_url',
      code: 1002,
    },
    {
      name: 'an ftp tenant_url',
      body: { integration_type: 'Okta', tenant_url: 'ftp://acme.okta.com' },
      pointer: '/tenant_url',
      code: 1002,
    },
    {
      name: 'a too long tenant_url',
      body: { integration_type: 'Okta', tenant_url: `https://a.com/${'x'.repeat(2100)}` },
      pointer: '/tenant_url',
      code: 1002,
    },
    {
      name: 'a numeric tenant_url',
      body: { integration_type: 'Okta', tenant_url: 5 },
      pointer: '/tenant_url',
      code: 1002,
    },
    {
      name: 'an empty reference_id',
      body: { integration_type: 'Okta', tenant_url: 'https://x.okta.com', reference_id: '' },
      pointer: '/reference_id',
      code: 1002,
    },
    {
      name: 'a numeric reference_id',
      body: { integration_type: 'Okta', tenant_url: 'https://x.okta.com', reference_id: 7 },
      pointer: '/reference_id',
      code: 1002,
    },
    { name: 'a string body', body: 'Okta', code: 1001 },
  ];
  for (const c of badCreates) {
    it(`rejects a create with ${c.name} and creates nothing`, async () => {
      const count = ((await t.request('GET', `${base()}/integrations`)).json.result as unknown[]).length;
      const res = await t.request('POST', `${base()}/integrations`, {
        body: c.body,
        operationId: 'dlp-zt-risk-score-integration-create',
      });
      assertError(res, c.code === 1001 ? 400 : 400, c.code, c.pointer ? { pointer: c.pointer } : {});
      assert.equal(
        ((await t.request('GET', `${base()}/integrations`)).json.result as unknown[]).length,
        count,
      );
    });
  }

  it('reports every create problem at once', async () => {
    const res = await t.request('POST', `${base()}/integrations`, {
      body: { integration_type: 'Azure', tenant_url: 'nope' },
    });
    assert.equal(res.status, 400);
    const pointers = (res.json.errors as { source?: { pointer: string } }[])
      .map((e) => e.source?.pointer)
      .sort();
    assert.deepEqual(pointers, ['/integration_type', '/tenant_url']);
  });

  it('rejects an update without tenant_url or with a non-boolean active, changing nothing', async () => {
    const created = await create({ integration_type: 'Okta', tenant_url: 'https://keep.okta.com' });
    assertError(
      await t.request('PUT', `${base()}/integrations/${created.id}`, { body: { active: false } }),
      400,
      1002,
      {
        pointer: '/tenant_url',
      },
    );
    assertError(
      await t.request('PUT', `${base()}/integrations/${created.id}`, {
        body: { tenant_url: 'https://x.okta.com', active: 'no' },
      }),
      400,
      1002,
      { pointer: '/active' },
    );
    const got = await t.request('GET', `${base()}/integrations/${created.id}`);
    assert.deepEqual(got.json.result, created);
  });

  it('checks the path before the body and the body before existence', async () => {
    assertError(
      await t.request('PUT', `${base()}/integrations/not-a-uuid`, {
        raw: '{',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      1002,
      {
        message: 'integration_id: must be a UUID',
      },
    );
    assertError(await t.request('PUT', `${base()}/integrations/${randomUUID()}`, { body: {} }), 400, 1002, {
      pointer: '/tenant_url',
    });
    assertError(
      await t.request('PUT', `${base()}/integrations/${randomUUID()}`, {
        body: { tenant_url: 'https://x.okta.com' },
      }),
      404,
      1404,
    );
  });

  it('audits create, update and delete with before and after', async () => {
    const created = await create({ integration_type: 'Okta', tenant_url: 'https://audit.okta.com' });
    await t.request('PUT', `${base()}/integrations/${created.id}`, {
      body: { tenant_url: 'https://audit2.okta.com' },
    });
    await t.request('DELETE', `${base()}/integrations/${created.id}`);
    const res = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/audit?per_page=1000`);
    const entries = (
      res.json.result as { action: string; target_id: string; before: unknown; after: unknown }[]
    ).filter((e) => e.target_id === created.id);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['integration.delete', 'integration.update', 'integration.create'],
    );
    const update = entries[1];
    assert.ok(update);
    assert.equal((update.after as { tenant_url: string }).tenant_url, 'https://audit2.okta.com');
    assert.equal((update.before as { tenant_url: string }).tenant_url, 'https://audit.okta.com');
    assert.equal(entries[0]?.after, null);
  });

  function clockTick(): void {
    t.clock.advance(1000);
  }
});
