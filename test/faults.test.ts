// File system faults: what the linter cannot read is skipped with a notification and the run goes on; nothing
// hangs; the output file is written whole or not at all; the output is the same on every run.
// Every tree is generated here, in os.tmpdir().

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import {
  assertLintCompleted,
  assertUsageError,
  inParallel,
  parseJson,
  parseSarif,
  runCli,
  runCliAsync,
  runCommand,
  tempDir,
  writeTree,
  type CliRun,
  type JsonOutput,
} from './helpers/hostile-run.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repoRoot, 'dist/src/cli.js');

const tmp = tempDir('faults');
after(() => {
  // chmod 000 leftovers would stop the removal as a non-root user.
  restorePermissions(tmp.dir);
  tmp.remove();
});

function restorePermissions(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    try {
      chmodSync(p, e.isDirectory() ? 0o755 : 0o644);
    } catch {
      // FIFOs and sockets of a finished test: removal does not need their mode.
    }
    if (e.isDirectory()) restorePermissions(p);
  }
}

const isRoot = process.getuid?.() === 0;
const ROOT_SKIP = 'running as root: permission checks do not apply';

let dirCount = 0;
function workDir(name: string, files: Record<string, string | Buffer> = {}): string {
  const dir = path.join(tmp.dir, `${++dirCount}-${name}`);
  mkdirSync(dir, { recursive: true });
  writeTree(dir, files);
  return dir;
}

const GIFT_C = 'int f(int fd, struct iovec *iov) { return vmsplice(fd, iov, 1, SPLICE_F_GIFT); }\n';
const GIFT_COLUMN = GIFT_C.indexOf('vmsplice(') + 1;

function lintJson(dir: string, args: string[], timeout = 30_000): { r: CliRun; out: JsonOutput } {
  const r = runCli(cli, ['--format', 'json', ...args], { cwd: dir, timeout });
  assertLintCompleted(r);
  return { r, out: parseJson(r) };
}

/** Paths with a finding, sorted, one entry per finding. */
function findingPaths(out: JsonOutput): string[] {
  return out.findings.filter((f) => f.ruleId === 'splice-f-gift').map((f) => `${f.path}:${f.line}:${f.column}`).sort();
}

function notificationsFor(out: JsonOutput, file: string): { kind: string; level: string; message: string }[] {
  return out.notifications.filter((n) => n.path === file).map(({ kind, level, message }) => ({ kind, level, message }));
}

// ---------------------------------------------------------------------------------------------------------------
// Files that cannot be read.

test('an unreadable file is skipped with a notification, the others are linted', (t) => {
  if (isRoot) {
    t.skip(ROOT_SKIP);
    return;
  }
  const dir = workDir('noperm', { 'a.c': GIFT_C, 'secret.c': GIFT_C });
  chmodSync(path.join(dir, 'secret.c'), 0o000);
  const { r, out } = lintJson(dir, ['.']);
  const notes = notificationsFor(out, 'secret.c');
  assert.equal(notes.length, 1, JSON.stringify(out.notifications));
  assert.equal(notes[0].kind, 'unreadable');
  assert.match(notes[0].message, /EACCES/);
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`]);
  assert.equal(out.summary.skipped, 1);
  assert.equal(r.status, 1);
});

test('an unlistable directory is reported, the rest of the tree is linted', (t) => {
  if (isRoot) {
    t.skip(ROOT_SKIP);
    return;
  }
  const dir = workDir('nolist', { 'a.c': GIFT_C, 'locked/b.c': GIFT_C });
  chmodSync(path.join(dir, 'locked'), 0o000);
  const { r, out } = lintJson(dir, ['.']);
  assert.deepEqual(notificationsFor(out, 'locked').map((n) => n.kind), ['unreadable'], JSON.stringify(out.notifications));
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`]);
  assert.equal(r.status, 1);
});

// Root reads anything chmod forbids; /proc/self/mem fails with EIO at offset 0 whoever reads it.
test('a file whose read fails (EIO, root included) is skipped with a notification', (t) => {
  if (!existsSync('/proc/self/mem')) {
    t.skip('no /proc/self/mem here');
    return;
  }
  const dir = workDir('eio', { 'a.c': GIFT_C });
  symlinkSync('/proc/self/mem', path.join(dir, 'mem.c'));
  const { r, out } = lintJson(dir, ['a.c', 'mem.c']);
  const mem = out.notifications.filter((n) => /^\/proc\/\d+\/mem$/.test(n.path));
  assert.equal(mem.length, 1, JSON.stringify(out.notifications));
  assert.equal(mem[0].kind, 'unreadable');
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`]);
  assert.equal(r.status, 1);
});

test('symlink loops (file and directory) are reported or skipped, never followed forever', () => {
  const dir = workDir('loops', { 'a.c': GIFT_C, 'sub/b.c': GIFT_C });
  symlinkSync('loop2.c', path.join(dir, 'loop1.c'));
  symlinkSync('loop1.c', path.join(dir, 'loop2.c'));
  symlinkSync('self.c', path.join(dir, 'self.c'));
  symlinkSync('.', path.join(dir, 'again'));
  symlinkSync('..', path.join(dir, 'sub', 'up'));
  const { r, out } = lintJson(dir, ['.']);
  for (const link of ['loop1.c', 'loop2.c', 'self.c']) {
    const notes = notificationsFor(out, link);
    assert.equal(notes.length, 1, `${link}: ${JSON.stringify(out.notifications)}`);
    assert.equal(notes[0].kind, 'unreadable');
    assert.match(notes[0].message, /ELOOP/);
  }
  // Each file once, under its real path, however many routes lead to it.
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`, `sub/b.c:1:${GIFT_COLUMN}`]);
  assert.equal(r.status, 1);
});

test('a symlink loop named on the command line: a notification, not a usage error', () => {
  const dir = workDir('loop-arg', { 'a.c': GIFT_C });
  symlinkSync('loop2.c', path.join(dir, 'loop1.c'));
  symlinkSync('loop1.c', path.join(dir, 'loop2.c'));
  const { out } = lintJson(dir, ['a.c', 'loop1.c']);
  assert.deepEqual(notificationsFor(out, 'loop1.c').map((n) => n.kind), ['unreadable'], JSON.stringify(out.notifications));
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`]);
});

test('a dangling symlink in the tree is reported and skipped', () => {
  const dir = workDir('dangling', { 'a.c': GIFT_C });
  symlinkSync('gone.c', path.join(dir, 'dangling.c'));
  symlinkSync('/nonexistent/dir/x.c', path.join(dir, 'far.c'));
  const { r, out } = lintJson(dir, ['.']);
  for (const link of ['dangling.c', 'far.c']) {
    const notes = notificationsFor(out, link);
    assert.equal(notes.length, 1, `${link}: ${JSON.stringify(out.notifications)}`);
    assert.equal(notes[0].kind, 'unreadable');
    assert.match(notes[0].message, /ENOENT/);
  }
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`]);
  assert.equal(r.status, 1);
});

test('a directory named x.c is walked, not read as a source', () => {
  const dir = workDir('dir-c', { 'x.c/inner.c': GIFT_C, 'top.c': GIFT_C });
  mkdirSync(path.join(dir, 'empty.h'));
  const tree = lintJson(dir, ['.']);
  assert.deepEqual(tree.out.notifications, []);
  assert.deepEqual(findingPaths(tree.out), [`top.c:1:${GIFT_COLUMN}`, `x.c/inner.c:1:${GIFT_COLUMN}`]);
  const named = lintJson(dir, ['x.c', 'empty.h']);
  assert.deepEqual(named.out.notifications, []);
  assert.deepEqual(findingPaths(named.out), [`x.c/inner.c:1:${GIFT_COLUMN}`]);
  assert.equal(named.r.status, 1);
});

function mkfifo(p: string): boolean {
  try {
    execFileSync('mkfifo', [p], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A FIFO without a writer blocks open() and read() forever: these runs fail by timeout if the linter touches one.
const HANG_TIMEOUT = 30_000;

test('a FIFO named x.c inside the tree or on the command line: reported, never opened', (t) => {
  const dir = workDir('fifo', { 'a.c': GIFT_C, 'sub/b.c': GIFT_C });
  if (!mkfifo(path.join(dir, 'x.c')) || !mkfifo(path.join(dir, 'sub', 'y.h'))) {
    t.skip('mkfifo is not available');
    return;
  }
  const tree = lintJson(dir, ['.'], HANG_TIMEOUT);
  for (const fifo of ['x.c', 'sub/y.h']) {
    const notes = notificationsFor(tree.out, fifo);
    assert.equal(notes.length, 1, `${fifo}: ${JSON.stringify(tree.out.notifications)}`);
    assert.equal(notes[0].kind, 'unreadable');
    assert.match(notes[0].message, /FIFO/);
  }
  assert.deepEqual(findingPaths(tree.out), [`a.c:1:${GIFT_COLUMN}`, `sub/b.c:1:${GIFT_COLUMN}`]);
  assert.equal(tree.r.status, 1);
  const named = lintJson(dir, ['x.c', 'a.c'], HANG_TIMEOUT);
  assert.deepEqual(notificationsFor(named.out, 'x.c').map((n) => n.kind), ['unreadable']);
  assert.deepEqual(findingPaths(named.out), [`a.c:1:${GIFT_COLUMN}`]);
});

test('a FIFO named .gitignore does not hang the walk', (t) => {
  const dir = workDir('fifo-gitignore', { 'a.c': GIFT_C, 'sub/b.c': GIFT_C });
  if (!mkfifo(path.join(dir, 'sub', '.gitignore'))) {
    t.skip('mkfifo is not available');
    return;
  }
  const { out } = lintJson(dir, ['.'], HANG_TIMEOUT);
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`, `sub/b.c:1:${GIFT_COLUMN}`]);
});

// The per-directory configuration file is found by walking up from each file: a FIFO of that name in the linted
// tree is as hostile as a FIFO named x.c. Skipping it with a notification or stopping with a configuration error
// (exit 2, one line) are both acceptable; waiting forever is not.
test('a FIFO named .vmsplice-lint.json inside the tree does not hang the run', (t) => {
  const dir = workDir('fifo-config', { 'a.c': GIFT_C, 'sub/b.c': GIFT_C });
  if (!mkfifo(path.join(dir, 'sub', '.vmsplice-lint.json'))) {
    t.skip('mkfifo is not available');
    return;
  }
  const r = runCli(cli, ['--format', 'json', '.'], { cwd: dir, timeout: HANG_TIMEOUT });
  assert.equal(r.timedOut, false, `${r.label}: still running after ${HANG_TIMEOUT} ms: it opened the FIFO sub/.vmsplice-lint.json`);
  if (r.status === 2) {
    assertUsageError(r, /\.vmsplice-lint\.json/);
  } else {
    assertLintCompleted(r);
    const out = parseJson(r);
    assert.ok(
      out.notifications.some((n) => n.path.includes('.vmsplice-lint.json') || n.message.includes('.vmsplice-lint.json')),
      `the skipped configuration file is not mentioned: ${JSON.stringify(out.notifications)}`,
    );
  }
});

// A malformed configuration file deep in the tree: the README promises exit 2 for configuration errors, with one
// line on stderr. Dropping that directory's files behind an 'internal' notification and exiting 0 would pass a CI
// gate while analysing nothing there.
test('a malformed .vmsplice-lint.json inside the tree is a configuration error (exit 2), not a silent skip', () => {
  const dir = workDir('bad-config', { 'a.c': GIFT_C, 'sub/b.c': GIFT_C, 'sub/.vmsplice-lint.json': '{ "rules": ' });
  const r = runCli(cli, ['--format', 'json', '.'], { cwd: dir, timeout: HANG_TIMEOUT });
  assertUsageError(r, /sub\/\.vmsplice-lint\.json/);
});

test('a unix socket named x.c inside the tree is reported, never opened', async (t) => {
  const dir = workDir('socket', { 'a.c': GIFT_C });
  const server = createServer();
  // Relative to the test's cwd would do too, but a sun_path is limited to 107 bytes: listen via a short relative path.
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen('sock.c', resolve);
    });
  } catch (err) {
    t.skip(`cannot create a unix socket here: ${(err as Error).message}`);
    return;
  } finally {
    process.chdir(cwd);
  }
  try {
    // Closing the server unlinks the socket file, so the run happens while it listens (nobody ever connects).
    assert.ok(lstatSync(path.join(dir, 'sock.c')).isSocket());
    const { r, out } = lintJson(dir, ['.'], HANG_TIMEOUT);
    const notes = notificationsFor(out, 'sock.c');
    assert.equal(notes.length, 1, JSON.stringify(out.notifications));
    assert.equal(notes[0].kind, 'unreadable');
    assert.match(notes[0].message, /socket/);
    assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`]);
    assert.equal(r.status, 1);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('endless character devices named on the command line are reported, never read', (t) => {
  const devices = ['/dev/zero', '/dev/urandom'].filter((d) => existsSync(d));
  if (devices.length === 0) {
    t.skip('no /dev/zero here');
    return;
  }
  const dir = workDir('devices', { 'a.c': GIFT_C });
  const { r, out } = lintJson(dir, ['a.c', ...devices], HANG_TIMEOUT);
  for (const d of devices) {
    assert.deepEqual(notificationsFor(out, d).map((n) => n.kind), ['unreadable'], `${d}: ${JSON.stringify(out.notifications)}`);
  }
  assert.deepEqual(findingPaths(out), [`a.c:1:${GIFT_COLUMN}`]);
  assert.equal(r.status, 1);
});

test('file names that are not UTF-8 or hold a newline: linted or reported, never dropped', () => {
  const dir = workDir('names', { 'a.c': GIFT_C, 'new\nline.c': GIFT_C });
  // A name Node cannot spell as a string: readdir hands back U+FFFD in its place.
  writeFileSync(Buffer.from(path.join(dir, 'bad\xff.c'), 'latin1'), GIFT_C);
  const { out } = lintJson(dir, ['.']);
  assert.equal(out.summary.files, 3);
  const linted = new Set(out.findings.map((f) => f.path));
  const reported = new Set(out.notifications.map((n) => n.path));
  assert.ok(linted.has('a.c') && linted.has('new\nline.c'), JSON.stringify([...linted]));
  const bad = [...linted, ...reported].filter((p) => p.startsWith('bad'));
  assert.equal(bad.length, 1, `bad\\xff.c neither linted nor reported: ${JSON.stringify(out)}`);
});

// ---------------------------------------------------------------------------------------------------------------
// The output file: whole or not at all.

/** Files in `dir` whose names look like the CLI's temporary files (".<name>.<pid>.<hex>.tmp"). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

test('-o into a missing directory: exit 2, one line, nothing created', () => {
  const dir = workDir('out-missing', { 'a.c': GIFT_C });
  const r = runCli(cli, ['--format', 'sarif', '-o', 'no/such/dir/out.sarif', 'a.c'], { cwd: dir, timeout: HANG_TIMEOUT });
  assertUsageError(r, /no\/such\/dir\/out\.sarif/);
  assert.equal(existsSync(path.join(dir, 'no')), false, 'the missing directory was created');
  assert.deepEqual(readdirSync(dir).sort(), ['a.c']);
});

test('-o into a read-only directory: exit 2, the previous file untouched, no temporary file', (t) => {
  if (isRoot) {
    t.skip(ROOT_SKIP);
    return;
  }
  const dir = workDir('out-readonly', { 'a.c': GIFT_C, 'ro/out.sarif': 'previous report\n' });
  const ro = path.join(dir, 'ro');
  chmodSync(ro, 0o555);
  try {
    const r = runCli(cli, ['--format', 'sarif', '-o', 'ro/out.sarif', 'a.c'], { cwd: dir, timeout: HANG_TIMEOUT });
    assertUsageError(r, /ro\/out\.sarif/);
    assert.equal(readFileSync(path.join(ro, 'out.sarif'), 'utf8'), 'previous report\n');
    assert.deepEqual(readdirSync(ro), ['out.sarif']);
  } finally {
    chmodSync(ro, 0o755);
  }
});

test('-o naming an existing directory: exit 2, the directory untouched, no temporary file', () => {
  const dir = workDir('out-dir', { 'a.c': GIFT_C, 'report/keep.txt': 'keep\n' });
  const r = runCli(cli, ['--format', 'sarif', '-o', 'report', 'a.c'], { cwd: dir, timeout: HANG_TIMEOUT });
  assertUsageError(r, /report/);
  assert.ok(statSync(path.join(dir, 'report')).isDirectory());
  assert.deepEqual(readdirSync(path.join(dir, 'report')), ['keep.txt']);
  assert.deepEqual(leftovers(dir), []);
});

test('-o below a regular file: exit 2, nothing created', () => {
  const dir = workDir('out-notdir', { 'a.c': GIFT_C, 'plain': 'not a directory\n' });
  const r = runCli(cli, ['--format', 'sarif', '-o', 'plain/out.sarif', 'a.c'], { cwd: dir, timeout: HANG_TIMEOUT });
  assertUsageError(r, /plain\/out\.sarif/);
  assert.equal(readFileSync(path.join(dir, 'plain'), 'utf8'), 'not a directory\n');
  assert.deepEqual(leftovers(dir), []);
});

// A write that fails half-way, whoever runs the test: RLIMIT_FSIZE makes write() fail with EFBIG past 4 KiB,
// long before the SARIF (rules' help alone is tens of kB) is complete.
test('a write that fails half-way (file size limit): exit 2, the previous file untouched, no partial file', (t) => {
  if (!existsSync('/bin/sh')) {
    t.skip('no /bin/sh for ulimit');
    return;
  }
  const dir = workDir('out-efbig', { 'a.c': GIFT_C, 'out.sarif': 'previous report\n' });
  const args = ['--format', 'sarif', '-o', 'out.sarif', 'a.c'];
  // sh -c 'script' argv0 args...: "$0" "$@" is node with the CLI and its arguments.
  const limited = runCommand('/bin/sh', ['-c', 'ulimit -f 4 && exec "$0" "$@"', process.execPath, cli, ...args], { cwd: dir, timeout: HANG_TIMEOUT });
  assert.notEqual(limited.signal, 'SIGXFSZ', 'killed by SIGXFSZ instead of handling EFBIG');
  assertUsageError(limited, /out\.sarif/);
  assert.equal(readFileSync(path.join(dir, 'out.sarif'), 'utf8'), 'previous report\n');
  assert.deepEqual(leftovers(dir), []);
  assert.deepEqual(readdirSync(dir).sort(), ['a.c', 'out.sarif']);
});

test('a failed run leaves the previous output file untouched', () => {
  const dir = workDir('out-failed-run', { 'out.json': 'previous report\n' });
  const r = runCli(cli, ['--format', 'json', '-o', 'out.json', 'missing.c'], { cwd: dir, timeout: HANG_TIMEOUT });
  assertUsageError(r, /missing\.c/);
  assert.equal(readFileSync(path.join(dir, 'out.json'), 'utf8'), 'previous report\n');
  assert.deepEqual(readdirSync(dir), ['out.json']);
});

test('a successful -o writes the whole report and leaves no temporary file', () => {
  const dir = workDir('out-ok', { 'a.c': GIFT_C, 'out.sarif': 'previous report\n' });
  const r = runCli(cli, ['--format', 'sarif', '-o', 'out.sarif', 'a.c'], { cwd: dir, timeout: HANG_TIMEOUT });
  assertLintCompleted(r);
  assert.equal(r.stdout, '');
  const run = parseSarif({ ...r, stdout: readFileSync(path.join(dir, 'out.sarif'), 'utf8') });
  assert.equal(run.results?.length, 1);
  assert.deepEqual(readdirSync(dir).sort(), ['a.c', 'out.sarif']);
});

// ---------------------------------------------------------------------------------------------------------------
// Paths on the command line that do not exist.

test('a file named on the command line that does not exist: exit 2, one line naming it', () => {
  const dir = workDir('missing-arg', { 'a.c': GIFT_C });
  for (const args of [['nope.c'], ['a.c', 'nope.c'], ['nope/']]) {
    const r = runCli(cli, ['--format', 'json', ...args], { cwd: dir, timeout: HANG_TIMEOUT });
    assertUsageError(r, /nope/);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Determinism.

/** Every string in a JSON value, with the path of keys that leads to it. */
function strings(value: unknown, at = '$'): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [...strings(k, `${at}{key}`), ...strings(v, `${at}.${k}`)]);
  return [];
}

const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b1[6-9]\d{11}\b/;

test('output is byte-identical across runs over fixtures/, with no absolute paths or timestamps', async (t) => {
  // A copy of the tree, created in reverse order so that directory listing order differs from the original's.
  const copyParent = workDir('fixtures-copy');
  const copy = path.join(copyParent, 'fixtures');
  const entries = readdirSync(path.join(repoRoot, 'fixtures'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(path.join(repoRoot, 'fixtures'), path.join(e.parentPath, e.name)))
    .sort()
    .reverse();
  for (const rel of entries) {
    mkdirSync(path.dirname(path.join(copy, rel)), { recursive: true });
    cpSync(path.join(repoRoot, 'fixtures', rel), path.join(copy, rel));
  }
  const timeout = 120_000;
  const started = performance.now();
  const [sarifA, sarifB, jsonA, jsonB] = await inParallel(
    [
      () => runCliAsync(cli, ['--format', 'sarif', 'fixtures'], { cwd: repoRoot, timeout }),
      () => runCliAsync(cli, ['--format', 'sarif', 'fixtures'], { cwd: repoRoot, timeout }),
      () => runCliAsync(cli, ['--format', 'json', 'fixtures'], { cwd: repoRoot, timeout }),
      () => runCliAsync(cli, ['--format', 'json', 'fixtures'], { cwd: copyParent, timeout }),
    ],
    2,
  );
  t.diagnostic(`four runs over fixtures/: ${Math.round(performance.now() - started)} ms wall`);
  for (const r of [sarifA, sarifB, jsonA, jsonB]) {
    assertLintCompleted(r);
    assert.equal(r.status, 1, 'the fixtures have findings on purpose');
  }
  const json = parseJson(jsonA);
  assert.ok(json.findings.length > 100, 'the fixtures were linted');
  const sarif = parseSarif(sarifA);

  assert.ok(sarifA.stdout === sarifB.stdout, 'SARIF differs between two runs');
  assert.ok(jsonA.stdout === jsonB.stdout, 'JSON differs between the tree and a copy of it created in another order');

  const absolute = [repoRoot, tmpdir(), copyParent];
  for (const [where, s] of strings(JSON.parse(jsonA.stdout))) {
    assert.ok(!s.startsWith('/') && !s.startsWith('file:'), `absolute path in JSON at ${where}: ${s}`);
    assert.ok(!absolute.some((a) => s.includes(a)), `absolute path in JSON at ${where}: ${s}`);
    assert.doesNotMatch(s, TIMESTAMP, `timestamp in JSON at ${where}`);
  }
  const { originalUriBaseIds, ...rest } = sarif;
  assert.deepEqual(originalUriBaseIds, { '%SRCROOT%': { uri: pathToFileURL(`${realpathSync(repoRoot)}/`).href } });
  for (const [where, s] of strings(rest)) {
    assert.ok(!s.startsWith('/') && !s.startsWith('file:'), `absolute path in SARIF at ${where}: ${s}`);
    assert.ok(!s.includes(repoRoot), `absolute path in SARIF at ${where}: ${s}`);
    assert.doesNotMatch(s, TIMESTAMP, `timestamp in SARIF at ${where}`);
  }
  assert.equal(sarif.invocations?.[0]?.startTimeUtc, undefined);
  assert.equal(sarif.invocations?.[0]?.endTimeUtc, undefined);
});
