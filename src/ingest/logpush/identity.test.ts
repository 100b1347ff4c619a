import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RecordIdentity, resolveIdentity } from './identity.js';

const ALICE = '3f1c2d4e-8b7a-4c1d-9e2f-6a5b4c3d2e1f';

describe('resolveIdentity', () => {
  const cases: [string, Record<string, unknown>, RecordIdentity][] = [
    [
      'a UUID and an email',
      { UserID: ALICE, Email: 'alice.ng@acme-corp.example' },
      {
        kind: 'user',
        user: { id: ALICE, email: 'alice.ng@acme-corp.example', name: 'alice.ng@acme-corp.example' },
      },
    ],
    [
      'an upper-case UUID and a mixed-case email, normalized',
      { UserID: ALICE.toUpperCase(), Email: ' Alice.Ng@ACME-corp.example ' },
      {
        kind: 'user',
        user: { id: ALICE, email: 'alice.ng@acme-corp.example', name: 'alice.ng@acme-corp.example' },
      },
    ],
    [
      'a UUID without an email',
      { UserID: ALICE, Email: '' },
      { kind: 'user', user: { id: ALICE, email: '', name: ALICE } },
    ],
    [
      'non-identity traffic, even with a UUID',
      { UserID: ALICE, Email: 'NON_IDENTITY@acme-corp.cloudflareaccess.com' },
      { kind: 'skip', reason: 'no real identity: non-identity traffic (non_identity@…)' },
    ],
    ['an empty user', { UserID: '', Email: '' }, { kind: 'skip', reason: 'no real identity: empty user' }],
    ['a missing user', {}, { kind: 'skip', reason: 'no real identity: empty user' }],
    ['null fields', { UserID: null, Email: null }, { kind: 'skip', reason: 'no real identity: empty user' }],
    [
      'the nil UUID',
      { UserID: '00000000-0000-0000-0000-000000000000' },
      { kind: 'skip', reason: 'no real identity: empty user' },
    ],
    [
      'an email without a UUID',
      { UserID: '', Email: 'alice.ng@acme-corp.example' },
      { kind: 'skip', reason: 'no user UUID in UserID: users are keyed by UUID, not email' },
    ],
    [
      'a user id that is not a UUID',
      { UserID: 'alice', Email: 'alice.ng@acme-corp.example' },
      { kind: 'problem', problem: { message: 'must be a UUID', pointer: '/UserID' } },
    ],
    [
      'a UUID of the wrong type',
      { UserID: 42, Email: 'alice.ng@acme-corp.example' },
      { kind: 'skip', reason: 'no user UUID in UserID: users are keyed by UUID, not email' },
    ],
  ];
  for (const [name, record, expected] of cases) {
    it(`resolves ${name}`, () => assert.deepEqual(resolveIdentity(record, 'UserID', 'Email'), expected));
  }
});
