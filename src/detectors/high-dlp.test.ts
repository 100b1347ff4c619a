import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DlpMatchEvent } from '../domain/security-event.js';
import { highDlp } from './high-dlp.js';
import {
  aContext,
  aDlpMatch,
  arrivalOrders,
  detectWith,
  ingest,
  oneByOne,
  plusSeconds,
  USERS,
} from './test-builders.js';
import { validateThresholds } from './thresholds.js';

const T0 = Date.UTC(2026, 2, 2, 9); // 09:00:00.000Z

/** DLP matches of bob at the given offsets in seconds from T0. */
function matchesAt(offsets: readonly number[], prefix = 'm'): DlpMatchEvent[] {
  return offsets.map((s, i) =>
    aDlpMatch({ id: `${prefix}${String(i).padStart(2, '0')}`, user: USERS.bob, at: T0 + s * 1000 }),
  );
}

/** `count` matches spread evenly from T0 to T0 + spanSeconds. */
function spread(count: number, spanSeconds: number): DlpMatchEvent[] {
  return matchesAt(Array.from({ length: count }, (_, i) => (i * spanSeconds) / (count - 1)));
}

/** Bob's 16 DLP-matched uploads of the gateway_http fixture, 14:10:02Z–14:10:41Z (LOGPUSH.md §8). */
const BOB_BURST = [2, 4, 7, 9, 12, 14, 17, 19, 22, 24, 27, 29, 32, 34, 37, 41].map((s, i) =>
  aDlpMatch({
    id: `${(0x10 + i).toString(16)}d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:dlp`,
    user: USERS.bob,
    at: `2026-03-02T14:10:${String(s).padStart(2, '0')}Z`,
    profiles: [{ id: 'c8e4a2f0-6b1d-4e3c-9a7f-0d2b4f6e8a1c' }],
  }),
);

describe('high_dlp', () => {
  const boundaries = [
    { name: '14 matches within 60 s do not fire', events: spread(14, 30), fires: false },
    { name: '15 matches within 60 s fire', events: spread(15, 30), fires: true },
    { name: '15 matches exactly 60 s apart fire (window inclusive)', events: spread(15, 60), fires: true },
    { name: '15 matches 60.001 s apart do not fire', events: spread(15, 60.001), fires: false },
    { name: '15 matches 61 s apart do not fire', events: spread(15, 61), fires: false },
    { name: '15 matches at the same instant fire', events: matchesAt(Array(15).fill(0)), fires: true },
  ];
  for (const c of boundaries) {
    it(c.name, () => {
      const findings = ingest(highDlp, [c.events]);
      assert.equal(findings.length, c.fires ? 1 : 0);
    });
  }

  it("fires once for bob's fixture burst (one delivery), dated at the 15th match", () => {
    const findings = ingest(highDlp, [BOB_BURST]);
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.ok(finding);
    assert.equal(finding.userId, USERS.bob.id);
    assert.equal(finding.email, USERS.bob.email);
    assert.equal(finding.behavior, 'high_dlp');
    assert.equal(finding.timestamp, '2026-03-02T14:10:37.000Z');
    assert.equal(finding.dedupeKey, `high_dlp:${USERS.bob.id}:2026-03-02T14%3A10%3A00.000Z`);
    assert.deepEqual(finding.details, {
      count: 16,
      min_count: 15,
      window_seconds: 60,
      first_timestamp: '2026-03-02T14:10:02.000Z',
      last_timestamp: '2026-03-02T14:10:41.000Z',
      burst_id: '2026-03-02T14:10:00.000Z',
      sustained: false,
      profiles: [{ id: 'c8e4a2f0-6b1d-4e3c-9a7f-0d2b4f6e8a1c' }],
      source_event_ids: BOB_BURST.map((e) => e.id),
    });
  });

  it('describes the burst as known when it is first detected', () => {
    const [finding] = ingest(highDlp, oneByOne(BOB_BURST));
    assert.equal(finding?.details.count, 15);
    assert.equal(finding?.timestamp, '2026-03-02T14:10:37.000Z');
  });

  for (const { name, order } of arrivalOrders(BOB_BURST)) {
    it(`records one finding with the same key when events arrive ${name}`, () => {
      const findings = ingest(highDlp, oneByOne(order));
      assert.deepEqual(
        findings.map((f) => f.dedupeKey),
        [`high_dlp:${USERS.bob.id}:2026-03-02T14%3A10%3A00.000Z`],
      );
    });
  }

  it('gives the same finding whichever event of the burst triggers, once all are stored', () => {
    const expected = detectWith(highDlp, BOB_BURST[0] as DlpMatchEvent, BOB_BURST);
    for (const trigger of BOB_BURST) assert.deepEqual(detectWith(highDlp, trigger, BOB_BURST), expected);
  });

  it('gives the same findings when the same event is detected twice or delivered twice', () => {
    const trigger = BOB_BURST[15] as DlpMatchEvent;
    assert.deepEqual(
      detectWith(highDlp, trigger, BOB_BURST),
      detectWith(highDlp, trigger, [...BOB_BURST, ...BOB_BURST]),
    );
    assert.equal(ingest(highDlp, [BOB_BURST, BOB_BURST, BOB_BURST.slice(3)]).length, 1);
  });

  it('fires once per burst: two bursts more than a window apart fire twice', () => {
    const first = spread(15, 20);
    const second = matchesAt(
      Array.from({ length: 15 }, (_, i) => 200 + i),
      'n',
    );
    const findings = ingest(highDlp, oneByOne([...first, ...second]));
    assert.equal(findings.length, 2);
    assert.notEqual(findings[0]?.dedupeKey, findings[1]?.dedupeKey);
  });

  it('does not fire again for matches that continue a burst it already reported', () => {
    const burst = spread(15, 14);
    const more = matchesAt([20, 30, 40, 50, 65], 'late');
    assert.equal(ingest(highDlp, [burst, ...oneByOne(more)]).length, 1);
  });

  it('does not count other users', () => {
    const mixed = spread(15, 10).map((e, i) => (i % 2 === 0 ? { ...e, user: USERS.carol } : e));
    const trigger = mixed[13] as DlpMatchEvent;
    assert.deepEqual(detectWith(highDlp, trigger, mixed), []);
  });

  it('follows the account thresholds', () => {
    const result = validateThresholds({ high_dlp: { min_count: 3, window_seconds: 5 } });
    assert.ok('value' in result);
    const ctx = aContext(result.value);
    assert.equal(ingest(highDlp, [matchesAt([0, 2, 5])], ctx).length, 1);
    assert.equal(ingest(highDlp, [matchesAt([0, 2, 6])], ctx).length, 0);
  });

  it('asks for a bounded window of DLP matches around the event', () => {
    const event = aDlpMatch({ at: T0 });
    assert.deepEqual(highDlp.history(event, aContext().thresholds), [
      { kind: 'window', types: ['dlp_match'], fromMs: plusSeconds(T0, -720), toMs: plusSeconds(T0, 60) },
    ]);
  });

  it('accepts DLP matches only', () => {
    assert.equal(highDlp.accepts(aDlpMatch()), true);
    assert.equal(
      highDlp.accepts({ ...aDlpMatch(), type: 'http_request', host: 'x', categoryIds: [], blocked: false }),
      false,
    );
  });

  it('limit: a burst straddling a grid line may be reported twice when its first match arrives last', () => {
    // 59.9 s, then 15 matches from 60 s on: the anchor moves across the 09:01:00 grid line.
    const events = matchesAt([59.9, ...Array.from({ length: 15 }, (_, i) => 60 + i)]);
    const firstLast = [...events.slice(1), events[0] as DlpMatchEvent];
    assert.equal(ingest(highDlp, oneByOne(firstLast)).length, 2);
    assert.equal(ingest(highDlp, oneByOne(events)).length, 1);
  });
});
