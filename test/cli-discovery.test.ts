import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';

/** Which files a run lints, and what it says when that is none. */
const { run, tree } = cliHarness('discovery');

const GIFT_C = 'int push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n';

const jsonPaths = (stdout: string): string[] => JSON.parse(stdout).findings.map((f: { path: string }) => f.path);

test("a tarball tree (no .git) whose top .gitignore is '/*' is linted whole", () => {
  const dir = tree('tarball', { '.gitignore': '/*\n', 'mm/a.c': GIFT_C, 'b.c': GIFT_C });
  const r = run(['--format', 'json', '.'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(jsonPaths(r.stdout), ['b.c', 'mm/a.c']);
  assert.equal(JSON.parse(r.stdout).summary.ignoredFiles, 0);
});

test('the same files whatever the working directory: `tools` from the root equals `.` from tools', () => {
  const top = tree('samefiles', {
    '.git/HEAD': '',
    '.gitignore': '/tools/gen.c\n*.tmp.c\n',
    'tools/gen.c': GIFT_C,
    'tools/x.tmp.c': GIFT_C,
    'tools/keep.c': GIFT_C,
    'tools/sub/gen.c': GIFT_C,
  });
  const fromRoot = run(['--format', 'json', 'tools'], top);
  const fromTools = run(['--format', 'json', '.'], path.join(top, 'tools'));
  assert.deepEqual(jsonPaths(fromRoot.stdout), ['tools/keep.c', 'tools/sub/gen.c']);
  assert.deepEqual(jsonPaths(fromTools.stdout).map((p) => `tools/${p}`), jsonPaths(fromRoot.stdout));
});

test('the summary says how many files ignore rules left out', () => {
  const dir = tree('counted', { '.git/HEAD': '', '.gitignore': '*.gen.c\nbuild/\n', 'a.c': GIFT_C, 'x.gen.c': '', 'y.gen.c': '', 'build/z.c': '' });
  const r = run(['.'], dir);
  assert.match(r.stdout, /^1 problem .* in 1 file; 2 files and 1 directory left out by \.gitignore \(--no-ignore to lint them\)\.$/m);
  const json = JSON.parse(run(['--format', 'json', '.'], dir).stdout);
  assert.equal(json.summary.ignoredFiles, 2);
  assert.equal(json.summary.ignoredDirectories, 1);
  assert.doesNotMatch(run(['--no-ignore', '.'], dir).stdout, /left out/);
});

test('zero files to lint is exit 2 with one line naming the paths, extensions and ignored files; --allow-empty accepts it', () => {
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['empty', { '.keep': '' }, ['.'], /^vmsplice-lint: no files to lint in '\.' with extensions \.c, \.h; --allow-empty accepts an empty run\n$/],
    ['cpp-only', { 'src/a.cpp': GIFT_C, 'b.hpp': '' }, ['.', 'src'], /^vmsplice-lint: no files to lint in '\.', 'src' with extensions \.c, \.h;/],
    [
      'all-ignored',
      { '.git/HEAD': '', '.gitignore': '*\n', 'a.c': GIFT_C },
      ['.'],
      /^vmsplice-lint: no files to lint in '\.' with extensions \.c, \.h \(1 file left out by \.gitignore; --no-ignore lints them\); --allow-empty/,
    ],
  ];
  for (const [name, files, paths, message] of cases) {
    const dir = tree(name, files);
    const r = run(paths, dir);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    const allowed = run(['--allow-empty', ...paths], dir);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /No problems found in 0 files/);
  }
  assert.equal(run(['--ext', 'cpp', '.'], tree('cpp-ext', { 'a.cpp': GIFT_C })).code, 1, '--ext finds them');
});
