import { userSubjectKey } from '../domain/streams.js';

/** The subject keys an SSF subject identifier names, or why it names none ztrisk knows. */
export type SubjectKeysResult = { readonly keys: readonly string[] } | { readonly error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 1024;
}

function simpleKeys(subject: Record<string, unknown>): SubjectKeysResult {
  switch (subject.format) {
    case 'email':
      return nonEmpty(subject.email)
        ? { keys: [`email:${subject.email.toLowerCase()}`] }
        : { error: 'an email subject needs "email"' };
    case 'opaque':
      return nonEmpty(subject.id)
        ? { keys: [userSubjectKey(subject.id)] }
        : { error: 'an opaque subject needs "id"' };
    case 'iss_sub':
      return nonEmpty(subject.iss) && nonEmpty(subject.sub)
        ? { keys: [userSubjectKey(subject.sub)] }
        : { error: 'an iss_sub subject needs "iss" and "sub"' };
    case 'aliases': {
      if (!Array.isArray(subject.identifiers) || subject.identifiers.length === 0) {
        return { error: 'an aliases subject needs "identifiers"' };
      }
      const keys: string[] = [];
      for (const id of subject.identifiers) {
        if (!isRecord(id)) return { error: 'each alias must be a subject identifier' };
        const inner = simpleKeys(id);
        if ('error' in inner) return inner;
        keys.push(...inner.keys);
      }
      return { keys };
    }
    default:
      return {
        error: `subject format ${JSON.stringify(subject.format)} is not supported for users (use email, opaque, iss_sub, aliases or complex)`,
      };
  }
}

/**
 * Maps an SSF subject (RFC 9493 `email`, `opaque` (the user id), `iss_sub` (`sub` = the user id),
 * `aliases`, or a complex subject with a `user` member, with or without `format: "complex"`) to the
 * outbox subject keys of the user it names (`email:<lowercase>` or `user:<id>`).
 */
export function subjectKeysOf(subject: unknown): SubjectKeysResult {
  if (!isRecord(subject)) return { error: 'subject must be an object' };
  if (subject.format === 'complex' || (subject.format === undefined && 'user' in subject)) {
    if (!isRecord(subject.user)) return { error: 'only complex subjects with a "user" member are supported' };
    return simpleKeys(subject.user);
  }
  return simpleKeys(subject);
}
