import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { runDemo } from '../../src/cli/demo.js';
import type { Finding } from '../../src/domain/finding.js';
import { ROOT } from '../support/server.js';
import { ACCOUNT, type DashboardApp, startDashboardApp } from './dashboard-harness.js';

/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core against a listening
 * in-process ztrisk on a temporary SQLite file, filled by `ztrisk demo` (60 users, 3 days). Every page
 * is screenshotted under test-output/screenshots/; ZTRISK_UPDATE_SCREENSHOTS=1 also refreshes the
 * README's docs/screenshots/.
 */

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const DOC_SHOTS = join(ROOT, 'docs', 'screenshots');
const UPDATE_DOCS = process.env.ZTRISK_UPDATE_SCREENSHOTS === '1';
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** A seeded user whose evidence the tests read (impossible travel located by IP geolocation). */
const DANA = '0d0d0d0d-0d0d-4d0d-8d0d-0d0d0d0d0d0d';

function findings(nowMs: number): Finding[] {
  const at = (minutesAgo: number) => new Date(nowMs - minutesAgo * 60_000).toISOString();
  const who = { userId: DANA, email: 'dana.whitfield@demo-corp.example', name: 'Dana Whitfield' };
  return [
    {
      ...who,
      behavior: 'failed_logins',
      timestamp: at(300),
      details: {
        count: 7,
        min_count: 5,
        window_minutes: 10,
        ips: ['203.0.113.77'],
        apps: ['vpn.demo-corp.example'],
        source_event_ids: ['f1'],
      },
      dedupeKey: 'dana-failed',
    },
    {
      ...who,
      behavior: 'imp_travel',
      timestamp: at(95),
      details: {
        from: {
          city: 'New York',
          country: 'US',
          ip: '198.51.100.24',
          lat: 40.71,
          lon: -74.01,
          location_source: 'geoip',
        },
        to: {
          city: 'Tokyo',
          country: 'JP',
          ip: '203.0.113.9',
          lat: 35.68,
          lon: 139.69,
          location_source: 'geoip',
        },
        distance_km: 10_848.6,
        elapsed_minutes: 31,
        speed_kmh: 20_997.3,
        min_speed_kmh: 1000,
        source_event_ids: ['s1', 's2'],
      },
      dedupeKey: 'dana-travel',
    },
    {
      ...who,
      behavior: 'security_risk_domain',
      timestamp: at(40),
      details: {
        request_type: 'dns',
        domain: 'login-microsoftonline.example',
        matched_category_ids: [117],
        blocked: true,
        source_event_ids: ['d1'],
      },
      dedupeKey: 'dana-domain',
    },
  ];
}

/** Polls `check` until it holds (5 s at most); the pages' CSP forbids eval, so no waitForFunction(string). */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('dashboard in Chromium', () => {
  let dir: string;
  let t: DashboardApp;
  let url: string;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  function watch(p: Page): void {
    p.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${m.type()}: ${m.text()} (${p.url()})`);
    });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message} (${p.url()})`));
  }

  async function shot(p: Page, name: string, docs = false): Promise<void> {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    if (docs && UPDATE_DOCS) await p.screenshot({ path: join(DOC_SHOTS, `${name}.png`), fullPage: true });
  }

  async function api(path: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${url}/client/v4/accounts/${ACCOUNT}${path}`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    assert.equal(res.status, 200, path);
    return ((await res.json()) as { result: Record<string, unknown> }).result;
  }

  async function signIn(context: BrowserContext, token: string): Promise<Page> {
    const p = await context.newPage();
    watch(p);
    await p.goto(`${url}/`);
    await p.waitForURL('**/login');
    await p.getByLabel('API token', { exact: true }).fill(token);
    await p.getByRole('button', { name: 'Sign in' }).first().click();
    await p.waitForURL('**/overview');
    return p;
  }

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    mkdirSync(SHOTS, { recursive: true });
    if (UPDATE_DOCS) mkdirSync(DOC_SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'ztrisk-dashboard-'));
    const nowMs = Date.now();
    t = await startDashboardApp({ path: join(dir, 'ztrisk.db'), nowMs });
    await runDemo(t.services, { accountId: ACCOUNT, users: 60, days: 3, seed: 7, endMs: nowMs });
    await t.services.risk.recordFindings(ACCOUNT, findings(nowMs));
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    t.publicUrl = url;
    // Playwright refuses a --user-data-dir argument: launch() always starts from a fresh temporary profile.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    admin = await browser.newContext({ viewport: LAPTOP });
    await admin.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with a token and shows the demo data on the overview', async () => {
    page = await signIn(admin, t.adminToken);
    const high = Number(await page.getByTestId('stat-high').locator('.value').textContent());
    const medium = Number(await page.getByTestId('stat-medium').locator('.value').textContent());
    assert.ok(high >= 1, `high users: ${high}`);
    assert.ok(high + medium >= 5, `scored users: ${high + medium}`);
    assert.match((await page.getByTestId('stat-behaviors').textContent()) ?? '', /9 of 9/);
    await page.locator('.chart canvas').first().waitFor();
    assert.ok((await page.getByTestId('top-behaviors').locator('li').count()) >= 1);
    assert.ok((await page.getByTestId('recent-changes').locator('tbody tr').count()) >= 1);
    await shot(page, 'overview', true);

    await page.getByRole('link', { name: 'Last 7 days' }).click();
    await page.waitForURL('**/overview?range=7d');
    await page.waitForSelector('a[aria-label="Last 7 days"][aria-current="true"]');
    await page.locator('.chart canvas').first().waitFor();
    await shot(page, 'overview-7d');
  });

  it('filters users by level and by search', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.waitForURL('**/users');
    const all = await page.locator('[data-user-id]').count();
    assert.ok(all >= 5, `users listed: ${all}`);
    await page.getByLabel('Level').selectOption('high');
    await page.waitForURL('**/users?*level=high*');
    await eventually('only high users are listed', async () => {
      const levels = await page.locator('[data-user-id] .badge').allTextContents();
      return levels.length > 0 && levels.every((l) => l === 'high');
    });
    await page.getByLabel('Search email or name').fill('dana.whit');
    await eventually('one user matches', async () => (await page.locator('[data-user-id]').count()) === 1);
    assert.equal(await page.locator('[data-user-id]').getAttribute('data-user-id'), DANA);
    await shot(page, 'users');
  });

  it('opens a user and reads the travel evidence with its location attribution', async () => {
    await page.getByRole('link', { name: 'Dana Whitfield' }).click();
    await page.waitForURL(`**/users/${DANA}`);
    const evidence = (await page.getByTestId('evidence').allTextContents()).join('\n');
    assert.match(evidence, /Signed in from Tokyo, JP 31 min after New York, US: 10,850 km, 21,000 km\/h/);
    assert.match(evidence, /7 failed sign-ins within 10 min/);
    const attribution = page.getByRole('link', { name: 'IP Geolocation by DB-IP' }).first();
    assert.equal(await attribution.getAttribute('href'), 'https://db-ip.com');
    await shot(page, 'user-detail', true);
  });

  it('resets with a reason: the user leaves the table, the audit log and the API agree', async () => {
    await page.getByText('Reset risk…').click();
    await page
      .getByLabel('Reason (optional, kept in the audit log)')
      .fill('Travel confirmed with Dana by phone');
    await shot(page, 'user-reset-confirm');
    await page.getByRole('button', { name: 'Confirm reset' }).click();
    await page.waitForURL('**/users');
    assert.match(
      (await page.locator('#flash').textContent()) ?? '',
      /Risk reset for dana\.whitfield@demo-corp\.example/,
    );
    assert.equal(await page.locator(`[data-user-id="${DANA}"]`).count(), 0);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('user.reset');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL('**/audit?*action=user.reset*');
    const row = page.locator('tr[data-action="user.reset"]').first();
    assert.match((await row.textContent()) ?? '', /Travel confirmed with Dana by phone/);
    assert.match((await row.textContent()) ?? '', new RegExp(DANA));
    await shot(page, 'audit');

    const user = await api(`/zt_risk_scoring/${DANA}`);
    assert.deepEqual(user.events, []);
    assert.equal(user.risk_level, undefined);
    assert.equal(typeof user.last_reset_time, 'string');

    await page.goto(`${url}/users/${DANA}`);
    await page.getByRole('link', { name: 'Show risk events before the last reset' }).click();
    await page.waitForSelector('#history .timeline li');
    assert.equal(await page.locator('#history .timeline li').count(), 3);
    await shot(page, 'user-history');
  });

  it('toggles a behavior and the API agrees', async () => {
    await page.getByRole('link', { name: 'Behaviors' }).click();
    await page.waitForURL('**/behaviors');
    const row = page.locator('#behavior-high_risk_domain');
    assert.equal(await row.getByTestId('status').textContent(), 'enabled');
    await row.getByRole('button', { name: 'Disable High Risk Domain Visited' }).click();
    await page
      .locator('#behavior-high_risk_domain [data-testid="status"]', { hasText: 'disabled' })
      .waitFor();
    assert.match((await page.locator('#flash').textContent()) ?? '', /High Risk Domain Visited disabled/);
    const behaviors = (await api('/zt_risk_scoring/behaviors')).behaviors as Record<
      string,
      { enabled: boolean }
    >;
    assert.equal(behaviors.high_risk_domain?.enabled, false);
    assert.equal(behaviors.imp_travel?.enabled, true);
    await shot(page, 'behaviors');
  });

  it('adds an integration and copies its well-known URL', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByLabel('Okta tenant URL').fill('https://demo-corp.okta.com');
    await page.getByRole('button', { name: 'Add integration' }).click();
    await page.waitForURL('**/integrations*');
    const input = page.locator('input[id^="wk-"]').first();
    const wellKnown = await input.inputValue();
    assert.match(wellKnown, new RegExp(`^${url}/\\.well-known/sse-configuration/[0-9a-f-]{36}/$`));
    await page.getByRole('button', { name: 'Copy' }).first().click();
    await page.locator('[data-copy]', { hasText: 'Copied' }).first().waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), wellKnown);
    const listed = (await api('/zt_risk_scoring/integrations')) as unknown as { well_known_url: string }[];
    assert.equal(listed[0]?.well_known_url, wellKnown);
    const stream = page.getByTestId('streams-table').locator('tbody tr').first();
    assert.match((await stream.textContent()) ?? '', /Okta integration · push[\s\S]*enabled/);
    await shot(page, 'integrations');
  });

  it('refuses a POST without the CSRF token', async () => {
    const victim = (
      await t.services.risk.summary(ACCOUNT, {
        page: 1,
        perPage: 1,
        levels: [],
        orderBy: 'last_event',
        direction: 'desc',
      })
    ).items[0];
    assert.ok(victim);
    const res = await admin.request.post(`${url}/users/${victim.userId}/reset`, {
      form: { reason: 'no token' },
      maxRedirects: 0,
    });
    assert.equal(res.status(), 403);
    const after = await t.services.risk.getUser(ACCOUNT, victim.userId, { page: 1, perPage: 1 });
    assert.equal(after.user.lastResetTime, undefined);
  });

  it('a read-only token sees no reset button, and a forged reset is refused', async () => {
    const readOnly = await browser.newContext({ viewport: LAPTOP });
    try {
      const secret = await t.token(['Zero Trust Read', 'Zero Trust: PII Read']);
      const p = await signIn(readOnly, secret);
      const victim = (
        await t.services.risk.summary(ACCOUNT, {
          page: 1,
          perPage: 1,
          levels: ['high'],
          orderBy: 'last_event',
          direction: 'desc',
        })
      ).items[0];
      assert.ok(victim);
      await p.goto(`${url}/users/${victim.userId}`);
      assert.equal(await p.getByText('Reset risk…').count(), 0);
      assert.equal(await p.getByRole('button', { name: 'Confirm reset' }).count(), 0);
      await p.getByTestId('no-reset').waitFor();
      const csrf = await p.locator('input[name="_csrf"]').first().inputValue();
      const res = await readOnly.request.post(`${url}/users/${victim.userId}/reset`, {
        form: { _csrf: csrf, reason: 'forged' },
        maxRedirects: 0,
      });
      assert.equal(res.status(), 403);
      const still = await t.services.risk.getUser(ACCOUNT, victim.userId, { page: 1, perPage: 1 });
      assert.equal(still.user.riskLevel, 'high');
      await p.goto(`${url}/behaviors`);
      assert.equal(await p.getByRole('button', { name: /^(Enable|Disable) / }).count(), 0);
      await shot(p, 'behaviors-read-only');
    } finally {
      await readOnly.close();
    }
  });

  it('fits a phone, and is keyboard-usable', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    try {
      const p = await signIn(phone, t.adminToken);
      for (const path of ['/overview', '/users', '/behaviors', '/integrations', '/audit']) {
        await p.goto(`${url}${path}`);
        const overflow = Number(
          await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
        );
        assert.ok(overflow <= 0, `${path} overflows a phone screen by ${overflow}px`);
        await shot(p, `phone${path.replace('/', '-')}`);
      }
      await p.goto(`${url}/users`);
      await p.keyboard.press('Tab');
      assert.equal(await p.evaluate('document.activeElement?.textContent'), 'Skip to content');
      await p.keyboard.press('Enter');
      assert.equal(await p.evaluate('document.activeElement?.id'), 'main');
      for (const id of ['q', 'level', 'behavior', 'sort']) {
        assert.equal(await p.locator(`label[for="${id}"]`).count(), 1, `#${id} has a label`);
      }
    } finally {
      await phone.close();
    }
  });

  it('signs out, and logged no console errors on any page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login?reason=signed_out');
    await shot(page, 'login');
    await page.goto(`${url}/users`);
    await page.waitForURL('**/login?reason=expired');
    assert.deepEqual(problems, []);
  });
});
