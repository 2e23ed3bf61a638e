import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';
import { validateCliSarif } from './helpers/sarif-validate.js';

/** Suppression directives, configuration files and baselines, through the CLI. */

const { run, tree } = cliHarness('cfg');

const call = (flags: string, comment = ''): string => `int f${Math.abs(hash(flags + comment))}(int fd, struct iovec *v) { return vmsplice(fd, v, 1, ${flags}) == 1; }${comment}\n`;
function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

function json(args: string[], cwd: string) {
  const r = run([...args, '--format', 'json'], cwd);
  return {
    ...r,
    doc: JSON.parse(r.stdout) as {
      findings: { ruleId: string; level: string; path: string; message: string }[];
      notifications: { kind: string; level: string; message: string; line?: number; column?: number }[];
    },
  };
}

test('directives: a missing reason warns, an unknown rule id is an error (exit 1), unused ones are reported on request', () => {
  const dir = tree('directives', {
    'a.c': [
      '// vmsplice-lint-disable-next-line splice-f-gift\n',
      call('SPLICE_F_GIFT'),
      '// vmsplice-lint-disable-next-line no-such-rule -- typo\n',
      call('0'),
      '// vmsplice-lint-disable-next-line ineffective-flag -- nothing to silence here\n',
      call('SPLICE_F_NONBLOCK'),
    ].join(''),
  });
  const r = json([], dir);
  assert.deepEqual(r.doc.findings, [], 'the directive without a reason still suppresses');
  assert.equal(r.code, 1, 'the unknown rule id fails the run');
  assert.ok(r.doc.notifications.some((n) => n.level === 'warning' && n.line === 1 && n.column === 4 && /no reason/.test(n.message)));
  assert.ok(r.doc.notifications.some((n) => n.level === 'error' && /unknown rule 'no-such-rule'/.test(n.message)));
  assert.ok(!r.doc.notifications.some((n) => /suppresses nothing/.test(n.message)));
  const unused = json(['--report-unused-directives'], dir);
  assert.ok(unused.doc.notifications.some((n) => n.line === 5 && /^The directive suppresses nothing \(ineffective-flag\)/.test(n.message)));
});

test('--include-suppressed keeps suppressed findings as SARIF suppressions (valid SARIF, every result has the property)', () => {
  const dir = tree('include-suppressed', {
    'a.c': ['// vmsplice-lint-disable-next-line splice-f-gift -- probe\n', call('SPLICE_F_GIFT'), call('SPLICE_F_MORE')].join(''),
  });
  const r = run(['--format', 'sarif', '--include-suppressed', '.'], dir);
  const results = JSON.parse(r.stdout).runs[0].results as { ruleId: string; suppressions: { kind: string; justification?: string }[] }[];
  assert.deepEqual(results.map((x) => [x.ruleId, x.suppressions]), [
    ['splice-f-gift', [{ kind: 'inSource', justification: 'probe' }]],
    ['ineffective-flag', []],
  ]);
  assert.equal(r.code, 0, 'suppressed findings do not fail the run; the note does not either');
  const out = path.join(dir, 'out.sarif');
  writeFileSync(out, r.stdout);
  assert.deepEqual(validateCliSarif(out), { errors: [], warnings: [] });
  const plain = JSON.parse(run(['--format', 'sarif', '.'], dir).stdout).runs[0].results;
  assert.deepEqual(plain.map((x: { ruleId: string }) => x.ruleId), ['ineffective-flag']);
  assert.ok(!('suppressions' in plain[0]), 'without suppressed results, no result carries suppressions');
});

test('config: nearest file wins, levels and off, options, defines; --config overrides', () => {
  const dir = tree('config', {
    '.vmsplice-lint.json': JSON.stringify({ rules: { 'splice-f-gift': 'error', 'ineffective-flag': 'off' } }),
    'a.c': call('SPLICE_F_GIFT | SPLICE_F_MORE'),
    'sub/.vmsplice-lint.json': JSON.stringify({ rules: { 'splice-f-gift': 'off' }, defines: { USE_MORE: 1 } }),
    'sub/b.c': `int g(int fd, struct iovec *v) {\n#ifdef USE_MORE\n return vmsplice(fd, v, 1, SPLICE_F_GIFT | SPLICE_F_MORE) == 1;\n#else\n return vmsplice(fd, v, 1, 0) == 1;\n#endif\n}\n`,
    'other.json': JSON.stringify({ rules: { 'splice-f-gift': 'note' } }),
  });
  const r = json(['.'], dir);
  assert.deepEqual(
    r.doc.findings.map((f) => [f.path, f.ruleId, f.level]),
    [
      ['a.c', 'splice-f-gift', 'error'],
      ['sub/b.c', 'ineffective-flag', 'note'],
    ],
  );
  assert.ok(!r.doc.findings[1].message.includes('under'), 'USE_MORE is defined by the config: the branch is decided');
  const explicit = json(['--config', 'other.json', '.'], dir);
  assert.deepEqual(explicit.doc.findings.map((f) => [f.path, f.ruleId, f.level]).filter((x) => x[1] === 'splice-f-gift'), [
    ['a.c', 'splice-f-gift', 'note'],
    ['sub/b.c', 'splice-f-gift', 'note'],
  ]);
});

test('config errors name the file and the bad key, exit 2', () => {
  const cases: [string, unknown, RegExp][] = [
    ['unknown-key', { rulez: {} }, /invalid config '.*\.vmsplice-lint\.json:1:2': rulez: unknown key 'rulez'; did you mean 'rules'\?/],
    ['unknown-rule', { rules: { 'splice-f-gif': 'error' } }, /\/rules\/splice-f-gif: unknown rule 'splice-f-gif'/],
    ['bad-level', { rules: { 'splice-f-gift': 'loud' } }, /\/rules\/splice-f-gift/],
    ['bad-option', { rules: { 'non-netlink-destination': { options: { safeSinks: ['tcp'] } } } }, /\/rules\/non-netlink-destination\/options: option 'non-netlink-destination.safeSinks'/],
    ['not-json', '{ rules: ', /cannot read config/],
  ];
  for (const [name, content, re] of cases) {
    const dir = tree(`bad-${name}`, { '.vmsplice-lint.json': typeof content === 'string' ? content : JSON.stringify(content), 'a.c': call('0') });
    const r = run(['.'], dir);
    assert.equal(r.code, 2, name);
    assert.match(r.stderr, re, name);
    assert.equal(r.stdout, '');
  }
});

test('baseline: written by counts without line numbers, applied with baselineState, pruned', () => {
  const dir = tree('baseline', { 'a.c': call('SPLICE_F_GIFT') + call('SPLICE_F_GIFT', ' /* twin */') });
  const b = path.join(dir, 'baseline.json');
  assert.equal(run(['--write-baseline', b, '.'], dir).code, 1);
  const written = JSON.parse(readFileSync(b, 'utf8'));
  assert.equal(written.version, 1);
  assert.deepEqual(written.entries.map((e: { ruleId: string; count: number }) => [e.ruleId, e.count]), [['splice-f-gift', 1], ['splice-f-gift', 1]]);
  assert.doesNotMatch(readFileSync(b, 'utf8'), /"line"/);

  // Moved down two lines and re-indented: still covered.
  writeFileSync(path.join(dir, 'a.c'), `\n\n  ${call('SPLICE_F_GIFT')}${call('SPLICE_F_GIFT', ' /* twin */')}`);
  assert.equal(run(['--baseline', b, '.'], dir).code, 0);
  // A new finding is reported, and only it, as new.
  writeFileSync(path.join(dir, 'a.c'), call('SPLICE_F_GIFT') + call('SPLICE_F_GIFT', ' /* twin */') + call('SPLICE_F_GIFT', ' /* new */'));
  const r = run(['--baseline', b, '--format', 'sarif', '.'], dir);
  assert.equal(r.code, 1);
  const results = JSON.parse(r.stdout).runs[0].results;
  assert.equal(results.length, 1);
  assert.equal(results[0].baselineState, 'new');
  // One finding fixed: pruning drops its entry.
  writeFileSync(path.join(dir, 'a.c'), call('SPLICE_F_GIFT'));
  assert.equal(run(['--baseline', b, '--prune-baseline', '.'], dir).code, 0);
  assert.equal(JSON.parse(readFileSync(b, 'utf8')).entries.length, 1);
  for (const args of [['--prune-baseline', '.'], ['--baseline', 'missing.json', '.']]) assert.equal(run(args, dir).code, 2, args.join(' '));
});

test('--fail-on and --format github', () => {
  const dir = tree('fail-on', { 'a.c': call('SPLICE_F_MORE') + call('SPLICE_F_GIFT') });
  assert.equal(run(['--fail-on', 'error', '.'], dir).code, 0, 'warnings and notes do not fail at error');
  assert.equal(run(['--fail-on', 'warning', '.'], dir).code, 1);
  assert.equal(run(['--fail-on', 'never', '.'], dir).code, 0);
  const notes = tree('fail-on-notes', { 'a.c': call('SPLICE_F_MORE') });
  assert.equal(run(['.'], notes).code, 0);
  assert.equal(run(['--fail-on', 'note', '.'], notes).code, 1);
  const gh = run(['--format', 'github', '.'], dir);
  assert.match(gh.stdout, /^::warning file=a\.c,line=2,.*title=splice-f-gift::vmsplice\(\) is passed SPLICE_F_GIFT, a promise .*\.$/m);
  assert.match(gh.stdout, /^::notice file=a\.c,line=1,/m);
  const summary = path.join(dir, 'summary.md');
  writeFileSync(summary, '# earlier step\n');
  run(['.'], dir, { GITHUB_STEP_SUMMARY: summary });
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^# earlier step\n/, 'appended, not overwritten');
  assert.match(md, /## vmsplice-lint/);
});
