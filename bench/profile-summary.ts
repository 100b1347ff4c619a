import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The parts of a V8 `.cpuprofile` (from `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Time attributed to one function (by name, file and line), in milliseconds. */
export interface FunctionTime {
  readonly name: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

function shortUrl(url: string): string {
  const cwd = pathToFileURL(process.cwd()).href;
  if (url.startsWith(cwd)) return url.slice(cwd.length + 1);
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return url;
}

/**
 * Self and inclusive (total) time per function of a CPU profile. Inclusive time counts a sample once per
 * function even when it recurses, so it answers "how much time was spent under this function". With
 * `under`, only samples with a function matching it on their stack count (e.g. `^engineRun `).
 */
export function summarizeProfile(
  profile: CpuProfile,
  under?: RegExp,
): { totalMs: number; functions: FunctionTime[] } {
  const parent = new Map<number, number>();
  const keyOf = new Map<number, string>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
    const f = node.callFrame;
    const where = f.url === '' ? '' : ` ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    keyOf.set(node.id, `${f.functionName || '(anonymous)'}${where}`);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalUs = 0;
  const stackMatches = (nodeId: number): boolean => {
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      if (under?.test(keyOf.get(id) ?? '')) return true;
    }
    return false;
  };
  profile.samples.forEach((nodeId, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    if (under !== undefined && !stackMatches(nodeId)) return;
    totalUs += dt;
    const key = keyOf.get(nodeId) ?? '?';
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      const k = keyOf.get(id) ?? '?';
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  });
  const functions = [...total.keys()].map((name) => ({
    name,
    selfMs: (self.get(name) ?? 0) / 1000,
    totalMs: (total.get(name) ?? 0) / 1000,
  }));
  return { totalMs: totalUs / 1000, functions };
}

const invokedDirectly = import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href;
if (invokedDirectly) {
  // node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [filter-for-total] [under]
  const [file, topArg, filter, under] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top] [filter]');
  const top = Number(topArg ?? 30);
  const { totalMs, functions } = summarizeProfile(
    JSON.parse(readFileSync(file, 'utf8')) as CpuProfile,
    under === undefined ? undefined : new RegExp(under),
  );
  const pct = (ms: number): string => `${((ms / totalMs) * 100).toFixed(1).padStart(5)}%`;
  const show = (rows: FunctionTime[], pick: (f: FunctionTime) => number): void => {
    for (const f of rows.slice(0, top)) {
      process.stdout.write(`${pick(f).toFixed(0).padStart(8)} ms ${pct(pick(f))}  ${f.name}\n`);
    }
  };
  const scope = under === undefined ? '' : ` under ${under}`;
  process.stdout.write(`profile: ${totalMs.toFixed(0)} ms sampled${scope}\n\nby self time:\n`);
  show(
    [...functions].sort((a, b) => b.selfMs - a.selfMs),
    (f) => f.selfMs,
  );
  const re = new RegExp(filter ?? '(src/|bench/)');
  process.stdout.write(`\nby total (inclusive) time, functions matching ${re}:\n`);
  show(
    [...functions].filter((f) => re.test(f.name)).sort((a, b) => b.totalMs - a.totalMs),
    (f) => f.totalMs,
  );
}
