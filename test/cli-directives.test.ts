import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';
import { validateCliSarif } from './helpers/sarif-validate.js';

/** Problems in suppression directives are located, counted in the summary, and the exit code agrees with it. */
const { run, tree } = cliHarness('directives');

const UNKNOWN_RULE = [
  'int f(int fd, struct iovec *v) {',
  '  // vmsplice-lint-disable-next-line no-such-rule -- typo',
  '  return vmsplice(fd, v, 1, 0) == 1;',
  '}',
  '',
].join('\n');

test('a run with only a directive error: path:line:col, counted, never "No problems found", exit 1', () => {
  const dir = tree('unknown', { 'a.c': UNKNOWN_RULE });
  const r = run(['a.c'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^a\.c:2:6 {2}error {2}The directive names unknown rule 'no-such-rule' and is ignored; see --list-rules for the ids\. {2}\[directive\]$/m);
  assert.doesNotMatch(r.stdout, /No problems found/);
  assert.match(r.stdout, /^1 problem \(1 error, 0 warnings, 0 notes\) in 1 file; 1 in a suppression directive\.$/m);
  assert.equal(run(['--exit-zero', 'a.c'], dir).code, 0);
});

test('GitHub annotations of directive problems carry line and columns', () => {
  const dir = tree('github', { 'a.c': UNKNOWN_RULE });
  const r = run(['--format', 'github', 'a.c'], dir);
  assert.match(r.stdout, /^::error file=a\.c,line=2,col=6,endLine=2,endColumn=58,title=vmsplice-lint directive::The directive names unknown rule/m);
  assert.match(r.stdout, /^vmsplice-lint: 1 problem \(1 error, 0 warnings, 0 notes\) in 1 file; 1 in a suppression directive\.$/m);
});

test('SARIF notifications of directive problems carry a region, and the log stays valid', () => {
  const dir = tree('sarif', { 'a.c': UNKNOWN_RULE });
  const r = run(['--format', 'sarif', 'a.c'], dir);
  const [n] = JSON.parse(r.stdout).runs[0].invocations[0].toolExecutionNotifications;
  assert.deepEqual(n.locations[0].physicalLocation.region, { startLine: 2, startColumn: 6, endLine: 2, endColumn: 58 });
  const file = path.join(dir, 'out.sarif');
  writeFileSync(file, r.stdout);
  assert.deepEqual(validateCliSarif(file), { errors: [], warnings: [] });
});

test('directive warnings count as warnings: --max-warnings and --fail-on judge them as the summary shows them', () => {
  const dir = tree('warning', {
    'a.c': ['int f(int fd, struct iovec *v) {', '  /*', '   * vmsplice-lint-disable-next-line splice-f-gift', '   */', '  return vmsplice(fd, v, 1, SPLICE_F_GIFT) == 1;', '}', ''].join('\n'),
  });
  const r = run(['a.c'], dir);
  assert.equal(r.code, 1, 'a warning fails the default run');
  assert.match(r.stdout, /^a\.c:3:6 {2}warning {2}The directive gives no reason; add one after '--'\. {2}\[directive\]$/m);
  assert.match(r.stdout, /^1 problem \(0 errors, 1 warning, 0 notes\) in 1 file; 1 in a suppression directive\.$/m);
  assert.equal(run(['--max-warnings', '1', 'a.c'], dir).code, 0);
  assert.equal(run(['--fail-on', 'error', 'a.c'], dir).code, 0);
});

test('suppressed findings kept by --include-suppressed are shown, said, and not counted', () => {
  const dir = tree('suppressed', {
    'a.c': ['int f(int fd, struct iovec *v) {', '  // vmsplice-lint-disable-next-line splice-f-gift -- probe', '  return vmsplice(fd, v, 1, SPLICE_F_GIFT) == 1;', '}', ''].join('\n'),
  });
  const r = run(['--include-suppressed', 'a.c'], dir);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^a\.c:3:\d+ {2}warning {2}vmsplice\(\) is passed SPLICE_F_GIFT/m);
  assert.match(r.stdout, /^No problems found in 1 file; 1 finding suppressed by directives, not counted\.$/m);
});
