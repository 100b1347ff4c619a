import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ACCOUNT } from '../support/harness.js';
import {
  checkResponse,
  describeRequest,
  type FuzzRequest,
  FuzzStats,
  type FuzzTarget,
  requestArb,
  runCase,
  startFuzzTarget,
} from './api-fuzz.js';

/**
 * The short fuzz run (part of `npm test`; the long run is `npm run fuzz`, docs/fuzzing.md): requests for
 * every operation of ztrisk's own OpenAPI document, valid-ish and mutated, in-process and over a real
 * socket. Every response must be a non-5xx JSON v4 envelope, the app must keep answering, and a rejected
 * mutation must leave the account's state unchanged. The seed is fixed (override with FUZZ_SEED); a
 * failure prints it with the shrunk request.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_302);
const INJECT_RUNS = Number(process.env.FUZZ_RUNS ?? 1800);
const HTTP_RUNS = Math.round(INJECT_RUNS / 3);

async function fuzz(target: FuzzTarget, numRuns: number, raw: boolean): Promise<FuzzStats> {
  const stats = new FuzzStats();
  const arb = requestArb(target.spec, target.pools, target.creds, { raw, large: false });
  const property = fc.asyncProperty(arb, async (req: FuzzRequest) => {
    const result = await runCase(target, req);
    stats.record(req, result);
    if (result.violations.length > 0) {
      throw new Error(`${result.violations.join('\n')}\n${describeRequest(req)}`);
    }
  });
  const out = await fc.check(property, { seed: SEED, numRuns, endOnFailure: false, maxSkipsPerRun: 0 });
  if (out.failed) {
    const counterexample = out.counterexample?.[0];
    throw new Error(
      `fuzz invariant failed (seed ${SEED}, path ${out.counterexamplePath ?? '?'}; rerun: FUZZ_SEED=${SEED} ` +
        `node --import tsx --test test/fuzz/api.fuzz.test.ts)\n${out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance)}` +
        (counterexample ? `\n--- shrunk request ---\n${describeRequest(counterexample)}` : ''),
    );
  }
  return stats;
}

function assertCoverage(target: FuzzTarget, stats: FuzzStats): void {
  // Every operation of the document was exercised, and requests got past validation and were refused.
  for (const op of target.spec.operations) {
    assert.ok((stats.byOperation.get(op.operationId) ?? 0) > 0, `operation ${op.operationId} never fuzzed`);
  }
  assert.ok((stats.byStatus.get('200') ?? 0) > 0, 'no request succeeded: the generators are off');
  assert.ok((stats.byStatus.get('400') ?? 0) > 0, 'no request was rejected with 400');
  assert.ok(stats.stateChecks > 0, 'no rejected mutation had its state checked');
}

describe('API fuzz, short run', () => {
  describe('in-process (inject)', () => {
    let target: FuzzTarget;
    before(async () => {
      target = await startFuzzTarget({ transport: 'inject' });
    });
    after(async () => target.close());

    it(`${INJECT_RUNS} generated requests keep every invariant (seed ${SEED})`, async () => {
      const stats = await fuzz(target, INJECT_RUNS, false);
      assertCoverage(target, stats);
    });
  });

  describe('over a real socket (raw bytes)', () => {
    let target: FuzzTarget;
    before(async () => {
      target = await startFuzzTarget({ transport: 'http' });
    });
    after(async () => target.close());

    it(`${HTTP_RUNS} generated requests keep every invariant (seed ${SEED})`, async () => {
      const stats = await fuzz(target, HTTP_RUNS, true);
      assert.ok(stats.requests >= HTTP_RUNS);
    });
  });
});

/**
 * Regressions: the smallest requests that broke an invariant when the fuzzer found them (docs/fuzzing.md,
 * "Findings"). Each must answer a JSON v4 failure envelope with an `x-request-id`.
 */
describe('API fuzz, regressions', () => {
  let inject: FuzzTarget;
  let http: FuzzTarget;
  before(async () => {
    inject = await startFuzzTarget({ transport: 'inject' });
    http = await startFuzzTarget({ transport: 'http' });
  });
  after(async () => {
    await inject.close();
    await http.close();
  });

  const request = (target: FuzzTarget, method: string, url: string, headers: [string, string][] = []) => ({
    operationId: 'regression',
    method,
    url,
    headers: [['authorization', `Bearer ${target.creds.admin}`] as const, ...headers],
    payload: undefined,
    mutations: [],
    exact: false,
  });

  async function expectEnvelope(target: FuzzTarget, req: FuzzRequest, anyStatus = false): Promise<void> {
    const res = await target.send(req);
    const violations = checkResponse(target.spec, req, res, {}, target.transport);
    assert.deepEqual(violations, [], `${res.status} ${res.body.slice(0, 300)}`);
    if (!anyStatus) assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.ok(await target.healthy());
  }

  // Fastify's router rejects a percent-encoding that is not UTF-8 (FST_ERR_BAD_URL) with its own body
  // `{"error":"Bad Request","code":"FST_ERR_BAD_URL",…}` and no x-request-id.
  for (const segment of ['%C0%AF', '%FF', '%ED%A0%80']) {
    it(`a path segment ${segment} (invalid UTF-8) gets the v4 envelope`, async () => {
      await expectEnvelope(
        inject,
        request(inject, 'GET', `/client/v4/accounts/${segment}/zt_risk_scoring/behaviors`),
      );
      await expectEnvelope(
        inject,
        request(
          inject,
          'GET',
          `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations/reference_id/${segment}`,
        ),
      );
    });
  }

  // A path parameter over the router's maxParamLength (1024) gets 414 with Fastify's own body
  // (FST_ERR_MAX_PARAM_LENGTH) and no x-request-id.
  it('a path parameter longer than 1024 characters gets the v4 envelope', async () => {
    await expectEnvelope(
      inject,
      request(inject, 'GET', `/client/v4/accounts/${'p'.repeat(1025)}/zt_risk_scoring/summary`),
    );
    await expectEnvelope(
      inject,
      request(
        inject,
        'GET',
        `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/integrations/reference_id/${'r'.repeat(1025)}`,
      ),
    );
  });

  // Node's HTTP server answers an unmet `Expect` with a bare 417 (no body, no content-type). Either
  // answer is fine (an envelope 417, or the request served as if the header were absent).
  it('an Expect header other than 100-continue gets the v4 envelope', async () => {
    await expectEnvelope(
      http,
      request(http, 'GET', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`, [['expect', 'x']]),
      true,
    );
  });

  // Node's HTTP server closes a CONNECT request's connection without any response.
  it('a CONNECT request gets the v4 envelope', async () => {
    await expectEnvelope(
      http,
      request(http, 'CONNECT', `/client/v4/accounts/${ACCOUNT}/zt_risk_scoring/behaviors`),
    );
  });
});
