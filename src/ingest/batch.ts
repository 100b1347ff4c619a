import { gunzip } from 'node:zlib';
import { ZtriskError } from '../domain/errors.js';

/** One record of a batch: its position and its parsed JSON value, or why it could not be parsed. */
export type BatchRecord =
  | { readonly index: number; readonly value: unknown }
  | { readonly index: number; readonly parseError: string };

/** Limits of one batch. */
export interface BatchLimits {
  /** Largest decompressed body in bytes (larger: 413). */
  readonly maxBytes: number;
  /** Most records in one batch (more: 413). */
  readonly maxRecords: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** True when the bytes start with the gzip magic number. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === GZIP_MAGIC_0 && buf[1] === GZIP_MAGIC_1;
}

/**
 * Decompresses a gzip body (by `Content-Encoding: gzip` or by its magic number) with a cap on the output
 * size, so a small "zip bomb" cannot exhaust memory: over the cap is `too_large` (413), a corrupt stream
 * `invalid_body` (400).
 */
export async function decodeBody(
  buf: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const gz = encoding === 'gzip' || encoding === 'x-gzip' || isGzip(buf);
  if (!gz) {
    if (encoding !== '' && encoding !== 'identity') {
      throw new ZtriskError('invalid_body', `unsupported Content-Encoding ${JSON.stringify(encoding)}`);
    }
    if (buf.length > maxBytes) throw new ZtriskError('too_large', 'Invalid request body');
    return buf;
  }
  return new Promise((resolve, reject) => {
    gunzip(buf, { maxOutputLength: maxBytes, chunkSize: gunzipChunkSize(buf.length) }, (error, out) => {
      if (!error) resolve(out);
      else if (
        (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ||
        error instanceof RangeError
      ) {
        reject(new ZtriskError('too_large', 'Invalid request body'));
      } else reject(new ZtriskError('invalid_body', 'Invalid request body'));
    });
  });
}

/**
 * Output chunk size for decompressing `compressedBytes`: zlib's 16 KiB default costs one thread-pool
 * round trip per 16 KiB (3–4× the time of a 1.5 MB body); larger chunks for larger bodies, capped at 1 MiB.
 */
function gunzipChunkSize(compressedBytes: number): number {
  return Math.min(1024 * 1024, Math.max(64 * 1024, compressedBytes * 8));
}

function splitLines(text: string): BatchRecord[] {
  const records: BatchRecord[] = [];
  let index = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    try {
      records.push({ index, value: JSON.parse(trimmed) });
    } catch {
      records.push({ index, parseError: 'is not valid JSON' });
    }
    index += 1;
  }
  return records;
}

/**
 * Splits a decoded body into records: a JSON array, an object `{ "<arrayKey>": [...] }` (for generic
 * events, `events`), a single JSON object, or NDJSON (one JSON value per line, blank lines ignored; a
 * line that is not JSON becomes a record with a parse error, so the other lines still count).
 * A body that is not UTF-8 text or not any of these shapes is `invalid_body`; more than
 * `limits.maxRecords` records is `too_large`.
 */
export function splitRecords(body: Buffer, limits: BatchLimits, arrayKey?: string): BatchRecord[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body).replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  let records: BatchRecord[];
  if (trimmed === '') records = [];
  else if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ZtriskError('invalid_body', 'Invalid request body');
    }
    if (!Array.isArray(parsed)) throw new ZtriskError('invalid_body', 'Invalid request body');
    records = parsed.map((value, index) => ({ index, value }));
  } else {
    let whole: unknown;
    let parsedWhole = false;
    try {
      whole = JSON.parse(trimmed);
      parsedWhole = true;
    } catch {
      parsedWhole = false;
    }
    if (parsedWhole && arrayKey !== undefined && isObject(whole) && Array.isArray(whole[arrayKey])) {
      records = (whole[arrayKey] as unknown[]).map((value, index) => ({ index, value }));
    } else if (parsedWhole) {
      records = [{ index: 0, value: whole }];
    } else {
      records = splitLines(text);
    }
  }
  if (records.length > limits.maxRecords) {
    throw new ZtriskError('too_large', `at most ${limits.maxRecords} records per request`);
  }
  return records;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
