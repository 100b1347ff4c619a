import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ZtriskError } from '../domain/errors.js';
import type { BatchRecord } from '../ingest/batch.js';
import { isLogpushDataset, LOGPUSH_DATASETS } from '../ingest/logpush/datasets.js';
import type { IngestSummary, RecordSource } from '../services/ingest.js';
import type { Services } from '../services/services.js';

/** Parses `--source events|logpush:<dataset>`. */
export function parseSource(value: string): RecordSource {
  if (value === 'events') return { kind: 'events' };
  const m = /^logpush:(.+)$/.exec(value);
  if (m?.[1] && isLogpushDataset(m[1])) return { kind: 'logpush', dataset: m[1] };
  throw new ZtriskError(
    'invalid',
    `--source: must be events or logpush:<dataset> with dataset one of ${LOGPUSH_DATASETS.join(', ')}`,
  );
}

/** Reads a file (or `-` for stdin), gunzipping it when it starts with the gzip magic number. */
async function openLines(path: string): Promise<{ lines: AsyncIterable<string>; counted: PassThrough }> {
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path);
  const counted = new PassThrough();
  const first = await new Promise<Buffer | null>((resolve, reject) => {
    raw.once('error', reject);
    raw.once('readable', () => resolve(raw.read(2) as Buffer | null));
    raw.once('end', () => resolve(null));
  });
  if (first) raw.unshift(first);
  const gz = first !== null && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  raw.pipe(counted);
  const text = gz ? counted.pipe(createGunzip()) : counted;
  return { lines: createInterface({ input: text, crlfDelay: Number.POSITIVE_INFINITY }), counted };
}

/** Progress reporting: a redrawn bar on a TTY, plain periodic lines otherwise. */
export interface Progress {
  update(done: { records: number; bytes: number }): void;
  finish(): void;
}

function formatRate(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}

/** A progress reporter on stderr. */
export function createProgress(totalBytes: number | undefined, startMs: number, now: () => number): Progress {
  const tty = process.stderr.isTTY === true;
  let lastDraw = startMs;
  return {
    update({ records, bytes }) {
      const t = now();
      if (t - lastDraw < (tty ? 100 : 2000)) return;
      lastDraw = t;
      const rate = records / Math.max((t - startMs) / 1000, 0.001);
      if (tty) {
        const width = 30;
        const frac = totalBytes ? Math.min(bytes / totalBytes, 1) : 0;
        const filled = Math.round(frac * width);
        const bar = totalBytes
          ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0)}% `
          : '';
        process.stderr.write(`\r${bar}${records} records, ${formatRate(rate)} events/s   `);
      } else {
        process.stderr.write(`ingest: ${records} records, ${formatRate(rate)} events/s\n`);
      }
    },
    finish() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/** Where a rejected record was: file and 1-based line. */
export interface RejectionReport {
  readonly file: string;
  readonly line: number;
  readonly messages: readonly string[];
}

/** A chunk of records read from one file, with the 1-based line of each record (by its index). */
export interface RecordChunk {
  readonly file: string;
  readonly records: readonly BatchRecord[];
  readonly lineOf: readonly number[];
  /** Bytes read from all files so far (as stored: compressed for gzip files). */
  readonly bytesRead: number;
}

/**
 * Reads NDJSON (or gzip NDJSON) files, `-` for stdin, in chunks of at most `chunkRecords` parsed records
 * (a line that is not JSON is a record with a parse error); blank lines are skipped.
 */
export async function* readRecordChunks(
  files: readonly string[],
  chunkRecords: number,
): AsyncGenerator<RecordChunk> {
  let bytes = 0;
  for (const file of files) {
    const { lines, counted } = await openLines(file);
    counted.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    let records: BatchRecord[] = [];
    let lineOf: number[] = [];
    let lineNo = 0;
    for await (const line of lines) {
      lineNo += 1;
      const trimmed = line.trim();
      if (trimmed === '') continue;
      const index = records.length;
      lineOf[index] = lineNo;
      try {
        records.push({ index, value: JSON.parse(trimmed) });
      } catch {
        records.push({ index, parseError: 'is not valid JSON' });
      }
      if (records.length >= chunkRecords) {
        yield { file, records, lineOf, bytesRead: bytes };
        records = [];
        lineOf = [];
      }
    }
    if (records.length > 0) yield { file, records, lineOf, bytesRead: bytes };
  }
}

/**
 * Ingests NDJSON (or gzip NDJSON) files through the same service as the HTTP endpoints, in chunks of
 * `chunkRecords`, reporting progress and each rejection (file:line).
 */
export async function ingestFiles(
  services: Services,
  accountId: string,
  source: RecordSource,
  files: readonly string[],
  options: {
    readonly chunkRecords?: number;
    readonly onRejected?: (r: RejectionReport) => void;
    readonly progress?: Progress;
  },
): Promise<IngestSummary> {
  const total: IngestSummary = { accepted: 0, duplicates: 0, skipped: 0, rejected: [], riskEvents: 0 };
  let records = 0;
  for await (const chunk of readRecordChunks(files, options.chunkRecords ?? 5000)) {
    const inputs = services.ingest.mapRecords(accountId, source, chunk.records);
    const s = await services.ingest.ingest(accountId, inputs);
    total.accepted += s.accepted;
    total.duplicates += s.duplicates;
    total.skipped += s.skipped;
    total.riskEvents += s.riskEvents;
    for (const r of s.rejected) {
      total.rejected.push(r);
      options.onRejected?.({
        file: chunk.file,
        line: chunk.lineOf[r.index] ?? 0,
        messages: r.errors.map((e) => (e.pointer ? `${e.pointer}: ${e.message}` : e.message)),
      });
    }
    records += chunk.records.length;
    options.progress?.update({ records, bytes: chunk.bytesRead });
  }
  options.progress?.finish();
  return total;
}

/** Total size of the named files, when all are regular files (for the progress bar). */
export function totalSize(files: readonly string[]): number | undefined {
  let sum = 0;
  for (const f of files) {
    if (f === '-') return undefined;
    sum += statSync(f).size;
  }
  return sum;
}
