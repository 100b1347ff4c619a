/**
 * The long fuzz run (`npm run fuzz`): many generated requests against fresh apps, every invariant checked
 * on every case, all distinct failures collected (the run does not stop at the first), then a summary.
 *
 *   node --import tsx test/fuzz/long-run.ts [--runs 20000] [--seed N] [--transport inject|http|both]
 *                                            [--batch 500] [--no-large] [--ignore REGEX] [--quiet]
 *
 * Exit code 1 when any invariant failed. A failure prints the request to reproduce it, and the seed and
 * batch that generated it.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import {
  describeRequest,
  FuzzStats,
  requestArb,
  runCase,
  startFuzzTarget,
  violationKind,
} from './api-fuzz.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    transport: { type: 'string', default: 'both' },
    batch: { type: 'string', default: '500' },
    'no-large': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    ignore: { type: 'string' },
  },
});

const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const batchSize = Number(values.batch);
const transports: ('inject' | 'http')[] =
  values.transport === 'both' ? ['inject', 'http'] : [values.transport === 'http' ? 'http' : 'inject'];
const large = !values['no-large'];
/** Violations to leave out of the failures (to look past a known bug); reported as ignored. */
const ignore = values.ignore !== undefined ? new RegExp(values.ignore) : undefined;
let ignored = 0;

const stats = new FuzzStats();
const crashes: string[] = [];
// An error of the fuzzer itself (not of the app) must not be swallowed: only errors while cases run
// are recorded as crashes.
let running = false;
process.on('uncaughtException', (e) => {
  if (!running) {
    console.error(e);
    process.exit(2);
  }
  crashes.push(`uncaughtException: ${e.stack ?? String(e)}`);
});
process.on('unhandledRejection', (e) => crashes.push(`unhandledRejection: ${String(e)}`));

const started = Date.now();
console.log(
  `ztrisk fuzz: ${runs} requests, seed ${seed}, transports ${transports.join('+')}, batch ${batchSize}, large ${large}`,
);
let done = 0;
let batch = 0;
while (done < runs) {
  const transport = transports[batch % transports.length] ?? 'inject';
  const n = Math.min(batchSize, runs - done);
  // A fresh app per batch keeps the store small; each batch has its own derived seed.
  const target = await startFuzzTarget({ transport });
  const batchSeed = (seed + batch * 7919) % 2 ** 31;
  const requests = fc.sample(
    requestArb(target.spec, target.pools, target.creds, { raw: transport === 'http', large }),
    { seed: batchSeed, numRuns: n },
  );
  for (const [i, req] of requests.entries()) {
    if (values.verbose)
      console.log(`case ${i}: ${req.method} ${req.url.slice(0, 100)} [${req.mutations.join(', ')}]`);
    running = true;
    const raw = await runCase(target, req);
    running = false;
    const kept = raw.violations.filter((v) => !ignore?.test(`${raw.status} ${violationKind(v)}`));
    ignored += raw.violations.length - kept.length;
    const result = { ...raw, violations: kept };
    stats.record(req, result);
    if (result.ms > 2000)
      console.log(
        `slow case ${i} (${result.ms.toFixed(0)} ms, ${transport}): ${req.method} ${req.url.slice(0, 120)} [${req.mutations.join(', ')}]`,
      );
    if (result.violations.length > 0 && !values.quiet) {
      console.log(
        `\nFAILURE (seed ${seed}, batch ${batch} seed ${batchSeed}, case ${i}, ${transport}):\n  ${result.violations.join('\n  ')}\n${describeRequest(req)}`,
      );
    }
  }
  if (values.verbose) console.log(`closing batch ${batch}`);
  await target.close();
  done += n;
  batch += 1;
  const s = (Date.now() - started) / 1000;
  console.log(`… ${done}/${runs} requests, ${s.toFixed(0)} s, ${stats.failures.size} distinct failures`);
}

const seconds = (Date.now() - started) / 1000;
console.log(`\n${'='.repeat(72)}\nztrisk fuzz summary`);
console.log(
  `seed ${seed}; ${stats.requests} requests in ${seconds.toFixed(1)} s (${(stats.requests / seconds).toFixed(0)}/s); transports ${transports.join('+')}`,
);
console.log(stats.table());
if (ignore) console.log(`ignored violations (--ignore ${ignore.source}): ${ignored}`);
if (crashes.length > 0)
  console.log(`process-level errors: ${crashes.length}\n${crashes.slice(0, 5).join('\n')}`);
for (const [sig, f] of stats.failures) {
  console.log(`\n--- ${f.count}× ${sig}\n${f.violations.join('\n')}\n${f.example}`);
}
process.exitCode = stats.failures.size > 0 || crashes.length > 0 ? 1 : 0;
