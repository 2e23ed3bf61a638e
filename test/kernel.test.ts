import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { afAlgCopies, parseKernelVersion } from '../src/analysis/kernel.js';
import { repoRoot } from '../src/docs.js';
import { cliHarness } from './helpers/cli-run.js';

/** --kernel and the config key `kernel`: the oldest supported kernel decides AF_ALG's consumer class. */

const { run, tree } = cliHarness('kernel');
const AF_ALG_C = readFileSync(path.join(repoRoot, 'fixtures/kernel-floor/af-alg.c'), 'utf8');
/** The fixture's last function, a TCP consumer, starts after this line. */
const TCP_LINE = AF_ALG_C.slice(0, AF_ALG_C.indexOf('TCP keeps')).split('\n').length;

function afAlgLines(stdout: string): number[] {
  const report = JSON.parse(stdout) as { findings: { line: number }[] };
  return report.findings.filter((f) => f.line < TCP_LINE).map((f) => f.line);
}

test('kernel versions: distribution and release-candidate spellings parse; 7.1 is where AF_ALG copies', () => {
  assert.deepEqual(parseKernelVersion('6.8.0-45-generic'), { major: 6, minor: 8, text: '6.8.0-45-generic' });
  assert.deepEqual(parseKernelVersion(' v7.1-rc5 '), { major: 7, minor: 1, text: 'v7.1-rc5' });
  for (const bad of ['7', 'seven', '7.1.2.3', '', '6.x']) assert.equal(parseKernelVersion(bad), null, bad);
  assert.equal(afAlgCopies(parseKernelVersion('7.0.9')), false);
  assert.equal(afAlgCopies(parseKernelVersion('7.1')), true);
  assert.equal(afAlgCopies(parseKernelVersion('10.0')), true);
  assert.equal(afAlgCopies(null), false);
});

test('--kernel 7.1 removes the AF_ALG findings that older kernels get, and the config key does the same', () => {
  const dir = tree('af-alg', { 'a.c': AF_ALG_C });
  const older = run(['--format', 'json', '--fail-on', 'never', '.'], dir);
  assert.equal(older.code, 0, older.stderr);
  assert.ok(afAlgLines(older.stdout).length >= 3, older.stdout);
  assert.match(older.stdout, /assuming kernels before 7\.1/);
  const newer = run(['--format', 'json', '--fail-on', 'never', '--kernel', '7.1', '.'], dir);
  assert.equal(newer.code, 0, newer.stderr);
  assert.deepEqual(afAlgLines(newer.stdout), []);
  // The TCP consumer does not depend on the kernel.
  assert.match(newer.stdout, /TCP/);
  const configured = tree('af-alg-config', { 'a.c': AF_ALG_C, '.vmsplice-lint.json': '{ "kernel": "7.1.3" }' });
  assert.deepEqual(afAlgLines(run(['--format', 'json', '--fail-on', 'never', '.'], configured).stdout), []);
  // The command line wins over the config file.
  const overridden = run(['--format', 'json', '--fail-on', 'never', '--kernel', '6.6', '.'], configured);
  assert.deepEqual(afAlgLines(overridden.stdout), afAlgLines(older.stdout));
  assert.match(overridden.stdout, /the oldest supported kernel, 6\.6, is before 7\.1/);
});

test('a malformed version is a one-line usage or config error with exit 2', () => {
  const dir = tree('bad', { 'a.c': 'int x;\n' });
  const r = run(['--kernel', 'seven', '.'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--kernel takes a version such as 6\.6 or 7\.1, not 'seven'/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  const cfg = tree('bad-config', { 'a.c': 'int x;\n', '.vmsplice-lint.json': '{ "kernel": "latest" }' });
  const c = run(['.'], cfg);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /invalid config .*\/kernel: must match pattern/);
  assert.equal(c.stdout, '');
});
