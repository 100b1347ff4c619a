import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/api/app.js';
import { PERMISSIONS, type Permission } from '../../src/domain/permissions.js';
import { hashSecret } from '../../src/services/credentials.js';
import {
  ACCOUNT,
  assertError,
  OTHER_ACCOUNT,
  PUBLIC_URL,
  type RequestOptions,
  startTestApp,
  type TestApp,
  type TestResponse,
} from '../support/harness.js';
import { assertValidFailure } from '../support/openapi.js';

/**
 * The shared security suite (API.md §4–§6): every endpoint runs the same authentication,
 * authorization and check-order cases, built from the table below.
 */

const READ: Permission = 'Zero Trust Read';
const WRITE: Permission = 'Zero Trust Write';
const PII: Permission = 'Zero Trust: PII Read';

/** The harness clock is 2026-03-02T12:00:00.000Z; expiry is `expiresAt <= now`. */
const PAST = '2026-03-02T11:59:59.999Z';
const NOW = '2026-03-02T12:00:00.000Z';
const FUTURE = '2026-03-02T12:00:00.001Z';

const OWNER_EMAIL = 'Owner@Example.com';
const STRANGER_EMAIL = 'stranger@example.com';
const NOT_A_SECRET = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Targets every endpoint acts on, created once (cheaply) so allowed calls answer 200. */
interface Fixture {
  readonly t: TestApp;
  /** A user with one risk event. */
  readonly userId: string;
  readonly integrationId: string;
  readonly referenceId: string;
  /** A fresh integration, for calls that consume their target (delete). */
  newIntegration(): Promise<string>;
}

/** One row of the endpoint table. */
interface Endpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Cloudflare's operationId, to validate successful responses; absent for ztrisk extensions. */
  readonly operationId?: string;
  /** The path after `/accounts/{account_id}`. */
  readonly path: (f: Fixture) => string | Promise<string>;
  readonly body?: unknown;
  /**
   * Every permission that may call it (API.md §5), already expanded: `Zero Trust Write` implies
   * `Zero Trust Read`, so an endpoint open to Read is open to Write too.
   */
  readonly allowed: readonly Permission[];
  /** The path with an invalid path parameter (400 / 1002 once authorized). */
  readonly badParamPath?: string;
}

const ZT = '/zt_risk_scoring';
const NOT_A_UUID = 'not-a-uuid';

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: '#1 GET /{user_id}',
    method: 'GET',
    operationId: 'dlp-risk-score-summary-get-for-user',
    path: (f) => `${ZT}/${f.userId}`,
    allowed: [PII],
    badParamPath: `${ZT}/${NOT_A_UUID}`,
  },
  {
    name: '#2 POST /{user_id}/reset',
    method: 'POST',
    operationId: 'dlp-risk-score-reset-post',
    path: (f) => `${ZT}/${f.userId}/reset`,
    allowed: [WRITE],
    badParamPath: `${ZT}/${NOT_A_UUID}/reset`,
  },
  {
    name: '#3 GET /behaviors',
    method: 'GET',
    operationId: 'dlp-risk-score-behaviors-get',
    path: () => `${ZT}/behaviors`,
    allowed: [READ, WRITE],
  },
  {
    name: '#4 PUT /behaviors',
    method: 'PUT',
    operationId: 'dlp-risk-score-behaviors-put',
    path: () => `${ZT}/behaviors`,
    body: { behaviors: { imp_travel: { enabled: true, risk_level: 'high' } } },
    allowed: [WRITE],
  },
  {
    name: '#5 GET /summary',
    method: 'GET',
    operationId: 'dlp-risk-score-summary-get',
    path: () => `${ZT}/summary`,
    allowed: [PII],
  },
  {
    name: '#6 GET /integrations',
    method: 'GET',
    operationId: 'dlp-zt-risk-score-integration-list',
    path: () => `${ZT}/integrations`,
    allowed: [READ, WRITE],
  },
  {
    name: '#7 POST /integrations',
    method: 'POST',
    operationId: 'dlp-zt-risk-score-integration-create',
    path: () => `${ZT}/integrations`,
    body: { integration_type: 'Okta', tenant_url: 'https://security-suite.okta.com' },
    allowed: [WRITE],
  },
  {
    name: '#8 GET /integrations/{integration_id}',
    method: 'GET',
    operationId: 'dlp-zt-risk-score-integration-get',
    path: (f) => `${ZT}/integrations/${f.integrationId}`,
    allowed: [READ, WRITE],
    badParamPath: `${ZT}/integrations/${NOT_A_UUID}`,
  },
  {
    name: '#9 PUT /integrations/{integration_id}',
    method: 'PUT',
    operationId: 'dlp-zt-risk-score-integration-update',
    path: (f) => `${ZT}/integrations/${f.integrationId}`,
    body: { tenant_url: 'https://security-suite.okta.com', active: true },
    allowed: [WRITE],
    badParamPath: `${ZT}/integrations/${NOT_A_UUID}`,
  },
  {
    name: '#10 DELETE /integrations/{integration_id}',
    method: 'DELETE',
    operationId: 'dlp-zt-risk-score-integration-delete',
    path: async (f) => `${ZT}/integrations/${await f.newIntegration()}`,
    allowed: [WRITE],
    badParamPath: `${ZT}/integrations/${NOT_A_UUID}`,
  },
  {
    name: '#11 GET /integrations/reference_id/{reference_id}',
    method: 'GET',
    operationId: 'dlp-zt-risk-score-integration-get-by-reference-id',
    path: (f) => `${ZT}/integrations/reference_id/${f.referenceId}`,
    allowed: [READ, WRITE],
  },
  {
    name: 'GET /ztrisk/audit (extension)',
    method: 'GET',
    path: () => '/ztrisk/audit',
    // Needs Zero Trust Read; Write implies Read.
    allowed: [READ, WRITE],
    badParamPath: '/ztrisk/audit?per_page=0',
  },
  {
    name: 'GET /ztrisk/streams (extension)',
    method: 'GET',
    path: () => '/ztrisk/streams',
    allowed: [READ, WRITE],
  },
  {
    name: 'POST /ztrisk/streams/{stream_id}/status (extension)',
    method: 'POST',
    path: async (f) => `/ztrisk/streams/${(await f.t.services.streams.create(ACCOUNT, {}, 'cli')).id}/status`,
    body: { status: 'enabled' },
    allowed: [WRITE],
    badParamPath: `/ztrisk/streams/${NOT_A_UUID}/status`,
  },
];

let fixture: Fixture | undefined;
const tokenCache = new Map<string, Promise<string>>();
let ownerKey = '';
let strangerKey = '';

function fx(): Fixture {
  if (!fixture) throw new Error('fixture not ready');
  return fixture;
}

/** A token (memoised) with exactly these permissions on ACCOUNT. */
function tokenWith(perms: readonly Permission[], accounts: readonly string[] = [ACCOUNT]): Promise<string> {
  const key = `${[...perms].sort().join('|')}@${accounts.join(',')}`;
  let found = tokenCache.get(key);
  if (!found) {
    found = fx().t.token(perms, accounts);
    tokenCache.set(key, found);
  }
  return found;
}

/** Calls an endpoint with the given credentials (no default token). */
async function call(
  ep: Endpoint,
  opts: {
    token?: string | null;
    headers?: Record<string, string>;
    account?: string;
    prefix?: '/client/v4' | '';
    path?: string;
    raw?: string;
    validate?: boolean;
  } = {},
): Promise<TestResponse> {
  const f = fx();
  const suffix = opts.path ?? (await ep.path(f));
  const url = `${opts.prefix ?? '/client/v4'}/accounts/${opts.account ?? ACCOUNT}${suffix}`;
  const request: RequestOptions = {
    token: opts.token ?? null,
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.raw !== undefined ? { raw: opts.raw } : ep.body !== undefined ? { body: ep.body } : {}),
    ...(opts.validate !== false && ep.operationId ? { operationId: ep.operationId } : {}),
  };
  return f.t.request(ep.method, url, request);
}

function globalKeyHeaders(email: string, key: string): Record<string, string> {
  return { 'x-auth-email': email, 'x-auth-key': key };
}

function assertSuccess(res: TestResponse): void {
  assert.equal(res.status, 200, `status ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(res.json.success, true);
}

function assertUnauthenticated(res: TestResponse): void {
  assertError(res, 401, 10000, { message: 'Authentication error' });
}

function assertForbidden(res: TestResponse): void {
  assertError(res, 403, 9109, { message: 'Unauthorized to access requested resource' });
}

function disallowedOf(ep: Endpoint): Permission[] {
  return PERMISSIONS.filter((p) => !ep.allowed.includes(p));
}

describe('security: every endpoint', () => {
  before(async () => {
    const t = await startTestApp();
    const { services } = t;
    await services.behaviors.update(
      ACCOUNT,
      new Map([['imp_travel', { enabled: true, riskLevel: 'high' }]]),
      'cli',
    );
    const userId = '7a1c3e2b-5d4f-4a6b-9c8d-0e1f2a3b4c5d';
    const recorded = await services.risk.recordFindings(ACCOUNT, [
      {
        userId,
        email: 'alice@example.com',
        name: 'Alice',
        behavior: 'imp_travel',
        timestamp: '2026-03-02T11:00:00.000Z',
        details: { source: 'security-suite' },
        dedupeKey: 'security-suite-1',
      },
    ]);
    assert.equal(recorded.recorded.length, 1);
    const referenceId = 'security-suite-ref';
    const newIntegration = async (): Promise<string> =>
      (
        await services.integrations.create(
          ACCOUNT,
          { integrationType: 'Okta', tenantUrl: 'https://security-suite.okta.com', referenceId },
          'cli',
        )
      ).id;
    const integrationId = await newIntegration();
    fixture = { t, userId, integrationId, referenceId, newIntegration };
    ownerKey = (
      await services.credentials.createGlobalKey({ email: OWNER_EMAIL, accountId: ACCOUNT, actor: 'cli' })
    ).secret;
    strangerKey = (
      await services.credentials.createGlobalKey({
        email: STRANGER_EMAIL,
        accountId: OTHER_ACCOUNT,
        actor: 'cli',
      })
    ).secret;
  });

  after(async () => {
    await fixture?.t.close();
  });

  for (const ep of ENDPOINTS) {
    describe(ep.name, () => {
      it('rejects a request without credentials with 401 / 10000', async () => {
        assertUnauthenticated(await call(ep));
      });

      it('rejects a request without credentials at the root prefix with 401 / 10000', async () => {
        assertUnauthenticated(await call(ep, { prefix: '' }));
      });

      const malformed: readonly [string, (secret: string) => string][] = [
        ['Basic scheme', () => 'Basic x'],
        ['Basic scheme carrying a valid token', (s) => `Basic ${s}`],
        ['Bearer with nothing', () => 'Bearer'],
        ['Bearer and a space', () => 'Bearer '],
        ['two tokens', (s) => `Bearer ${s} ${s}`],
        ['no space after Bearer', (s) => `Bearer${s}`],
        ['the bare token without a scheme', (s) => s],
        ['an empty value', () => ''],
      ];
      for (const [label, header] of malformed) {
        it(`rejects a malformed Authorization header (${label}) with 401`, async () => {
          const valid = fx().t.adminToken;
          assertUnauthenticated(await call(ep, { headers: { authorization: header(valid) } }));
        });
      }

      it('rejects an unknown token with 401', async () => {
        assertUnauthenticated(await call(ep, { token: NOT_A_SECRET }));
      });

      it('rejects a revoked token with 401', async () => {
        const { services } = fx().t;
        const created = await services.credentials.createToken({
          name: 'to revoke',
          grants: PERMISSIONS.map((permission) => ({ accountId: ACCOUNT, permission })),
          actor: 'cli',
        });
        await services.credentials.revokeToken(created.token.id, 'cli');
        assertUnauthenticated(await call(ep, { token: created.secret }));
      });

      it('rejects an expired token with 401', async () => {
        const token = await fx().t.token(PERMISSIONS, [ACCOUNT], { expiresAt: PAST });
        assertUnauthenticated(await call(ep, { token }));
      });

      it('rejects a token expiring exactly now with 401', async () => {
        const token = await fx().t.token(PERMISSIONS, [ACCOUNT], { expiresAt: NOW });
        assertUnauthenticated(await call(ep, { token }));
      });

      it('accepts a token that expires in the future', async () => {
        const token = await fx().t.token(PERMISSIONS, [ACCOUNT], { expiresAt: FUTURE });
        assertSuccess(await call(ep, { token }));
      });

      it('rejects a token granted only on another account with 403 / 9109', async () => {
        const token = await tokenWith(PERMISSIONS, [OTHER_ACCOUNT]);
        assertForbidden(await call(ep, { token }));
      });

      it("rejects a token on another existing account's path with 403 / 9109", async () => {
        assertForbidden(await call(ep, { token: fx().t.adminToken, account: OTHER_ACCOUNT }));
      });

      it('rejects a token on a path of an account that does not exist with 403 / 9109', async () => {
        assertForbidden(await call(ep, { token: fx().t.adminToken, account: 'no-such-account' }));
      });

      for (const perm of disallowedOf(ep)) {
        it(`rejects a token holding only "${perm}" with 403 / 9109`, async () => {
          assertForbidden(await call(ep, { token: await tokenWith([perm]) }));
        });
      }

      if (disallowedOf(ep).length > 1) {
        it('rejects a token holding every other permission together with 403 / 9109', async () => {
          assertForbidden(await call(ep, { token: await tokenWith(disallowedOf(ep)) }));
        });
      }

      for (const perm of ep.allowed) {
        it(`accepts a token holding only "${perm}" (200, valid against the contract)`, async () => {
          assertSuccess(await call(ep, { token: await tokenWith([perm]) }));
        });
      }

      it('accepts the Bearer scheme in any case', async () => {
        const token = await tokenWith(ep.allowed);
        assertSuccess(await call(ep, { headers: { authorization: `bearer ${token}` } }));
        assertSuccess(await call(ep, { headers: { authorization: `BEARER ${token}` } }));
      });

      it('rejects X-Auth-Email without X-Auth-Key with 401', async () => {
        assertUnauthenticated(await call(ep, { headers: { 'x-auth-email': OWNER_EMAIL } }));
      });

      it('rejects X-Auth-Key without X-Auth-Email with 401', async () => {
        assertUnauthenticated(await call(ep, { headers: { 'x-auth-key': ownerKey } }));
      });

      it('rejects a wrong Global API key with 401', async () => {
        assertUnauthenticated(
          await call(ep, {
            headers: globalKeyHeaders(
              OWNER_EMAIL,
              `${ownerKey.slice(0, -1)}${ownerKey.endsWith('0') ? '1' : '0'}`,
            ),
          }),
        );
      });

      it("rejects a Global API key presented with another owner's email with 401", async () => {
        assertUnauthenticated(await call(ep, { headers: globalKeyHeaders(STRANGER_EMAIL, ownerKey) }));
      });

      for (const email of [OWNER_EMAIL, OWNER_EMAIL.toLowerCase(), OWNER_EMAIL.toUpperCase()]) {
        it(`accepts the owner's Global API key as a super-user (email ${email})`, async () => {
          assertSuccess(await call(ep, { headers: globalKeyHeaders(email, ownerKey) }));
        });
      }

      it('rejects a Global API key on an account its owner is not a member of with 403 / 9109', async () => {
        assertForbidden(await call(ep, { headers: globalKeyHeaders(STRANGER_EMAIL, strangerKey) }));
      });

      it('lets the Authorization header alone decide: a valid token with a garbage key succeeds', async () => {
        const token = await tokenWith(ep.allowed);
        assertSuccess(await call(ep, { token, headers: globalKeyHeaders('nobody@example.com', 'garbage') }));
      });

      it('lets the Authorization header alone decide: a garbage token with a valid key is 401', async () => {
        assertUnauthenticated(
          await call(ep, { token: NOT_A_SECRET, headers: globalKeyHeaders(OWNER_EMAIL, ownerKey) }),
        );
      });

      it('lets the Authorization header alone decide: an empty Authorization with a valid key is 401', async () => {
        assertUnauthenticated(
          await call(ep, { headers: { authorization: '', ...globalKeyHeaders(OWNER_EMAIL, ownerKey) } }),
        );
      });

      const badPath = ep.badParamPath;
      if (badPath !== undefined) {
        it('authenticates before validating parameters: a bad parameter without credentials is 401', async () => {
          assertUnauthenticated(await call(ep, { path: badPath }));
        });

        const lacking = disallowedOf(ep)[0];
        if (lacking !== undefined) {
          it('authorizes before validating parameters: a bad parameter with a token lacking the permission is 403', async () => {
            assertForbidden(await call(ep, { path: badPath, token: await tokenWith([lacking]) }));
          });
        }

        it('validates parameters once authorized: a bad parameter is 400 / 1002', async () => {
          const res = await call(ep, { path: badPath, token: fx().t.adminToken });
          assertError(res, 400, 1002);
        });
      }

      if (ep.body !== undefined) {
        it('authenticates before reading the body: an unparsable body without credentials is 401', async () => {
          assertUnauthenticated(await call(ep, { raw: '{not json' }));
        });

        const lacking = disallowedOf(ep)[0];
        if (lacking !== undefined) {
          it('authorizes before reading the body: an unparsable body with a token lacking the permission is 403', async () => {
            assertForbidden(await call(ep, { raw: '{not json', token: await tokenWith([lacking]) }));
          });
        }
      }
    });
  }

  describe('check order and routing', () => {
    const noEndpoint: readonly [string, string][] = [
      ['GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors/extra`],
      ['PATCH', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`],
      ['DELETE', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/summary`],
      ['POST', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/summary/reset`],
      ['POST', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors/reset`],
      ['GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations/reference_id`],
      ['GET', `/accounts/${ACCOUNT}/zt_risk_scoring/nothing/here/at/all`],
      ['GET', `/client/v4/accounts/${OTHER_ACCOUNT}/zt_risk_scoring/behaviors/extra`],
    ];
    for (const [method, path] of noEndpoint) {
      it(`answers ${method} ${path} without credentials with 404 / 7003 before authenticating`, async () => {
        const res = await fx().t.request(method, path, { token: null });
        assertError(res, 404, 7003, { message: 'No route for the URI' });
      });
    }

    const noRoute: readonly [string, string][] = [
      ['GET', '/client/v4/nope'],
      ['GET', '/nope'],
      ['GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/nope`],
      ['GET', `/client/v4/accounts/${ACCOUNT}`],
      ['POST', '/client/v4/user/tokens/verify'],
    ];
    for (const [method, path] of noRoute) {
      it(`answers ${method} ${path} without credentials with 404 / 7000 before authenticating`, async () => {
        const res = await fx().t.request(method, path, { token: null });
        assertError(res, 404, 7000, { message: 'No route for that URI' });
      });
    }

    it('answers an unknown zt_risk_scoring path with 404 / 7003 even with a valid token', async () => {
      const res = await fx().t.request(
        'GET',
        `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors/extra`,
      );
      assertError(res, 404, 7003);
    });

    it('authenticates before validating user_id: GET …/zt_risk_scoring/foo without credentials is 401', async () => {
      const res = await fx().t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/foo`, {
        token: null,
      });
      assertUnauthenticated(res);
    });

    it('authorizes before validating user_id: GET …/zt_risk_scoring/foo with a Read token is 403', async () => {
      const res = await fx().t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/foo`, {
        token: await tokenWith([READ]),
      });
      assertForbidden(res);
    });

    it('validates user_id once authorized: GET …/zt_risk_scoring/foo with a PII token is 400 / 1002', async () => {
      const res = await fx().t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/foo`, {
        token: await tokenWith([PII]),
      });
      assertError(res, 400, 1002, { message: /^user_id/ });
    });

    it('authenticates before validating the query: GET summary?per_page=0 without credentials is 401', async () => {
      const res = await fx().t.request(
        'GET',
        `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/summary?per_page=0`,
        {
          token: null,
        },
      );
      assertUnauthenticated(res);
    });

    it('authenticates before checking existence: an unknown user without credentials is 401, with a Write token 403', async () => {
      const path = `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/00000000-0000-4000-8000-000000000000`;
      assertUnauthenticated(await fx().t.request('GET', path, { token: null }));
      assertForbidden(await fx().t.request('GET', path, { token: await tokenWith([WRITE]) }));
      assertError(await fx().t.request('GET', path, { token: await tokenWith([PII]) }), 404, 1404);
    });

    it('authenticates before reading the body: an oversized body without credentials is 401, not 413', async () => {
      const path = `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`;
      const raw = JSON.stringify({ behaviors: {}, padding: 'x'.repeat(1_100_000) });
      assertUnauthenticated(await fx().t.request('PUT', path, { token: null, raw }));
      assertForbidden(await fx().t.request('PUT', path, { token: await tokenWith([READ]), raw }));
      assertError(await fx().t.request('PUT', path, { raw }), 413, 1001);
    });

    it('serves no HEAD method on an endpoint: HEAD …/behaviors is 404 like any method without an endpoint', async () => {
      // API.md §1: a path or method with no endpoint is 404 / 7003 (HEAD has no body to carry the code).
      const res = await fx().t.app.inject({
        method: 'HEAD',
        url: `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`,
        headers: { authorization: `Bearer ${fx().t.adminToken}` },
      });
      assert.equal(res.statusCode, 404);
    });
  });

  describe('API token expiry and Global API key replacement', () => {
    it('rejects a token whose expiry was given with a UTC offset once that instant has passed', async () => {
      // 13:00+02:00 is 11:00Z, an hour before the harness clock.
      const token = await fx().t.token(PERMISSIONS, [ACCOUNT], { expiresAt: '2026-03-02T13:00:00+02:00' });
      assertUnauthenticated(
        await fx().t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, { token }),
      );
    });

    it('rejects a token whose expiry equals now when given without milliseconds', async () => {
      const token = await fx().t.token(PERMISSIONS, [ACCOUNT], { expiresAt: '2026-03-02T12:00:00Z' });
      assertUnauthenticated(
        await fx().t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, { token }),
      );
    });

    it("rejects an owner's previous Global API key once a new one is created", async () => {
      const { services } = fx().t;
      const email = 'rotating@example.com';
      const first = await services.credentials.createGlobalKey({ email, accountId: ACCOUNT, actor: 'cli' });
      const second = await services.credentials.createGlobalKey({ email, accountId: ACCOUNT, actor: 'cli' });
      const path = `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`;
      assertUnauthenticated(
        await fx().t.request('GET', path, { token: null, headers: globalKeyHeaders(email, first.secret) }),
      );
      assertSuccess(
        await fx().t.request('GET', path, { token: null, headers: globalKeyHeaders(email, second.secret) }),
      );
    });
  });

  describe('GET /user/tokens/verify', () => {
    for (const prefix of ['/client/v4', ''] as const) {
      it(`answers a valid token with 200, its id and status "active" (prefix "${prefix}")`, async () => {
        const { services } = fx().t;
        const created = await services.credentials.createToken({
          name: 'verify me',
          grants: [{ accountId: ACCOUNT, permission: READ }],
          actor: 'cli',
        });
        const res = await fx().t.request('GET', `${prefix}/user/tokens/verify`, { token: created.secret });
        assertSuccess(res);
        const result = res.json.result as { id: string; status: string };
        assert.equal(result.id, created.token.id);
        assert.equal(result.status, 'active');
      });
    }

    it('rejects a revoked token with 401', async () => {
      const { services } = fx().t;
      const created = await services.credentials.createToken({
        name: 'revoked',
        grants: [{ accountId: ACCOUNT, permission: READ }],
        actor: 'cli',
      });
      await services.credentials.revokeToken(created.token.id, 'cli');
      assertUnauthenticated(
        await fx().t.request('GET', '/client/v4/user/tokens/verify', { token: created.secret }),
      );
    });

    it('rejects an expired token with 401', async () => {
      const token = await fx().t.token([READ], [ACCOUNT], { expiresAt: PAST });
      assertUnauthenticated(await fx().t.request('GET', '/client/v4/user/tokens/verify', { token }));
    });

    it('rejects an unknown token with 401', async () => {
      assertUnauthenticated(
        await fx().t.request('GET', '/client/v4/user/tokens/verify', { token: NOT_A_SECRET }),
      );
    });

    it('rejects a request without credentials with 401', async () => {
      assertUnauthenticated(await fx().t.request('GET', '/client/v4/user/tokens/verify', { token: null }));
    });

    it('rejects a Global API key with 401 (it verifies API tokens only)', async () => {
      const res = await fx().t.request('GET', '/client/v4/user/tokens/verify', {
        token: null,
        headers: globalKeyHeaders(OWNER_EMAIL, ownerKey),
      });
      assertUnauthenticated(res);
    });
  });

  describe('secrets in logs', () => {
    it('never writes a token secret or Global API key to the log, even at trace level', async () => {
      const { t } = fx();
      const chunks: string[] = [];
      const logStream = new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
          done();
        },
      });
      const app = buildApp({
        services: t.services,
        publicUrl: () => PUBLIC_URL,
        bodyLimitBytes: 1_048_576,
        logLevel: 'trace',
        logStream,
      });
      await app.ready();
      const zt = `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring`;
      const revoked = await t.services.credentials.createToken({
        name: 'revoked for logs',
        grants: [{ accountId: ACCOUNT, permission: READ }],
        actor: 'cli',
      });
      await t.services.credentials.revokeToken(revoked.token.id, 'cli');
      const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
      const requests: {
        method: 'GET' | 'PUT' | 'POST';
        url: string;
        headers: Record<string, string>;
        payload?: string;
      }[] = [
        { method: 'GET', url: `${zt}/behaviors`, headers: bearer(t.adminToken) },
        { method: 'GET', url: `${zt}/summary`, headers: bearer(t.adminToken) },
        { method: 'GET', url: `${zt}/${fx().userId}`, headers: bearer(t.adminToken) },
        { method: 'GET', url: `${zt}/foo`, headers: bearer(t.adminToken) },
        {
          method: 'PUT',
          url: `${zt}/behaviors`,
          headers: { ...bearer(t.adminToken), 'content-type': 'application/json' },
          payload: '{not json',
        },
        { method: 'GET', url: '/client/v4/user/tokens/verify', headers: bearer(t.adminToken) },
        { method: 'GET', url: `${zt}/behaviors`, headers: bearer(revoked.secret) },
        { method: 'GET', url: `${zt}/behaviors`, headers: bearer(NOT_A_SECRET) },
        { method: 'GET', url: `${zt}/behaviors`, headers: { authorization: `Basic ${t.adminToken}` } },
        { method: 'GET', url: `${zt}/integrations`, headers: globalKeyHeaders(OWNER_EMAIL, ownerKey) },
        { method: 'GET', url: `${zt}/integrations`, headers: globalKeyHeaders(STRANGER_EMAIL, ownerKey) },
        { method: 'GET', url: `${zt}/nope/nope`, headers: globalKeyHeaders(OWNER_EMAIL, ownerKey) },
      ];
      try {
        for (const r of requests) {
          const res = await app.inject({
            method: r.method,
            url: r.url,
            headers: r.headers,
            payload: r.payload,
          });
          if (res.statusCode >= 400) assertValidFailure(JSON.parse(res.body));
        }
      } finally {
        await app.close();
      }
      const log = chunks.join('');
      assert.ok(log.includes('incoming request'), 'the app logged nothing: the check would be vacuous');
      for (const secret of [t.adminToken, revoked.secret, ownerKey, NOT_A_SECRET]) {
        assert.ok(!log.includes(secret), 'a secret appears in the log');
        assert.ok(!log.includes(hashSecret(secret)), "a secret's hash appears in the log");
      }
    });
  });
});
