import { pointer } from '../../domain/errors.js';
import type { SignInEvent } from '../../domain/security-event.js';
import { type CommonFieldNames, eventId, readCommonFields } from './common-fields.js';
import { type LogpushRecord, readBoolean, readString } from './fields.js';
import { invalidRecord, type MapResult, mapped, skipped } from './map-result.js';

const NAMES: CommonFieldNames = {
  dataset: 'access_requests',
  id: 'RayID',
  time: 'CreatedAt',
  userId: 'UserUID',
  email: 'Email',
  ip: 'IPAddress',
  country: 'Country',
};

/**
 * Maps an `access_requests` record (LOGPUSH.md §3.1, §4.1): `Action = login` is a `sign_in`, a success
 * when `Allowed` is true and a failure when it is false (a login without `Allowed` is invalid). Logouts,
 * other or missing actions are skipped: they are never sign-ins. The event id is `<RayID>:signin`.
 */
export function mapAccessRequest(record: LogpushRecord, ctx: { readonly accountId: string }): MapResult {
  const action = readString(record, 'Action')?.toLowerCase();
  if (action === undefined) return skipped('no Action: not a sign-in');
  if (action !== 'login') return skipped(`Action "${action.slice(0, 40)}" is not a sign-in`);

  const common = readCommonFields(NAMES, record, ctx);
  if (common.kind === 'skipped') return common;
  const problems = [...common.problems];
  const allowed = readBoolean(record, 'Allowed');
  if (allowed === undefined) {
    problems.push({ message: 'is required for a login (true or false)', pointer: pointer('Allowed') });
  }
  if (common.fields === undefined || allowed === undefined) return invalidRecord(problems);

  const app = readString(record, 'AppDomain');
  const method = readString(record, 'Connection');
  const event: SignInEvent = {
    ...common.fields,
    id: eventId(common.key, 'signin'),
    type: 'sign_in',
    outcome: allowed ? 'success' : 'failure',
    ...(app === undefined ? {} : { app }),
    ...(method === undefined ? {} : { method }),
  };
  return mapped([event], common.clientCountry);
}
