import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allRules } from '../rules/index.js';
import { lintText } from '../src/engine.js';
import { lint } from '../src/lint.js';
import { parseKernelVersion } from '../src/analysis/kernel.js';
import type { Finding } from '../src/types.js';

/**
 * The fixture harness: every C file under fixtures/ states its expected
 * findings inline (see fixtures/README.md); a missing or unexpected finding fails.
 */

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixturesDir = path.join(repo, 'fixtures');

interface Expectation {
  ruleId: string;
  text: string | null;
}

function cFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...cFiles(p));
    else if (/\.[ch]$/.test(name)) out.push(p);
  }
  return out;
}

/** `expect: id "text", id` entries of one line. */
export function parseExpectations(line: string): Expectation[] {
  const m = /\bexpect:\s*(.*?)\s*(?:\*\/.*)?$/.exec(line);
  if (!m) return [];
  const out: Expectation[] = [];
  const entry = /\s*([a-z0-9-]+)(?:\s+"([^"]*)")?\s*(?:,|$)/gy;
  let e: RegExpExecArray | null;
  while (entry.lastIndex < m[1].length && (e = entry.exec(m[1]))) out.push({ ruleId: e[1], text: e[2] ?? null });
  if (entry.lastIndex < m[1].length) throw new Error(`malformed expectation: ${line.trim()}`);
  return out;
}

/**
 * `/* expect(kernel V): ID[ "text"], ... *\/` or `/* expect(kernel V): none *\/`, before the line's plain
 * expectations: what the line reports when linted with --kernel V instead; a file with such comments is also linted
 * with each V it names.
 */
const KERNEL_EXPECT = /\bexpect\(kernel ([^)\s]+)\):\s*(.*?)\s*\*\//g;

function kernelVersions(text: string): string[] {
  return [...new Set([...text.matchAll(KERNEL_EXPECT)].map((m) => m[1]))].sort();
}

function kernelExpectations(version: string): (line: string) => Expectation[] {
  return (line) => {
    const m = [...line.matchAll(KERNEL_EXPECT)].find((x) => x[1] === version);
    if (!m) return parseExpectations(line);
    return m[2] === 'none' ? [] : parseExpectations(`expect: ${m[2]}`);
  };
}

const ruleIds = new Set(allRules.map((r) => r.id));
const files = cFiles(fixturesDir);
const crossFileDir = path.join(fixturesDir, 'cross-file');
const crossFileCases = readdirSync(crossFileDir).filter((d) => statSync(path.join(crossFileDir, d)).isDirectory()).sort();

/** Missing and unexpected findings of one file, against its inline expectations. */
function compare(rel: string, text: string, findings: Finding[], expectationsOf: (line: string) => Expectation[] = parseExpectations): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  const expected = new Map<number, Expectation[]>();
  lines.forEach((l, i) => {
    const exps = expectationsOf(l);
    for (const e of exps) assert.ok(ruleIds.has(e.ruleId), `${rel}:${i + 1}: unknown rule '${e.ruleId}' in expectation`);
    if (exps.length) expected.set(i + 1, exps);
  });
  const problems: string[] = [];
  const byLine = new Map<number, Finding[]>();
  for (const f of findings) {
    const l = f.location.region.startLine;
    byLine.set(l, [...(byLine.get(l) ?? []), f]);
  }
  for (const line of new Set([...expected.keys(), ...byLine.keys()])) {
    const exps = [...(expected.get(line) ?? [])];
    const got = [...(byLine.get(line) ?? [])];
    for (const e of [...exps]) {
      const i = got.findIndex((f) => f.ruleId === e.ruleId && (e.text === null || f.message.includes(e.text)));
      if (i >= 0) {
        got.splice(i, 1);
        exps.splice(exps.indexOf(e), 1);
      }
    }
    for (const e of exps) problems.push(`${rel}:${line}: missing ${e.ruleId}${e.text ? ` "${e.text}"` : ''}`);
    for (const f of got) problems.push(`${rel}:${line}: unexpected ${f.ruleId}: ${f.message}`);
  }
  return problems;
}

test('fixtures exist for every rule', () => {
  const named = new Set(files.flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap(parseExpectations).map((e) => e.ruleId)));
  for (const id of ruleIds) assert.ok(named.has(id), `no fixture expects a finding of '${id}'`);
});

for (const file of files.filter((f) => !f.startsWith(crossFileDir + path.sep))) {
  const rel = path.relative(fixturesDir, file).split(path.sep).join('/');
  test(`fixture ${rel}`, () => {
    const text = readFileSync(file, 'utf8');
    const problems = compare(rel, text, lintText(rel, text, { rules: allRules }).findings);
    assert.deepEqual(problems, [], problems.join('\n'));
  });
  for (const version of kernelVersions(readFileSync(file, 'utf8'))) {
    test(`fixture ${rel} with --kernel ${version}`, () => {
      const text = readFileSync(file, 'utf8');
      const kernel = parseKernelVersion(version);
      assert.ok(kernel, `${rel}: '${version}' is not a kernel version`);
      const problems = compare(rel, text, lintText(rel, text, { rules: allRules, kernel }).findings, kernelExpectations(version));
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
}

// Each cross-file case is one tree, linted as a whole through the real two-phase pipeline.
for (const name of crossFileCases) {
  test(`cross-file fixture ${name}`, async () => {
    const root = path.join(crossFileDir, name);
    const result = await lint({
      root,
      paths: [root],
      rules: allRules,
      discover: { extensions: ['.c', '.h'], include: [], exclude: [], useIgnoreFiles: false },
    });
    assert.deepEqual(result.notifications, []);
    const problems = cFiles(root).flatMap((file) => {
      const rel = path.relative(root, file).split(path.sep).join('/');
      return compare(`${name}/${rel}`, readFileSync(file, 'utf8'), result.files.find((f) => f.path === rel)?.findings ?? []);
    });
    assert.deepEqual(problems, [], problems.join('\n'));
  });
}
