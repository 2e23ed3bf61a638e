import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type * as Sarif from 'sarif';
import { repoRoot } from '../src/docs.js';
import { applyReplacements } from '../src/fix.js';
import { cliHarness } from './helpers/cli-run.js';
import { validateSarif } from './helpers/sarif-validate.js';

const { run, tree, work } = cliHarness('fix');
const fixesDir = path.join(repoRoot, 'fixtures/fixes');

function copyOf(fixture: string, name: string): string {
  const dir = path.join(work, name);
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

const at = (startLine: number, startColumn: number, endLine: number, endColumn: number) => ({ startLine, startColumn, endLine, endColumn });

test('replacements land at line and column whatever the line ends; overlapping ones are left for a later pass', () => {
  const text = 'a | b\r\nx = c | d;\ry\n';
  const out = applyReplacements(text, [
    { region: at(2, 5, 2, 9), text: '' },
    { region: at(1, 1, 1, 5), text: '' },
    { region: at(1, 2, 1, 6), text: '' },
    { region: at(3, 1, 3, 1), text: '// ' },
  ]);
  assert.equal(out.text, 'b\r\nx = d;\r// y\n');
  assert.deepEqual(out.skipped, [{ region: at(1, 2, 1, 6), text: '' }]);
  assert.equal(out.applied.length, 3);
});

test('SARIF results carry the fixes as artifact changes, only where a fix is safe, and pass the Multitool', () => {
  const dir = copyOf(fixesDir, 'sarif');
  const r = run(['--format', 'sarif', '-o', 'out.sarif', 'remove-flags.c'], dir);
  assert.equal(r.code, 1, r.stderr);
  const file = path.join(dir, 'out.sarif');
  const log = JSON.parse(readFileSync(file, 'utf8')) as Sarif.Log;
  const fixed = log.runs[0]!.results!.map((x) => [
    x.ruleId,
    x.locations![0]!.physicalLocation!.region!.startLine,
    x.fixes?.map((f) => [f.description?.text, f.artifactChanges[0]!.artifactLocation.uri, JSON.stringify(f.artifactChanges[0]!.replacements)]) ?? null,
  ]);
  const removal = (rule: string, line: number, flag: string, region: string, inserted = '') => [
    rule,
    line,
    [[`Remove '${flag}' from the flags.`, 'remove-flags.c', `[{"deletedRegion":${region}${inserted}}]`]],
  ];
  assert.deepEqual(fixed, [
    removal('splice-f-gift', 10, 'SPLICE_F_GIFT', '{"startLine":10,"startColumn":28,"endLine":10,"endColumn":44}'),
    removal('ineffective-flag', 12, 'SPLICE_F_MOVE', '{"startLine":12,"startColumn":45,"endLine":12,"endColumn":63}'),
    removal('splice-f-gift', 14, 'SPLICE_F_GIFT', '{"startLine":14,"startColumn":28,"endLine":14,"endColumn":41}', ',"insertedContent":{"text":"0"}'),
    removal('ineffective-flag', 16, 'SPLICE_F_MOVE', '{"startLine":16,"startColumn":41,"endLine":16,"endColumn":57}'),
    removal('splice-f-gift', 16, 'SPLICE_F_GIFT', '{"startLine":16,"startColumn":28,"endLine":16,"endColumn":44}'),
    removal('splice-f-gift', 24, 'SPLICE_F_GIFT', '{"startLine":22,"startColumn":49,"endLine":22,"endColumn":65}'),
    ['ineffective-flag', 32, null],
    ['splice-f-gift', 40, null],
    ['splice-f-gift', 49, null],
  ]);
  const { errors, warnings } = validateSarif(file);
  assert.deepEqual(errors, []);
  // Only the CLI's run-level informationUri (not part of fixes) may draw a warning.
  assert.deepEqual(warnings.filter((w) => !w.startsWith('SARIF2005')), []);
  // Not vacuous: a broken fix is reported.
  log.runs[0]!.results![0]!.fixes![0]!.artifactChanges[0]!.replacements[0]!.deletedRegion.startLine = 0;
  writeFileSync(file, JSON.stringify(log));
  assert.ok(validateSarif(file).errors.some((e) => /startLine/i.test(e)), 'the validator rejects a fix with line 0');
});

test('--fix rewrites the file as expected, says what it changed, and reports what remains', () => {
  const dir = copyOf(fixesDir, 'cli');
  const r = run(['--fix', '--format', 'json', 'remove-flags.c'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(readFileSync(path.join(dir, 'remove-flags.c'), 'utf8'), readFileSync(path.join(fixesDir, 'remove-flags.fixed'), 'utf8'));
  const changes = r.stderr.split('\n').filter((l) => l.startsWith('vmsplice-lint: fixed '));
  assert.deepEqual(changes.map((l) => /remove-flags\.c:(\d+):\d+: Remove '(\w+)'/.exec(l)!.slice(1).join(' ')), [
    '10 SPLICE_F_GIFT',
    '12 SPLICE_F_MOVE',
    '14 SPLICE_F_GIFT',
    '16 SPLICE_F_GIFT',
    '22 SPLICE_F_GIFT',
    // Second pass: the two flags of line 16 shared an operator, so one waited for the re-lint.
    '16 SPLICE_F_MOVE',
  ]);
  assert.match(r.stderr, /6 fix\(es\) applied in 1 file\(s\)/);
  // What remains is what has no fix, and stdout is still clean JSON.
  const remaining = (JSON.parse(r.stdout) as { findings: { ruleId: string; line: number }[] }).findings.map((f) => `${f.line} ${f.ruleId}`);
  assert.deepEqual(remaining, ['32 ineffective-flag', '40 splice-f-gift', '49 splice-f-gift']);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.fix')), [], 'no temporary files left');
});

test('a fixed tree lints clean for the rule, across files (the flag passed to a wrapper defined elsewhere)', () => {
  const dir = copyOf(path.join(repoRoot, 'fixtures/cross-file/lsp-wrapper'), 'wrapper');
  assert.equal(run(['--rule', 'splice-f-gift', '.'], dir).code, 1);
  const fixed = run(['--fix', '.'], dir);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stderr, /fixed src\/producer\.c:9:30: Remove 'SPLICE_F_GIFT' from the flags\. \(splice-f-gift\)/);
  assert.match(readFileSync(path.join(dir, 'src/producer.c'), 'utf8'), /return push_pages\(fd, v, SPLICE_F_NONBLOCK\);/);
  const again = run(['--rule', 'splice-f-gift', '--format', 'json', '.'], dir);
  assert.equal(again.code, 0);
  assert.equal(JSON.parse(again.stdout).summary.findings, 0);
});

test('--fix leaves suppressed findings and files without fixes untouched', () => {
  const source = [
    '#include <sys/uio.h>',
    'int f(int fd, struct iovec *v)',
    '{',
    '    // vmsplice-lint-disable-next-line splice-f-gift -- the page is unmapped right after',
    '    return vmsplice(fd, v, 1, SPLICE_F_GIFT) == 1 ? 0 : -1;',
    '}',
    '',
  ].join('\n');
  const dir = tree('suppressed', { 'kept.c': source });
  const r = run(['--fix', 'kept.c'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(path.join(dir, 'kept.c'), 'utf8'), source);
  assert.match(r.stderr, /0 fix\(es\) applied in 0 file\(s\)/);
});
