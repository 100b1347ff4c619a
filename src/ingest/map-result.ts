import type { Problem } from '../domain/errors.js';
import type { SecurityEvent } from '../domain/security-event.js';

/**
 * What mapping one input record (a generic event, a Logpush record, a NATS message) gives: the events it
 * stands for, a deliberate skip (no real identity, a logout, the Logpush test payload…), or problems
 * with RFC 6901 pointers into the record. Mappers never throw.
 */
export type MapResult =
  | { readonly kind: 'events'; readonly events: readonly SecurityEvent[] }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly problems: readonly Problem[] };

/** True for Cloudflare's placeholder identity of traffic without a user (`non_identity@…`). */
export function isNonIdentityEmail(email: string | undefined): boolean {
  return email?.toLowerCase().startsWith('non_identity@') === true;
}
