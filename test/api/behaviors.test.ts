import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BEHAVIOR_KEYS } from '../../src/domain/behaviors.js';
import { assertError, base, startTestApp, type TestApp } from '../support/harness.js';

describe('behaviors API', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('lists all nine catalog behaviors, disabled by default, in catalog order', async () => {
    const res = await t.request('GET', `${base()}/behaviors`, {
      operationId: 'dlp-risk-score-behaviors-get',
    });
    assert.equal(res.status, 200);
    const behaviors = (
      res.json.result as { behaviors: Record<string, { enabled: boolean; risk_level: string; name: string }> }
    ).behaviors;
    assert.deepEqual(Object.keys(behaviors), BEHAVIOR_KEYS);
    assert.ok(Object.values(behaviors).every((b) => b.enabled === false));
    assert.deepEqual(behaviors.imp_travel, {
      name: 'Impossible Travel',
      description: 'Sign-ins from places too far apart for the time between them.',
      risk_level: 'high',
      enabled: false,
    });
    assert.equal(res.json.result_info, undefined);
  });

  it('merges a partial PUT and returns every key with enabled and risk_level only', async () => {
    const res = await t.request('PUT', `${base()}/behaviors`, {
      body: {
        behaviors: {
          high_dlp: { enabled: true, risk_level: 'high', name: 'ignored', description: 'ignored' },
        },
      },
      operationId: 'dlp-risk-score-behaviors-put',
    });
    assert.equal(res.status, 200);
    const result = res.json.result as { behaviors: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(result.behaviors), BEHAVIOR_KEYS);
    assert.deepEqual(result.behaviors.high_dlp, { enabled: true, risk_level: 'high' });
    assert.deepEqual(result.behaviors.imp_travel, { enabled: false, risk_level: 'high' });

    const second = await t.request('PUT', `${base()}/behaviors`, {
      body: { behaviors: { imp_travel: { enabled: true, risk_level: 'medium' } } },
    });
    const after2 = (second.json.result as { behaviors: Record<string, Record<string, unknown>> }).behaviors;
    assert.deepEqual(after2.high_dlp, { enabled: true, risk_level: 'high' }, 'earlier change kept');
    assert.deepEqual(after2.imp_travel, { enabled: true, risk_level: 'medium' });

    const get = await t.request('GET', `${base()}/behaviors`);
    const got = (get.json.result as { behaviors: Record<string, Record<string, unknown>> }).behaviors;
    assert.equal(got.imp_travel?.enabled, true);
    assert.equal(got.imp_travel?.name, 'Impossible Travel');
  });

  it('treats an empty behaviors map as a no-op', async () => {
    const beforeRes = await t.request('GET', `${base()}/behaviors`);
    const res = await t.request('PUT', `${base()}/behaviors`, { body: { behaviors: {} } });
    assert.equal(res.status, 200);
    const afterRes = await t.request('GET', `${base()}/behaviors`);
    assert.deepEqual(afterRes.json.result, beforeRes.json.result);
  });

  const invalidCases: {
    name: string;
    body: unknown;
    raw?: string;
    status: number;
    code: number;
    pointer?: string;
    message?: string;
  }[] = [
    {
      name: 'an unknown key',
      body: { behaviors: { foo: { enabled: true, risk_level: 'low' } } },
      status: 400,
      code: 1002,
      pointer: '/behaviors/foo',
      message: 'unknown behavior',
    },
    {
      name: 'a key needing RFC 6901 escapes',
      body: { behaviors: { 'a/b~c': { enabled: true, risk_level: 'low' } } },
      status: 400,
      code: 1002,
      pointer: '/behaviors/a~1b~0c',
      message: 'unknown behavior',
    },
    {
      name: 'a bad level',
      body: { behaviors: { high_dlp: { enabled: true, risk_level: 'critical' } } },
      status: 400,
      code: 1002,
      pointer: '/behaviors/high_dlp/risk_level',
      message: 'must be one of: low, medium, high',
    },
    {
      name: 'a null level',
      body: { behaviors: { high_dlp: { enabled: true, risk_level: null } } },
      status: 400,
      code: 1002,
      pointer: '/behaviors/high_dlp/risk_level',
    },
    {
      name: 'a missing enabled',
      body: { behaviors: { high_dlp: { risk_level: 'low' } } },
      status: 400,
      code: 1002,
      pointer: '/behaviors/high_dlp/enabled',
      message: 'is required',
    },
    {
      name: 'a string enabled',
      body: { behaviors: { high_dlp: { enabled: 'true', risk_level: 'low' } } },
      status: 400,
      code: 1002,
      pointer: '/behaviors/high_dlp/enabled',
      message: 'must be a boolean',
    },
    {
      name: 'a missing behaviors member',
      body: {},
      status: 400,
      code: 1002,
      pointer: '/behaviors',
      message: 'is required',
    },
    {
      name: 'behaviors that is not an object',
      body: { behaviors: [] },
      status: 400,
      code: 1002,
      pointer: '/behaviors',
    },
    { name: 'a body that is an array', body: [], status: 400, code: 1001 },
    { name: 'a body that is not JSON', body: undefined, raw: '{"behaviors":', status: 400, code: 1001 },
    { name: 'no body at all', body: undefined, status: 400, code: 1001 },
  ];
  for (const c of invalidCases) {
    it(`rejects ${c.name} and applies nothing`, async () => {
      const beforeRes = await t.request('GET', `${base()}/behaviors`);
      const res = await t.request('PUT', `${base()}/behaviors`, {
        ...(c.raw !== undefined ? { raw: c.raw, headers: { 'content-type': 'application/json' } } : {}),
        ...(c.body !== undefined ? { body: c.body } : {}),
        operationId: 'dlp-risk-score-behaviors-put',
      });
      assertError(res, c.status, c.code, {
        ...(c.pointer ? { pointer: c.pointer } : {}),
        ...(c.message ? { message: c.message } : {}),
      });
      const afterRes = await t.request('GET', `${base()}/behaviors`);
      assert.deepEqual(afterRes.json.result, beforeRes.json.result);
    });
  }

  it('reports every problem at once and applies none of the valid entries', async () => {
    const res = await t.request('PUT', `${base()}/behaviors`, {
      body: {
        behaviors: {
          failed_logins: { enabled: true, risk_level: 'high' },
          foo: { enabled: true, risk_level: 'low' },
          high_dlp: { enabled: true, risk_level: 'extreme' },
        },
      },
    });
    assert.equal(res.status, 400);
    const pointers = (res.json.errors as { source?: { pointer: string } }[])
      .map((e) => e.source?.pointer)
      .sort();
    assert.deepEqual(pointers, ['/behaviors/foo', '/behaviors/high_dlp/risk_level']);
    const get = await t.request('GET', `${base()}/behaviors`);
    const got = (get.json.result as { behaviors: Record<string, { enabled: boolean }> }).behaviors;
    assert.equal(got.failed_logins?.enabled, false);
  });

  it('parses a JSON body whatever the Content-Type', async () => {
    const res = await t.request('PUT', `${base()}/behaviors`, {
      raw: JSON.stringify({ behaviors: { malicious_file: { enabled: true, risk_level: 'high' } } }),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(res.status, 200);
  });

  it('audits a change with before and after', async () => {
    await t.request('PUT', `${base()}/behaviors`, {
      body: { behaviors: { sentinel_one: { enabled: true, risk_level: 'low' } } },
    });
    const audit = await t.request(
      'GET',
      `/client/v4/accounts/${base().split('/')[4]}/ztrisk/audit?action=behaviors.update&per_page=1`,
    );
    const entry = (
      audit.json.result as {
        after: Record<string, unknown>;
        before: Record<string, unknown>;
        actor: string;
      }[]
    )[0];
    assert.ok(entry);
    assert.deepEqual(entry.after, { sentinel_one: { enabled: true, risk_level: 'low' } });
    assert.deepEqual(entry.before, { sentinel_one: null });
    assert.match(entry.actor, /^token:/);
  });
});
