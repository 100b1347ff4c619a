import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, recordKey } from './record-key.js';

describe('recordKey', () => {
  it('uses the record’s own id when it has one', () => {
    assert.deepEqual(recordKey('gateway_http', { RequestID: ' abc ' }, 'RequestID'), {
      key: 'abc',
      recordId: 'abc',
    });
  });

  for (const id of ['', null, 7, undefined]) {
    it(`hashes the record when its id is ${JSON.stringify(id)}`, () => {
      const key = recordKey('gateway_http', { RequestID: id, Datetime: 1 }, 'RequestID');
      assert.match(key.key, /^sha256-[0-9a-f]{32}$/);
      assert.equal(key.recordId, undefined);
    });
  }

  it('hashes deterministically, whatever the key order', () => {
    const a = recordKey('device_posture_results', { A: 1, B: { y: [1, { q: 2, p: 3 }], x: null } });
    const b = recordKey('device_posture_results', { B: { x: null, y: [1, { p: 3, q: 2 }] }, A: 1 });
    assert.deepEqual(a, b);
  });

  it('distinguishes datasets and contents', () => {
    const keys = [
      recordKey('device_posture_results', { A: 1 }).key,
      recordKey('gateway_dns', { A: 1 }).key,
      recordKey('device_posture_results', { A: 2 }).key,
      recordKey('device_posture_results', { A: '1' }).key,
    ];
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 'x', c: true }] }), '{"a":[{"c":true,"d":"x"}],"b":1}');
  });

  it('stops descending deep inside hostile input instead of overflowing the stack', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.ok(canonicalJson(deep).includes('"…"'));
  });
});
