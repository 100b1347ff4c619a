import { runApiBench } from './api.js';
import { type Api7Section, runApi7Bench } from './api7.js';
import { runIngestBench } from './ingest.js';
import { type BenchRow, formatTable, machineNote, progress } from './measure.js';
import { runPostgresBench } from './postgres.js';

/** The ingestion aim of the issue: at least half the plain-insert baseline and 50,000 events/s. */
const AIM_RATIO = 0.5;
const AIM_EVENTS_PER_SECOND = 50_000;

const PARTS = ['ingest', 'api', 'postgres', 'api7', 'api7-http', 'api7-reset', 'api7-scale'] as const;
type Part = (typeof PARTS)[number];

function isPart(value: string): value is Part {
  return (PARTS as readonly string[]).includes(value);
}

/** `--only a,b` (or `--only=a,b`): the parts to run; undefined = all. `api7` = its three sections. */
function parseOnly(argv: readonly string[]): Set<Part> | undefined {
  const i = argv.indexOf('--only');
  const value = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (value === undefined) return undefined;
  const parts = new Set<Part>();
  for (const v of value.split(',')) {
    if (!isPart(v))
      throw new Error(`--only takes ${PARTS.join(', ')} (comma-separated), not ${JSON.stringify(v)}`);
    parts.add(v);
  }
  return parts;
}

/**
 * `npm run bench [-- --only ingest|api|postgres|api7|api7-http|api7-reset|api7-scale]`: every benchmark against its same-run baseline, then one
 * table (value, baseline, ratio) and the notes. Progress goes to stderr, the report to stdout.
 */
async function main(): Promise<void> {
  const only = parseOnly(process.argv.slice(2));
  const runs = (part: Part): boolean => only === undefined || only.has(part);
  const tables: string[] = [];
  const started = Date.now();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const label = new Map<BenchRow, string>();
  // api7 first: its RSS figures should show the server, not what the other parts left in the heap.
  const api7 = new Set<Api7Section>(
    (['http', 'reset', 'scale'] as const).filter((s) => runs('api7') || runs(`api7-${s}`)),
  );
  if (api7.size > 0) {
    const result = await runApi7Bench(api7);
    for (const r of result.rows) label.set(r, r.benchmark.split(':')[0] ?? 'api7');
    rows.push(...result.rows);
    notes.push(...result.notes);
    tables.push(...result.tables);
  }
  if (runs('ingest')) {
    const ingest = await runIngestBench();
    rows.push(...ingest.rows);
    notes.push(...ingest.notes);
    for (const row of ingest.rows) {
      const ratio = row.value / row.baseline;
      const part = (ok: boolean) => (ok ? 'met' : 'NOT met');
      notes.push(
        `ingest aim for "${row.benchmark}": ≥ ${AIM_RATIO * 100}% of baseline ${part(ratio >= AIM_RATIO)} ` +
          `(${(ratio * 100).toFixed(0)}%), ≥ ${AIM_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s ` +
          `${part(row.value >= AIM_EVENTS_PER_SECOND)} (${Math.round(row.value).toLocaleString('en-US')}).`,
      );
    }
  }
  if (runs('api')) {
    const api = await runApiBench();
    rows.push(...api.rows);
    notes.push(...api.notes);
  }
  if (runs('postgres')) {
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
      ...tables.flatMap((t) => [t, '']),
    ].join('\n'),
  );
}

await main();
