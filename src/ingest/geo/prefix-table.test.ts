import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cidr, parseCidr, parseIpAddress } from './ip-address.js';
import { createPrefixTable } from './prefix-table.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.cidr;
}

function address(text: string) {
  const parsed = parseIpAddress(text);
  if (parsed === undefined) throw new Error(`bad address ${text}`);
  return parsed;
}

describe('createPrefixTable', () => {
  const table = createPrefixTable(
    ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3/32', '0.0.0.0/0', '2001:db8::/32', '2001:db8:1::/48'].map(
      (text) => ({
        cidr: cidr(text),
        value: text,
      }),
    ),
  );
  const cases: [string, string | undefined][] = [
    ['10.9.9.9', '10.0.0.0/8'],
    ['10.1.9.9', '10.1.0.0/16'],
    ['10.1.2.3', '10.1.2.3/32'],
    ['10.1.2.4', '10.1.0.0/16'],
    ['192.0.2.1', '0.0.0.0/0'],
    ['2001:db8:1:2::3', '2001:db8:1::/48'],
    ['2001:db8:2::3', '2001:db8::/32'],
    ['2001:db9::1', undefined],
    ['::ffff:10.1.2.3', '10.1.2.3/32'],
  ];
  for (const [ip, expected] of cases) {
    it(`matches ${ip} to the most specific network (${expected ?? 'none'})`, () => {
      assert.equal(table.lookup(address(ip)), expected);
    });
  }

  it('keeps IPv4 and IPv6 apart (::/0 does not contain IPv4 addresses)', () => {
    const v6Only = createPrefixTable([{ cidr: cidr('::/0'), value: 'all v6' }]);
    assert.equal(v6Only.lookup(address('8.8.8.8')), undefined);
    assert.equal(v6Only.lookup(address('2001:db8::1')), 'all v6');
  });

  it('refuses the same network twice', () => {
    assert.throws(
      () =>
        createPrefixTable([
          { cidr: cidr('10.0.0.0/8'), value: 1 },
          { cidr: cidr('10.0.0.0/8'), value: 2 },
        ]),
      /10\.0\.0\.0\/8 appears more than once/,
    );
  });
});
