import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subjectKeysOf } from './subjects.js';
import {
  checkTarget,
  checkTargetShape,
  type ResolveAll,
  refusedAddressReason,
  TargetRefusedError,
} from './target-guard.js';

const STRICT = { allowPrivateTargets: false };
const OPEN = { allowPrivateTargets: true };

describe('push target policy', () => {
  const refused = [
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '169.254.169.254',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '224.0.0.1',
    '192.0.2.10',
  ];
  for (const address of refused) {
    it(`refuses ${address}`, () => {
      assert.ok(refusedAddressReason(address, STRICT));
      assert.equal(refusedAddressReason(address, OPEN), undefined);
    });
  }
  for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) {
    it(`allows the public address ${address}`, () => {
      assert.equal(refusedAddressReason(address, STRICT), undefined);
    });
  }

  const shapes: [string, boolean, boolean][] = [
    // url, allowed strictly, allowed with private targets
    ['https://receiver.example/events', true, true],
    ['http://receiver.example/events', false, true],
    ['https://127.0.0.1/events', false, true],
    ['https://169.254.169.254/latest/meta-data', false, true],
    ['https://[::1]:8443/e', false, true],
    ['https://2130706433/', false, true],
    ['https://user:pw@receiver.example/', false, false],
    ['ftp://receiver.example/', false, false],
    ['not a url', false, false],
  ];
  for (const [url, strict, open] of shapes) {
    it(`${url}: ${strict ? 'allowed' : 'refused'} by default, ${open ? 'allowed' : 'refused'} with private targets`, () => {
      assert.equal(checkTargetShape(url, STRICT, '/u').length === 0, strict);
      assert.equal(checkTargetShape(url, OPEN, '/u').length === 0, open);
    });
  }

  const resolver =
    (addresses: string[]): ResolveAll =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a host name that resolves to any refused address (checked after DNS)', async () => {
    await assert.rejects(
      checkTarget('https://internal.example/e', STRICT, resolver(['93.184.216.34', '10.1.2.3'])),
      TargetRefusedError,
    );
    await assert.rejects(
      checkTarget('https://metadata.example/e', STRICT, resolver(['169.254.169.254'])),
      TargetRefusedError,
    );
    await checkTarget('https://public.example/e', STRICT, resolver(['93.184.216.34']));
    await checkTarget('http://localhost:8080/e', OPEN, resolver(['127.0.0.1']));
  });
});

describe('subjects', () => {
  const cases: [unknown, readonly string[] | undefined][] = [
    [{ format: 'email', email: 'Alice@Acme.example' }, ['email:alice@acme.example']],
    [{ format: 'opaque', id: 'ABC' }, ['user:abc']],
    [{ format: 'iss_sub', iss: 'https://idp', sub: 'u1' }, ['user:u1']],
    [{ format: 'complex', user: { format: 'email', email: 'b@x.example' } }, ['email:b@x.example']],
    [{ user: { format: 'email', email: 'b@x.example' } }, ['email:b@x.example']],
    [
      {
        format: 'aliases',
        identifiers: [
          { format: 'email', email: 'c@x.example' },
          { format: 'opaque', id: 'u2' },
        ],
      },
      ['email:c@x.example', 'user:u2'],
    ],
    [{ format: 'phone_number', phone_number: '+1' }, undefined],
    [{ format: 'email' }, undefined],
    ['alice', undefined],
  ];
  for (const [subject, expected] of cases) {
    it(`${JSON.stringify(subject)} → ${expected ? expected.join(', ') : 'error'}`, () => {
      const result = subjectKeysOf(subject);
      if (expected) assert.deepEqual(result, { keys: expected });
      else assert.ok('error' in result);
    });
  }
});
