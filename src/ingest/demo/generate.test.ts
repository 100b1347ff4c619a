import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEHAVIOR_CATALOG, BEHAVIOR_KEYS } from '../../domain/behaviors.js';
import { createServices } from '../../services/services.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { type GenericEvent, mapGenericEvent } from '../events/generic-event.js';
import { DEMO_SCENARIOS, type DemoOptions, generateDemo, SCENARIO_RATES } from './generate.js';

const END_MS = Date.parse('2026-03-04T15:30:00.000Z');
const DAY_MS = 86_400_000;
const SMALL: DemoOptions = { seed: 7, users: 40, days: 2, endMs: END_MS };

function allEvents(options: DemoOptions): GenericEvent[] {
  return [...generateDemo(options).events()];
}

describe('generateDemo', () => {
  const events = allEvents(SMALL);

  it('gives the same users and events for the same options, and others for another seed', () => {
    const again = generateDemo(SMALL);
    assert.deepEqual([...again.events()], events);
    assert.deepEqual(again.manifest, generateDemo(SMALL).manifest);
    const other = generateDemo({ ...SMALL, seed: 8 });
    assert.notDeepEqual(
      other.manifest.users.map((u) => u.id),
      again.manifest.users.map((u) => u.id),
    );
  });

  it('replays identically when iterated twice', () => {
    const demo = generateDemo(SMALL);
    assert.deepEqual([...demo.events()], [...demo.events()]);
  });

  it('generates only valid generic events with unique ids, within the period', () => {
    const ids = new Set<string>();
    const startMs = END_MS - SMALL.days * DAY_MS;
    for (const event of events) {
      const mapped = mapGenericEvent(event, { accountId: 'a1' });
      assert.equal(mapped.kind, 'events', `${event.id}: ${JSON.stringify(mapped)}`);
      assert.ok(!ids.has(event.id), `duplicate id ${event.id}`);
      ids.add(event.id);
      const t = Date.parse(event.timestamp);
      assert.ok(t <= END_MS, `${event.id} is after the end: ${event.timestamp}`);
      assert.ok(t >= startMs - 5 * 60_000, `${event.id} is before the period: ${event.timestamp}`);
    }
  });

  it('gives every user a stable identity at demo-corp.example', () => {
    const { users } = generateDemo(SMALL).manifest;
    assert.equal(users.length, SMALL.users);
    assert.equal(new Set(users.map((u) => u.email)).size, users.length);
    for (const u of users) {
      assert.match(u.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(u.email, /^[a-z]+\.[a-z]+\d*@demo-corp\.example$/);
    }
  });

  it('puts an explicit location on every sign-in', () => {
    const signIns = events.filter((e) => e.type === 'sign_in');
    assert.ok(signIns.length > SMALL.users);
    for (const e of signIns) assert.ok(e.location?.country, `${e.id} has no location`);
  });

  it('delivers some events, but only a few, out of order', () => {
    let late = 0;
    for (let i = 1; i < events.length; i++) {
      if (Date.parse(events[i]?.timestamp ?? '') < Date.parse(events[i - 1]?.timestamp ?? '')) late += 1;
    }
    assert.ok(late > 0, 'no event out of order');
    assert.ok(late < events.length * 0.1, `${late} of ${events.length} out of order`);
  });

  it('gives every scenario to at least one user, even with a single user', () => {
    for (const users of [1, 3, 40]) {
      const { manifest } = generateDemo({ ...SMALL, users });
      for (const s of DEMO_SCENARIOS)
        assert.ok(manifest.scenarios[s].length >= 1, `${s} with ${users} users`);
    }
  });

  it('gives each scenario to 2–5 % of many users and keeps most users benign', () => {
    const { manifest } = generateDemo({ ...SMALL, users: 1000 });
    for (const s of DEMO_SCENARIOS) {
      assert.equal(manifest.scenarios[s].length, Math.round(1000 * SCENARIO_RATES[s]));
      assert.ok(SCENARIO_RATES[s] >= 0.02 && SCENARIO_RATES[s] <= 0.05);
    }
    const risky = manifest.users.filter((u) => u.scenarios.length > 0).length;
    assert.ok(risky < 400, `${risky} risky users`);
  });

  it('emits the evidence of each scenario', () => {
    const has = (pred: (e: GenericEvent) => boolean) => events.some(pred);
    assert.ok(has((e) => e.type === 'file_verdict' && e.verdict === 'malicious'));
    assert.ok(has((e) => e.type === 'dns_request' && (e.category_ids ?? []).includes(21)));
    assert.ok(
      has(
        (e) =>
          (e.type === 'dns_request' || e.type === 'http_request') &&
          (e.category_ids ?? []).some((c) => [17, 29, 34].includes(c)),
      ),
    );
    assert.ok(has((e) => e.type === 'posture_result' && e.sentinelone?.infected === true));
    assert.ok(has((e) => e.type === 'posture_result' && (e.crowdstrike?.overall ?? 100) <= 50));
    assert.ok(
      has(
        (e) =>
          e.type === 'posture_result' &&
          (e.crowdstrike?.overall ?? 0) > 50 &&
          (e.crowdstrike?.overall ?? 0) < 80,
      ),
    );
  });
});

describe('a demo ingested through the real services', () => {
  it('makes every behavior fire, leaves benign users unscored and re-ingests as duplicates only', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    const services = createServices({ store, now: () => END_MS });
    const account = 'a1';
    await services.behaviors.update(
      account,
      new Map(BEHAVIOR_CATALOG.map((b) => [b.key, { enabled: true, riskLevel: b.defaultLevel }])),
      'test',
    );
    const demo = generateDemo(SMALL);
    const records = [...demo.events()].map((value, index) => ({ index, value }));
    const ingestAll = async () => {
      let accepted = 0;
      let duplicates = 0;
      let rejected = 0;
      let riskEvents = 0;
      for (let i = 0; i < records.length; i += 5000) {
        const chunk = records.slice(i, i + 5000).map((r, index) => ({ index, value: r.value }));
        const s = await services.ingest.ingest(
          account,
          services.ingest.mapRecords(account, { kind: 'events' }, chunk),
        );
        accepted += s.accepted;
        duplicates += s.duplicates;
        rejected += s.rejected.length;
        riskEvents += s.riskEvents;
      }
      return { accepted, duplicates, rejected, riskEvents };
    };

    const first = await ingestAll();
    assert.deepEqual(
      { ...first, riskEvents: first.riskEvents > 0 },
      { accepted: records.length, duplicates: 0, rejected: 0, riskEvents: true },
    );

    const fired = new Map<string, Set<string>>();
    const scored = await services.risk.summary(account, {
      page: 1,
      perPage: 1000,
      levels: [],
      orderBy: 'last_event',
      direction: 'desc',
    });
    for (const user of scored.items) {
      const events = await store.listUserRiskEvents(account, user.userId, undefined, {
        page: 1,
        perPage: 1000,
      });
      fired.set(user.userId, new Set(events.items.map((e) => e.behavior)));
    }
    const behaviorsFired = new Set([...fired.values()].flatMap((s) => [...s]));
    assert.deepEqual([...behaviorsFired].sort(), [...BEHAVIOR_KEYS].sort());

    for (const user of demo.manifest.users) {
      const got = fired.get(user.id);
      if (user.scenarios.length === 0) {
        assert.equal(got, undefined, `benign user ${user.email} was scored: ${[...(got ?? [])].join(', ')}`);
        continue;
      }
      for (const s of user.scenarios) assert.ok(got?.has(s), `${user.email}: ${s} did not fire`);
    }

    const second = await ingestAll();
    assert.deepEqual(second, { accepted: 0, duplicates: records.length, rejected: 0, riskEvents: 0 });
    await store.close();
  });
});
