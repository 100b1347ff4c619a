import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_KEYS } from '../src/config/config.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('docs move with the code', () => {
  for (const key of CONFIG_KEYS) {
    it(`README's configuration table documents ${key.env}`, () => {
      const row = README.split('\n').find((line) => line.startsWith(`| \`${key.env}\``));
      assert.ok(row, `no README row for ${key.env}`);
      assert.ok(
        row.includes(key.defaultValue),
        `README row for ${key.env} shows default ${key.defaultValue}`,
      );
    });
  }

  it('README shows the two commands of the quickstart', () => {
    assert.ok(README.includes('npm ci && npm start'));
    assert.ok(README.includes('npm test'));
  });
});
