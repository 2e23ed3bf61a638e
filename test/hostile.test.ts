// Hostile input: whatever bytes a file holds, the CLI finishes in time, exits 0 or 1 (never 2 for a bad input file),
// prints no stack trace, and its JSON/SARIF parses; positions stay right (1-based lines, UTF-16 columns).
// Every input is generated here, in os.tmpdir(); nothing big is committed.

import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test, type TestContext } from 'node:test';
import type * as Sarif from 'sarif';
import {
  assertLintCompleted,
  hashSeed,
  parseJson,
  parseSarif,
  prng,
  resultPath,
  runCli,
  sarifNotifications,
  tempDir,
  writeTree,
  type CliRun,
  type JsonOutput,
} from './helpers/hostile-run.js';
import { validateSarif } from './helpers/sarif-validate.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repoRoot, 'dist/src/cli.js');
const fixturesDir = path.join(repoRoot, 'fixtures');

const tmp = tempDir('hostile');
// VMSPLICE_LINT_KEEP_TMP=1 keeps the generated trees for a look after a failure.
after(() => {
  if (!process.env.VMSPLICE_LINT_KEEP_TMP) tmp.remove();
});
let dirCount = 0;
/** A fresh directory for one test's tree. */
function workDir(name: string, files: Record<string, string | Buffer> = {}): string {
  const dir = path.join(tmp.dir, `${++dirCount}-${name}`);
  writeTree(dir, files);
  return dir;
}

const GIFT_CALL = 'vmsplice(fd, iov, 1, SPLICE_F_GIFT)';
const OK_C = `#include <fcntl.h>\nint ok(int fd, struct iovec *iov) { return ${GIFT_CALL}; }\n`;

/** 1-based line and UTF-16 column of the `occurrence`-th `needle` in `text`, splitting lines as the analyzer must. */
function position(text: string, needle: string, occurrence = 0): { line: number; column: number } {
  const lines = text.split(/\r\n|\r|\n/);
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    let from = 0;
    for (;;) {
      const at = lines[i].indexOf(needle, from);
      if (at < 0) break;
      if (seen++ === occurrence) return { line: i + 1, column: at + 1 };
      from = at + 1;
    }
  }
  throw new Error(`'${needle}' #${occurrence} not in the text`);
}

function findingsIn(out: JsonOutput, file: string, ruleId = 'splice-f-gift'): { line: number; column: number }[] {
  return out.findings.filter((f) => f.path === file && f.ruleId === ruleId).map((f) => ({ line: f.line, column: f.column }));
}

// ---------------------------------------------------------------------------------------------------------------
// Fuzzing the fixtures: truncations and byte replacements.
//
// All variants of one kind are linted in ONE CLI run over a temporary tree: variant k of every fixture goes under
// '<k>/', the fixture tree's layout kept (so cross-file indexing sees the damaged headers too).

interface Fixture {
  rel: string;
  bytes: Buffer;
}

function readFixtures(): Fixture[] {
  const out: Fixture[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ rel: path.relative(fixturesDir, p).split(path.sep).join('/'), bytes: readFileSync(p) });
    }
  };
  walk(fixturesDir);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

const fixtures = readFixtures();
/** Non-C fixtures (README.md) are linted too, under a .c name: hostile text for the parser. */
const asSource = (rel: string): string => (/\.[ch]$/.test(rel) ? rel : `${rel}.c`);

const CUT_POINTS = 10;
// 10 keeps both fuzz runs within about 20 s on two cores (measured: 600 truncations in 4-6 s, 600 replacement
// variants in about 11 s); VMSPLICE_LINT_FUZZ_VARIANTS=20 doubles the replacements (about 23 s for that run).
const REPLACEMENT_VARIANTS = Math.max(1, Number(process.env.VMSPLICE_LINT_FUZZ_VARIANTS ?? 10));
// A hang fails at this.
const FUZZ_TIMEOUT = 120_000;
// The SARIF Multitool takes seconds per MB (and skips logs over 10,000 KB): it validates the run's log with its
// results cut to the first ones; every result is still checked here.
const MULTITOOL_SAMPLE = 500;

/** Cut `bytes` at the k-th of CUT_POINTS evenly spaced points (never at 0 or the full length). */
function truncated(bytes: Buffer, k: number): Buffer {
  return bytes.subarray(0, Math.floor((bytes.length * (k + 1)) / (CUT_POINTS + 1)));
}

/** 1 to 16 bytes replaced by random non-NUL bytes; seeded by fixture path and variant, so reproducible. */
function replaced(rel: string, bytes: Buffer, variant: number): Buffer {
  const rnd = prng(hashSeed(`${rel}#${variant}`));
  const out = Buffer.from(bytes);
  if (out.length === 0) return out;
  const count = 1 + Math.floor(rnd() * 16);
  for (let i = 0; i < count; i++) {
    const at = Math.floor(rnd() * out.length);
    // NUL makes the file binary, which the NUL test covers; here the bytes must reach the parser.
    out[at] = 1 + Math.floor(rnd() * 255);
  }
  return out;
}

interface Batch {
  name: string;
  files: Map<string, Buffer>;
}

/** Problems of one run over `batch.files`, as readable lines (empty: all good). */
function checkBatch(batch: Batch, r: CliRun, validate: boolean): string[] {
  try {
    assertLintCompleted(r);
  } catch (err) {
    return [`${batch.name}: ${(err as Error).message}`];
  }
  let run: Sarif.Run;
  try {
    run = parseSarif(r);
  } catch (err) {
    return [`${batch.name}: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  if (r.stderr !== '') problems.push(`${batch.name}: unexpected stderr: ${r.stderr.slice(0, 500)}`);
  for (const n of sarifNotifications(run)) {
    // Damaged input may cost structure (parse-recovery) or make a directive wrong, never an analysis crash or a skip.
    if (n.kind === 'parse-recovery' || n.kind === 'directive') continue;
    problems.push(`${batch.name}: notification ${n.kind} for ${n.path}: ${n.message}`);
  }
  // Each file decoded and split once, however many results it has.
  const linesOf = new Map<string, { lines: string[]; hasCr: boolean }>();
  for (const result of run.results ?? []) {
    const file = resultPath(result);
    const bytes = batch.files.get(file);
    if (!bytes) {
      problems.push(`${batch.name}: result for '${file}', which is not a file of the batch`);
      continue;
    }
    let split = linesOf.get(file);
    if (!split) {
      const text = bytes.toString('utf8');
      split = { lines: text.split(/\r\n|\r|\n/), hasCr: text.includes('\r') };
      linesOf.set(file, split);
    }
    const region = result.locations![0].physicalLocation!.region!;
    const lines = split.lines.length;
    if (region.startLine! > lines || region.endLine! > lines) {
      problems.push(`${batch.name}: ${file}: ${result.ruleId} at line ${region.startLine}-${region.endLine}, but the file has ${lines} lines`);
    } else if (!split.hasCr) {
      const lineText = split.lines[region.startLine! - 1];
      if (region.startColumn! > lineText.length + 1) {
        problems.push(`${batch.name}: ${file}:${region.startLine}: startColumn ${region.startColumn} past the end of the line (${lineText.length} code units)`);
      }
    }
  }
  if (validate) {
    // The log's own top level (the run is the only big part), the run with a sample of its results.
    const $schema = /^\{\s*"\$schema":\s*"([^"]+)"/.exec(r.stdout)?.[1];
    const sarifFile = path.join(tmp.dir, `${batch.name.replace(/\W+/g, '-')}.sarif`);
    const sample: Sarif.Log = { $schema, version: '2.1.0', runs: [{ ...run, results: run.results!.slice(0, MULTITOOL_SAMPLE) }] };
    writeFileSync(sarifFile, JSON.stringify(sample));
    try {
      const v = validateSarif(sarifFile);
      for (const e of v.errors) problems.push(`${batch.name}: SARIF validation: ${e}`);
    } catch (err) {
      const out = String((err as { stdout?: Buffer }).stdout ?? '');
      problems.push(`${batch.name}: the SARIF Multitool failed on ${sarifFile}: ${(err as Error).message.split('\n')[0]}\n${out}`);
    }
  }
  return problems;
}

async function fuzz(t: TestContext, kind: string, batches: Batch[]): Promise<void> {
  const base = workDir(kind);
  batches.forEach((batch, i) => {
    writeTree(path.join(base, String(i)), Object.fromEntries(batch.files));
  });
  const r = runCli(cli, ['--format', 'sarif', '.'], { cwd: base, timeout: FUZZ_TIMEOUT });
  const files = batches.reduce((n, b) => n + b.files.size, 0);
  t.diagnostic(`${kind}: ${files} files in one run, ${Math.round(r.ms)} ms`);
  // The whole run's results, checked against every variant: paths as the CLI reports them, '<i>/<fixture path>'.
  const all = new Map(batches.flatMap((b, i) => [...b.files].map(([rel, bytes]) => [`${i}/${rel}`, bytes] as [string, Buffer])));
  const checking = performance.now();
  const problems = checkBatch({ name: kind, files: all }, r, true);
  t.diagnostic(`${kind}: checking the output took ${Math.round(performance.now() - checking)} ms`);
  // Variants are regenerated from their seeds (fixture path and variant index) to reproduce a failure.
  assert.equal(problems.length, 0, `${problems.length} problem(s):\n${problems.slice(0, 50).join('\n')}`);
}

test(`truncations of every fixture at ${CUT_POINTS} cut points: no crash, exit 0/1, SARIF parses`, async (t) => {
  assert.ok(fixtures.length >= 50, `expected the ~60 fixtures, found ${fixtures.length}`);
  const batches: Batch[] = Array.from({ length: CUT_POINTS }, (_, k) => ({
    name: `truncation ${k + 1}/${CUT_POINTS + 1}`,
    files: new Map(fixtures.map((f) => [asSource(f.rel), truncated(f.bytes, k)])),
  }));
  await fuzz(t, 'truncations', batches);
});

test(`random byte replacements (${REPLACEMENT_VARIANTS} seeded variants of every fixture): no crash, exit 0/1, SARIF parses`, async (t) => {
  const batches: Batch[] = Array.from({ length: REPLACEMENT_VARIANTS }, (_, v) => ({
    name: `replacement variant ${v}`,
    files: new Map(fixtures.map((f) => [asSource(f.rel), replaced(f.rel, f.bytes, v)])),
  }));
  await fuzz(t, 'replacements', batches);
});

// ---------------------------------------------------------------------------------------------------------------
// Pathological shapes.

/** Runs the CLI with JSON output on `args` in `dir`; checks completion and parses. */
function lintJson(dir: string, args: string[], timeout = 60_000): { r: CliRun; out: JsonOutput } {
  const r = runCli(cli, ['--format', 'json', ...args], { cwd: dir, timeout });
  assertLintCompleted(r);
  return { r, out: parseJson(r) };
}

// A linear-time analysis handles 10,000 levels (a 20 kB file) in well under a second including start-up (measured:
// 0.35 s for the parentheses); an analysis quadratic in the depth took 5 s for 10,000 braces and 19 s for 20,000.
// The run's time is printed as a diagnostic; growth is measured by bench/cfg-scaling.ts, not asserted here.
const DEPTH = 10_000;

/** Findings as rule, position and message, with columns on line `line` shifted back by `shift`. */
function shape(out: JsonOutput, file: string, line: number, shift: number): string[] {
  return out.findings
    .filter((f) => f.path === file)
    .map((f) => `${f.ruleId} ${f.line}:${f.line === line ? f.column - shift : f.column} ${f.message}`);
}

/**
 * Lints the text `make(depth)` builds at DEPTH and at depth 1: the same findings (rule, message, position but for
 * the shift the extra nesting causes on `line`). Time is printed, not asserted: the guide keeps timing in bench/
 * (bench/cfg-scaling.ts measures how analysis grows with size), and a wall-clock budget fails on a loaded machine.
 */
function nestingCase(t: TestContext, name: string, line: number, make: (depth: number) => string, depth = DEPTH): void {
  const deep = make(depth);
  const dir = workDir(name, { 'deep.c': deep, 'shallow.c': make(1) });
  const shallow = lintJson(dir, ['shallow.c']);
  const { r, out } = lintJson(dir, ['deep.c']);
  t.diagnostic(`${depth} nested ${name}: ${Math.round(r.ms)} ms`);
  assert.deepEqual(out.notifications, [], `the file is analysed: ${JSON.stringify(out.notifications)}`);
  const at = position(deep, 'vmsplice(');
  assert.ok(findingsIn(out, 'deep.c').some((f) => f.line === at.line && f.column === at.column), JSON.stringify(out.findings));
  assert.deepEqual(shape(out, 'deep.c', line, depth - 1), shape(shallow.out, 'shallow.c', line, 0), 'nesting depth changes the findings');
  assert.equal(r.status, 1);
}

test(`parentheses nested ${DEPTH} deep around a vmsplice call`, (t) => {
  nestingCase(t, 'parentheses', 3, (depth) =>
    [
      '#include <fcntl.h>',
      'int f(int fd, struct iovec *iov) {',
      `  int r = ${'('.repeat(depth)}${GIFT_CALL}${')'.repeat(depth)};`,
      '  return r;',
      '}',
      '',
    ].join('\n'),
  );
});

test(`braces nested ${DEPTH} deep around a vmsplice call`, (t) => {
  nestingCase(t, 'braces', 3, (depth) =>
    [
      '#include <fcntl.h>',
      'int f(int fd, struct iovec *iov) {',
      `  ${'{'.repeat(depth)} if (${GIFT_CALL} < 0) return -1; ${'}'.repeat(depth)}`,
      '  return 0;',
      '}',
      '',
    ].join('\n'),
  );
});

/** A loop around nested blocks holding a vmsplice call and a write to its buffer: needs the control-flow graph. */
const loopAroundBlocks = (depth: number): string =>
  [
    '#include <fcntl.h>',
    'int f(int fd, char *buf, int n) {',
    '  struct iovec v = { buf, n };',
    '  for (;;)',
    `    ${'{'.repeat(depth)} if (${GIFT_CALL.replace('iov', '&v')} < 0) return -1; buf[0] = 1; ${'}'.repeat(depth)}`,
    '  return 0;',
    '}',
    '',
  ].join('\n');

test(`braces nested ${DEPTH} deep inside a loop, around a vmsplice call and a write to its buffer`, (t) => {
  nestingCase(t, 'loop-braces', 5, loopAroundBlocks);
});

// Deep enough to pass any fixed cap on walks toward the root (128 levels in e08dc13), far from the stack's limit.
test('braces nested 300 deep inside a loop: the same findings as nested once', (t) => {
  nestingCase(t, 'loop-braces-300', 5, loopAroundBlocks, 300);
});

// An else-if chain nests each if in the previous one's else: generated dispatch code has thousands. Measured in a
// linear run: 2,000 branches in about 1 s.

test(`an else-if chain of ${DEPTH} branches before a vmsplice call: the same findings as a short chain, in time`, (t) => {
  const make = (branches: number): string => {
    const lines = ['#include <fcntl.h>', 'int f(int fd, char *buf, int n, int a) {', '  struct iovec v = { buf, n };', '  if (a == 0) return 0;'];
    for (let i = 1; i < branches; i++) lines.push(`  else if (a == ${i}) a++;`);
    lines.push(`  if (${GIFT_CALL.replace('iov', '&v')} < 0) return -1;`, '  buf[0] = 1;', '  return 0;', '}', '');
    return lines.join('\n');
  };
  const dir = workDir('else-if', { 'long.c': make(DEPTH), 'short.c': make(3) });
  const short = lintJson(dir, ['short.c']).out;
  const { r, out } = lintJson(dir, ['long.c'], 120_000);
  t.diagnostic(`else-if chain of ${DEPTH}: ${Math.round(r.ms)} ms`);
  assert.deepEqual(out.notifications, [], `the file is analysed: ${JSON.stringify(out.notifications)}`);
  const shifted = (o: JsonOutput, shift: number): string[] => o.findings.map((f) => `${f.ruleId} ${f.line - shift}:${f.column} ${f.message.replace(/line \d+/g, 'line N')}`);
  assert.ok(short.findings.length >= 2, JSON.stringify(short.findings));
  assert.deepEqual(shifted(out, DEPTH - 3), shifted(short, 0));
});

// Measured: about 0.2 s (the file is over the 32 MiB limit and is skipped after fstat). 30 s would still allow
// reading and scanning it on a slow machine.

test('a 50 MB file that mentions vmsplice: findings or a too-large notification, in time', (t) => {
  const dir = workDir('huge');
  mkdirSync(dir);
  const file = path.join(dir, 'huge.c');
  const head = '#include <fcntl.h>\nstatic const unsigned char blob[] = {\n';
  const row = '0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,\n';
  const tail = `};\nint f(int fd, struct iovec *iov) { return ${GIFT_CALL}; }\n`;
  const rows = Math.ceil((50 * 1024 * 1024) / row.length);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    const chunk = row.repeat(10_000);
    for (let written = 0; written < rows; written += 10_000) writeSync(fd, written + 10_000 <= rows ? chunk : row.repeat(rows - written));
    writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
  const r = runCli(cli, ['--format', 'json', 'huge.c'], { cwd: dir, timeout: 120_000 });
  t.diagnostic(`50 MB file: ${Math.round(r.ms)} ms, exit ${r.status}`);
  assertLintCompleted(r);
  const out = parseJson(r);
  const tooLarge = out.notifications.filter((n) => n.kind === 'too-large' && n.path === 'huge.c');
  const findings = findingsIn(out, 'huge.c');
  const callLine = 2 + rows + 2;
  assert.ok(
    (tooLarge.length === 1 && findings.length === 0) || (tooLarge.length === 0 && findings.some((f) => f.line === callLine)),
    `expected a too-large notification or a finding on line ${callLine}: ${JSON.stringify({ notifications: out.notifications, findings })}`,
  );
});

// 400 small files (13 lines, 0.4 kB each; 160 kB in all), each with a pipe, a vmsplice call and a drain, as a tree
// of tests or examples has them. Measured: about 1.1 s (before 59f6572 the analysis was quadratic in the number of
// files: 38 s for 400, 173 s for 800); 20 s leaves room for a loaded machine.
const MANY_FILES = 400;

test(`a tree of ${MANY_FILES} small files that all call vmsplice, in time`, (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < MANY_FILES; i++) {
    files[`d${i % 10}/f${i}.c`] = [
      '#include <fcntl.h>',
      '#include <unistd.h>',
      `static char buf${i}[4096];`,
      `int send${i}(int out) {`,
      '  int p[2];',
      `  struct iovec iov = { buf${i}, sizeof buf${i} };`,
      '  if (pipe(p) < 0) return -1;',
      '  if (vmsplice(p[1], &iov, 1, 0) < 0) return -1;',
      '  if (splice(p[0], NULL, out, NULL, 4096, 0) < 0) return -1;',
      `  memset(buf${i}, 0, sizeof buf${i});`,
      '  close(p[0]); close(p[1]);',
      '  return 0;',
      '}',
      '',
    ].join('\n');
  }
  const dir = workDir('many', files);
  const { r, out } = lintJson(dir, ['.'], 180_000);
  t.diagnostic(`${MANY_FILES} files: ${Math.round(r.ms)} ms`);
  assert.equal(out.summary.files, MANY_FILES);
  assert.deepEqual(out.notifications, []);
  const perFile = new Map<string, string[]>();
  for (const f of out.findings) perFile.set(f.path, [...(perFile.get(f.path) ?? []), `${f.ruleId}@${f.line}`]);
  assert.ok(perFile.size === 0 || perFile.size === MANY_FILES, `findings in ${perFile.size} of ${MANY_FILES} identical files`);
  assert.ok(new Set([...perFile.values()].map((v) => v.join(','))).size <= 1, 'identical files, identical findings');
});

test('invalid UTF-8: the file is linted, columns count each bad sequence as one U+FFFD', () => {
  const lines = [
    Buffer.from('/* Latin-1 comment: caf\xe9, na\xefve, \xa9 2003 */\n', 'latin1'),
    Buffer.from('#include <fcntl.h>\n'),
    Buffer.concat([
      Buffer.from('int f(int fd, struct iovec *iov) { const char *s = "'),
      // lone continuation, invalid lead bytes, overlong NUL, UTF-16 surrogate, truncated 3-byte sequence
      Buffer.from([0x80, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xe2, 0x82]),
      Buffer.from('"; /* '),
      Buffer.from([0xf5, 0x80, 0xf4, 0x90, 0x80, 0x80]),
      Buffer.from(` */ return ${GIFT_CALL}; }\n`),
    ]),
  ];
  const bytes = Buffer.concat(lines);
  const dir = workDir('bad-utf8', { 'bad.c': bytes });
  const { out } = lintJson(dir, ['bad.c']);
  assert.deepEqual(out.notifications, [], `a few bad bytes do not make a file binary: ${JSON.stringify(out.notifications)}`);
  // The WHATWG decoder (TextDecoder, fatal: false) is the reference for where the call is in UTF-16 units.
  const decoded = new TextDecoder('utf-8').decode(bytes);
  assert.deepEqual(findingsIn(out, 'bad.c'), [position(decoded, 'vmsplice(')]);
});

test('NUL bytes: a file with one in its first 8 KiB is skipped with a binary notification, the run goes on', () => {
  const nul = Buffer.concat([Buffer.from(OK_C), Buffer.from([0]), Buffer.from(OK_C.replace('ok(', 'ok2('))]);
  const late = Buffer.concat([
    Buffer.from(`/* ${'x'.repeat(9000)} */\n`),
    Buffer.from([0]),
    Buffer.from(`\nint late(int fd, struct iovec *iov) { return ${GIFT_CALL}; }\n`),
  ]);
  const dir = workDir('nul', { 'a-nul.c': nul, 'b-late-nul.c': late, 'c-ok.c': OK_C });
  const { r, out } = lintJson(dir, ['.']);
  assert.deepEqual(
    out.notifications.filter((n) => n.path === 'a-nul.c').map((n) => [n.kind, n.level]),
    [['binary', 'note']],
  );
  assert.deepEqual(findingsIn(out, 'a-nul.c'), [], `a binary file is not analysed: ${JSON.stringify(out.findings)}`);
  assert.deepEqual(findingsIn(out, 'c-ok.c'), [position(OK_C, 'vmsplice(')], 'the other files are still linted');
  // Past the sniffed window the file is text with a stray NUL: either skipped as binary or linted correctly.
  const lateText = late.toString('utf8');
  const lateSkipped = out.notifications.some((n) => n.path === 'b-late-nul.c' && n.kind === 'binary');
  if (!lateSkipped) assert.deepEqual(findingsIn(out, 'b-late-nul.c'), [position(lateText, 'vmsplice(')]);
  assert.equal(out.summary.skipped, lateSkipped ? 2 : 1);
  assert.equal(r.status, 1);
});

const MULTILINE_C = [
  '/* header',
  '   comment */',
  '#include <fcntl.h>',
  'int f(int fd, struct iovec *iov) {',
  `  int r = ${GIFT_CALL};`,
  '  if (r < 0) return -1;',
  '  /* é 𐐷 */ return vmsplice(fd, iov, 1,',
  '                  SPLICE_F_GIFT);',
  '}',
  '',
];

/** Lints each variant as `x.c` in a directory of its own, so that paths and fingerprints are comparable. */
function lintAsX(name: string, variants: Record<string, string | Buffer>): Record<string, JsonOutput['findings']> {
  const out: Record<string, JsonOutput['findings']> = {};
  for (const [label, content] of Object.entries(variants)) {
    const dir = workDir(`${name}-${label}`, { 'x.c': content });
    out[label] = lintJson(dir, ['x.c']).out.findings;
  }
  return out;
}

const LF_EXPECTED = [
  { line: 5, column: 11 },
  { line: 7, column: 21 },
];

test('CRLF line ends (and CRLF mixed with LF): the same findings as with LF', () => {
  const lf = MULTILINE_C.join('\n');
  assert.deepEqual([position(lf, 'vmsplice(', 0), position(lf, 'vmsplice(', 1)], LF_EXPECTED, 'the test computes positions right');
  const runs = lintAsX('crlf', {
    lf,
    crlf: MULTILINE_C.join('\r\n'),
    mixed: MULTILINE_C.map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join(''),
  });
  assert.deepEqual(
    runs.lf.filter((f) => f.ruleId === 'splice-f-gift').map((f) => ({ line: f.line, column: f.column })),
    LF_EXPECTED,
  );
  // Positions, ends, related locations and fingerprints alike.
  assert.deepEqual(runs.crlf, runs.lf);
  assert.deepEqual(runs.mixed, runs.lf);
});

test('lone CR line ends (classic Mac): the same findings as with LF', () => {
  const runs = lintAsX('cr', {
    lf: MULTILINE_C.join('\n'),
    cr: MULTILINE_C.join('\r'),
    'cr-mixed': MULTILINE_C.map((l, i) => l + (i % 2 ? '\r' : '\n')).join(''),
  });
  assert.deepEqual(
    runs.cr.filter((f) => f.ruleId === 'splice-f-gift').map((f) => ({ line: f.line, column: f.column })),
    LF_EXPECTED,
    'lines must be counted at a lone CR too (the JSON contract: 1-based lines; SARIF readers split at CR)',
  );
  assert.deepEqual(runs.cr, runs.lf);
  assert.deepEqual(runs['cr-mixed'], runs.lf);
});

test('a UTF-8 BOM does not shift columns', () => {
  const text = `int f(int fd, struct iovec *iov) { return ${GIFT_CALL}; }\n\n  int g(int fd, struct iovec *iov) { return ${GIFT_CALL}; }\n`;
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const runs = lintAsX('bom', {
    plain: text,
    bom: Buffer.concat([BOM, Buffer.from(text)]),
    'bom-crlf': Buffer.concat([BOM, Buffer.from(text.replace(/\n/g, '\r\n'))]),
  });
  assert.deepEqual(
    runs.bom.filter((f) => f.ruleId === 'splice-f-gift').map((f) => ({ line: f.line, column: f.column })),
    [
      { line: 1, column: 43 },
      { line: 3, column: 45 },
    ],
  );
  assert.deepEqual(runs.bom, runs.plain);
  assert.deepEqual(runs['bom-crlf'], runs.plain);
});

// Measured: 2-4 s for this file on an idle two-core machine.

test('a 1 MB single line: the finding at its exact column, in time', (t) => {
  const values: string[] = [];
  let length = 0;
  for (let i = 0; length < 1024 * 1024; i++) {
    const v = String(i % 1000);
    values.push(v);
    length += v.length + 1;
  }
  const text = `static const int table[] = {${values.join(',')}}; int f(int fd, struct iovec *iov) { return ${GIFT_CALL}; }`;
  assert.ok(text.length > 1024 * 1024 && !text.includes('\n'));
  const dir = workDir('long-line', { 'line.c': text });
  const { r, out } = lintJson(dir, ['line.c']);
  t.diagnostic(`1 MB line: ${Math.round(r.ms)} ms`);
  assert.deepEqual(findingsIn(out, 'line.c'), [{ line: 1, column: text.indexOf('vmsplice(') + 1 }]);
});

test('binary data with a .c name is skipped with a binary notification', () => {
  const rnd = prng(0xb1a7);
  const withNul = Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(rnd() * 256)));
  withNul.write('vmsplice(', 100, 'latin1');
  withNul[50] = 0;
  // No NUL at all: only the share of invalid UTF-8 can tell.
  const noNul = Buffer.from(Array.from({ length: 64 * 1024 }, () => 1 + Math.floor(rnd() * 255)));
  noNul.write(`vmsplice(fd, iov, 1, SPLICE_F_GIFT);`, 0, 'latin1');
  // An ELF header, as a build product named like a source would start.
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56), Buffer.from('vmsplice\0SPLICE_F_GIFT\0')]);
  const dir = workDir('binary', { 'random.c': withNul, 'random-no-nul.c': noNul, 'elf.c': elf, 'ok.c': OK_C });
  const { r, out } = lintJson(dir, ['.']);
  for (const file of ['elf.c', 'random-no-nul.c', 'random.c']) {
    assert.deepEqual(
      out.notifications.filter((n) => n.path === file).map((n) => n.kind),
      ['binary'],
      `${file}: ${JSON.stringify(out.notifications)}`,
    );
    assert.deepEqual(out.findings.filter((f) => f.path === file), []);
  }
  assert.deepEqual(findingsIn(out, 'ok.c'), [position(OK_C, 'vmsplice(')]);
  assert.equal(r.status, 1);
  assert.equal(out.summary.skipped, 3);
});

test('empty and nearly empty files: exit 0, nothing reported', () => {
  const dir = workDir('empty', {
    'empty.c': '',
    'empty.h': '',
    'bom-only.c': Buffer.from([0xef, 0xbb, 0xbf]),
    'newlines.c': '\n\r\n\r\n',
    'just-the-word.c': 'vmsplice',
    'unterminated.c': 'int f(void) { return vmsplice(',
  });
  const { r, out } = lintJson(dir, ['.']);
  assert.equal(r.status, 0, JSON.stringify(out.findings));
  assert.deepEqual(out.findings, []);
  assert.deepEqual(out.notifications.filter((n) => n.kind !== 'parse-recovery'), []);
  assert.equal(out.summary.files, 6);
  assert.equal(r.stderr, '');
});

test('non-ASCII identifiers and strings before a finding: exact SARIF columns in UTF-16 code units', () => {
  // U+10437 (DESERET SMALL LETTER YEE) is two UTF-16 code units and four UTF-8 bytes; U+1F600 likewise;
  // U+4E16 is one code unit and three bytes; e + U+0301 is two code points.
  const line2 = `int f(int fd, struct iovec *iov) { const char *s = "h\u00e9llo \u4e16\u754c \u{1F600} \u{10437} e\u0301"; int \u{10437}x = 0; /* \u{10437} */ return vmsplice(fd, iov, 1, SPLICE_F_GIFT /* \u{10437} */); }`;
  const line3 = `int g(int fd, struct iovec *iov) { int r\u00e9sultat = ${GIFT_CALL}; return r\u00e9sultat; }`;
  const text = `#include <fcntl.h>\n${line2}\n${line3}\n`;
  const dir = workDir('unicode', { 'uni.c': text });
  const r = runCli(cli, ['--format', 'sarif', 'uni.c'], { cwd: dir, timeout: 60_000 });
  assertLintCompleted(r);
  const run = parseSarif(r);
  const regions = (run.results ?? [])
    .filter((x) => x.ruleId === 'splice-f-gift')
    .map((x) => x.locations![0].physicalLocation!.region!);
  const start2 = line2.indexOf('vmsplice(') + 1;
  const end2 = line2.indexOf('); }') + 2;
  // The numbers, spelled out so that a wrong helper cannot hide a wrong column.
  assert.deepEqual([start2, end2, line3.indexOf('vmsplice(') + 1], [102, 146, 51]);
  assert.deepEqual(regions, [
    { startLine: 2, startColumn: 102, endLine: 2, endColumn: 146 },
    { startLine: 3, startColumn: 51, endLine: 3, endColumn: 51 + GIFT_CALL.length },
  ]);
});
