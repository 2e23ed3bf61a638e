import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';

/** `-` reads C from standard input; --stdin-filename names it. */
const { run, tree } = cliHarness('stdin');

const GIFT_C = 'int push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n';

test("'-' lints standard input, named <stdin> by default", () => {
  const dir = tree('plain', { 'README': 'no C here' });
  const r = run(['-'], dir, {}, GIFT_C);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^<stdin>:1:44 {2}warning .*\[splice-f-gift\]$/m);
  assert.match(r.stdout, /in 1 file\.$/m);
  const clean = run(['-'], dir, {}, 'int main(void) { return 0; }\n');
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /No problems found in 1 file\./);
});

test('--stdin-filename names it in messages and picks the config file of that path', () => {
  const dir = tree('named', {
    'lib/.vmsplice-lint.json': JSON.stringify({ rules: { 'splice-f-gift': 'off' } }),
    'lib/keep.txt': '',
    'app/keep.txt': '',
  });
  const inApp = run(['--format', 'json', '--stdin-filename', 'app/x.c', '-'], dir, {}, GIFT_C);
  assert.deepEqual(JSON.parse(inApp.stdout).findings.map((f: { path: string; ruleId: string }) => `${f.path} ${f.ruleId}`), ['app/x.c splice-f-gift']);
  const inLib = run(['--format', 'json', '--stdin-filename', 'lib/x.c', '-'], dir, {}, GIFT_C);
  assert.equal(inLib.code, 0, inLib.stderr);
  assert.deepEqual(JSON.parse(inLib.stdout).findings, [], "lib's config turns the rule off");
  const outside = run(['--format', 'json', '--stdin-filename', path.join(path.dirname(dir), 'elsewhere.c'), '-'], dir, {}, GIFT_C);
  assert.equal(JSON.parse(outside.stdout).findings[0].path, path.join(path.dirname(dir), 'elsewhere.c'));
});

test('inside the tree, the other files are its project context, replaced at its own path and not reported', () => {
  // The wrapper lives in another file: only with the tree as context is gift_push() known to call vmsplice().
  const dir = tree('context', {
    'wrap.c': 'int gift_push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n',
    'main.c': 'int old(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n',
  });
  const r = run(['--format', 'json', '--stdin-filename', 'main.c', '-'], dir, {}, 'int edited(void) { return 0; }\n');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.findings, [], 'wrap.c is context, not reported; main.c on disk is replaced by stdin');
  assert.equal(doc.summary.files, 1);
  const edited = run(['--format', 'json', '--stdin-filename', 'main.c', '-'], dir, {}, GIFT_C.replace('push', 'other'));
  assert.deepEqual(edited.stdout && JSON.parse(edited.stdout).findings.map((f: { path: string }) => f.path), ['main.c']);
});

test('--stdin-filename without - is a usage error', () => {
  const r = run(['--stdin-filename', 'a.c', '.'], tree('misuse', { 'a.c': GIFT_C }));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^vmsplice-lint: --stdin-filename goes with '-'/);
});
