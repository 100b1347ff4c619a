import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDemoOptions } from '../../src/cli/demo.js';
import { ZtriskError } from '../../src/domain/errors.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ztrisk-demo-'));

function ztrisk(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ZTRISK_DB: '' },
    timeout: 60_000,
  });
}

describe('ztrisk demo', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills a store and prints what it did, then only duplicates on a second run', () => {
    const args = [
      'demo',
      '--account',
      'a1',
      '--users',
      '30',
      '--days',
      '2',
      '--db',
      `sqlite:${join(dir, 'd.db')}`,
    ];
    const args2 = [...args, '--end', '2026-03-04T15:30:00Z'];
    const first = ztrisk(...args2);
    assert.equal(first.status, 0, first.stderr);
    assert.match(
      first.stdout,
      /^demo: 30 users, (\d+) events over 2 days; accepted \1, duplicates 0, rejected 0; risk events [1-9]\d*$/m,
    );
    assert.match(first.stdout, /^demo: scored users \d+ \(high \d+, medium \d+, low \d+\); riskiest:$/m);
    assert.match(first.stdout, /^ {2}(high|medium) +\S+@demo-corp\.example/m);
    assert.match(
      first.stdout,
      /curl -s -H "Authorization: Bearer \$TOKEN" .*\/accounts\/a1\/zt_risk_scoring\/summary/,
    );

    const second = ztrisk(...args2);
    assert.equal(second.status, 0, second.stderr);
    assert.match(
      second.stdout,
      /^demo: 30 users, (\d+) events over 2 days; accepted 0, duplicates \1, rejected 0; risk events 0$/m,
    );
  });

  it('rejects an out-of-range option with a clear message and exit code 2', () => {
    const users = ztrisk('demo', '--account', 'a1', '--users', '0', '--db', `sqlite:${join(dir, 'e.db')}`);
    assert.equal(users.status, 2);
    assert.match(users.stderr, /^ztrisk: --users: must be an integer from 1 to 100000/m);
  });
});

describe('parseDemoOptions', () => {
  const NOW = Date.parse('2026-03-04T15:30:00.000Z');
  const valid = { account: 'a1', users: '500', days: '7', seed: '1' };

  it('takes the defaults and ends the period now', () => {
    assert.deepEqual(parseDemoOptions(valid, NOW), {
      accountId: 'a1',
      users: 500,
      days: 7,
      seed: 1,
      endMs: NOW,
    });
  });

  it('takes an explicit end in the past', () => {
    assert.equal(
      parseDemoOptions({ ...valid, end: '2026-03-01T00:00:00Z' }, NOW).endMs,
      Date.parse('2026-03-01T00:00:00Z'),
    );
  });

  const bad: readonly [string, Partial<typeof valid> & { end?: string }, RegExp][] = [
    ['no users', { users: '0' }, /^--users: must be an integer from 1 to 100000/],
    ['too many users', { users: '100001' }, /^--users: /],
    ['a fractional user count', { users: '1.5' }, /^--users: /],
    ['zero days', { days: '0' }, /^--days: must be an integer from 1 to 90/],
    ['too many days', { days: '91' }, /^--days: /],
    ['a negative seed', { seed: '-1' }, /^--seed: /],
    ['a seed beyond 32 bits', { seed: '4294967296' }, /^--seed: /],
    ['an empty account', { account: '' }, /^--account: /],
    ['an end that is not a date', { end: 'yesterday' }, /^--end: must be an RFC 3339 date-time/],
    ['an end in the future', { end: '2026-03-05T00:00:00Z' }, /^--end: must not be in the future/],
  ];
  for (const [label, change, message] of bad) {
    it(`rejects ${label} as invalid`, () => {
      assert.throws(
        () => parseDemoOptions({ ...valid, ...change }, NOW),
        (error: unknown) =>
          error instanceof ZtriskError && error.kind === 'invalid' && message.test(error.message),
      );
    });
  }
});
