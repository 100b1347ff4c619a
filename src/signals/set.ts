import { SignJWT } from 'jose';
import { behaviorDefinition } from '../domain/behaviors.js';
import type { RiskLevel } from '../domain/risk-level.js';
import {
  type DeliveryIntent,
  OKTA_USER_RISK_CHANGE_EVENT,
  RISK_LEVEL_CHANGE_EVENT,
  STREAM_UPDATED_EVENT,
  type SubjectFormat,
  VERIFICATION_EVENT,
} from '../domain/streams.js';
import type { LevelChange } from '../domain/types.js';
import type { SigningKey } from './keys.js';

/** The JWS `typ` of every SET (RFC 8417 §2.3). */
export const SET_TYP = 'secevent+jwt';

/** CAEP's `risk_reason` for a drop caused by an administrator's reset. */
export const ADMIN_RESET_REASON = 'ADMIN_RESET';

/** Who a SET is for: an Okta tenant (Okta events) or a receiver-managed stream (CAEP events). */
export type SetRecipient =
  | { readonly kind: 'okta'; readonly aud: string }
  | {
      readonly kind: 'stream';
      readonly aud: string;
      readonly streamId: string;
      readonly subjectFormat: SubjectFormat;
    };

/** What a SET is built from (the outbox row's fixed parts). */
export interface SetSource {
  readonly jti: string;
  readonly txn: string;
  readonly intent: DeliveryIntent;
}

/** The claims of one SET, or why none can be built. */
export type SetClaimsResult =
  | { readonly ok: true; readonly claims: Record<string, unknown> }
  | { readonly ok: false; readonly error: string };

/** Seconds since the epoch (a JWT NumericDate) of an RFC 3339 timestamp or epoch milliseconds. */
export function numericDate(value: string | number): number {
  return Math.floor((typeof value === 'number' ? value : Date.parse(value)) / 1000);
}

function caepLevel(level: RiskLevel | undefined): string {
  // CAEP has no "none": a user without risk is LOW (SSF.md).
  return (level ?? 'low').toUpperCase();
}

function adminReason(change: LevelChange): string {
  if (change.cause === 'reset') return change.reason ?? 'Risk score reset by an administrator';
  const behavior = change.behavior ? behaviorDefinition(change.behavior).name : 'A detection';
  return `${behavior} changed the risk level to ${change.current ?? 'none'}`;
}

function userReason(change: LevelChange): string {
  return change.cause === 'reset'
    ? 'Your risk level was reset by an administrator.'
    : 'Unusual activity changed your risk level.';
}

function userSubId(change: LevelChange, format: SubjectFormat, issuer: string): Record<string, unknown> {
  const email = change.email;
  if (format === 'iss_sub' || email === '') return { format: 'iss_sub', iss: issuer, sub: change.userId };
  if (format === 'complex') return { format: 'complex', user: { format: 'email', email } };
  return { format: 'email', email };
}

function riskEvent(change: LevelChange): Record<string, unknown> {
  return {
    principal: 'USER',
    current_level: caepLevel(change.current),
    ...(change.previous !== undefined ? { previous_level: caepLevel(change.previous) } : {}),
    risk_reason: change.cause === 'reset' ? ADMIN_RESET_REASON : (change.behavior ?? 'DETECTION'),
    event_timestamp: numericDate(change.at),
    initiating_entity: change.cause === 'reset' ? 'admin' : 'system',
    reason_admin: { en: adminReason(change) },
  };
}

function oktaEvent(change: LevelChange): Record<string, unknown> {
  return {
    subject: { user: { format: 'email', email: change.email } },
    current_level: change.current ?? 'none',
    previous_level: change.previous ?? 'none',
    event_timestamp: numericDate(change.at),
    initiating_entity: change.cause === 'reset' ? 'admin' : 'system',
    reason_admin: { en: adminReason(change) },
    reason_user: { en: userReason(change) },
  };
}

/**
 * The claims of a SET (SSF.md "The SETs"): `iss`, `aud`, `jti`, `iat`, `txn`, a top-level `sub_id` and
 * `events` with exactly one event; never `sub` or `exp`. Okta gets `user-risk-change` with lowercase
 * levels (`none` for no risk) and the email subject inside the event; streams get CAEP
 * `risk-level-change`. Verification and stream-updated events have the stream as an opaque subject.
 */
export function buildSetClaims(
  source: SetSource,
  recipient: SetRecipient,
  issuer: string,
  iatSeconds: number,
): SetClaimsResult {
  const common = { iss: issuer, aud: recipient.aud, jti: source.jti, iat: iatSeconds, txn: source.txn };
  const intent = source.intent;
  if (intent.kind === 'risk') {
    const change = intent.change;
    if (recipient.kind === 'okta') {
      if (change.email === '') return { ok: false, error: 'the user has no email address, which Okta needs' };
      return {
        ok: true,
        claims: {
          ...common,
          sub_id: { format: 'complex', user: { format: 'email', email: change.email } },
          events: { [OKTA_USER_RISK_CHANGE_EVENT]: oktaEvent(change) },
        },
      };
    }
    return {
      ok: true,
      claims: {
        ...common,
        sub_id: userSubId(change, recipient.subjectFormat, issuer),
        events: { [RISK_LEVEL_CHANGE_EVENT]: riskEvent(change) },
      },
    };
  }
  if (recipient.kind === 'okta') return { ok: false, error: `Okta streams carry no ${intent.kind} events` };
  const subId = { format: 'opaque', id: recipient.streamId };
  if (intent.kind === 'verification') {
    return {
      ok: true,
      claims: {
        ...common,
        sub_id: subId,
        events: { [VERIFICATION_EVENT]: intent.state !== undefined ? { state: intent.state } : {} },
      },
    };
  }
  return {
    ok: true,
    claims: {
      ...common,
      sub_id: subId,
      events: {
        [STREAM_UPDATED_EVENT]: {
          status: intent.status,
          ...(intent.reason !== undefined ? { reason: intent.reason } : {}),
        },
      },
    },
  };
}

/** Signs SET claims: compact JWS, RS256, header `{ alg, kid, typ: "secevent+jwt" }`. */
export function signSet(claims: Record<string, unknown>, key: SigningKey): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: SET_TYP })
    .sign(key.privateKey);
}
