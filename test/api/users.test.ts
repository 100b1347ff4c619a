import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { aFinding, enableBehaviors } from '../support/builders.js';
import { ACCOUNT, assertError, base, startTestApp, type TestApp } from '../support/harness.js';

interface WireUser {
  name: string;
  email: string;
  events: {
    id: string;
    name: string;
    risk_level: string;
    timestamp: string;
    event_details: Record<string, unknown>;
  }[];
  risk_level?: string;
  last_reset_time: string | null;
}
interface WireSummaryUser {
  user_id: string;
  name: string;
  email: string;
  max_risk_level: string;
  event_count: number;
  last_event: string;
}

describe('user risk, reset and summary API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    await enableBehaviors(t.services, ACCOUNT, {
      imp_travel: 'high',
      high_dlp: 'medium',
      failed_logins: 'low',
    });
  });
  afterEach(async () => t.close());

  async function getUser(
    userId: string,
    query = '',
  ): Promise<{ user: WireUser; info: Record<string, number> }> {
    const res = await t.request('GET', `${base()}/${userId}${query}`, {
      operationId: 'dlp-risk-score-summary-get-for-user',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { user: res.json.result as WireUser, info: res.json.result_info as Record<string, number> };
  }

  async function summary(query = ''): Promise<{ users: WireSummaryUser[]; info: Record<string, number> }> {
    const res = await t.request('GET', `${base()}/summary${query}`, {
      operationId: 'dlp-risk-score-summary-get',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return {
      users: (res.json.result as { users: WireSummaryUser[] }).users,
      info: res.json.result_info as Record<string, number>,
    };
  }

  it('shows a user’s events newest first with the highest level and evidence', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [
      aFinding({ userId, behavior: 'failed_logins', timestamp: '2026-03-02T09:00:00.000Z' }),
      aFinding({
        userId,
        behavior: 'imp_travel',
        timestamp: '2026-03-02T08:00:00.000Z',
        details: { distance_km: 10850 },
      }),
      aFinding({
        userId,
        behavior: 'high_dlp',
        timestamp: '2026-03-02T10:00:00.000Z',
        email: 'alice@new.example',
        name: 'Alice N',
      }),
    ]);
    const { user, info } = await getUser(userId);
    assert.equal(user.risk_level, 'high');
    assert.equal(user.email, 'alice@new.example');
    assert.equal(user.name, 'Alice N');
    assert.equal(user.last_reset_time, null);
    assert.deepEqual(
      user.events.map((e) => e.timestamp),
      ['2026-03-02T10:00:00.000Z', '2026-03-02T09:00:00.000Z', '2026-03-02T08:00:00.000Z'],
    );
    const travel = user.events[2];
    assert.equal(travel?.name, 'Impossible Travel');
    assert.equal(travel?.risk_level, 'high');
    assert.equal(travel?.event_details.behavior, 'imp_travel');
    assert.equal(travel?.event_details.distance_km, 10850);
    assert.deepEqual(info, { count: 3, page: 1, per_page: 1000, total_count: 3, total_pages: 1 });
  });

  it('accepts the user id in upper case', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [aFinding({ userId })]);
    const { user } = await getUser(userId.toUpperCase());
    assert.equal(user.events.length, 1);
  });

  it('pages a user’s events with page and per_page', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(
      ACCOUNT,
      [0, 1, 2, 3, 4].map((i) =>
        aFinding({ userId, behavior: 'high_dlp', timestamp: `2026-03-02T0${i}:00:00.000Z` }),
      ),
    );
    const { user, info } = await getUser(userId, '?page=2&per_page=2');
    assert.deepEqual(
      user.events.map((e) => e.timestamp),
      ['2026-03-02T02:00:00.000Z', '2026-03-02T01:00:00.000Z'],
    );
    assert.deepEqual(info, { count: 2, page: 2, per_page: 2, total_count: 5, total_pages: 3 });
  });

  it('keeps the level an event was detected with after the behavior level changes', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [aFinding({ userId, behavior: 'high_dlp' })]);
    await enableBehaviors(t.services, ACCOUNT, { high_dlp: 'high' });
    await t.services.risk.recordFindings(ACCOUNT, [
      aFinding({ userId, behavior: 'high_dlp', timestamp: '2026-03-02T11:00:00.000Z' }),
    ]);
    const { user } = await getUser(userId);
    assert.deepEqual(
      user.events.map((e) => e.risk_level),
      ['high', 'medium'],
    );
    assert.equal(user.risk_level, 'high');
  });

  it('records nothing for a disabled behavior and 404s the never-scored user', async () => {
    const userId = randomUUID();
    const result = await t.services.risk.recordFindings(ACCOUNT, [
      aFinding({ userId, behavior: 'malicious_file' }),
    ]);
    assert.equal(result.recorded.length, 0);
    assertError(
      await t.request('GET', `${base()}/${userId}`, { operationId: 'dlp-risk-score-summary-get-for-user' }),
      404,
      1404,
      {
        message: 'User not found',
      },
    );
  });

  it('rejects a bad user id or bad paging with 400 / 1002 naming the parameter', async () => {
    assertError(await t.request('GET', `${base()}/not-a-uuid`), 400, 1002, {
      message: 'user_id: must be a UUID',
    });
    assertError(await t.request('GET', `${base()}/${randomUUID()}?per_page=1001`), 400, 1002, {
      message: /^per_page: /,
    });
    assertError(await t.request('GET', `${base()}/${randomUUID()}?page=x`), 400, 1002, {
      message: 'page: must be an integer',
    });
  });

  it('resets in O(1): clears events and level, keeps history, leaves the summary, audits the reason', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [
      aFinding({ userId }),
      aFinding({ userId, behavior: 'high_dlp' }),
    ]);
    assert.equal((await summary()).users.length, 1);
    t.clock.set('2026-03-02T12:30:00.000Z');
    const res = await t.request('POST', `${base()}/${userId}/reset`, {
      body: { reason: 'confirmed travel with the user' },
      operationId: 'dlp-risk-score-reset-post',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.result, {});
    assert.equal(res.json.result_info, undefined);

    const { user, info } = await getUser(userId);
    assert.deepEqual(user.events, []);
    assert.equal('risk_level' in user, false, 'risk_level omitted, never null');
    assert.equal(user.last_reset_time, '2026-03-02T12:30:00.000Z');
    assert.deepEqual(info, { count: 0, page: 1, per_page: 1000, total_count: 0, total_pages: 0 });
    assert.deepEqual((await summary()).users, []);

    const stored = await t.store.listUserRiskEvents(ACCOUNT, userId, undefined, { page: 1, perPage: 10 });
    assert.equal(stored.totalCount, 2, 'nothing deleted');

    const audit = await t.request('GET', `/client/v4/accounts/${ACCOUNT}/ztrisk/audit?action=user.reset`);
    const entry = (audit.json.result as { target_id: string; reason: string; at: string }[])[0];
    assert.equal(entry?.target_id, userId);
    assert.equal(entry?.reason, 'confirmed travel with the user');
    assert.equal(entry?.at, '2026-03-02T12:30:00.000Z');
  });

  it('counts a new risk event after a reset and brings the user back to the summary', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [
      aFinding({ userId, timestamp: '2026-03-02T10:00:00.000Z' }),
    ]);
    await t.request('POST', `${base()}/${userId}/reset`);
    await t.services.risk.recordFindings(ACCOUNT, [
      aFinding({ userId, behavior: 'failed_logins', timestamp: '2026-03-02T11:00:00.000Z' }),
      aFinding({ userId, behavior: 'high_dlp', timestamp: '2026-03-02T12:00:01.000Z' }),
    ]);
    const { user } = await getUser(userId);
    assert.deepEqual(
      user.events.map((e) => e.timestamp),
      ['2026-03-02T12:00:01.000Z'],
      'an event dated before the reset is stored but does not count',
    );
    assert.equal(user.risk_level, 'medium');
    const { users } = await summary();
    assert.deepEqual(
      users.map((u) => [u.user_id, u.event_count, u.max_risk_level]),
      [[userId, 1, 'medium']],
    );
  });

  it('resets without a body or Content-Type (as the SDK does) and ignores a non-object body', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [aFinding({ userId })]);
    const res = await t.app.inject({
      method: 'POST',
      url: `${base()}/${userId}/reset`,
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    assert.equal(res.statusCode, 200);
    const garbage = await t.request('POST', `${base()}/${userId}/reset`, {
      raw: 'garbage',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(garbage.status, 200);
  });

  it('rejects a reset reason that is not a string, with its pointer', async () => {
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [aFinding({ userId })]);
    assertError(await t.request('POST', `${base()}/${userId}/reset`, { body: { reason: 42 } }), 400, 1002, {
      pointer: '/reason',
    });
    assert.equal((await getUser(userId)).user.events.length, 1, 'nothing reset');
  });

  it('404s a reset of an unknown user and succeeds on a clear known user, moving last_reset_time', async () => {
    assertError(
      await t.request('POST', `${base()}/${randomUUID()}/reset`, {
        operationId: 'dlp-risk-score-reset-post',
      }),
      404,
      1404,
    );
    const userId = randomUUID();
    await t.services.risk.recordFindings(ACCOUNT, [aFinding({ userId })]);
    await t.request('POST', `${base()}/${userId}/reset`);
    t.clock.advance(60_000);
    const again = await t.request('POST', `${base()}/${userId}/reset`);
    assert.equal(again.status, 200);
    assert.equal((await getUser(userId)).user.last_reset_time, '2026-03-02T12:01:00.000Z');
  });

  describe('summary', () => {
    let ids: string[];
    beforeEach(async () => {
      ids = Array.from({ length: 4 }, () => randomUUID()).sort();
      const [a, b, c, d] = ids as [string, string, string, string];
      await t.services.risk.recordFindings(ACCOUNT, [
        aFinding({ userId: a, behavior: 'failed_logins', timestamp: '2026-03-02T01:00:00.000Z' }),
        aFinding({ userId: b, behavior: 'high_dlp', timestamp: '2026-03-02T02:00:00.000Z' }),
        aFinding({ userId: b, behavior: 'high_dlp', timestamp: '2026-03-02T03:00:00.000Z' }),
        aFinding({ userId: c, behavior: 'imp_travel', timestamp: '2026-03-02T03:00:00.000Z' }),
        aFinding({ userId: d, behavior: 'imp_travel', timestamp: '2026-03-02T00:30:00.000Z' }),
      ]);
    });

    it('lists scored users newest last_event first by default, ties by user_id ascending', async () => {
      const { users, info } = await summary();
      const [a, b, c, d] = ids as [string, string, string, string];
      const tied = [b, c].sort();
      assert.deepEqual(
        users.map((u) => u.user_id),
        [...tied, a, d],
      );
      const ub = users.find((u) => u.user_id === b);
      assert.deepEqual(ub, {
        user_id: b,
        name: 'Alice Example',
        email: 'alice@acme-corp.example',
        max_risk_level: 'medium',
        event_count: 2,
        last_event: '2026-03-02T03:00:00.000Z',
      });
      assert.deepEqual(info, { count: 4, page: 1, per_page: 1000, total_count: 4, total_pages: 1 });
    });

    it('filters by one or several levels', async () => {
      const [a, b, c, d] = ids as [string, string, string, string];
      assert.deepEqual((await summary('?risk_level=high')).users.map((u) => u.user_id).sort(), [c, d].sort());
      const several = await summary('?risk_level=low,medium');
      assert.deepEqual(several.users.map((u) => u.user_id).sort(), [a, b].sort());
      assert.equal(several.info.total_count, 2);
    });

    it('orders by event_count and max_risk_level in both directions', async () => {
      const [a, b, c, d] = ids as [string, string, string, string];
      assert.equal((await summary('?order_by=event_count')).users[0]?.user_id, b);
      assert.deepEqual(
        (await summary('?order_by=event_count&direction=asc')).users.map((u) => u.user_id),
        [a, c, d, b],
      );
      assert.deepEqual(
        (await summary('?order_by=max_risk_level&direction=desc')).users.map((u) => u.user_id),
        [c, d, b, a],
      );
      assert.deepEqual(
        (await summary('?order_by=timestamp&direction=asc')).users.map((u) => u.user_id),
        [d, a, ...[b, c].sort()],
      );
    });

    it('pages with result_info, and a page past the end is empty', async () => {
      const p2 = await summary('?per_page=3&page=2');
      assert.equal(p2.users.length, 1);
      assert.deepEqual(p2.info, { count: 1, page: 2, per_page: 3, total_count: 4, total_pages: 2 });
      const past = await summary('?per_page=3&page=9');
      assert.deepEqual(past.users, []);
      assert.deepEqual(past.info, { count: 0, page: 9, per_page: 3, total_count: 4, total_pages: 2 });
    });

    it('rejects bad query values with 400 / 1002 naming each parameter', async () => {
      const res = await t.request(
        'GET',
        `${base()}/summary?risk_level=severe&order_by=name&direction=up&per_page=0`,
      );
      assert.equal(res.status, 400);
      const messages = (res.json.errors as { message: string; source?: unknown }[])
        .map((e) => e.message.split(':')[0])
        .sort();
      assert.deepEqual(messages, ['direction', 'order_by', 'per_page', 'risk_level']);
      assert.ok((res.json.errors as { source?: unknown }[]).every((e) => e.source === undefined));
    });

    it('ignores undefined query parameters and a trailing slash', async () => {
      const res = await t.request('GET', `${base()}/summary/?foo=bar`);
      assert.equal(res.status, 200);
    });
  });
});
