import { pointer } from '../../domain/errors.js';
import type { DnsRequestEvent } from '../../domain/security-event.js';
import { type CommonFieldNames, eventId, readCommonFields } from './common-fields.js';
import { fieldValue, type LogpushRecord, readIntegerArray, readString } from './fields.js';
import { invalidRecord, type MapResult, mapped } from './map-result.js';

const NAMES: CommonFieldNames = {
  dataset: 'gateway_dns',
  id: 'QueryID',
  time: 'Datetime',
  userId: 'UserID',
  email: 'Email',
  ip: 'SrcIP',
  country: 'SrcIPCountryCode',
  device: 'DeviceID',
};

/** Category fields whose union is `QueryCategoryIDs` (LOGPUSH.md §3.3, §4.5). */
const QUERY_CATEGORY_PARTS = ['InitialCategoryIDs', 'ResolvedIPCategoryIDs', 'CNAMECategoryIDs'] as const;

/**
 * Maps a `gateway_dns` record (LOGPUSH.md §3.3) to a `dns_request`; the event id is `<QueryID>:dns`.
 *
 * - `domain`: `QueryName` lower-cased without its trailing dot (the root stays `.`); required.
 * - `categoryIds`: `QueryCategoryIDs`, which unions the name's, its CNAME chain's and its answers'
 *   categories, so a C2 domain reached through a CNAME counts. When the job does not export that field
 *   (key absent or `null`) the union of the three parts is used instead.
 * - `blocked`: `ResolverDecision` starts with `blocked` (unknown `blocked*` values included, §4.4).
 */
export function mapGatewayDns(record: LogpushRecord, ctx: { readonly accountId: string }): MapResult {
  const common = readCommonFields(NAMES, record, ctx);
  if (common.kind === 'skipped') return common;
  const problems = [...common.problems];
  const domain = normalizeQueryName(readString(record, 'QueryName'));
  if (domain === undefined) problems.push({ message: 'is required', pointer: pointer('QueryName') });
  if (common.fields === undefined || domain === undefined) return invalidRecord(problems);

  const resolverDecision = readString(record, 'ResolverDecision');
  const event: DnsRequestEvent = {
    ...common.fields,
    id: eventId(common.key, 'dns'),
    type: 'dns_request',
    domain,
    categoryIds: queryCategoryIds(record),
    blocked: resolverDecision?.toLowerCase().startsWith('blocked') ?? false,
    ...(resolverDecision === undefined ? {} : { resolverDecision }),
  };
  return mapped([event], common.clientCountry);
}

function normalizeQueryName(name: string | undefined): string | undefined {
  if (name === undefined || name === '.') return name;
  const domain = name.toLowerCase().replace(/\.$/, '');
  return domain === '' ? undefined : domain;
}

function queryCategoryIds(record: LogpushRecord): number[] {
  const exported = fieldValue(record, 'QueryCategoryIDs');
  if (exported !== undefined && exported !== null) return readIntegerArray(record, 'QueryCategoryIDs');
  return [...new Set(QUERY_CATEGORY_PARTS.flatMap((key) => readIntegerArray(record, key)))];
}
