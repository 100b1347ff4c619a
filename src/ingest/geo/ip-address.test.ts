import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCidr, formatIpAddress, parseCidr, parseIpAddress } from './ip-address.js';

describe('parseIpAddress', () => {
  const valid: [string, string][] = [
    ['8.8.8.8', '8.8.8.8'],
    ['255.255.255.255', '255.255.255.255'],
    ['0.0.0.0', '0.0.0.0'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1::1', '2001:0:0:1::1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['::1.2.3.4', '::102:304'],
  ];
  for (const [input, canonical] of valid) {
    it(`parses ${input} as ${canonical}`, () => {
      const address = parseIpAddress(input);
      assert.ok(address);
      assert.equal(formatIpAddress(address), canonical);
    });
  }

  for (const mapped of ['::ffff:8.8.8.8', '::FFFF:0808:0808', '0:0:0:0:0:ffff:8.8.8.8']) {
    it(`treats IPv4-mapped ${mapped} as the IPv4 address`, () => {
      assert.deepEqual(parseIpAddress(mapped), { family: 4, words: [0x08080808] });
    });
  }

  for (const invalid of [
    '',
    'localhost',
    '1.2.3',
    '01.2.3.4',
    '256.1.1.1',
    ' 1.2.3.4',
    '1::2::3',
    '[::1]',
    '2001:db8::/32',
  ]) {
    it(`rejects ${JSON.stringify(invalid)}`, () => {
      assert.equal(parseIpAddress(invalid), undefined);
    });
  }
});

describe('parseCidr', () => {
  const valid: [string, string][] = [
    ['198.51.100.0/24', '198.51.100.0/24'],
    ['198.51.100.23', '198.51.100.23/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['::/0', '::/0'],
  ];
  for (const [input, canonical] of valid) {
    it(`parses ${input} as ${canonical}`, () => {
      const parsed = parseCidr(input);
      assert.ok('cidr' in parsed, JSON.stringify(parsed));
      assert.equal(formatCidr(parsed.cidr), canonical);
    });
  }

  const invalid: [string, RegExp][] = [
    ['198.51.100.7/24', /host bits are set; the network is 198\.51\.100\.0\/24/],
    ['198.51.100.0/33', /0 to 32 for IPv4/],
    ['2001:db8::/129', /0 to 128 for IPv6/],
    ['198.51.100.0/', /prefix length/],
    ['198.51.100.0/2x', /prefix length/],
    ['example.com/24', /not an IPv4 or IPv6 address/],
    ['::ffff:198.51.100.0/120', /IPv4 notation/],
    ['fe80::%eth0/64', /zone/],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${input}`, () => {
      const parsed = parseCidr(input);
      assert.ok('error' in parsed);
      assert.match(parsed.error, message);
    });
  }
});
