import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Dependencies point inward (STYLE.md §2): this test walks every `.ts` file under `src/` and fails on a
 * wrong-way import. It also checks that every test file is run by `npm run test:node`.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'data', 'test-output']);

/** Every file under `dir` whose name passes `keep`, as absolute paths. */
function walk(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...walk(join(dir, entry.name), keep));
    } else if (entry.isFile() && keep(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

const IMPORT_PATTERNS: readonly RegExp[] = [
  // import x from '…', import type { A } from '…', export { a } from '…', export * from '…' (multi-line too)
  /(?:^|[;}\n])\s*(?:import|export)\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
  // import '…' (side effects only)
  /(?:^|[;}\n])\s*import\s*['"]([^'"]+)['"]/g,
  // import('…')
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The module specifiers a TypeScript source imports or re-exports from (comments ignored). */
function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) if (m[1] !== undefined) found.add(m[1]);
  }
  return [...found];
}

/** What an import points at: a top-level folder of `src/` (or `main.ts`), or something outside. */
type Target = { kind: 'src'; layer: string; path: string } | { kind: 'external'; name: string };

function targetOf(fromFile: string, specifier: string): Target {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return { kind: 'external', name: specifier };
  const abs = resolve(dirname(fromFile), specifier);
  const rel = toPosix(relative(SRC, abs));
  if (rel.startsWith('..')) return { kind: 'external', name: toPosix(relative(ROOT, abs)) };
  const [first = ''] = rel.split('/');
  return { kind: 'src', layer: rel.includes('/') ? first : 'main', path: `src/${rel}` };
}

function layerOf(file: string): string {
  const rel = toPosix(relative(SRC, file));
  const [first = ''] = rel.split('/');
  return rel.includes('/') ? first : 'main';
}

/**
 * Why this import breaks the layering, or undefined when it is allowed. Unit tests beside pure modules
 * (`*.test.ts`) may use the test runner, assertions and test packages, but not wrong-way src imports.
 */
function violation(fromLayer: string, target: Target, isTest = false): string | undefined {
  if (isTest && target.kind === 'external') return undefined;
  const what = target.kind === 'src' ? target.path : `package/builtin "${target.name}"`;
  if (fromLayer === 'domain') {
    if (target.kind !== 'src' || target.layer !== 'domain')
      return `domain may import only domain, not ${what}`;
  }
  if (fromLayer === 'detectors') {
    if (target.kind !== 'src' || (target.layer !== 'domain' && target.layer !== 'detectors')) {
      return `detectors may import only domain and detectors, not ${what}`;
    }
  }
  if (target.kind !== 'src') return undefined;
  if (fromLayer === 'services' && ['api', 'cli', 'dashboard'].includes(target.layer)) {
    return `services must not import ${target.path}`;
  }
  if (fromLayer === 'store' && ['services', 'api', 'cli'].includes(target.layer)) {
    return `store must not import ${target.path}`;
  }
  if (fromLayer !== 'cli' && target.layer === 'cli') return `only cli may import ${target.path}`;
  return undefined;
}

describe('architecture: imports point inward', () => {
  describe('the import parser', () => {
    const cases: readonly [string, string, string[]][] = [
      ['a default import', "import Fastify from 'fastify';", ['fastify']],
      ['a named import over several lines', "import {\n  a,\n  type B,\n} from '../x/y.js';", ['../x/y.js']],
      ['a type-only import', "import type { Store } from './store.js';", ['./store.js']],
      ['a namespace import', 'import * as fs from "node:fs";', ['node:fs']],
      ['a side-effect import', "import './setup.js';", ['./setup.js']],
      ['a re-export', "export { a, b } from './a.js';\nexport * from './b.js';", ['./a.js', './b.js']],
      ['a type re-export', "export type { T } from '../domain/types.js';", ['../domain/types.js']],
      ['a dynamic import', "const m = await import('../cli/main.js');", ['../cli/main.js']],
      ['nothing in comments', "/** import x from 'no' */\n// import y from 'nope'\nconst a = 1;", []],
      ['no plain exports', "export const from = 'x';\nexport function f() {}", []],
    ];
    for (const [label, source, expected] of cases) {
      it(`finds ${label}`, () => {
        assert.deepEqual(importSpecifiers(source).sort(), [...expected].sort());
      });
    }
  });

  it('finds no wrong-way import in any src/ file', () => {
    const files = walk(SRC, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
    assert.ok(files.length > 10, `expected the source tree under ${SRC}, found ${files.length} files`);
    const problems: string[] = [];
    let imports = 0;
    for (const file of files) {
      const fromLayer = layerOf(file);
      const isTest = file.endsWith('.test.ts');
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        imports += 1;
        const why = violation(fromLayer, targetOf(file, specifier), isTest);
        if (why) problems.push(`${toPosix(relative(ROOT, file))}: '${specifier}': ${why}`);
      }
    }
    assert.ok(imports > files.length, 'the parser found suspiciously few imports');
    assert.deepEqual(problems, [], `wrong-way imports:\n${problems.join('\n')}`);
  });

  describe('the rules themselves', () => {
    const cases: readonly [string, string, Target, boolean][] = [
      ['domain → domain', 'domain', { kind: 'src', layer: 'domain', path: 'src/domain/a.ts' }, true],
      ['domain → node:crypto', 'domain', { kind: 'external', name: 'node:crypto' }, false],
      ['domain → a package', 'domain', { kind: 'external', name: '@sinclair/typebox' }, false],
      ['domain → store', 'domain', { kind: 'src', layer: 'store', path: 'src/store/store.ts' }, false],
      ['detectors → domain', 'detectors', { kind: 'src', layer: 'domain', path: 'src/domain/a.ts' }, true],
      [
        'detectors → detectors',
        'detectors',
        { kind: 'src', layer: 'detectors', path: 'src/detectors/a.ts' },
        true,
      ],
      ['detectors → ingest', 'detectors', { kind: 'src', layer: 'ingest', path: 'src/ingest/a.ts' }, false],
      ['detectors → node:fs', 'detectors', { kind: 'external', name: 'node:fs' }, false],
      ['services → store', 'services', { kind: 'src', layer: 'store', path: 'src/store/store.ts' }, true],
      ['services → api', 'services', { kind: 'src', layer: 'api', path: 'src/api/app.ts' }, false],
      [
        'services → dashboard',
        'services',
        { kind: 'src', layer: 'dashboard', path: 'src/dashboard/a.ts' },
        false,
      ],
      ['store → domain', 'store', { kind: 'src', layer: 'domain', path: 'src/domain/a.ts' }, true],
      ['store → services', 'store', { kind: 'src', layer: 'services', path: 'src/services/a.ts' }, false],
      ['store → api', 'store', { kind: 'src', layer: 'api', path: 'src/api/a.ts' }, false],
      ['api → cli', 'api', { kind: 'src', layer: 'cli', path: 'src/cli/main.ts' }, false],
      ['main → cli', 'main', { kind: 'src', layer: 'cli', path: 'src/cli/main.ts' }, false],
      ['cli → main', 'cli', { kind: 'src', layer: 'main', path: 'src/main.ts' }, true],
      ['cli → cli', 'cli', { kind: 'src', layer: 'cli', path: 'src/cli/x.ts' }, true],
    ];
    for (const [label, from, target, allowed] of cases) {
      it(`${allowed ? 'allows' : 'forbids'} ${label}`, () => {
        assert.equal(violation(from, target) === undefined, allowed);
      });
    }

    it('lets a unit test beside a pure module use node:test and node:assert', () => {
      assert.equal(violation('domain', { kind: 'external', name: 'node:test' }, true), undefined);
      assert.equal(violation('detectors', { kind: 'external', name: 'node:assert/strict' }, true), undefined);
    });

    it('still forbids a unit test beside a pure module a wrong-way src import', () => {
      const store: Target = { kind: 'src', layer: 'store', path: 'src/store/store.ts' };
      assert.notEqual(violation('domain', store, true), undefined);
    });
  });
});

describe('test runner', () => {
  it('lists every *.test.ts file of the repository in the test:node script', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    const script = pkg.scripts?.['test:node'];
    assert.ok(script, 'package.json has no test:node script');
    // If the script delegates to a runner file under test/, that file's list counts too.
    let listed = script;
    for (const m of script.matchAll(/(test\/[\w./-]+\.(?:mjs|js|ts))/g)) {
      const runner = join(ROOT, m[1] ?? '');
      if (existsSync(runner)) listed += `\n${readFileSync(runner, 'utf8')}`;
    }
    const testFiles = walk(ROOT, (name) => name.endsWith('.test.ts')).map((f) => toPosix(relative(ROOT, f)));
    assert.ok(testFiles.includes('test/architecture.test.ts'), 'the walk did not find this very file');
    const missing = testFiles.filter((f) => !listed.includes(f)).sort();
    assert.deepEqual(missing, [], `not run by "npm run test:node" (${script}):\n${missing.join('\n')}`);
  });
});
