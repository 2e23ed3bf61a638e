import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';

/** -o, --write-baseline and --prune-baseline: what happens to the file they name. */
const { run, start, finished, tree } = cliHarness('output');

const GIFT_C = 'int push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n';

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, String(r.stderr));
}

const noTemporaries = (dir: string): void => assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);

/**
 * Runs the CLI writing into `fifo` while `cat` reads it; returns what came through. A CLI that replaced the
 * FIFO instead leaves `cat` waiting forever, so it is stopped a few seconds after the CLI ends.
 */
async function throughFifo(args: string[], fifo: string, cwd: string): Promise<{ code: number | null; stderr: string; received: string }> {
  const reader = spawn('cat', [fifo]);
  let received = '';
  reader.stdout.setEncoding('utf8').on('data', (d: string) => (received += d));
  const readerDone = new Promise((resolve) => reader.on('close', resolve));
  const { code, stderr } = await finished(start(args, cwd));
  const timer = setTimeout(() => reader.kill(), 5000);
  await readerDone;
  clearTimeout(timer);
  return { code, stderr, received };
}

test('-o to a FIFO writes through to its reader and leaves the FIFO in place', async () => {
  const dir = tree('fifo', { 'a.c': GIFT_C });
  const fifo = path.join(dir, 'report.fifo');
  mkfifo(fifo);
  const r = await throughFifo(['-o', fifo, 'a.c'], fifo, dir);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.received, run(['a.c'], dir).stdout);
  assert.match(r.received, /\[splice-f-gift\]/);
  assert.ok(lstatSync(fifo).isFIFO(), 'still a FIFO');
  noTemporaries(dir);
});

test('-o through a symlink writes its target and keeps the link; a dangling link creates its target', () => {
  const dir = tree('symlink', { 'a.c': GIFT_C, 'reports/real.json': 'old' });
  const expected = run(['--format', 'json', 'a.c'], dir).stdout;
  symlinkSync('reports/real.json', path.join(dir, 'link.json'));
  const r = run(['--format', 'json', '-o', 'link.json', 'a.c'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(lstatSync(path.join(dir, 'link.json')).isSymbolicLink(), 'still a symlink');
  assert.equal(readlinkSync(path.join(dir, 'link.json')), 'reports/real.json');
  assert.equal(readFileSync(path.join(dir, 'reports/real.json'), 'utf8'), expected);
  noTemporaries(dir);
  noTemporaries(path.join(dir, 'reports'));

  symlinkSync('reports/new.json', path.join(dir, 'dangling.json'));
  assert.equal(run(['--format', 'json', '-o', 'dangling.json', 'a.c'], dir).code, 1);
  assert.ok(lstatSync(path.join(dir, 'dangling.json')).isSymbolicLink());
  assert.equal(readFileSync(path.join(dir, 'reports/new.json'), 'utf8'), expected);
});

test('-o through a symlink to a FIFO writes through the FIFO', async () => {
  const dir = tree('symlink-fifo', { 'a.c': GIFT_C });
  const fifo = path.join(dir, 'pipe');
  mkfifo(fifo);
  symlinkSync('pipe', path.join(dir, 'out'));
  const r = await throughFifo(['--format', 'json', '-o', 'out', 'a.c'], fifo, dir);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(JSON.parse(r.received).summary.findings, 1);
  assert.ok(lstatSync(path.join(dir, 'out')).isSymbolicLink());
  assert.ok(lstatSync(fifo).isFIFO());
});

test('-o to a regular file replaces it atomically and keeps its permissions', () => {
  const dir = tree('mode', { 'a.c': GIFT_C, 'out.txt': 'old' });
  chmodSync(path.join(dir, 'out.txt'), 0o640);
  assert.equal(run(['-o', 'out.txt', 'a.c'], dir).code, 1);
  assert.equal(statSync(path.join(dir, 'out.txt')).mode & 0o777, 0o640);
  assert.match(readFileSync(path.join(dir, 'out.txt'), 'utf8'), /\[splice-f-gift\]/);
});

test('-o to a character device (mknod, as root) writes to the device and leaves it a device', (t) => {
  if (process.getuid?.() !== 0) return t.skip('mknod needs root');
  const dir = tree('chardev', { 'a.c': GIFT_C });
  const devNull = path.join(dir, 'null');
  const devFull = path.join(dir, 'full');
  // 1,3 is the null device; 1,7 is /dev/full, whose every write fails with ENOSPC.
  for (const [file, minor] of [[devNull, '3'], [devFull, '7']]) {
    const made = spawnSync('mknod', [file, 'c', '1', minor]);
    if (made.status !== 0) return t.skip(`mknod refused: ${String(made.stderr).trim()}`);
  }
  const rdev = statSync(devNull).rdev;
  const r = run(['-o', devNull, 'a.c'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^vmsplice-lint: wrote \d+ results? to .*null\n$/);
  assert.ok(lstatSync(devNull).isCharacterDevice(), 'still a character device');
  assert.equal(statSync(devNull).rdev, rdev);
  assert.equal(readFileSync(devNull, 'utf8'), '', 'the null device still discards');

  // The write really goes to the device: the full device's error comes back as a one-line usage error.
  const full = run(['-o', devFull, 'a.c'], dir);
  assert.equal(full.code, 2);
  assert.match(full.stderr, /^vmsplice-lint: cannot write output file '.*full': ENOSPC\n$/);
  assert.ok(lstatSync(devFull).isCharacterDevice());
  noTemporaries(dir);
});

test('-o to a Unix socket sends the report to its listener', async () => {
  const dir = tree('socket', { 'a.c': GIFT_C });
  const sock = path.join(dir, 'report.sock');
  let received = '';
  const server = createServer((c) => c.setEncoding('utf8').on('data', (d: string) => (received += d)));
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  const closed = new Promise<void>((resolve) => server.on('connection', (c) => c.on('close', resolve)));
  const r = await finished(start(['--format', 'json', '-o', sock, 'a.c'], dir));
  // A CLI that never connected must fail the test, not hang it.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
  const survived = lstatSync(sock, { throwIfNoEntry: false })?.isSocket() === true;
  server.close();
  assert.equal(r.code, 1, r.stderr);
  assert.equal(JSON.parse(received).summary.findings, 1);
  assert.ok(survived, 'still a socket');
});

test('--write-baseline writes through a FIFO; --prune-baseline rewrites a symlinked baseline through the link', async () => {
  const dir = tree('baseline-out', { 'a.c': GIFT_C });
  const fifo = path.join(dir, 'baseline.fifo');
  mkfifo(fifo);
  const written = await throughFifo(['--write-baseline', fifo, 'a.c'], fifo, dir);
  assert.equal(written.code, 1, written.stderr);
  const baseline = JSON.parse(written.received);
  assert.equal(baseline.entries.length, 1);
  assert.ok(lstatSync(fifo).isFIFO());

  // A baseline with one stale entry, kept in another folder and reached through a link.
  baseline.entries.push({ ...baseline.entries[0], ruleId: 'ineffective-flag' });
  writeFileSync(path.join(dir, 'kept.json'), JSON.stringify(baseline));
  symlinkSync('kept.json', path.join(dir, 'baseline.json'));
  assert.equal(run(['--baseline', 'baseline.json', '--prune-baseline', 'a.c'], dir).code, 0);
  assert.ok(lstatSync(path.join(dir, 'baseline.json')).isSymbolicLink());
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'kept.json'), 'utf8')).entries.map((e: { ruleId: string }) => e.ruleId), ['splice-f-gift']);
});

test('--sarif-output and --json-output beside the stdout format: one analysis, three reports that agree', () => {
  const dir = tree('several', { 'a.c': GIFT_C + GIFT_C.replace('push', 'push2'), 'b.c': 'int f(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_MORE); }\n' });
  const r = run(['--sarif-output', 'out.sarif', '--json-output', 'out.json', '.'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^a\.c:1:\d+ {2}warning {2}vmsplice\(\) is passed SPLICE_F_GIFT/m, 'text on stdout');
  assert.match(r.stdout, /^3 problems \(0 errors, 2 warnings, 1 note\) in 2 files\.$/m);
  assert.equal(r.stderr, 'vmsplice-lint: wrote 3 results to out.sarif\nvmsplice-lint: wrote 3 results to out.json\n');
  const json = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8'));
  assert.deepEqual(json, JSON.parse(run(['--format', 'json', '.'], dir).stdout), 'the file is what --format json prints');
  const sarif = JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8'));
  const results = sarif.runs[0].results as { ruleId: string; partialFingerprints: Record<string, string> }[];
  assert.deepEqual(
    results.map((x) => [x.ruleId, Object.values(x.partialFingerprints)[0]]),
    json.findings.map((f: { ruleId: string; fingerprint: string }) => [f.ruleId, f.fingerprint]),
    'the same findings, in the same order',
  );
  assert.ok(!readFileSync(path.join(dir, 'out.sarif'), 'utf8').includes('\x1b['), 'no colour in files');
});

test('two outputs naming one file are a usage error before any work; nothing is written', () => {
  const dir = tree('clash', { 'a.c': GIFT_C });
  for (const args of [
    ['-o', 'same.txt', '--json-output', 'same.txt'],
    ['--sarif-output', 'same.txt', '--json-output', './same.txt'],
    ['--write-baseline', 'same.txt', '--sarif-output', 'same.txt'],
  ]) {
    const r = run([...args, 'a.c'], dir);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^vmsplice-lint: --[a-z-]+ and --[a-z-]+ both write '\.?\/?same\.txt'; give each its own file\n$/);
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(dir).sort(), ['a.c']);
  }
});
