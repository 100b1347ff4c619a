import { runApiBench } from './api.js';
import { runIngestBench } from './ingest.js';
import { type BenchRow, formatTable, machineNote, progress } from './measure.js';
import { runPostgresBench } from './postgres.js';

/** The ingestion aim of the issue: at least half the plain-insert baseline and 50,000 events/s. */
const AIM_RATIO = 0.5;
const AIM_EVENTS_PER_SECOND = 50_000;

type Part = 'ingest' | 'api' | 'postgres';

function parseOnly(argv: readonly string[]): Part | undefined {
  const i = argv.indexOf('--only');
  const value = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (value === undefined) return undefined;
  if (value === 'ingest' || value === 'api' || value === 'postgres') return value;
  throw new Error(`--only takes ingest, api or postgres, not ${JSON.stringify(value)}`);
}

/**
 * `npm run bench [-- --only ingest|api|postgres]`: every benchmark against its same-run baseline, then one
 * table (value, baseline, ratio) and the notes. Progress goes to stderr, the report to stdout.
 */
async function main(): Promise<void> {
  const only = parseOnly(process.argv.slice(2));
  const started = Date.now();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const label = new Map<BenchRow, string>();
  if (only === undefined || only === 'ingest') {
    const ingest = await runIngestBench();
    rows.push(...ingest.rows);
    notes.push(...ingest.notes);
    const engine = ingest.rows[0];
    if (engine) {
      const ratio = engine.value / engine.baseline;
      const met = ratio >= AIM_RATIO && engine.value >= AIM_EVENTS_PER_SECOND;
      notes.push(
        `ingest aim (≥ ${AIM_RATIO * 100}% of baseline and ≥ ${AIM_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s): ` +
          `${met ? 'MET' : 'NOT MET'} (${Math.round(engine.value).toLocaleString('en-US')} events/s, ${(ratio * 100).toFixed(0)}% of baseline).`,
      );
    }
  }
  if (only === undefined || only === 'api') {
    const api = await runApiBench();
    rows.push(...api.rows);
    notes.push(...api.notes);
  }
  if (only === undefined || only === 'postgres') {
    const pg = await runPostgresBench();
    for (const r of pg.rows) label.set(r, 'postgres');
    rows.push(...pg.rows);
    notes.push(...pg.notes);
  }
  const baselines = [
    ...new Set(
      rows.map((r) => `${label.get(r) ?? (r.unit === 'events/s' ? 'ingest' : 'api')}: ${r.baselineName}`),
    ),
  ];
  progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(
    [
      `machine: ${machineNote()}`,
      '',
      formatTable(rows),
      '',
      'ratio = value ÷ baseline (same run). Baselines:',
      ...baselines.map((b) => `- ${b}`),
      '',
      ...notes.map((n) => `- ${n}`),
      '',
    ].join('\n'),
  );
}

await main();
