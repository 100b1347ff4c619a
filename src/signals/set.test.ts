import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  OKTA_USER_RISK_CHANGE_EVENT,
  RISK_LEVEL_CHANGE_EVENT,
  STREAM_UPDATED_EVENT,
  VERIFICATION_EVENT,
} from '../domain/streams.js';
import type { LevelChange } from '../domain/types.js';
import { createMemoryKeyRing } from './keys.js';
import { ADMIN_RESET_REASON, buildSetClaims, numericDate, type SetRecipient, signSet } from './set.js';

const ISSUER = 'https://ztrisk.example/ssf/acc1';
const IAT = 1_772_452_800;

function aChange(overrides: Partial<LevelChange> = {}): LevelChange {
  return {
    accountId: 'acc1',
    userId: '5f0c7a4e-0c3e-4c55-9a43-0b1d1f2a9e01',
    email: 'alice@acme.example',
    previous: 'low',
    current: 'high',
    at: '2026-03-02T12:00:00.000Z',
    cause: 'detection',
    txn: 'txn-1',
    behavior: 'imp_travel',
    ...overrides,
  };
}

const STREAM: SetRecipient = {
  kind: 'stream',
  aud: 'https://rp.example/events',
  streamId: 's1',
  subjectFormat: 'email',
};
const OKTA: SetRecipient = { kind: 'okta', aud: 'https://acme.okta.com' };

function claimsOf(change: LevelChange, recipient: SetRecipient): Record<string, unknown> {
  const result = buildSetClaims(
    { jti: 'jti-1', txn: change.txn, intent: { kind: 'risk', change } },
    recipient,
    ISSUER,
    IAT,
  );
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.claims;
}

describe('SET claims', () => {
  it('a CAEP risk-level-change for a detection has the SSF claims and no sub or exp', () => {
    assert.deepEqual(claimsOf(aChange(), STREAM), {
      iss: ISSUER,
      aud: 'https://rp.example/events',
      jti: 'jti-1',
      iat: IAT,
      txn: 'txn-1',
      sub_id: { format: 'email', email: 'alice@acme.example' },
      events: {
        [RISK_LEVEL_CHANGE_EVENT]: {
          principal: 'USER',
          current_level: 'HIGH',
          previous_level: 'LOW',
          risk_reason: 'imp_travel',
          event_timestamp: numericDate('2026-03-02T12:00:00.000Z'),
          initiating_entity: 'system',
          reason_admin: { en: 'Impossible Travel changed the risk level to high' },
        },
      },
    });
  });

  it('a reset is LOW with ADMIN_RESET, initiated by admin, with the audit reason as reason_admin', () => {
    const claims = claimsOf(
      aChange({ cause: 'reset', current: undefined, previous: 'high', reason: 'false positive' }),
      STREAM,
    );
    assert.deepEqual((claims.events as Record<string, unknown>)[RISK_LEVEL_CHANGE_EVENT], {
      principal: 'USER',
      current_level: 'LOW',
      previous_level: 'HIGH',
      risk_reason: ADMIN_RESET_REASON,
      event_timestamp: numericDate('2026-03-02T12:00:00.000Z'),
      initiating_entity: 'admin',
      reason_admin: { en: 'false positive' },
    });
  });

  it('a first rise has no previous_level in CAEP and "none" for Okta', () => {
    const change = aChange({ previous: undefined, current: 'medium' });
    const caep = (claimsOf(change, STREAM).events as Record<string, Record<string, unknown>>)[
      RISK_LEVEL_CHANGE_EVENT
    ];
    assert.equal(caep && 'previous_level' in caep, false);
    const okta = (claimsOf(change, OKTA).events as Record<string, Record<string, unknown>>)[
      OKTA_USER_RISK_CHANGE_EVENT
    ];
    assert.equal(okta?.previous_level, 'none');
    assert.equal(okta?.current_level, 'medium');
  });

  it('Okta gets user-risk-change, lowercase levels, aud = tenant URL and the email subject', () => {
    const claims = claimsOf(aChange({ cause: 'reset', current: undefined, reason: 'cleared' }), OKTA);
    assert.equal(claims.aud, 'https://acme.okta.com');
    assert.deepEqual(claims.sub_id, {
      format: 'complex',
      user: { format: 'email', email: 'alice@acme.example' },
    });
    const events = claims.events as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(events), [OKTA_USER_RISK_CHANGE_EVENT]);
    assert.deepEqual(events[OKTA_USER_RISK_CHANGE_EVENT], {
      subject: { user: { format: 'email', email: 'alice@acme.example' } },
      current_level: 'none',
      previous_level: 'low',
      event_timestamp: numericDate('2026-03-02T12:00:00.000Z'),
      initiating_entity: 'admin',
      reason_admin: { en: 'cleared' },
      reason_user: { en: 'Your risk level was reset by an administrator.' },
    });
  });

  const subjectCases: [SetRecipient, string, Record<string, unknown>][] = [
    [
      { ...STREAM, subjectFormat: 'complex' } as SetRecipient,
      'alice@acme.example',
      { format: 'complex', user: { format: 'email', email: 'alice@acme.example' } },
    ],
    [
      { ...STREAM, subjectFormat: 'iss_sub' } as SetRecipient,
      'alice@acme.example',
      { format: 'iss_sub', iss: ISSUER, sub: '5f0c7a4e-0c3e-4c55-9a43-0b1d1f2a9e01' },
    ],
    [STREAM, '', { format: 'iss_sub', iss: ISSUER, sub: '5f0c7a4e-0c3e-4c55-9a43-0b1d1f2a9e01' }],
  ];
  for (const [recipient, email, expected] of subjectCases) {
    it(`sub_id for format ${recipient.kind === 'stream' ? recipient.subjectFormat : ''} and email "${email}" is ${expected.format}`, () => {
      assert.deepEqual(claimsOf(aChange({ email }), recipient).sub_id, expected);
    });
  }

  it('Okta cannot be told about a user without email', () => {
    const result = buildSetClaims(
      { jti: 'j', txn: 't', intent: { kind: 'risk', change: aChange({ email: '' }) } },
      OKTA,
      ISSUER,
      IAT,
    );
    assert.equal(result.ok, false);
  });

  it('verification and stream-updated events name the stream as an opaque subject', () => {
    const verification = buildSetClaims(
      { jti: 'j', txn: 't', intent: { kind: 'verification', state: 'xyz' } },
      STREAM,
      ISSUER,
      IAT,
    );
    assert.ok(verification.ok);
    assert.deepEqual(verification.claims.sub_id, { format: 'opaque', id: 's1' });
    assert.deepEqual(verification.claims.events, { [VERIFICATION_EVENT]: { state: 'xyz' } });
    const updated = buildSetClaims(
      { jti: 'j', txn: 't', intent: { kind: 'stream_updated', status: 'paused', reason: 'maintenance' } },
      STREAM,
      ISSUER,
      IAT,
    );
    assert.ok(updated.ok);
    assert.deepEqual(updated.claims.events, {
      [STREAM_UPDATED_EVENT]: { status: 'paused', reason: 'maintenance' },
    });
  });

  it('signs RS256 with typ secevent+jwt and the key id, verifiable with the published JWKS', async () => {
    const ring = createMemoryKeyRing();
    const key = await ring.activeKey();
    const set = await signSet(claimsOf(aChange(), STREAM), key);
    assert.deepEqual(decodeProtectedHeader(set), { alg: 'RS256', kid: key.kid, typ: 'secevent+jwt' });
    const jwks = createLocalJWKSet({ keys: [...(await ring.publicJwks(new Set())).keys] });
    const { payload } = await jwtVerify(set, jwks, {
      issuer: ISSUER,
      audience: 'https://rp.example/events',
      typ: 'secevent+jwt',
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, undefined);
    assert.equal(payload.exp, undefined);
  });
});
