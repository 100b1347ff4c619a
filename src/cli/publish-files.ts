import { createHash } from 'node:crypto';
import type { Config } from '../config/config.js';
import { ZtriskError } from '../domain/errors.js';
import { connectNatsPublisher } from '../ingest/nats/nats-ingestion.js';
import { type Progress, type RejectionReport, readRecordChunks } from './ingest-files.js';

/** What publishing files did. */
export interface PublishSummary {
  /** Records published (each a generic event, validated by the consuming node). */
  published: number;
  /** Messages published (each NDJSON of up to `maxRecords` records, under `maxBytes`). */
  messages: number;
  /** Lines that are not JSON (reported, not published). */
  unreadable: number;
}

/** Keeps each message well under NATS's default 1 MiB payload limit. */
const MAX_MESSAGE_BYTES = 512 * 1024;
const MAX_MESSAGE_RECORDS = 1000;

/**
 * `ztrisk ingest … --to nats://…`: reads the files exactly as local ingestion does and publishes their
 * records (generic events) to the JetStream events stream on `<prefix>.<account>`, creating the stream if
 * missing, instead of ingesting them here. Each message carries a `Nats-Msg-Id` derived from its content,
 * so re-running a publish within the stream's duplicate window stores nothing twice (and re-storing on
 * the consumer side is a counted duplicate anyway).
 */
export async function publishFiles(
  to: string,
  config: Pick<Config, 'natsStream' | 'natsSubject' | 'natsDeadLetterSubject'>,
  accountId: string,
  files: readonly string[],
  options: { readonly onRejected?: (r: RejectionReport) => void; readonly progress?: Progress },
): Promise<PublishSummary> {
  if (!/^(nats|tls):\/\/\S+$/.test(to)) throw new ZtriskError('invalid', '--to: must be a nats:// URL');
  const publisher = await connectNatsPublisher(to, {
    stream: config.natsStream,
    subject: config.natsSubject,
    deadLetterSubject: config.natsDeadLetterSubject,
  });
  const summary: PublishSummary = { published: 0, messages: 0, unreadable: 0 };
  let lines: string[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (lines.length === 0) return;
    const body = `${lines.join('\n')}\n`;
    const id = createHash('sha256').update(accountId).update('\n').update(body).digest('hex');
    await publisher.publish(accountId, body, id);
    summary.published += lines.length;
    summary.messages += 1;
    lines = [];
    bytes = 0;
  };
  try {
    let records = 0;
    for await (const chunk of readRecordChunks(files, 5000)) {
      for (const r of chunk.records) {
        if ('parseError' in r) {
          summary.unreadable += 1;
          options.onRejected?.({
            file: chunk.file,
            line: chunk.lineOf[r.index] ?? 0,
            messages: [r.parseError],
          });
          continue;
        }
        const line = JSON.stringify(r.value);
        if (bytes + line.length > MAX_MESSAGE_BYTES || lines.length >= MAX_MESSAGE_RECORDS) await flush();
        lines.push(line);
        bytes += line.length + 1;
      }
      records += chunk.records.length;
      options.progress?.update({ records, bytes: chunk.bytesRead });
    }
    await flush();
    options.progress?.finish();
    return summary;
  } finally {
    await publisher.close();
  }
}
