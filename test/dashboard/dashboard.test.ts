import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../src/domain/finding.js';
import { aFinding, enableBehaviors } from '../support/builders.js';
import {
  ACCOUNT,
  type Browser,
  csrfOf,
  type DashboardApp,
  IDLE_MS,
  MAX_AGE_MS,
  OTHER_ACCOUNT,
  setCookie,
  startDashboardApp,
} from './dashboard-harness.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const MALLORY = '22222222-2222-4222-8222-222222222222';
const BOB = '33333333-3333-4333-8333-333333333333';
const XSS_NAME = '<script>alert("pwned")</script>';

function travelFinding(userId: string, overrides: Partial<Finding> = {}): Finding {
  return aFinding({
    userId,
    behavior: 'imp_travel',
    timestamp: '2026-03-02T11:00:00.000Z',
    details: {
      from: {
        city: 'New York',
        country: 'US',
        ip: '198.51.100.7',
        location_source: 'event',
        lat: 40.7,
        lon: -74,
      },
      to: {
        city: 'Tokyo',
        country: 'JP',
        ip: '203.0.113.5',
        location_source: 'geoip',
        lat: 35.7,
        lon: 139.7,
      },
      distance_km: 10_850.4,
      elapsed_minutes: 31,
      speed_kmh: 21_000.8,
      min_speed_kmh: 1000,
      source_event_ids: ['a', 'b'],
    },
    ...overrides,
  });
}

async function seed(t: DashboardApp): Promise<void> {
  await enableBehaviors(t.services, ACCOUNT, {
    imp_travel: 'high',
    high_dlp: 'medium',
    failed_logins: 'low',
  });
  await t.services.risk.recordFindings(ACCOUNT, [
    travelFinding(ALICE, { email: 'alice@acme.example', name: 'Alice Example' }),
    aFinding({ userId: MALLORY, email: 'mallory"@evil.example', name: XSS_NAME, behavior: 'high_dlp' }),
    aFinding({ userId: BOB, email: 'bob@acme.example', name: 'Bob Builder', behavior: 'failed_logins' }),
  ]);
}

describe('dashboard (in-process, app.inject)', () => {
  let t: DashboardApp;
  let admin: Browser;

  before(async () => {
    t = await startDashboardApp();
    await seed(t);
    admin = await t.signIn(t.adminToken);
  });

  after(async () => {
    await t.close();
  });

  describe('sign-in and sessions', () => {
    it('sends visitors without a session to the sign-in page', async () => {
      for (const path of [
        '/',
        '/overview',
        '/users',
        `/users/${ALICE}`,
        '/behaviors',
        '/integrations',
        '/audit',
      ]) {
        const res = await t.request('GET', path);
        assert.equal(res.status, 303, path);
        assert.match(String(res.headers.location), /^\/login/, path);
      }
    });

    it('the sign-in page sets an HttpOnly, SameSite=Strict form token and renders labelled fields', async () => {
      const res = await t.request('GET', '/login');
      assert.equal(res.status, 200);
      const raw = String(res.headers['set-cookie']);
      assert.match(raw, /^ztrisk_login=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
      assert.doesNotMatch(raw, /Secure/);
      assert.match(res.body, /<label for="token">/);
      assert.match(res.body, /<label for="email">/);
      assert.match(res.body, /<label for="key">/);
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    });

    it('a valid token starts a session: random id in an HttpOnly, SameSite=Strict cookie', async () => {
      const login = await t.request('GET', '/login');
      const formToken = setCookie(login, 'ztrisk_login') ?? '';
      const res = await t.request('POST', '/login', {
        headers: { cookie: `ztrisk_login=${formToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfOf(login.body), token: t.adminToken }).toString(),
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/overview');
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string[]);
      const session = cookies.find((c) => c.startsWith('ztrisk_session='));
      assert.ok(session);
      assert.match(
        session,
        /^ztrisk_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
      );
      assert.ok(cookies.some((c) => c.startsWith('ztrisk_login=;') && c.includes('Max-Age=0')));
    });

    it('refuses a sign-in without the form token (login CSRF)', async () => {
      const res = await t.request('POST', '/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token: t.adminToken }).toString(),
      });
      assert.equal(res.status, 403);
      assert.equal(setCookie(res, 'ztrisk_session'), undefined);
    });

    it('refuses bad credentials with one message and no session', async () => {
      const login = await t.request('GET', '/login');
      const cookie = `ztrisk_login=${setCookie(login, 'ztrisk_login')}`;
      const attempts: Record<string, string>[] = [
        { token: 'not-a-token' },
        { email: 'x@example.com', key: 'nope' },
      ];
      for (const fields of attempts) {
        const res = await t.request('POST', '/login', {
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrfOf(login.body), ...fields }).toString(),
        });
        assert.equal(res.status, 401);
        assert.match(res.body, /Those credentials were not accepted/);
        assert.equal(setCookie(res, 'ztrisk_session'), undefined);
      }
    });

    it('signs in with an email and Global API key, like the API', async () => {
      const key = await t.services.credentials.createGlobalKey({
        email: 'Owner@Example.com',
        accountId: ACCOUNT,
        actor: 'cli',
      });
      const login = await t.request('GET', '/login');
      const res = await t.request('POST', '/login', {
        headers: {
          cookie: `ztrisk_login=${setCookie(login, 'ztrisk_login')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({
          _csrf: csrfOf(login.body),
          email: 'owner@example.com',
          key: key.secret,
        }).toString(),
      });
      assert.equal(res.status, 303);
      const page = await t.request('GET', '/users', {
        headers: { cookie: `ztrisk_session=${setCookie(res, 'ztrisk_session')}` },
      });
      assert.equal(page.status, 200);
      assert.match(page.body, /alice@acme\.example/);
      assert.match(page.body, /global_key:/);
    });

    it('marks cookies Secure when the public URL is https', async () => {
      const secure = await startDashboardApp({ publicUrl: 'https://risk.example.com' });
      try {
        const login = await secure.request('GET', '/login');
        assert.match(String(login.headers['set-cookie']), /; Secure/);
        const res = await secure.request('POST', '/login', {
          headers: {
            cookie: `ztrisk_login=${setCookie(login, 'ztrisk_login')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          payload: new URLSearchParams({ _csrf: csrfOf(login.body), token: secure.adminToken }).toString(),
        });
        const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string[]);
        assert.ok(cookies.find((c) => c.startsWith('ztrisk_session='))?.includes('; Secure'));
      } finally {
        await secure.close();
      }
    });

    it('sign-out ends the session on the server', async () => {
      const b = await t.signIn(t.adminToken);
      const out = await b.post('/logout', {});
      assert.equal(out.status, 303);
      assert.equal(out.headers.location, '/login?reason=signed_out');
      const again = await b.get('/overview');
      assert.equal(again.status, 303);
      assert.match(String(again.headers.location), /^\/login/);
    });

    it('sign-out needs the CSRF token too', async () => {
      const b = await t.signIn(t.adminToken);
      assert.equal((await b.post('/logout', {}, { csrf: false })).status, 403);
      assert.equal((await b.get('/overview')).status, 200);
    });

    it('re-checks the token on every request: a revoked token ends the session', async () => {
      const secret = await t.token(['Zero Trust Read', 'Zero Trust: PII Read']);
      const b = await t.signIn(secret);
      assert.equal((await b.get('/users')).status, 200);
      const token = (await t.services.credentials.listTokens()).find(
        (x) => x.revokedAt === undefined && x.name === 'dashboard test' && x.grants.length === 2,
      );
      assert.ok(token);
      await t.services.credentials.revokeToken(token.id, 'cli');
      const res = await b.get('/users');
      assert.equal(res.status, 303);
      assert.match(String(res.headers.location), /^\/login/);
      assert.match(String(res.headers['set-cookie']), /ztrisk_session=; .*Max-Age=0/);
    });

    it('ends idle sessions and sessions past their absolute lifetime', async () => {
      const start = t.nowMs;
      try {
        const idle = await t.signIn(t.adminToken);
        t.nowMs = start + IDLE_MS + 1;
        assert.equal((await idle.get('/overview')).status, 303);

        t.nowMs = start;
        const busy = await t.signIn(t.adminToken);
        for (let at = start; at <= start + MAX_AGE_MS; at += IDLE_MS / 2) {
          t.nowMs = at;
          assert.equal((await busy.get('/behaviors')).status, 200);
        }
        t.nowMs = start + MAX_AGE_MS + 1;
        assert.equal((await busy.get('/behaviors')).status, 303);
      } finally {
        t.nowMs = start;
      }
    });

    it('asks which account when the credentials hold several, and only offers those', async () => {
      const secret = await t.token(['Zero Trust Read'], [ACCOUNT, OTHER_ACCOUNT]);
      const login = await t.request('GET', '/login');
      const res = await t.request('POST', '/login', {
        headers: {
          cookie: `ztrisk_login=${setCookie(login, 'ztrisk_login')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({ _csrf: csrfOf(login.body), token: secret }).toString(),
      });
      assert.equal(res.headers.location, '/account');
      const cookie = `ztrisk_session=${setCookie(res, 'ztrisk_session')}`;
      assert.equal(
        (await t.request('GET', '/behaviors', { headers: { cookie } })).headers.location,
        '/account',
      );
      const picker = await t.request('GET', '/account', { headers: { cookie } });
      assert.match(picker.body, new RegExp(ACCOUNT));
      assert.match(picker.body, new RegExp(OTHER_ACCOUNT));
      const post = (account: string) =>
        t.request('POST', '/account', {
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrfOf(picker.body), account }).toString(),
        });
      assert.equal((await post('not-mine')).status, 403);
      const chosen = await post(OTHER_ACCOUNT);
      assert.equal(chosen.status, 303);
      const page = await t.request('GET', '/behaviors', { headers: { cookie } });
      assert.equal(page.status, 200);
      assert.match(page.body, /Switch account/);
      assert.match(page.body, /Account <span class="mono">fedcba987654/);
    });
  });

  describe('CSRF', () => {
    it('refuses a state-changing POST without the token, with a wrong one, or from another origin', async () => {
      const attempts = [
        admin.post(`/users/${BOB}/reset`, { reason: 'x' }, { csrf: false }),
        admin.post(`/users/${BOB}/reset`, { reason: 'x' }, { csrf: 'A'.repeat(43) }),
        admin.post(`/users/${BOB}/reset`, { reason: 'x' }, { headers: { origin: 'https://evil.example' } }),
        admin.post('/behaviors/imp_travel', { enabled: 'false', risk_level: 'high' }, { csrf: false }),
        admin.post('/behaviors/thresholds', { 'high_dlp.min_count': '3' }, { csrf: false }),
        admin.post('/integrations', { tenant_url: 'https://a.okta.com' }, { csrf: false }),
      ];
      for (const res of await Promise.all(attempts)) {
        assert.equal(res.status, 403);
        assert.match(res.body, /CSRF/);
      }
      const bob = await t.services.risk.getUser(ACCOUNT, BOB, { page: 1, perPage: 10 });
      assert.equal(bob.user.riskLevel, 'low');
      assert.equal(
        (await t.services.behaviors.list(ACCOUNT)).find((b) => b.key === 'imp_travel')?.enabled,
        true,
      );
      assert.equal((await t.services.integrations.list(ACCOUNT)).length, 0);
    });

    it('accepts the token from the htmx header and a same-origin Origin', async () => {
      const res = await admin.post(
        '/behaviors/failed_logins',
        { enabled: 'true', risk_level: 'low' },
        {
          csrf: false,
          headers: { 'x-csrf-token': admin.csrf, origin: 'http://ztrisk.test', 'hx-request': 'true' },
        },
      );
      assert.equal(res.status, 303);
    });

    it('refuses a non-form body', async () => {
      const res = await t.request('POST', `/users/${BOB}/reset`, {
        headers: { cookie: admin.cookie, 'content-type': 'application/json' },
        payload: JSON.stringify({ _csrf: admin.csrf }),
      });
      assert.equal(res.status, 403);
    });
  });

  describe('permissions, exactly as the API', () => {
    it('without PII Read: no user data anywhere, a clear notice instead', async () => {
      const b = await t.signIn(await t.token(['Zero Trust Write']));
      for (const path of ['/overview', '/users', `/users/${ALICE}`]) {
        const res = await b.get(path);
        assert.equal(res.status, 200, path);
        assert.match(res.body, /Needs PII Read/, path);
        assert.doesNotMatch(res.body, /alice@acme\.example|Alice Example/, path);
        assert.doesNotMatch(res.body, /data-testid="stat-high"/, path);
      }
      const api = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/summary`, {
        headers: { authorization: `Bearer ${await t.token(['Zero Trust Write'])}` },
      });
      assert.equal(api.status, 403);
    });

    it('without Write: no reset, toggle or edit controls, and forged POSTs are refused with 403', async () => {
      const b = await t.signIn(await t.token(['Zero Trust Read', 'Zero Trust: PII Read']));
      const user = await b.get(`/users/${BOB}`);
      assert.match(user.body, /bob@acme\.example/);
      assert.doesNotMatch(user.body, /Confirm reset|action="\/users\/[^"]+\/reset"/);
      assert.match(user.body, /Resetting risk needs/);
      const behaviors = await b.get('/behaviors');
      assert.doesNotMatch(behaviors.body, /action="\/behaviors\/imp_travel"/);
      assert.doesNotMatch(behaviors.body, /Save thresholds/);
      const integrations = await b.get('/integrations');
      assert.doesNotMatch(integrations.body, /action="\/integrations"/);

      const forged = [
        await b.post(`/users/${BOB}/reset`, { reason: 'forged' }),
        await b.post('/behaviors/imp_travel', { enabled: 'false', risk_level: 'low' }),
        await b.post('/behaviors/thresholds', { 'high_dlp.min_count': '2' }),
        await b.post('/integrations', { tenant_url: 'https://forged.okta.com' }),
      ];
      for (const res of forged) {
        assert.equal(res.status, 403);
        assert.match(res.body, /needs Zero Trust Write/);
      }
      const bob = await t.services.risk.getUser(ACCOUNT, BOB, { page: 1, perPage: 10 });
      assert.equal(bob.user.lastResetTime, undefined);
      assert.equal(
        (await t.services.behaviors.list(ACCOUNT)).find((x) => x.key === 'imp_travel')?.riskLevel,
        'high',
      );
      assert.equal((await t.services.detectorSettings.get(ACCOUNT)).highDlp.minCount, 15);
    });

    it('without Read: no configuration, only notices', async () => {
      const b = await t.signIn(await t.token(['Zero Trust: Risk Ingest']));
      for (const path of ['/behaviors', '/integrations', '/audit']) {
        const res = await b.get(path);
        assert.equal(res.status, 200);
        assert.match(res.body, /Needs Zero Trust Read/);
      }
    });
  });

  describe('escaping', () => {
    it('renders a user name containing <script> as text, everywhere it appears', async () => {
      for (const path of ['/users', `/users/${MALLORY}`, '/overview']) {
        const res = await admin.get(path);
        assert.equal(res.status, 200);
        assert.doesNotMatch(res.body, /<script>alert/, path);
        if (path !== '/overview')
          assert.match(res.body, /&lt;script&gt;alert\(&quot;pwned&quot;\)&lt;\/script&gt;/, path);
      }
      const search = await admin.get(`/users?q=${encodeURIComponent('"><script>x</script>')}`);
      assert.doesNotMatch(search.body, /<script>x/);
      assert.match(search.body, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
    });
  });

  describe('pages over the services', () => {
    it('overview: users by level, chart data, top behaviors, recent changes, behaviors enabled', async () => {
      const res = await admin.get('/overview?range=7d');
      assert.equal(res.status, 200);
      assert.match(res.body, /data-testid="stat-high"[\s\S]*?<span class="value">1<\/span>/);
      assert.match(res.body, /data-testid="stat-medium"[\s\S]*?<span class="value">1<\/span>/);
      assert.match(res.body, /data-chart="\{&quot;bucketMs&quot;:21600000,&quot;starts&quot;:\[/);
      assert.match(res.body, /Behaviors enabled[\s\S]*?3 of 9/);
      assert.match(res.body, /aria-current="true" aria-label="Last 7 days"/);
      assert.match(res.body, /data-testid="recent-changes"/);
    });

    it('overview: a clear prompt when no behavior is enabled', async () => {
      const fresh = await startDashboardApp();
      try {
        const b = await fresh.signIn(fresh.adminToken);
        const res = await b.get('/overview');
        assert.match(res.body, /No behavior is enabled, so ztrisk records no risk/);
        assert.match(res.body, /<a href="\/behaviors">Enable behaviors<\/a>/);
      } finally {
        await fresh.close();
      }
    });

    it('users: filters by level, behavior and search', async () => {
      const cases: [string, string[]][] = [
        ['/users', [ALICE, MALLORY, BOB]],
        ['/users?level=high', [ALICE]],
        ['/users?behavior=high_dlp', [MALLORY]],
        ['/users?q=ACME', [ALICE, BOB]],
        ['/users?q=acme&level=low', [BOB]],
      ];
      for (const [path, expected] of cases) {
        const res = await admin.get(path);
        const ids = [...res.body.matchAll(/data-user-id="([^"]+)"/g)].map((m) => m[1]);
        assert.deepEqual(ids.sort(), [...expected].sort(), path);
      }
    });

    it('user detail: evidence in words with the geolocation attribution; unknown ids are an HTML 404', async () => {
      const res = await admin.get(`/users/${ALICE}`);
      assert.match(res.body, /Signed in from Tokyo, JP 31 min after New York, US: 10,850 km, 21,000 km\/h/);
      assert.match(
        res.body,
        /Tokyo, JP \(IP geolocation\) · <a href="https:\/\/db-ip\.com" rel="noopener">IP Geolocation by DB-IP<\/a>/,
      );
      const missing = await admin.get('/users/44444444-4444-4444-8444-444444444444');
      assert.equal(missing.status, 404);
      assert.match(String(missing.headers['content-type']), /text\/html/);
      assert.equal((await admin.get('/users/not-a-uuid')).status, 404);
    });

    it('reset with a reason: the user leaves the table, the audit log and the API agree', async () => {
      const user = '55555555-5555-4555-8555-555555555555';
      await t.services.risk.recordFindings(ACCOUNT, [
        travelFinding(user, { email: 'reset.me@acme.example' }),
      ]);
      const res = await admin.post(`/users/${user}/reset`, { reason: 'travel confirmed <b>by phone</b>' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/users');
      const list = await admin.get('/users');
      assert.doesNotMatch(list.body, new RegExp(user));
      assert.match(
        list.body,
        /Risk reset for reset\.me@acme\.example \(reason: travel confirmed &lt;b&gt;by phone&lt;\/b&gt;\)/,
      );
      const audit = await admin.get('/audit?action=user.reset');
      assert.match(audit.body, /travel confirmed &lt;b&gt;by phone&lt;\/b&gt;/);
      const api = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/${user}`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      const body = JSON.parse(api.body) as {
        result: { events: unknown[]; risk_level?: string; last_reset_time: string };
      };
      assert.deepEqual(body.result.events, []);
      assert.equal(body.result.risk_level, undefined);
      assert.equal(body.result.last_reset_time, new Date(t.nowMs).toISOString());
      const history = await admin.get(`/users/${user}?history=1`);
      assert.match(history.body, /Older history/);
      assert.match(history.body, /Signed in from Tokyo/);
    });

    it('behaviors: toggles and thresholds, with validation messages next to the fields', async () => {
      const toggled = await admin.post('/behaviors/high_dlp', { enabled: 'false', risk_level: 'high' });
      assert.equal(toggled.status, 303);
      const api = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      const behaviors = (
        JSON.parse(api.body) as {
          result: { behaviors: Record<string, { enabled: boolean; risk_level: string }> };
        }
      ).result.behaviors;
      assert.deepEqual(
        behaviors.high_dlp && { ...behaviors.high_dlp, name: undefined, description: undefined },
        {
          enabled: false,
          risk_level: 'high',
          name: undefined,
          description: undefined,
        },
      );
      const bad = await admin.post('/behaviors/high_dlp', { enabled: 'true', risk_level: 'extreme' });
      assert.equal(bad.status, 422);
      assert.match(bad.body, /must be one of: low, medium, high/);

      const rejected = await admin.post('/behaviors/thresholds', {
        'imp_travel.min_speed_kmh': '-5',
        'high_dlp.min_count': 'many',
        'failed_logins.window_minutes': '',
      });
      assert.equal(rejected.status, 422);
      assert.match(rejected.body, /id="t-failed_logins-window_minutes"[^>]*aria-invalid="true"/);
      assert.match(
        rejected.body,
        /<p class="error-text" id="t-failed_logins-window_minutes-error" data-testid="field-error">is required<\/p>/,
      );
      const rejected2 = await admin.post('/behaviors/thresholds', {
        'imp_travel.min_speed_kmh': '-5',
        'high_dlp.min_count': 'many',
      });
      assert.match(
        rejected2.body,
        /id="t-imp_travel-min_speed_kmh-error" data-testid="field-error">must be greater than 0/,
      );
      assert.match(
        rejected2.body,
        /id="t-high_dlp-min_count-error" data-testid="field-error">must be a number/,
      );
      assert.match(rejected2.body, /value="many"/);
      assert.equal((await t.services.detectorSettings.get(ACCOUNT)).impossibleTravel.minSpeedKmh, 1000);

      const saved = await admin.post('/behaviors/thresholds', {
        'imp_travel.min_speed_kmh': '900',
        'high_dlp.min_count': '20',
      });
      assert.equal(saved.status, 303);
      const thresholds = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/behavior_settings`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      assert.match(thresholds.body, /"min_speed_kmh":900/);
      assert.match(thresholds.body, /"min_count":20/);
    });

    it('integrations: create, edit, delete, with field errors; the well-known URL is shown to copy', async () => {
      const bad = await admin.post('/integrations', { tenant_url: 'javascript:alert(1)' });
      assert.equal(bad.status, 422);
      assert.match(
        bad.body,
        /id="new-tenant-error" data-testid="field-error">must be an absolute http or https URL/,
      );
      const created = await admin.post('/integrations', {
        tenant_url: 'https://acme.okta.com',
        reference_id: 'okta-prod',
      });
      assert.equal(created.status, 303);
      const [integration] = await t.services.integrations.list(ACCOUNT);
      assert.ok(integration);
      const page = await admin.get('/integrations');
      assert.match(
        page.body,
        new RegExp(`value="http://ztrisk\\.test/\\.well-known/sse-configuration/${integration.id}/"`),
      );
      assert.match(page.body, /data-copy="wk-/);
      assert.match(page.body, new RegExp(`<tr data-stream="${integration.id}">`));
      assert.match(page.body, /Okta integration · push/);
      assert.match(page.body, /https:\/\/acme\.okta\.com\/security\/api\/v1\/security-events/);
      const edited = await admin.post(`/integrations/${integration.id}`, {
        tenant_url: 'https://acme2.okta.com',
        reference_id: 'okta-prod',
      });
      assert.equal(edited.status, 303);
      const got = await t.services.integrations.get(ACCOUNT, integration.id);
      assert.equal(got.tenantUrl, 'https://acme2.okta.com');
      assert.equal(got.active, false);
      const deleted = await admin.post(`/integrations/${integration.id}/delete`, {});
      assert.equal(deleted.status, 303);
      assert.deepEqual(await t.services.integrations.list(ACCOUNT), []);
    });

    it('audit: filters by actor and action, newest first', async () => {
      const rows = (body: string) =>
        [...body.matchAll(/<tr data-action="([^"]+)">[\s\S]*?<td class="mono small">([^<]+)<\/td>/g)].map(
          (m) => [m[2], m[1]],
        );
      const byCli = rows((await admin.get('/audit?action=behaviors.update&actor=cli')).body);
      assert.deepEqual(byCli, [['cli', 'behaviors.update']]);
      await admin.post('/behaviors/sentinel_one', { enabled: 'true', risk_level: 'high' });
      const actor = /Signed in as <span class="mono">([^<]+)</.exec((await admin.get('/audit')).body)?.[1];
      assert.ok(actor?.startsWith('token:'));
      const mine = rows((await admin.get(`/audit?actor=${encodeURIComponent(actor ?? '')}`)).body);
      assert.ok(mine.length >= 1);
      assert.ok(mine.every(([who]) => who === actor));
      assert.equal(mine[0]?.[1], 'behaviors.update');
      const none = await admin.get('/audit?action=no.such');
      assert.match(none.body, /No audit entry matches/);
    });
  });

  describe('routing beside the API', () => {
    it('unknown dashboard pages are HTML 404s; API paths keep the v4 envelope', async () => {
      const page = await t.request('GET', '/users/x/y', { headers: { accept: 'text/html' } });
      assert.equal(page.status, 404);
      assert.match(page.body, /Page not found/);
      const browserish = await t.request('GET', '/no-such-page', { headers: { accept: 'text/html,*/*' } });
      assert.equal(browserish.status, 404);
      assert.match(String(browserish.headers['content-type']), /text\/html/);
      for (const path of [
        '/client/v4/zones',
        `/accounts/${ACCOUNT}/zt_risk_scoring/x/y/z`,
        '/client/v4/overview',
      ]) {
        const res = await t.request('GET', path, { headers: { accept: 'text/html' } });
        assert.equal(res.status, 404, path);
        assert.match(String(res.headers['content-type']), /application\/json/, path);
      }
      const json = await t.request('GET', '/nope');
      assert.deepEqual(JSON.parse(json.body).errors, [{ code: 7000, message: 'No route for that URI' }]);
      const api = await t.request('GET', `/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      assert.equal(api.status, 200);
    });

    it('serves the vendored assets with long cache headers when versioned', async () => {
      const page = await admin.get('/overview');
      for (const name of [
        'htmx.min.js',
        'uPlot.iife.min.js',
        'uPlot.min.css',
        'dashboard.css',
        'dashboard.js',
      ]) {
        const m = new RegExp(`/assets/${name.replace('.', '\\.')}\\?v=([0-9a-f]{16})`).exec(page.body);
        assert.ok(m, name);
        const res = await t.request('GET', m[0]);
        assert.equal(res.status, 200, name);
        assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
        assert.equal(res.headers.etag, `"${m[1]}"`);
        const again = await t.request('GET', m[0], { headers: { 'if-none-match': `"${m[1]}"` } });
        assert.equal(again.status, 304);
      }
      assert.equal((await t.request('GET', '/assets/nope.js')).status, 404);
    });
  });
});

describe('dashboard sign-in under the API limit on failed authentications', () => {
  let t: DashboardApp;
  before(async () => {
    t = await startDashboardApp({
      rateLimit: {
        perCaller: { perMinute: 0, burst: 0 },
        authFailuresPerAddress: { perMinute: 6, burst: 2 },
      },
    });
  });
  after(async () => t.close());

  async function signInWith(token: string) {
    const login = await t.request('GET', '/login');
    return t.request('POST', '/login', {
      headers: {
        cookie: `ztrisk_login=${setCookie(login, 'ztrisk_login')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ _csrf: csrfOf(login.body), token }).toString(),
    });
  }

  it('refuses an address after repeated failed sign-ins, counted together with the API, until it refills', async () => {
    assert.equal((await signInWith('wrong-1')).status, 401);
    assert.equal((await signInWith('wrong-2')).status, 401);
    const limited = await signInWith(t.adminToken);
    assert.equal(limited.status, 429, 'even good credentials wait: the address is refused before any check');
    assert.equal(limited.headers['retry-after'], '10');
    assert.match(limited.body, /Too many failed sign-ins from your address\. Try again in 10 s\./);
    assert.equal(setCookie(limited, 'ztrisk_session'), undefined);
    const api = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    assert.equal(api.status, 429, 'the API refuses the same address');
    assert.equal(JSON.parse(api.body).errors[0].code, 1429);
    t.nowMs += 10_000;
    const signedIn = await signInWith(t.adminToken);
    assert.equal(signedIn.status, 303);
    assert.ok(setCookie(signedIn, 'ztrisk_session'));
  });

  it('API failures count against dashboard sign-ins from the same address', async () => {
    t.nowMs += 60_000;
    for (const token of ['bad-a', 'bad-b']) {
      const res = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 401);
    }
    assert.equal((await signInWith(t.adminToken)).status, 429);
  });
});
