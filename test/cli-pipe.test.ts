import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { repoRoot } from '../src/docs.js';
import { cliHarness } from './helpers/cli-run.js';

/** A reader that goes away early (`| head`) ends the run quietly with the exit code it computed. */
const { cli, start, finished } = cliHarness('pipe');

/** Runs `vmsplice-lint ARGS | head -N` in bash; returns what head printed and both exit codes. */
function pipeToHead(args: string, lines: number): { stdout: string; stderr: string; lintCode: number; headCode: number } {
  const script = `"${process.execPath}" "${cli}" ${args} | head -${lines}; echo "codes: \${PIPESTATUS[*]}" >&2`;
  const r = spawnSync('bash', ['-c', script], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' } });
  const codes = /codes: (\d+) (\d+)\n$/.exec(r.stderr);
  assert.ok(codes, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr.slice(0, codes.index), lintCode: Number(codes[1]), headCode: Number(codes[2]) };
}

test('vmsplice-lint fixtures | head -1: one line, no trace, the findings exit code', () => {
  const r = pipeToHead('fixtures', 1);
  assert.equal(r.stdout.split('\n').length, 2, 'one line and its newline');
  assert.match(r.stdout, /^fixtures\/\S+:\d+:\d+ {2}(error|warning|note) /);
  assert.equal(r.stderr, '', 'nothing on stderr');
  assert.equal(r.lintCode, 1);
  assert.equal(r.headCode, 0);
});

test('--explain ID | head -3: three lines, no trace, exit 0', () => {
  const r = pipeToHead('--explain splice-f-gift', 3);
  assert.equal(r.stdout.split('\n').length, 4);
  assert.match(r.stdout, /^splice-f-gift: /);
  assert.equal(r.stderr, '');
  assert.equal(r.lintCode, 0);
});

// `| head` may read everything before the writer finishes; closing the reader first makes the EPIPE certain.
for (const [args, expected] of [
  [['fixtures'], 1],
  [['--explain', 'splice-f-gift'], 0],
  [['--format', 'sarif', 'fixtures'], 1],
] as const) {
  test(`stdout closed before \`${args.join(' ')}\` writes: exit ${expected}, nothing on stderr`, async () => {
    const child = start([...args], repoRoot);
    child.stdout.destroy();
    const r = await finished(child);
    assert.equal(r.stderr, '');
    assert.equal(r.code, expected);
  });
}

test('stderr closed too (`2>&1 | head -1`): a usage error still exits 2 without a trace', async () => {
  const child = start(['--format', 'xml'], repoRoot);
  child.stdout.destroy();
  child.stderr.destroy();
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 2);
});
