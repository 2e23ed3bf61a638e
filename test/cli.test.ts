import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { allRules } from '../rules/index.js';
import { repoRoot } from '../src/docs.js';
import { cliHarness } from './helpers/cli-run.js';
import { validateCliSarif } from './helpers/sarif-validate.js';

const { run, tree, work } = cliHarness('cli');

const GIFT_C = [
  '#define _GNU_SOURCE',
  '#include <fcntl.h>',
  'int push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }',
  'int more(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_MORE); }',
  '',
].join('\n');
const GIFT_MESSAGE =
  'vmsplice() is passed SPLICE_F_GIFT, a promise that the pages are never modified again; the kernel keeps no copy, ' +
  'so later writes reach the reader. Drop the flag, unless the buffer is unmapped right after the call.';
const CLEAN_C = 'int push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, 0); }\n';

test('exit 1 with findings, text format by default', () => {
  const dir = tree('findings', { 'src/a.c': GIFT_C });
  const r = run(['.'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^src\/a\.c:3:44 {2}warning {2}vmsplice\(\) is passed SPLICE_F_GIFT, a promise .*\. {2}\[splice-f-gift\]$/m);
  assert.match(r.stdout, /src\/a\.c:4:44 {2}note/);
  assert.equal(r.stderr, '');
});

test('exit 0 on a clean tree, and with only notes', () => {
  const dir = tree('clean', { 'a.c': CLEAN_C });
  assert.equal(run(['.'], dir).code, 0);
  assert.equal(run(['--disable', 'splice-f-gift', '.'], tree('notes', { 'a.c': GIFT_C })).code, 0);
});

test('--exit-zero and --max-warnings', () => {
  const dir = tree('budget', { 'a.c': GIFT_C });
  assert.equal(run(['--exit-zero', '.'], dir).code, 0);
  assert.equal(run(['--max-warnings', '1', '.'], dir).code, 0);
  assert.equal(run(['--max-warnings', '0', '.'], dir).code, 1);
});

test('--rule and --disable select rules; unknown ids are usage errors', () => {
  const dir = tree('select', { 'a.c': GIFT_C });
  const only = run(['--rule', 'ineffective-flag', '--format', 'json', '.'], dir);
  assert.deepEqual(JSON.parse(only.stdout).findings.map((f: { ruleId: string }) => f.ruleId), ['ineffective-flag']);
  const off = run(['--disable', 'ineffective-flag', '--format', 'json', '.'], dir);
  assert.deepEqual(JSON.parse(off.stdout).findings.map((f: { ruleId: string }) => f.ruleId), ['splice-f-gift']);
  for (const args of [['--rule', 'no-such-rule'], ['--disable', 'nope'], ['--explain', 'nope']]) {
    const r = run([...args, '.'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^vmsplice-lint: unknown rule 'no[a-z-]*'/);
    assert.equal(r.stdout, '');
  }
});

test('bad arguments exit 2 with one line on stderr and no stack trace', () => {
  for (const args of [['--format', 'xml'], ['--no-such-flag'], ['--max-warnings', 'many'], ['--max-warnings', '-5'], ['does-not-exist/']]) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.some((l) => l.startsWith('vmsplice-lint: ')), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('--list-rules, --explain, --version, --help', () => {
  const list = run(['--list-rules']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^splice-f-gift\s+warning\s+on\s+SPLICE_F_GIFT used$/m);
  const explain = run(['--explain', 'splice-f-gift']);
  assert.equal(explain.code, 0);
  assert.match(explain.stdout, /Why is this bad\?/);
  assert.match(explain.stdout, /Use instead:/);
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  assert.equal(run(['--version']).stdout.trim(), pkg.version);
  const help = run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--format/);
  assert.match(help.stdout, /Examples:/);
});

test('json output is clean JSON on stdout with the documented shape', () => {
  const dir = tree('json', { 'a.c': GIFT_C });
  const r = run(['--format', 'json', '.'], dir);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.version, 1);
  assert.equal(doc.summary.findings, 2);
  assert.deepEqual(Object.keys(doc.findings[0]).sort(), ['column', 'endColumn', 'endLine', 'fingerprint', 'level', 'line', 'message', 'path', 'related', 'ruleId']);
});

test('--output writes atomically and leaves no temporary files; a bad target keeps the old file', () => {
  const dir = tree('output', { 'a.c': GIFT_C });
  const out = path.join(dir, 'report.sarif');
  const r = run(['--format', 'sarif', '--output', out, 'a.c'], dir);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '', 'nothing on stdout when writing a file');
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).version, '2.1.0');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);

  const missingDir = run(['--format', 'sarif', '--output', path.join(dir, 'no/such/dir/out.sarif'), 'a.c'], dir);
  assert.equal(missingDir.code, 2);
  assert.match(missingDir.stderr, /cannot write output file/);
  assert.ok(!existsSync(path.join(dir, 'no')));

  if (process.getuid?.() !== 0) {
    const ro = path.join(dir, 'ro');
    mkdirSync(ro);
    writeFileSync(path.join(ro, 'out.json'), 'previous');
    chmodSync(ro, 0o555);
    const r2 = run(['--format', 'json', '-o', path.join(ro, 'out.json'), 'a.c'], dir);
    chmodSync(ro, 0o755);
    assert.equal(r2.code, 2);
    assert.equal(readFileSync(path.join(ro, 'out.json'), 'utf8'), 'previous');
  }
});

test('output path that is a directory: exit 2, directory untouched', () => {
  const dir = tree('outdir', { 'a.c': GIFT_C, 'target/keep.txt': 'x' });
  const r = run(['-o', 'target', 'a.c'], dir);
  assert.equal(r.code, 2);
  assert.deepEqual(readdirSync(path.join(dir, 'target')), ['keep.txt']);
});

test('SARIF of the fixtures validates clean with the SARIF multitool (GitHub rules included)', () => {
  const out = path.join(work, 'fixtures.sarif');
  const r = run(['--format', 'sarif', '-o', out, 'fixtures'], repoRoot);
  assert.equal(r.code, 1, r.stderr);
  const log = JSON.parse(readFileSync(out, 'utf8'));
  assert.ok(log.runs[0].results.length > 50, 'the fixtures produce findings');
  const { errors, warnings } = validateCliSarif(out);
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
});

test('SARIF of a clean tree has every rule and results: []', () => {
  const dir = tree('clean-sarif', { 'a.c': CLEAN_C });
  const r = run(['--format', 'sarif', '.'], dir);
  assert.equal(r.code, 0);
  const log = JSON.parse(r.stdout);
  assert.deepEqual(log.runs[0].results, []);
  // Rules off by default are listed too (with defaultConfiguration.enabled false), so --rule can turn them on.
  assert.deepEqual(log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id), allRules.map((r) => r.id));
  const out = path.join(dir, 'clean.sarif');
  writeFileSync(out, r.stdout);
  assert.deepEqual(validateCliSarif(out), { errors: [], warnings: [] });
});

test('binary and unreadable files are notifications, not crashes', () => {
  const dir = tree('binary', { 'a.c': GIFT_C, 'blob.c': 'vmsplice\0\0\0\x01\x02' });
  const r = run(['--format', 'sarif', '.'], dir);
  assert.equal(r.code, 1);
  const inv = JSON.parse(r.stdout).runs[0].invocations[0];
  assert.ok(inv.toolExecutionNotifications.some((n: { message: { text: string } }) => /blob\.c/.test(JSON.stringify(n))));
});

test('--rule-option sets validated rule options', () => {
  const dir = tree('options', {
    'a.c': [
      '#define _GNU_SOURCE',
      '#include <fcntl.h>',
      'int out(char *path) {',
      '  int p[2]; char buf[64];',
      '  int f = open(path, O_WRONLY | O_CREAT, 0600);',
      '  struct iovec v = { buf, sizeof buf };',
      '  if (pipe(p) < 0) return -1;',
      '  if (vmsplice(p[1], &v, 1, 0) != sizeof buf) return -1;',
      '  return splice(p[0], NULL, f, NULL, sizeof buf, 0) == sizeof buf ? 0 : -1;',
      '}',
      '',
    ].join('\n'),
  });
  const ids = (args: string[]) => JSON.parse(run([...args, '--format', 'json', '.'], dir).stdout).findings.map((f: { ruleId: string }) => f.ruleId);
  assert.ok(!ids([]).includes('non-netlink-destination'), 'a regular file copies by default');
  assert.ok(ids(['--rule-option', 'non-netlink-destination.safeSinks=netlink']).includes('non-netlink-destination'), 'strict reading');
  for (const bad of ['non-netlink-destination.safeSinks=tcp', 'non-netlink-destination.nope=1', 'nope.x=1', 'garbage', 'non-netlink-destination.reportUnknown=maybe']) {
    const r = run(['--rule-option', bad, '.'], dir);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /^vmsplice-lint: /);
  }
});

test('-D, -U and --compile-commands decide #if branches; errors are usage errors', () => {
  const src = [
    '#include <fcntl.h>',
    'int push(int fd, struct iovec *v) {',
    '#ifdef USE_GIFT',
    '  return vmsplice(fd, v, 1, SPLICE_F_GIFT) == (ssize_t)v->iov_len ? 0 : -1;',
    '#else',
    '  return vmsplice(fd, v, 1, 0) == (ssize_t)v->iov_len ? 0 : -1;',
    '#endif',
    '}',
    '',
  ].join('\n');
  const dir = tree('defines', { 'a.c': src });
  const messages = (args: string[]) => JSON.parse(run([...args, '--format', 'json', 'a.c'], dir).stdout).findings.map((f: { message: string }) => f.message);
  assert.deepEqual(messages([]), [GIFT_MESSAGE.replace('reader.', "reader (under '#ifdef USE_GIFT').")]);
  assert.deepEqual(messages(['-DUSE_GIFT']), [GIFT_MESSAGE]);
  assert.deepEqual(messages(['-D', 'USE_GIFT=1']), [GIFT_MESSAGE]);
  assert.deepEqual(messages(['-UUSE_GIFT']), []);
  writeFileSync(path.join(dir, 'compile_commands.json'), JSON.stringify([{ directory: dir, file: 'a.c', command: 'cc -c -O2 -DUSE_GIFT "-DNAME=a b" a.c' }]));
  assert.deepEqual(messages(['--compile-commands', 'compile_commands.json']), [GIFT_MESSAGE]);
  assert.deepEqual(messages(['--compile-commands', 'compile_commands.json', '-U', 'USE_GIFT']), [], 'the command line wins over the build');
  writeFileSync(path.join(dir, 'broken.json'), '{"not": "an array"}');
  for (const args of [['--compile-commands', 'broken.json'], ['--compile-commands', 'missing.json'], ['-D', '1BAD']]) {
    const r = run([...args, 'a.c'], dir);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^vmsplice-lint: /);
  }
});

test('paths after -- are linted, even when they start with a dash', () => {
  const dir = tree('dashdash', { '-odd/a.c': GIFT_C });
  const r = run(['--format', 'json', '--', '-odd'], dir);
  assert.deepEqual(JSON.parse(r.stdout).findings.map((f: { path: string }) => f.path), ['-odd/a.c', '-odd/a.c']);
});

test('output is identical with --jobs 1 and --jobs 2 (threads read the tree)', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 4200; i++) files[`many/d${i % 50}/f${i}.c`] = i % 700 === 0 ? GIFT_C : `int x${i};\n`;
  const dir = tree('jobs', files);
  const one = run(['--jobs', '1', '--format', 'sarif', '.'], dir);
  const two = run(['--jobs', '2', '--format', 'sarif', '.'], dir);
  assert.equal(one.code, 1);
  assert.equal(JSON.parse(one.stdout).runs[0].results.length, 12);
  assert.equal(two.stdout, one.stdout);
  assert.equal(run(['--jobs', '0', '.'], dir).code, 2);
});

test('--shard K/N: shards partition the findings and carry their own category', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 12; i++) files[`s${i}.c`] = GIFT_C;
  const dir = tree('shards', files);
  const all = JSON.parse(run(['--format', 'sarif', '.'], dir).stdout).runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0].physicalLocation.artifactLocation.uri);
  const parts = [1, 2, 3].map((k) => JSON.parse(run(['--format', 'sarif', '--shard', `${k}/3`, '.'], dir).stdout).runs[0]);
  const uris = parts.flatMap((p) => p.results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0].physicalLocation.artifactLocation.uri));
  assert.deepEqual([...uris].sort(), [...all].sort(), 'together the shards report everything, once');
  assert.ok(parts.every((p) => p.results.length < all.length), 'each shard reports a part');
  assert.deepEqual(parts.map((p) => p.automationDetails.id), ['vmsplice-lint-shard-1-of-3/', 'vmsplice-lint-shard-2-of-3/', 'vmsplice-lint-shard-3-of-3/']);
  for (const bad of ['0/3', '4/3', '1', 'a/b']) assert.equal(run(['--shard', bad, '.'], dir).code, 2, bad);
});
