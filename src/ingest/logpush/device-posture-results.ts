import { pointer } from '../../domain/errors.js';
import type {
  CrowdStrikeReport,
  PostureResultEvent,
  SentinelOneReport,
} from '../../domain/security-event.js';
import { type CommonFieldNames, eventId, readCommonFields } from './common-fields.js';
import {
  asBoolean,
  asNumber,
  fieldValue,
  type LogpushRecord,
  nonEmptyString,
  readBoolean,
  readObject,
  readString,
} from './fields.js';
import { invalidRecord, type MapResult, mapped } from './map-result.js';

/** The dataset has no record id: the key is a hash of the record (see `recordKey`). */
const NAMES: CommonFieldNames = {
  dataset: 'device_posture_results',
  time: 'Timestamp',
  userId: 'UserUID',
  email: 'Email',
  device: 'DeviceID',
};

/**
 * Maps a `device_posture_results` record (LOGPUSH.md §3.6, §6) to a `posture_result`; the event id is
 * `sha256-<hash of the record>:posture`, since the dataset has no unique id.
 *
 * `DeviceID` and `PostureCheckType` (lower-cased) are required; `passed` is `PostureEvaluatedResult`
 * (the authoritative verdict), `checkId`/`checkName` are `PolicyID`/`PostureCheckName`.
 * `PostureReceivedJSON` (an object, or a JSON string holding one) fills `sentinelOne` for
 * `sentinelone_s2s` and `crowdStrike` for `crowdstrike_s2s` checks, snake_case or camelCase attribute
 * names, numbers possibly as strings (`"67"`); `false` and `0` are values here, not "empty". Other check
 * types, the client-side `sentinelone` agent check included, carry neither report.
 */
export function mapDevicePostureResult(
  record: LogpushRecord,
  ctx: { readonly accountId: string },
): MapResult {
  const common = readCommonFields(NAMES, record, ctx);
  if (common.kind === 'skipped') return common;
  const problems = [...common.problems];
  const checkType = readString(record, 'PostureCheckType')?.toLowerCase();
  if (checkType === undefined)
    problems.push({ message: 'is required', pointer: pointer('PostureCheckType') });
  const deviceId = readString(record, 'DeviceID');
  if (deviceId === undefined) problems.push({ message: 'is required', pointer: pointer('DeviceID') });
  if (common.fields === undefined || checkType === undefined || deviceId === undefined) {
    return invalidRecord(problems);
  }

  const checkId = readString(record, 'PolicyID');
  const checkName = readString(record, 'PostureCheckName');
  const passed = readBoolean(record, 'PostureEvaluatedResult');
  const received = readObject(record, 'PostureReceivedJSON') ?? {};
  const event: PostureResultEvent = {
    ...common.fields,
    id: eventId(common.key, 'posture'),
    type: 'posture_result',
    deviceId,
    checkType,
    ...(checkId === undefined ? {} : { checkId }),
    ...(checkName === undefined ? {} : { checkName }),
    ...(passed === undefined ? {} : { passed }),
    ...(checkType === 'sentinelone_s2s' ? { sentinelOne: sentinelOneReport(received) } : {}),
    ...(checkType === 'crowdstrike_s2s' ? { crowdStrike: crowdStrikeReport(received) } : {}),
  };
  return mapped([event], common.clientCountry);
}

function sentinelOneReport(received: LogpushRecord): SentinelOneReport {
  const infected = asBoolean(attribute(received, 'infected'));
  const activeThreats = count(asNumber(attribute(received, 'active_threats', 'activeThreats')));
  const isActive = asBoolean(attribute(received, 'is_active', 'isActive'));
  const networkStatus = nonEmptyString(attribute(received, 'network_status', 'networkStatus'));
  const operationalState = nonEmptyString(attribute(received, 'operational_state', 'operationalState'));
  return {
    ...(infected === undefined ? {} : { infected }),
    ...(activeThreats === undefined ? {} : { activeThreats }),
    ...(isActive === undefined ? {} : { isActive }),
    ...(networkStatus === undefined ? {} : { networkStatus }),
    ...(operationalState === undefined ? {} : { operationalState }),
  };
}

function crowdStrikeReport(received: LogpushRecord): CrowdStrikeReport {
  const overall = score(asNumber(attribute(received, 'overall')));
  const os = score(asNumber(attribute(received, 'os')));
  const sensorConfig = score(asNumber(attribute(received, 'sensor_config', 'sensorConfig')));
  return {
    ...(overall === undefined ? {} : { overall }),
    ...(os === undefined ? {} : { os }),
    ...(sensorConfig === undefined ? {} : { sensorConfig }),
  };
}

/** The first of the spellings present (`null` counts as absent). */
function attribute(received: LogpushRecord, ...names: readonly string[]): unknown {
  for (const name of names) {
    const value = fieldValue(received, name);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** A threat count: a non-negative integer, else dropped. */
function count(value: number | undefined): number | undefined {
  return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** A CrowdStrike ZTA score: 0–100, else dropped. */
function score(value: number | undefined): number | undefined {
  return value !== undefined && value >= 0 && value <= 100 ? value : undefined;
}
