import { pointer } from '../../domain/errors.js';
import type {
  DlpMatchEvent,
  FileVerdict,
  FileVerdictEvent,
  HttpRequestEvent,
  SecurityEvent,
  TransferDirection,
} from '../../domain/security-event.js';
import { type CommonEventFields, type CommonFieldNames, eventId, readCommonFields } from './common-fields.js';
import { type LogpushRecord, readBoolean, readIntegerArray, readString, readStringArray } from './fields.js';
import { invalidRecord, type MapResult, mapped } from './map-result.js';

const NAMES: CommonFieldNames = {
  dataset: 'gateway_http',
  id: 'RequestID',
  time: 'Datetime',
  userId: 'UserID',
  email: 'Email',
  ip: 'SourceIP',
  country: 'SourceIPCountryCode',
  device: 'DeviceID',
};

/**
 * `BlockedFileReason` values that mean an antivirus or sandbox found the file malicious. The vocabulary
 * is undocumented (LOGPUSH.md §9.3); `malware` is the observed value, the rest are guarded synonyms.
 */
const MALICIOUS_REASON = /malware|malicious|virus|trojan|ransomware|infected|threat/i;

/**
 * Maps a `gateway_http` record (LOGPUSH.md §3.2, §4.2, §4.3) to up to three events sharing the
 * record's `RequestID` (or record hash when Gateway left it empty):
 *
 * - `<id>:http` — an `http_request` for every record with a host (`HTTPHost`, else the `URL`'s host):
 *   `categoryIds` from `CategoryIDs`, `blocked` when `Action` starts with `block`.
 * - `<id>:dlp` — a `dlp_match` when `UploadMatchedDlpProfiles` or `DownloadMatchedDlpProfiles` is
 *   non-empty; one event per request whatever the number of profiles (profile UUIDs, no names: Logpush
 *   carries none), direction `upload`, `download` or `both`.
 * - `<id>:file` — a `file_verdict` when Gateway reports a blocked or sandboxed file: `malicious` when
 *   `BlockedFileReason` is malware-like, or on a sandbox block (`Quarantined` with a block `Action`, or a
 *   blocked file whose reason mentions the sandbox); `unknown` for other blocked files (policy blocks by
 *   type or size) and for quarantined files that were not blocked.
 *
 * A record that yields no event (no host, no DLP match, no file) is invalid, pointing at `HTTPHost`.
 */
export function mapGatewayHttp(record: LogpushRecord, ctx: { readonly accountId: string }): MapResult {
  const common = readCommonFields(NAMES, record, ctx);
  if (common.kind === 'skipped') return common;
  if (common.fields === undefined) return invalidRecord(common.problems);

  const fields = common.fields;
  const url = readString(record, 'URL');
  const host = (readString(record, 'HTTPHost') ?? hostOf(url))?.toLowerCase();
  const action = readString(record, 'Action');
  const blocked = action?.toLowerCase().startsWith('block') ?? false;
  const where = { ...(host === undefined ? {} : { host }), ...(url === undefined ? {} : { url }) };

  const events: SecurityEvent[] = [];
  if (host !== undefined) {
    const request: HttpRequestEvent = {
      ...fields,
      id: eventId(common.key, 'http'),
      type: 'http_request',
      host,
      ...(url === undefined ? {} : { url }),
      categoryIds: readIntegerArray(record, 'CategoryIDs'),
      blocked,
      ...(action === undefined ? {} : { action }),
    };
    events.push(request);
  }
  const dlp = dlpMatch(record, fields, eventId(common.key, 'dlp'), where);
  if (dlp !== undefined) events.push(dlp);
  const file = fileVerdict(record, fields, eventId(common.key, 'file'), blocked, where);
  if (file !== undefined) events.push(file);

  if (events.length === 0) {
    return invalidRecord([
      {
        message: 'is required (no host, URL, DLP match or file verdict in the record)',
        pointer: pointer('HTTPHost'),
      },
    ]);
  }
  return mapped(events, common.clientCountry);
}

type Where = { readonly host?: string; readonly url?: string };

function dlpMatch(
  record: LogpushRecord,
  fields: CommonEventFields,
  id: string,
  where: Where,
): DlpMatchEvent | undefined {
  const upload = readStringArray(record, 'UploadMatchedDlpProfiles');
  const download = readStringArray(record, 'DownloadMatchedDlpProfiles');
  if (upload.length === 0 && download.length === 0) return undefined;
  const direction = upload.length === 0 ? 'download' : download.length === 0 ? 'upload' : 'both';
  const profiles = [...new Set([...upload, ...download])].map((profileId) => ({ id: profileId }));
  return { ...fields, id, type: 'dlp_match', profiles, direction, ...where };
}

function fileVerdict(
  record: LogpushRecord,
  fields: CommonEventFields,
  id: string,
  blocked: boolean,
  where: Where,
): FileVerdictEvent | undefined {
  const reason = readString(record, 'BlockedFileReason');
  const blockedName = readString(record, 'BlockedFileName');
  const hash = readString(record, 'BlockedFileHash');
  const quarantined = readBoolean(record, 'Quarantined') === true;
  const blockedFile = reason !== undefined || blockedName !== undefined || hash !== undefined;
  if (!blockedFile && !quarantined) return undefined;

  const uploaded = readStringArray(record, 'UploadedFileNames');
  const downloaded = readStringArray(record, 'DownloadedFileNames');
  const fileName = blockedName ?? downloaded[0] ?? uploaded[0];
  const sha256 = hash !== undefined && /^[0-9a-f]{64}$/i.test(hash) ? hash.toLowerCase() : undefined;
  // A sandbox block: the sandbox held the file and Gateway blocked it, or the block reason names the sandbox.
  const sandboxBlock = (quarantined && blocked) || /sandbox/i.test(reason ?? '');
  const verdict: FileVerdict = MALICIOUS_REASON.test(reason ?? '') || sandboxBlock ? 'malicious' : 'unknown';
  return {
    ...fields,
    id,
    type: 'file_verdict',
    verdict,
    direction: transferDirection(fileName, uploaded, downloaded),
    blocked: blocked || blockedFile,
    ...(fileName === undefined ? {} : { fileName }),
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(reason === undefined ? {} : { reason }),
    ...where,
  };
}

/** Upload when the file is among the uploaded names (or only uploads are listed); download otherwise. */
function transferDirection(
  fileName: string | undefined,
  uploaded: readonly string[],
  downloaded: readonly string[],
): TransferDirection {
  if (fileName !== undefined && uploaded.includes(fileName)) return 'upload';
  if (fileName !== undefined && downloaded.includes(fileName)) return 'download';
  return uploaded.length > 0 && downloaded.length === 0 ? 'upload' : 'download';
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const host = new URL(url).hostname;
  return host === '' ? undefined : host;
}
