import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryRequest } from './detector.js';
import { matchesHistoryFilter, selectHistory, uniqueByTime } from './history.js';
import { aDlpMatch, aFailedSignIn, aPostureResult, aSignIn, PLACES } from './test-builders.js';

const T0 = Date.UTC(2026, 2, 2, 12);
const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);

describe('selectHistory', () => {
  it('selects a window with both ends inclusive', () => {
    const events = [0, 1, 2, 3, 4].map((s) => aDlpMatch({ id: `d${s}`, at: T0 + s * 1000 }));
    const request: HistoryRequest = {
      kind: 'window',
      types: ['dlp_match'],
      fromMs: T0 + 1000,
      toMs: T0 + 3000,
    };
    assert.deepEqual(ids(selectHistory([request], events)), ['d1', 'd2', 'd3']);
  });

  it('selects only the requested types and filter', () => {
    const events = [
      aSignIn({ id: 'ok', at: T0 }),
      aFailedSignIn({ id: 'ko', at: T0 }),
      aDlpMatch({ id: 'dlp', at: T0 }),
    ];
    const request: HistoryRequest = {
      kind: 'window',
      types: ['sign_in'],
      fromMs: T0,
      toMs: T0,
      filter: { outcome: 'failure' },
    };
    assert.deepEqual(ids(selectHistory([request], events)), ['ko']);
  });

  it('selects the nearest neighbours on each side, never the anchor itself', () => {
    const events = [0, 10, 20, 30, 40].map((s) => aSignIn({ id: `s${s}`, at: T0 + s * 1000 }));
    const request: HistoryRequest = {
      kind: 'neighbours',
      types: ['sign_in'],
      aroundMs: T0 + 20_000,
      aroundId: 's20',
      count: 1,
    };
    assert.deepEqual(ids(selectHistory([request], events)), ['s10', 's30']);
    assert.deepEqual(ids(selectHistory([{ ...request, count: 2 }], events)), ['s0', 's10', 's30', 's40']);
  });

  it('orders neighbours at the same instant by id', () => {
    const events = ['a', 'b', 'c'].map((id) => aSignIn({ id, at: T0 }));
    const request: HistoryRequest = {
      kind: 'neighbours',
      types: ['sign_in'],
      aroundMs: T0,
      aroundId: 'b',
      count: 1,
    };
    assert.deepEqual(ids(selectHistory([request], events)), ['a', 'c']);
  });

  it('returns the union of several requests without duplicates, in event-time order', () => {
    const events = [0, 1, 2].map((s) => aDlpMatch({ id: `d${s}`, at: T0 + s * 1000 }));
    const a: HistoryRequest = { kind: 'window', types: ['dlp_match'], fromMs: T0 + 1000, toMs: T0 + 2000 };
    const b: HistoryRequest = { kind: 'window', types: ['dlp_match'], fromMs: T0, toMs: T0 + 1000 };
    assert.deepEqual(ids(selectHistory([a, b], events)), ['d0', 'd1', 'd2']);
  });
});

describe('matchesHistoryFilter', () => {
  const cases = [
    { name: 'no filter matches anything', event: aDlpMatch(), filter: undefined, matches: true },
    {
      name: 'outcome matches sign-ins only',
      event: aDlpMatch(),
      filter: { outcome: 'success' as const },
      matches: false,
    },
    {
      name: 'travelLocated needs a location',
      event: aSignIn({}),
      filter: { travelLocated: true as const },
      matches: false,
    },
    {
      name: 'travelLocated rejects a travel-ignored address',
      event: aSignIn({ location: PLACES.london, travelIgnored: true }),
      filter: { travelLocated: true as const },
      matches: false,
    },
    {
      name: 'travelLocated accepts a located sign-in',
      event: aSignIn({ location: PLACES.london }),
      filter: { travelLocated: true as const },
      matches: true,
    },
    {
      name: 'deviceId and checkType must both match',
      event: aPostureResult({ deviceId: 'd1', checkType: 'crowdstrike_s2s' }),
      filter: { deviceId: 'd1', checkType: 'sentinelone_s2s' },
      matches: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(matchesHistoryFilter(c.event, c.filter), c.matches));
  }
});

describe('uniqueByTime', () => {
  it('keeps the first event of each id and sorts by event time', () => {
    const first = aDlpMatch({ id: 'x', at: T0 + 5000 });
    const copy = { ...first, profiles: [] };
    const earlier = aDlpMatch({ id: 'y', at: T0 });
    const result = uniqueByTime([first, earlier, copy]);
    assert.deepEqual(ids(result), ['y', 'x']);
    assert.equal(result[1], first);
  });
});
