import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** One line of the benchmark table: a measured value next to its same-run baseline. */
export interface BenchRow {
  readonly benchmark: string;
  /** What `value` and `baseline` count, e.g. `events/s`, `req/s`, `p99 ms`. */
  readonly unit: string;
  readonly value: number;
  readonly baseline: number;
  /** What the baseline is, for the notes under the table. */
  readonly baselineName: string;
  /**
   * True when smaller is better (latency): the ratio is still value ÷ baseline, so read > 1 as slower.
   */
  readonly lowerIsBetter?: boolean;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number): number => sorted[i] ?? Number.NaN;
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** The p-th percentile (0–100) of a list, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Elapsed wall time of `fn` in milliseconds (monotonic clock). */
export async function timeMs(fn: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(os.tmpdir(), `ztrisk-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The machine, for the report: CPU count and model, Node version, platform. */
export function machineNote(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memGb = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${cpus.length} × ${model}, ${memGb} GB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The rows as a Markdown table (columns: benchmark, value, baseline, ratio). */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'value', 'baseline', 'ratio'];
  const body = rows.map((r) => [
    r.benchmark,
    `${formatNumber(r.value)} ${r.unit}`,
    `${formatNumber(r.baseline)} ${r.unit}`,
    `${(r.value / r.baseline).toFixed(2)}${r.lowerIsBetter ? ' (lower is better)' : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** Logs progress to stderr, so stdout holds only the report. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
