import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTimestamp } from '../domain/time.js';
import { BURST_LOOKBACK_WINDOWS, burstHistoryRange, findBurst } from './burst.js';
import { selectHistory } from './history.js';
import { aDlpMatch } from './test-builders.js';

const T0 = Date.UTC(2026, 2, 2, 12); // 12:00:00.000Z, on every grid
const WINDOW = { minCount: 3, windowMs: 10_000 };

/** DLP matches at the given offsets in seconds from T0, with ids `e<offset>`. */
function at(...offsets: number[]) {
  return offsets.map((s) => aDlpMatch({ id: `e${s}`, at: T0 + s * 1000 }));
}

function burstOf(trigger: string, events: ReturnType<typeof at>, options = WINDOW) {
  const event = events.find((e) => e.id === trigger);
  assert.ok(event);
  return findBurst(event, events, options);
}

describe('findBurst', () => {
  const cases = [
    { name: 'fewer events than the count are no burst', offsets: [0, 5], trigger: 'e5', anchor: undefined },
    { name: 'the count within the window is a burst', offsets: [0, 5, 9], trigger: 'e9', anchor: 'e0' },
    {
      name: 'the window is inclusive: exactly one window apart counts',
      offsets: [0, 5, 10],
      trigger: 'e0',
      anchor: 'e0',
    },
    {
      name: 'a millisecond more than the window is no burst',
      offsets: [0, 5, 10.001],
      trigger: 'e5',
      anchor: undefined,
    },
    {
      name: 'an event outside every qualifying window is not in the burst',
      offsets: [0, 1, 2, 13],
      trigger: 'e13',
      anchor: undefined,
    },
    {
      name: 'overlapping qualifying windows are one burst',
      offsets: [0, 1, 2, 9, 12, 15],
      trigger: 'e15',
      anchor: 'e0',
    },
    {
      name: 'qualifying windows more than a window apart are different bursts',
      offsets: [0, 1, 2, 30, 31, 32],
      trigger: 'e31',
      anchor: 'e30',
    },
    {
      name: 'a burst starts at its first qualifying window, not at earlier sparse activity',
      offsets: [-8, 0, 5, 6],
      trigger: 'e6',
      anchor: 'e0',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const burst = burstOf(c.trigger, at(...c.offsets));
      assert.equal(burst?.anchor.id, c.anchor);
    });
  }

  it('reports the window from the anchor, the crossing event and the grid cell', () => {
    const burst = burstOf('e7', at(3, 4, 7, 12, 14, 40));
    assert.ok(burst);
    assert.deepEqual(
      burst.windowEvents.map((e) => e.id),
      ['e3', 'e4', 'e7', 'e12'],
    );
    assert.equal(burst.crossing.id, 'e7');
    assert.equal(burst.gridStartMs, T0);
    assert.equal(burst.sustained, false);
  });

  it('gives every event of a burst the same anchor, whatever the order of the history', () => {
    const events = at(0, 2, 4, 6, 8, 10, 12, 14, 16);
    for (const trigger of events) {
      const burst = findBurst(trigger, [...events].reverse(), WINDOW);
      assert.equal(burst?.anchor.id, 'e0', trigger.id);
    }
  });

  it('ignores duplicates of an id and the trigger appearing in its own history', () => {
    const events = at(0, 1);
    const trigger = events[0];
    assert.ok(trigger);
    assert.equal(findBurst(trigger, [...events, ...events, trigger], WINDOW), undefined);
  });

  it('cuts a sustained burst into one occurrence per lookback period', () => {
    // One match every 2 s for 40 minutes; 15 in 60 s is reached everywhere.
    const options = { minCount: 15, windowMs: 60_000 };
    const events = Array.from({ length: 1201 }, (_, i) => aDlpMatch({ id: `s${i}`, at: T0 + i * 2000 }));
    const anchors = new Set<string>();
    for (const trigger of events) {
      const range = burstHistoryRange(trigger.timeMs, options.windowMs);
      const history = selectHistory([{ kind: 'window', types: ['dlp_match'], ...range }], events);
      const burst = findBurst(trigger, history, options);
      if (burst) anchors.add(`${formatTimestamp(burst.gridStartMs)}${burst.sustained ? ' sustained' : ''}`);
    }
    assert.equal(BURST_LOOKBACK_WINDOWS, 10);
    assert.deepEqual([...anchors].sort(), [
      '2026-03-02T12:00:00.000Z',
      '2026-03-02T12:10:00.000Z sustained',
      '2026-03-02T12:20:00.000Z sustained',
      '2026-03-02T12:30:00.000Z sustained',
    ]);
  });

  it('needs only the history range it asks for to find where a burst starts', () => {
    const options = { minCount: 15, windowMs: 60_000 };
    const events = Array.from({ length: 600 }, (_, i) => aDlpMatch({ id: `s${i}`, at: T0 + i * 2000 }));
    const trigger = events[580];
    assert.ok(trigger);
    const range = burstHistoryRange(trigger.timeMs, options.windowMs);
    const ranged = selectHistory([{ kind: 'window', types: ['dlp_match'], ...range }], events);
    assert.ok(ranged.length < events.length);
    assert.deepEqual(findBurst(trigger, ranged, options), findBurst(trigger, events, options));
  });
});
