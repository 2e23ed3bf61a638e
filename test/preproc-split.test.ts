import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfigurations } from '../src/analysis/configurations.js';
import { NO_DEFINES } from '../src/analysis/preproc.js';
import { lintText } from '../src/engine.js';
import { allRules } from '../rules/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/preprocessor-split');
const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
const NEEDLES = ['vmsplice'];

test('a brace split is parsed once per branch, each configuration whole and with the original offsets', () => {
  const text = read('same-in-both.c');
  const c = parseConfigurations(text, NEEDLES, NO_DEFINES);
  assert.equal(c.all.length, 2);
  assert.deepEqual(c.split[0].labels, ['#if defined(__GLIBC__)', 'the #else of #if defined(__GLIBC__)']);
  for (const { parsed } of c.all) {
    assert.equal(parsed.text.length, text.length);
    assert.deepEqual(parsed.text.split('\n').map((l) => l.length), text.split('\n').map((l) => l.length));
    assert.equal(parsed.tree.rootNode.hasError, false);
    const fns = parsed.tree.rootNode.descendantsOfType('function_definition');
    assert.equal(fns.length, 1);
    assert.equal(fns[0].endPosition.row, text.split('\n').findIndex((l) => l === '}'));
  }
  assert.match(c.all[0].parsed.text, /size_t n\) \{/);
  assert.doesNotMatch(c.all[0].parsed.text, /long n/);
  assert.match(c.all[1].parsed.text, /long n\) \{/);
});

test('a file without a split, or whose conditionals balance, is parsed once', () => {
  const even = '#ifdef X\nstatic int f(int a) { return a; }\n#else\nstatic int f(long a) { return 0; }\n#endif\nint g(int fd) { return vmsplice(fd, 0, 0, 0); }\n';
  assert.equal(parseConfigurations(even, NEEDLES, NO_DEFINES).all.length, 1);
});

test('a finding in both configurations is reported once and names no condition; one in a single branch names it', () => {
  const both = lintText('same-in-both.c', read('same-in-both.c'), { rules: allRules }).findings;
  assert.equal(both.length, 1);
  assert.doesNotMatch(both[0].message, /under/);
  const one = lintText('one-branch.c', read('one-branch.c'), { rules: allRules }).findings;
  assert.deepEqual(one.map((f) => f.ruleId), ['splice-f-gift']);
  assert.match(one[0].message, /\(under '#ifdef USE_GIFT'\)\./);
});

test('-D/-U decide which branches of a split are parsed', () => {
  const text = read('one-branch.c');
  const on = lintText('one-branch.c', text, { rules: allRules, defines: { defined: new Map([['USE_GIFT', '1']]), undefined: new Set() } }).findings;
  assert.deepEqual(on.map((f) => f.ruleId), ['splice-f-gift']);
  assert.doesNotMatch(on[0].message, /under/, 'decided: no condition to name');
  const off = lintText('one-branch.c', text, { rules: allRules, defines: { defined: new Map(), undefined: new Set(['USE_GIFT']) } }).findings;
  assert.deepEqual(off, []);
});

test('groups written alike switch together, and a three-way #elif chain gives three configurations', () => {
  const chain = '#if A\nint f(int a) {\n#elif B\nint f(long a) {\n#else\nint f(short a) {\n#endif\n  return vmsplice(0, 0, 0, 0);\n}\n';
  const c = parseConfigurations(chain, NEEDLES, NO_DEFINES);
  assert.equal(c.all.length, 3);
  assert.deepEqual(c.split[0].labels, ['#if A', '#elif B', 'the #else of #if A']);
  const paired = 'int f(int a)\n{\n#ifdef LOCKED\n  if (a) {\n#endif\n    vmsplice(a, 0, 0, 0);\n#ifdef LOCKED\n  }\n#endif\n  return 0;\n}\nint g(int a) { return a; }\n';
  const cpp = '#ifdef __cplusplus\nextern "C" {\n#endif\nint g(int fd);\n#ifdef __cplusplus\n}\n#endif\n';
  for (const text of [paired, cpp]) {
    const p = parseConfigurations(text, NEEDLES, NO_DEFINES);
    assert.equal(p.all.length, 2);
    assert.equal(p.split.length, 1, 'the opening and the closing group are one switch');
    for (const { parsed } of p.all) assert.equal(parsed.tree.rootNode.hasError, false, parsed.text);
  }
});
