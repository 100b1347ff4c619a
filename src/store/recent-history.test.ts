import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HistoryFilter, HistoryRequest } from '../detectors/detector.js';
import { selectHistory } from '../detectors/history.js';
import { compareEventTime, type SecurityEvent } from '../domain/security-event.js';
import { RecentHistory } from './recent-history.js';

const ACCOUNT = 'acc';
const USERS = ['u1', 'u2'] as const;
const TYPES = ['sign_in', 'posture_result', 'dlp_match'] as const;

/** Events with few distinct times (many ties), ids unique per account. */
function eventOf(n: number, user: string, type: (typeof TYPES)[number], timeMs: number, flags: number) {
  const base = {
    id: `e${String(n).padStart(3, '0')}-${flags % 3}`,
    accountId: ACCOUNT,
    timestamp: new Date(timeMs).toISOString(),
    timeMs,
    user: { id: user, email: `${user}@example.com`, name: user },
    source: { kind: 'events' as const },
    ...(flags & 1 ? { location: { lat: 1, lon: 2, source: 'event' as const } } : {}),
    ...(flags & 2 ? { travelIgnored: true } : {}),
    ...(flags & 4 ? { deviceId: 'd1' } : {}),
  };
  if (type === 'sign_in')
    return { ...base, type, outcome: flags & 8 ? 'failure' : 'success' } as SecurityEvent;
  if (type === 'posture_result') {
    return {
      ...base,
      type,
      deviceId: flags & 4 ? 'd1' : 'd2',
      checkType: flags & 8 ? 'a' : 'b',
    } as SecurityEvent;
  }
  return { ...base, type, profiles: [{ id: 'p' }], direction: 'upload' } as SecurityEvent;
}

const arbFilter: fc.Arbitrary<HistoryFilter | undefined> = fc.option(
  fc.record(
    {
      outcome: fc.constantFrom('success' as const, 'failure' as const),
      travelLocated: fc.constant(true as const),
      deviceId: fc.constantFrom('d1', 'd2'),
      checkType: fc.constantFrom('a', 'b'),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const arbRequest: fc.Arbitrary<HistoryRequest> = fc.oneof(
  fc.record({
    kind: fc.constant('window' as const),
    types: fc.constantFrom(...TYPES).map((t) => [t]),
    fromMs: fc.integer({ min: 0, max: 12 }),
    toMs: fc.integer({ min: 0, max: 12 }),
    filter: arbFilter,
  }),
  fc.record({
    kind: fc.constant('neighbours' as const),
    types: fc.constantFrom(...TYPES).map((t) => [t]),
    aroundMs: fc.integer({ min: 0, max: 12 }),
    aroundId: fc.constantFrom('e000-0', 'e005-1', 'e010-2', 'e999-0'),
    count: fc.integer({ min: 1, max: 4 }),
    filter: arbFilter,
  }),
);

type Op =
  | {
      readonly op: 'store';
      readonly user: number;
      readonly type: number;
      readonly timeMs: number;
      readonly flags: number;
    }
  | {
      readonly op: 'query';
      readonly user: number;
      readonly request: HistoryRequest;
      readonly loadLimit: number;
    }
  | { readonly op: 'clear' };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('store' as const),
      user: fc.integer({ min: 0, max: 1 }),
      type: fc.integer({ min: 0, max: 2 }),
      timeMs: fc.integer({ min: 0, max: 12 }),
      flags: fc.integer({ min: 0, max: 15 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('query' as const),
      user: fc.integer({ min: 0, max: 1 }),
      request: arbRequest,
      loadLimit: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

const ids = (events: readonly SecurityEvent[]) => events.map((e) => e.id).sort();

describe('RecentHistory', () => {
  it('answers exactly what the store would select, or declines (any limits, any interleaving)', () => {
    let answered = 0;
    fc.assert(
      fc.property(
        fc.array(arbOp, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 30 }),
        (ops, maxPerSeries, maxEvents) => {
          const recent = new RecentHistory({ maxPerSeries, maxEvents });
          const stored: SecurityEvent[] = [];
          ops.forEach((op, n) => {
            if (op.op === 'clear') {
              recent.clear();
              return;
            }
            const user = USERS[op.user] as string;
            if (op.op === 'store') {
              const event = eventOf(n, user, TYPES[op.type] ?? 'sign_in', op.timeMs, op.flags);
              stored.push(event);
              recent.add(event, ACCOUNT);
              return;
            }
            const type = op.request.types[0] as string;
            if (!recent.has(ACCOUNT, user, op.request.types[0] ?? 'sign_in')) {
              const newestFirst = stored
                .filter((e) => e.user.id === user && e.type === type)
                .sort(compareEventTime)
                .reverse()
                .slice(0, op.loadLimit + 1);
              recent.load(ACCOUNT, user, op.request.types[0] ?? 'sign_in', newestFirst, op.loadLimit);
            }
            const got = recent.answer(ACCOUNT, user, op.request);
            if (got === undefined) return;
            answered += 1;
            const want = selectHistory(
              [op.request],
              stored.filter((e) => e.user.id === user),
            );
            assert.deepEqual(ids(got), ids(want), JSON.stringify(op.request));
            assert.ok(recent.size <= maxEvents);
          });
        },
      ),
      { numRuns: 400, seed: 20261204 },
    );
    assert.ok(answered > 1000, `only ${answered} answers from memory: the property is nearly vacuous`);
  });

  it('always answers when it has loaded a complete series and nothing was dropped', () => {
    const recent = new RecentHistory({ maxPerSeries: 100, maxEvents: 1000 });
    recent.load(ACCOUNT, 'u1', 'sign_in', [], 32);
    for (let i = 0; i < 50; i += 1) recent.add(eventOf(i, 'u1', 'sign_in', i % 7, i % 16), ACCOUNT);
    for (let at = 0; at < 8; at += 1) {
      const request: HistoryRequest = {
        kind: 'neighbours',
        types: ['sign_in'],
        aroundMs: at,
        aroundId: 'e010-1',
        count: 3,
        filter: { outcome: 'success' },
      };
      assert.ok(recent.answer(ACCOUNT, 'u1', request), `neighbours at ${at}`);
    }
    assert.equal(recent.size, 50);
  });

  it('declines history older than what it holds, and drops least recently used series beyond its size', () => {
    const recent = new RecentHistory({ maxPerSeries: 2, maxEvents: 5 });
    const newestFirst = [3, 2, 1].map((t) => eventOf(t, 'u1', 'dlp_match', t, 0));
    recent.load(ACCOUNT, 'u1', 'dlp_match', newestFirst, 2);
    const window = (fromMs: number): HistoryRequest => ({
      kind: 'window',
      types: ['dlp_match'],
      fromMs,
      toMs: 10,
    });
    assert.equal(recent.answer(ACCOUNT, 'u1', window(1)), undefined, 'the event at 1 was not kept');
    // A dropped event may share the oldest kept event's millisecond (ties are ordered by id).
    const tied = new RecentHistory({ maxPerSeries: 1, maxEvents: 10 });
    tied.load(
      ACCOUNT,
      'u1',
      'dlp_match',
      [eventOf(2, 'u1', 'dlp_match', 5, 0), eventOf(1, 'u1', 'dlp_match', 5, 0)],
      1,
    );
    assert.equal(
      tied.answer(ACCOUNT, 'u1', window(5)),
      undefined,
      'e001 at 5 is older than the floor e002 at 5',
    );
    assert.deepEqual(tied.answer(ACCOUNT, 'u1', window(6)), [], 'nothing after 5, and it knows');
    assert.deepEqual(ids(recent.answer(ACCOUNT, 'u1', window(3)) ?? []), ['e003-0']);
    recent.load(ACCOUNT, 'u2', 'dlp_match', [eventOf(9, 'u2', 'dlp_match', 9, 0)], 2);
    recent.load(ACCOUNT, 'u2', 'sign_in', [eventOf(8, 'u2', 'sign_in', 8, 0)], 2);
    assert.equal(recent.has(ACCOUNT, 'u1', 'dlp_match'), false, 'least recently used series dropped');
    assert.equal(recent.size, 2);
    // Empty series count too: a flood of users without events stays bounded.
    const empty = new RecentHistory({ maxPerSeries: 4, maxEvents: 10 });
    for (let u = 0; u < 100; u += 1) empty.load(ACCOUNT, `user-${u}`, 'sign_in', [], 4);
    assert.equal(empty.has(ACCOUNT, 'user-89', 'sign_in'), false);
    assert.equal(empty.has(ACCOUNT, 'user-99', 'sign_in'), true);
  });
});
