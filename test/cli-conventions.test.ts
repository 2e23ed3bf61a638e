import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';

/** What users of ESLint, Ruff and ripgrep expect of a command line: colour, typos, errors, exit codes, config. */
const { run, tree } = cliHarness('conventions');

const WARN_C = 'int push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n';
const ESC = '\x1b[';

function usageError(args: string[], cwd: string, re: RegExp): void {
  const r = run(args, cwd);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  assert.match(r.stderr, re);
}

test('--color=always|never|auto, --no-color, NO_COLOR and FORCE_COLOR', () => {
  const dir = tree('color', { 'a.c': WARN_C });
  const colored = (args: string[], env: NodeJS.ProcessEnv = {}) => run([...args, 'a.c'], dir, { NO_COLOR: '', ...env }).stdout.includes(ESC);
  assert.equal(colored([]), false, 'auto: stdout is a pipe here');
  assert.equal(colored(['--color=always']), true);
  assert.equal(colored(['--color', 'always']), true);
  assert.equal(colored(['--color=ALWAYS']), true, 'any case');
  assert.equal(colored(['--color']), true, 'a bare --color forces colour, as in ESLint');
  assert.equal(colored([], { FORCE_COLOR: '1' }), true);
  assert.equal(colored([], { FORCE_COLOR: '1', NO_COLOR: '1' }), false, 'NO_COLOR wins in auto mode');
  assert.equal(colored(['--color=always'], { NO_COLOR: '1' }), true, 'the flag wins over the environment');
  assert.equal(colored(['--no-color'], { FORCE_COLOR: '1' }), false);
  assert.equal(colored(['--color=never'], { FORCE_COLOR: '1' }), false);
  usageError(['--color=sometimes', 'a.c'], dir, /^vmsplice-lint: --color takes auto, always or never, not 'sometimes'$/m);
});

test('did you mean: options, format names and rule ids', () => {
  const dir = tree('typos', { 'a.c': WARN_C });
  usageError(['--formt', 'json', 'a.c'], dir, /^vmsplice-lint: unknown option '--formt'; did you mean '--format'\?$/m);
  usageError(['--colour', 'a.c'], dir, /did you mean '--color'\?/);
  usageError(['--max-warning', '3', 'a.c'], dir, /did you mean '--max-warnings'\?/);
  usageError(['--zzzzzz', 'a.c'], dir, /^vmsplice-lint: unknown option '--zzzzzz'; see --help$/m);
  usageError(['--format', 'jsno', 'a.c'], dir, /^vmsplice-lint: --format takes text, json, sarif or github, not 'jsno'; did you mean 'json'\?$/m);
  usageError(['--fail-on', 'warn', 'a.c'], dir, /not 'warn'; did you mean 'warning'\?/);
  usageError(['--rule', 'splice-f-gfit', 'a.c'], dir, /^vmsplice-lint: unknown rule 'splice-f-gfit'; did you mean 'splice-f-gift'\?$/m);
  usageError(['--disable', 'inefective-flag', 'a.c'], dir, /did you mean 'ineffective-flag'\?/);
  usageError(['--explain', 'unchecked-results'], dir, /did you mean 'unchecked-result'\?/);
  usageError(['--rule-option', 'non-netlink-destinaton.safeSinks=netlink', 'a.c'], dir, /in --rule-option; did you mean 'non-netlink-destination'\?/);
  const directive = tree('typo-directive', { 'a.c': `// vmsplice-lint-disable-next-line splice-f-gfit -- typo\n${WARN_C}` });
  assert.match(run(['a.c'], directive).stdout, /unknown rule 'splice-f-gfit' and is ignored; did you mean 'splice-f-gift'\?/);
});

test('--explain without an id, options without values, conflicting options: one clear line, exit 2', () => {
  const dir = tree('usage', { 'a.c': WARN_C });
  usageError(['--explain'], dir, /^vmsplice-lint: --explain needs a rule id, e\.g\. --explain splice-f-gift \(see --list-rules\)$/m);
  usageError(['a.c', '--config'], dir, /^vmsplice-lint: --config needs a value \(FILE\)$/m);
  usageError(['a.c', '-o'], dir, /^vmsplice-lint: --output \(-o\) needs a value \(FILE\)$/m);
  usageError(['--exit-zero', '--fail-on', 'error', 'a.c'], dir, /^vmsplice-lint: --exit-zero contradicts --fail-on error/m);
  usageError(['--exit-zero', '--max-warnings', '3', 'a.c'], dir, /^vmsplice-lint: --exit-zero contradicts --max-warnings/m);
  usageError(['--fail-on', 'error', '--max-warnings', '3', 'a.c'], dir, /--max-warnings has no effect with --fail-on error/);
  usageError(['--max-warnings', 'many', 'a.c'], dir, /^vmsplice-lint: --max-warnings takes a whole number \(-1 for no limit, as in ESLint\)$/m);
  for (const args of [['--print-confg', 'a.c'], ['--no-such', 'a.c'], ['--format', 'XML']]) {
    const r = run(args, dir);
    assert.doesNotMatch(r.stderr, /printConfig|noSuch|Argument:|Choices:|Given:/, `no yargs internals: ${r.stderr}`);
  }
});

test('format names in any case', () => {
  const dir = tree('case', { 'a.c': WARN_C });
  const r = run(['--format', 'JSON', 'a.c'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).findings[0].ruleId, 'splice-f-gift');
  assert.match(run(['-f', 'GitHub', 'a.c'], dir).stdout, /^::warning file=a\.c,/m);
});

test('--max-warnings as in ESLint: -1 is no limit, N tolerates N, the default fails on any warning', () => {
  const dir = tree('max-warnings', { 'a.c': WARN_C + WARN_C.replace('push', 'push2') });
  assert.equal(run(['a.c'], dir).code, 1);
  assert.equal(run(['--max-warnings', '-1', 'a.c'], dir).code, 0);
  assert.equal(run(['--max-warnings', '2', 'a.c'], dir).code, 0);
  assert.equal(run(['--max-warnings', '1', 'a.c'], dir).code, 1);
  assert.equal(run(['--max-warnings', '0', 'a.c'], dir).code, 1);
});

test('config files take comments and trailing commas; errors give file:line:col and the allowed values', () => {
  const dir = tree('jsonc', {
    'a.c': WARN_C,
    '.vmsplice-lint.json': ['{', '  // quiet the flag rule here', '  "rules": {', '    "splice-f-gift": "off", /* reviewed */', '  },', '}', ''].join('\n'),
  });
  assert.equal(run(['a.c'], dir).code, 0, 'the commented config applies');
  const config = path.join(dir, '.vmsplice-lint.json');
  const bad = (text: string, re: RegExp) => {
    writeFileSync(config, text);
    usageError(['a.c'], dir, re);
  };
  bad('{\n  "rules": {\n    "splice-f-gift": "loud"\n  }\n}\n', /^vmsplice-lint: invalid config '.*\.vmsplice-lint\.json:3:22': \/rules\/splice-f-gift: must be one of 'off', 'on', 'error', 'warning', 'note'$/m);
  bad('{\n  "rules": {\n    "splice-f-gfit": "off"\n  }\n}\n', /\.vmsplice-lint\.json:3:5': \/rules\/splice-f-gfit: unknown rule 'splice-f-gfit'; did you mean 'splice-f-gift'\?$/m);
  bad('{ "exclude": ["x"],\n  "rulez": {} }\n', /\.vmsplice-lint\.json:2:3': rulez: unknown key 'rulez'; did you mean 'rules'\?$/m);
  bad('{ "colour": true }\n', /unknown key 'colour'; allowed: '\$schema', 'rules', 'include', 'exclude'/);
  bad('{\n  "rules": { "splice-f-gift": "off" \n', /^vmsplice-lint: cannot read config '.*\.vmsplice-lint\.json:3:1': '}' was expected$/m);
  bad('{\n  "rules": { "splice-f-gift": "err', /cannot read config '.*\.vmsplice-lint\.json:2:31': the string is not closed$/m);
});

test('stderr says what -o, --sarif-output and --write-baseline wrote, and what a baseline hid; --quiet silences it', () => {
  const dir = tree('wrote', { 'a.c': WARN_C + WARN_C.replace('push', 'push2') });
  const wrote = run(['-o', 'out.txt', '--sarif-output', 'out.sarif', '--write-baseline', 'base.json', 'a.c'], dir);
  assert.equal(wrote.code, 1, wrote.stderr);
  assert.equal(
    wrote.stderr,
    ['wrote 2 baseline entries to base.json', 'wrote 2 results to out.txt', 'wrote 2 results to out.sarif', ''].map((l) => (l ? `vmsplice-lint: ${l}` : l)).join('\n'),
  );
  assert.match(readFileSync(path.join(dir, 'out.txt'), 'utf8'), /2 problems/);
  writeFileSync(path.join(dir, 'a.c'), WARN_C + WARN_C.replace('push', 'push2') + WARN_C.replace('push', 'push3'));
  const hid = run(['--baseline', 'base.json', 'a.c'], dir);
  assert.equal(hid.stderr, 'vmsplice-lint: 2 findings matched the baseline and are not shown\n');
  assert.match(hid.stdout, /^1 problem \(0 errors, 1 warning, 0 notes\) in 1 file\.$/m);
  assert.equal(run(['--quiet', '--baseline', 'base.json', '-o', 'out.txt', 'a.c'], dir).stderr, '');
});

test('--print-config shows what applies to a file, without yargs internals', () => {
  const dir = tree('print-config', {
    'sub/a.c': WARN_C,
    'sub/.vmsplice-lint.json': JSON.stringify({ rules: { 'splice-f-gift': 'error', 'ineffective-flag': 'off' }, defines: { FAST: 1 } }),
  });
  const r = run(['--print-config', 'sub/a.c', '-U', 'SLOW'], dir);
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  assert.equal(printed.configFile, path.join(dir, 'sub', '.vmsplice-lint.json'));
  assert.equal(printed.rules['splice-f-gift'].level, 'error');
  assert.equal(printed.rules['ineffective-flag'], undefined, 'a rule turned off is not listed');
  assert.deepEqual(printed.rules['non-netlink-destination'].options.safeSinks.length > 0, true, 'options with defaults filled in');
  assert.deepEqual(printed.defines, { FAST: '1' });
  assert.deepEqual(printed.undefines, ['SLOW']);
  assert.deepEqual(printed.extensions, ['.c', '.h']);
  usageError(['--print-config'], dir, /^vmsplice-lint: --print-config needs a value \(FILE\)$/m);
});
