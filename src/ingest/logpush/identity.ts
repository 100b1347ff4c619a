import { type Problem, pointer } from '../../domain/errors.js';
import type { EventUser } from '../../domain/security-event.js';
import { isNonIdentityEmail } from '../map-result.js';
import { type LogpushRecord, readString } from './fields.js';

/** The user a record belongs to, a reason not to score it, or a problem with its user id. */
export type RecordIdentity =
  | { readonly kind: 'user'; readonly user: EventUser }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'problem'; readonly problem: Problem };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Resolves the user of a record from its user UUID field (`UserUID` or `UserID`) and its `Email`.
 *
 * - Non-identity traffic (`Email` starting with `non_identity@`) and records with neither a UUID nor an
 *   email are skipped: there is no person to score (LOGPUSH.md §7). The nil UUID counts as empty.
 * - A record with an email but no UUID is skipped too: the API keys users by their Zero Trust UUID, and
 *   inventing one from the email would split a person into two users.
 * - A UUID that is not one is a problem with a pointer to the field.
 *
 * The id is lower-cased; the email is trimmed and lower-cased and is also the display name (Logpush has
 * no names); a record without an email gets `''` and its id as the name.
 */
export function resolveIdentity(
  record: LogpushRecord,
  userIdField: string,
  emailField: string,
): RecordIdentity {
  const email = readString(record, emailField)?.toLowerCase();
  if (isNonIdentityEmail(email)) {
    return { kind: 'skip', reason: 'no real identity: non-identity traffic (non_identity@…)' };
  }
  const rawId = readString(record, userIdField)?.toLowerCase();
  const id = rawId === NIL_UUID ? undefined : rawId;
  if (id === undefined) {
    return email === undefined
      ? { kind: 'skip', reason: 'no real identity: empty user' }
      : { kind: 'skip', reason: `no user UUID in ${userIdField}: users are keyed by UUID, not email` };
  }
  if (!UUID.test(id)) {
    return { kind: 'problem', problem: { message: 'must be a UUID', pointer: pointer(userIdField) } };
  }
  return { kind: 'user', user: { id, email: email ?? '', name: email ?? id } };
}
