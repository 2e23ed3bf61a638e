import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';

/** --cache: the same bytes out as an uncached run, whatever changed in between, and fewer reads when nothing did. */
const { run, tree, work } = cliHarness('cache');

const WRAP_C = '#include "flags.h"\nint push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, PUSH_FLAGS); }\n';
const FLAGS_H = '/* flags for vmsplice */\n#define PUSH_FLAGS SPLICE_F_GIFT\n';
const MAIN_C = 'int push(int fd, struct iovec *v);\nint main(void) { char b[64]; struct iovec v = { b, 64 }; push(1, &v); b[0] = 1; return 0; }\n';

/**
 * A file changed within the last 2 s may change again unseen within one timestamp tick, so its verdict is not
 * cached (git's racily clean entries); the run that counts reads waits until the tree is older than that.
 */
function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
}

function profile(stderr: string): Record<string, number> {
  const line = stderr.split('\n').find((l) => l.startsWith('vmsplice-lint-profile '));
  assert.ok(line, stderr);
  return JSON.parse(line.slice('vmsplice-lint-profile '.length)) as Record<string, number>;
}

test('cached runs print what an uncached run prints, through edits, renames and deletions', () => {
  const files: Record<string, string> = { 'wrap.c': WRAP_C, 'flags.h': FLAGS_H, 'main.c': MAIN_C };
  for (let i = 0; i < 40; i++) files[`plain/p${i}.c`] = `int p${i}(void) { return ${i}; }\n`;
  const dir = tree('edits', files);
  settle();
  const location = path.join(work, 'edits-cache');
  const args = ['--format', 'json', '.'];
  const cached = ['--cache', '--cache-location', location, ...args];
  const same = (what: string): string => {
    const plain = run(args, dir);
    const withCache = run(cached, dir, { VMSPLICE_LINT_PROFILE: '1' });
    assert.equal(withCache.stdout, plain.stdout, what);
    assert.equal(withCache.code, plain.code, what);
    return withCache.stderr;
  };

  same('cold');
  const warm = profile(same('warm'));
  assert.equal(warm.filesRead ?? 0, 0, 'a warm run on an unchanged tree reads no file');
  assert.equal(warm.parses ?? 0, 0, 'and parses none');
  const before = JSON.parse(run(args, dir).stdout) as { findings: unknown[] };
  assert.ok(before.findings.length > 0);

  // The flags are decided in a header the caller never names: an edit there changes the findings of wrap.c.
  writeFileSync(path.join(dir, 'flags.h'), '/* flags for vmsplice */\n#define PUSH_FLAGS 0\n');
  const edited = profile(same('edited header'));
  assert.equal(edited.filesRead, 1, 'only the edited file goes through the prefilter again');
  assert.notDeepEqual(JSON.parse(run(args, dir).stdout).findings, before.findings, 'the edit matters');

  writeFileSync(path.join(dir, 'plain/p3.c'), 'int p3(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n');
  same('a file that did not matter now calls vmsplice');

  renameSync(path.join(dir, 'wrap.c'), path.join(dir, 'wrapper.c'));
  same('renamed');
  rmSync(path.join(dir, 'main.c'));
  same('deleted the caller');
  rmSync(path.join(dir, 'plain/p3.c'));
  same('deleted a file that mattered');
  const withDefine = ['-D', 'PUSH_FLAGS=0'];
  assert.equal(run(['--cache', '--cache-location', location, ...withDefine, ...args], dir).stdout, run([...withDefine, ...args], dir).stdout);
  assert.equal(run(['--cache', '--cache-location', location, '--disable', 'splice-f-gift', ...args], dir).stdout, run(['--disable', 'splice-f-gift', ...args], dir).stdout);
});

test('a damaged or foreign cache file is ignored with a notice on stderr, and replaced', () => {
  const dir = tree('damaged', { 'wrap.c': WRAP_C, 'flags.h': FLAGS_H });
  const location = path.join(work, 'damaged-cache');
  const args = ['--cache', '--cache-location', location, '--format', 'json', '.'];
  const plain = run(['--format', 'json', '.'], dir).stdout;
  assert.equal(run(args, dir).stdout, plain);
  const file = path.join(location, 'cache.json');
  const good = readFileSync(file, 'utf8');

  // One byte changed in the body: the checksum no longer matches.
  const nl = good.indexOf('\n');
  writeFileSync(file, good.slice(0, nl + 1) + good.slice(nl + 1).replace('"files"', '"filez"'));
  const damaged = run(args, dir);
  assert.equal(damaged.stdout, plain);
  assert.match(damaged.stderr, /^vmsplice-lint: the cache file .*cache\.json is damaged; it is ignored and will be rewritten$/m);
  assert.equal(readFileSync(file, 'utf8').split('\n')[0], good.split('\n')[0], 'rewritten');

  for (const foreign of ['not json at all', '{"format":"eslint-cache"}\n{}', '']) {
    writeFileSync(file, foreign);
    const r = run(args, dir);
    assert.equal(r.stdout, plain);
    assert.match(r.stderr, /^vmsplice-lint: .*cache\.json is not a vmsplice-lint cache of this format; it is ignored/m, JSON.stringify(foreign));
  }
  const clean = run(args, dir);
  assert.equal(clean.stdout, plain);
  assert.equal(clean.stderr, '', 'no notice once rewritten');
});
