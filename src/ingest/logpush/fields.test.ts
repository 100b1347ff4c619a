import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asNumber,
  readBoolean,
  readIntegerArray,
  readObject,
  readString,
  readStringArray,
} from './fields.js';

describe('field readers', () => {
  it('read only own properties', () => {
    const record = JSON.parse('{"__proto__":{"Email":"x@example.com"}}');
    assert.equal(readString(record, 'Email'), undefined);
    assert.equal(readString({}, 'constructor'), undefined);
    assert.deepEqual(readIntegerArray({}, 'toString'), []);
  });

  const strings: [unknown, string | undefined][] = [
    [' a@b ', 'a@b'],
    ['', undefined],
    ['   ', undefined],
    [null, undefined],
    [0, undefined],
    [false, undefined],
    [{}, undefined],
    [[], undefined],
  ];
  for (const [value, expected] of strings) {
    it(`readString(${JSON.stringify(value)}) is ${JSON.stringify(expected)}`, () => {
      assert.equal(readString({ F: value }, 'F'), expected);
    });
  }

  const booleans: [unknown, boolean | undefined][] = [
    [true, true],
    [false, false],
    ['TRUE', true],
    [' false ', false],
    ['yes', undefined],
    [1, undefined],
    [0, undefined],
    [null, undefined],
  ];
  for (const [value, expected] of booleans) {
    it(`readBoolean(${JSON.stringify(value)}) is ${expected}`, () => {
      assert.equal(readBoolean({ F: value }, 'F'), expected);
    });
  }

  const numbers: [unknown, number | undefined][] = [
    [67, 67],
    ['67', 67],
    [' 6.5 ', 6.5],
    ['-2', -2],
    ['1e2', 100],
    ['', undefined],
    ['67%', undefined],
    ['0x10', undefined],
    ['Infinity', undefined],
    [Number.NaN, undefined],
    [true, undefined],
    [null, undefined],
  ];
  for (const [value, expected] of numbers) {
    it(`asNumber(${String(value)}) is ${expected}`, () => assert.equal(asNumber(value), expected));
  }

  const integerArrays: [unknown, number[]][] = [
    [
      [21, 117],
      [21, 117],
    ],
    [
      [21, '117', 21],
      [21, 117],
    ],
    [[1.5, -1, null, 'x', {}, 80], [80]],
    [80, [80]],
    [[], []],
    [null, []],
    ['21,117', []],
  ];
  for (const [value, expected] of integerArrays) {
    it(`readIntegerArray(${JSON.stringify(value)}) is [${expected}]`, () => {
      assert.deepEqual(readIntegerArray({ F: value }, 'F'), expected);
    });
  }

  const stringArrays: [unknown, string[]][] = [
    [
      ['a', ' b ', 'a'],
      ['a', 'b'],
    ],
    [['', null, 1, {}, 'c'], ['c']],
    ['solo', ['solo']],
    [[], []],
    [null, []],
    [{}, []],
  ];
  for (const [value, expected] of stringArrays) {
    it(`readStringArray(${JSON.stringify(value)}) is ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(readStringArray({ F: value }, 'F'), expected);
    });
  }

  const objects: [unknown, object | undefined][] = [
    [{ overall: 88 }, { overall: 88 }],
    ['{"overall":"67"}', { overall: '67' }],
    [' {"a":1} ', { a: 1 }],
    ['{"overall":', undefined],
    ['[1]', undefined],
    ['null', undefined],
    [[], undefined],
    [null, undefined],
  ];
  for (const [value, expected] of objects) {
    it(`readObject(${JSON.stringify(value)}) is ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(readObject({ F: value }, 'F'), expected);
    });
  }
});
