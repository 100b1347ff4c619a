import { POLL_DELIVERY_METHOD, PUSH_DELIVERY_METHOD } from '../domain/streams.js';

/**
 * Where an account's transmitter lives (SSF.md "Transmitter metadata"). Every account is one transmitter
 * with issuer `<public url>/ssf/<account id>`; its management endpoints and JWKS hang off that path, and
 * its metadata is at the path-inserted `/.well-known/ssf-configuration/ssf/<account id>`.
 */

/** The issuer of an account's SETs (no trailing slash); also every document's `issuer`. */
export function issuerOf(publicUrl: string, accountId: string): string {
  return `${publicUrl}/ssf/${encodeURIComponent(accountId)}`;
}

/** The SSF 1.0 path-inserted metadata URL of an issuer (`/.well-known/ssf-configuration` + issuer path). */
export function metadataUrlOf(issuer: string): string {
  const url = new URL(issuer);
  return `${url.origin}/.well-known/ssf-configuration${url.pathname.replace(/\/$/, '')}`;
}

/** The per-stream RFC 8936 poll endpoint. */
export function pollEndpointOf(publicUrl: string, accountId: string, streamId: string): string {
  return `${issuerOf(publicUrl, accountId)}/poll/${encodeURIComponent(streamId)}`;
}

/** The endpoints of an account's transmitter. */
export function transmitterEndpoints(publicUrl: string, accountId: string) {
  const issuer = issuerOf(publicUrl, accountId);
  return {
    issuer,
    jwksUri: `${issuer}/jwks.json`,
    configurationEndpoint: `${issuer}/streams`,
    statusEndpoint: `${issuer}/streams/status`,
    addSubjectEndpoint: `${issuer}/subjects/add`,
    removeSubjectEndpoint: `${issuer}/subjects/remove`,
    verificationEndpoint: `${issuer}/verify`,
  };
}

/** The transmitter configuration metadata document (SSF 1.0 §7.1) of an account. */
export function transmitterMetadata(publicUrl: string, accountId: string) {
  const e = transmitterEndpoints(publicUrl, accountId);
  return {
    spec_version: '1_0',
    issuer: e.issuer,
    jwks_uri: e.jwksUri,
    delivery_methods_supported: [PUSH_DELIVERY_METHOD, POLL_DELIVERY_METHOD],
    configuration_endpoint: e.configurationEndpoint,
    status_endpoint: e.statusEndpoint,
    add_subject_endpoint: e.addSubjectEndpoint,
    remove_subject_endpoint: e.removeSubjectEndpoint,
    verification_endpoint: e.verificationEndpoint,
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    default_subjects: 'ALL',
  };
}

/** The metadata document's wire shape. */
export type TransmitterMetadata = ReturnType<typeof transmitterMetadata>;
