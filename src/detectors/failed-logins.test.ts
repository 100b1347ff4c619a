import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SignInEvent } from '../domain/security-event.js';
import { failedLogins } from './failed-logins.js';
import {
  aContext,
  aFailedSignIn,
  arrivalOrders,
  aSignIn,
  detectWith,
  ingest,
  oneByOne,
  USERS,
} from './test-builders.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 30); // 08:00:30Z

/** Failed sign-ins of dave at the given offsets in minutes from T0. */
function failuresAt(minutes: readonly number[], prefix = 'f'): SignInEvent[] {
  return minutes.map((m, i) =>
    aFailedSignIn({
      id: `${prefix}${i}`,
      user: USERS.dave,
      at: T0 + Math.round(m * 60_000),
      ip: `198.51.100.${i + 1}`,
    }),
  );
}

describe('failed_logins', () => {
  const boundaries = [
    { name: '4 failures within 10 minutes do not fire', minutes: [0, 1, 2, 3], fires: false },
    { name: '5 failures within 10 minutes fire', minutes: [0, 1, 2, 3, 4], fires: true },
    {
      name: '5 failures exactly 10 minutes apart fire (window inclusive)',
      minutes: [0, 2, 5, 8, 10],
      fires: true,
    },
    {
      name: '5 failures 10 minutes and 1 ms apart do not fire',
      minutes: [0, 2, 5, 8, 10 + 1 / 60_000],
      fires: false,
    },
    { name: '5 failures 11 minutes apart do not fire', minutes: [0, 2, 5, 8, 11], fires: false },
  ];
  for (const c of boundaries) {
    it(c.name, () => assert.equal(ingest(failedLogins, [failuresAt(c.minutes)]).length, c.fires ? 1 : 0));
  }

  it('does not count successful sign-ins, nor let them break a burst', () => {
    const failures = failuresAt([0, 1, 2, 3]);
    const successes = [0.5, 1.5, 2.5].map((m) => aSignIn({ user: USERS.dave, at: T0 + m * 60_000 }));
    assert.equal(ingest(failedLogins, [[...failures, ...successes]]).length, 0);
    const fifth = failuresAt([4], 'g');
    assert.equal(ingest(failedLogins, [[...failures, ...successes], fifth]).length, 1);
  });

  it("does not fire for bob's fixture (two denied logins, then a success)", () => {
    const events = [
      aFailedSignIn({ user: USERS.bob, at: '2026-03-02T13:52:03Z' }),
      aFailedSignIn({ user: USERS.bob, at: '2026-03-02T13:52:41Z' }),
      aSignIn({ user: USERS.bob, at: '2026-03-02T13:54:10Z' }),
    ];
    assert.deepEqual(ingest(failedLogins, oneByOne(events)), []);
  });

  it('reports the burst with its evidence', () => {
    const events = failuresAt([0, 1, 2, 3, 4, 30]);
    const [finding, ...rest] = ingest(failedLogins, [events]);
    assert.equal(rest.length, 0);
    assert.ok(finding);
    assert.equal(finding.behavior, 'failed_logins');
    assert.equal(finding.userId, USERS.dave.id);
    assert.equal(finding.timestamp, '2026-03-02T08:04:30.000Z');
    assert.equal(finding.dedupeKey, `failed_logins:${USERS.dave.id}:2026-03-02T08%3A00%3A00.000Z`);
    assert.deepEqual(finding.details, {
      count: 5,
      min_count: 5,
      window_minutes: 10,
      first_timestamp: '2026-03-02T08:00:30.000Z',
      last_timestamp: '2026-03-02T08:04:30.000Z',
      burst_id: '2026-03-02T08:00:00.000Z',
      sustained: false,
      ips: ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'],
      apps: [],
      source_event_ids: ['f0', 'f1', 'f2', 'f3', 'f4'],
    });
  });

  const burst = failuresAt([0, 0.5, 1, 2, 3, 3.5, 6]);
  for (const { name, order } of arrivalOrders(burst)) {
    it(`records one finding with the same key when failures arrive ${name}`, () => {
      assert.deepEqual(
        ingest(failedLogins, oneByOne(order)).map((f) => f.dedupeKey),
        [`failed_logins:${USERS.dave.id}:2026-03-02T08%3A00%3A00.000Z`],
      );
    });
  }

  it('gives the same findings when detection runs twice', () => {
    const trigger = burst[4] as SignInEvent;
    assert.deepEqual(
      detectWith(failedLogins, trigger, burst),
      detectWith(failedLogins, trigger, [...burst, ...burst]),
    );
  });

  it('fires again for a new burst after a quiet window', () => {
    const findings = ingest(
      failedLogins,
      oneByOne([...failuresAt([0, 1, 2, 3, 4]), ...failuresAt([30, 31, 32, 33, 34], 'h')]),
    );
    assert.equal(findings.length, 2);
  });

  it('accepts failed sign-ins only and asks for failed sign-ins around them', () => {
    assert.equal(failedLogins.accepts(aSignIn()), false);
    const event = aFailedSignIn({ at: T0 });
    assert.equal(failedLogins.accepts(event), true);
    assert.deepEqual(failedLogins.history(event, aContext().thresholds), [
      {
        kind: 'window',
        types: ['sign_in'],
        filter: { outcome: 'failure' },
        fromMs: T0 - 120 * 60_000,
        toMs: T0 + 10 * 60_000,
      },
    ]);
  });
});
