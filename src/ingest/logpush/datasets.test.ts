import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLogpushDataset, LOGPUSH_DATASETS } from './datasets.js';

describe('isLogpushDataset', () => {
  for (const dataset of LOGPUSH_DATASETS) {
    it(`accepts ${dataset}`, () => assert.equal(isLogpushDataset(dataset), true));
  }
  for (const value of ['gateway_network', 'Gateway_HTTP', '', 'toString', null, 1, ['gateway_http']]) {
    it(`rejects ${JSON.stringify(value)}`, () => assert.equal(isLogpushDataset(value), false));
  }
});
