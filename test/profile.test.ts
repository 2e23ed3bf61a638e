import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliHarness } from './helpers/cli-run.js';

/** VMSPLICE_LINT_PROFILE: bench/ reads the phase profile from stderr; it must never touch stdout. */
const { run, tree } = cliHarness('profile');

const GIFT_C = 'int push(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }\n';

test('VMSPLICE_LINT_PROFILE prints one profile line on stderr with every phase, and leaves stdout alone', () => {
  const dir = tree('one', { 'a.c': GIFT_C, 'b.c': 'int main(void) { return 0; }\n' });
  const plain = run(['--format', 'json', '.'], dir);
  const profiled = run(['--format', 'json', '.'], dir, { VMSPLICE_LINT_PROFILE: '1' });
  assert.equal(profiled.code, plain.code);
  assert.equal(profiled.stdout, plain.stdout);
  assert.doesNotMatch(plain.stderr, /vmsplice-lint-profile/);
  const lines = profiled.stderr.split('\n').filter((l) => l.startsWith('vmsplice-lint-profile '));
  assert.equal(lines.length, 1, profiled.stderr);
  const p = JSON.parse(lines[0].slice('vmsplice-lint-profile '.length)) as Record<string, number>;
  for (const phase of ['startup', 'discovery', 'read', 'parse', 'index', 'analysis', 'report', 'total']) {
    assert.ok(typeof p[phase] === 'number' && p[phase] >= 0, `${phase}: ${p[phase]}`);
  }
  const phases = ['startup', 'discovery', 'read', 'parse', 'index', 'analysis', 'report'].reduce((s, k) => s + p[k], 0);
  assert.ok(phases <= p.total + 1, `phases ${phases} ms add up to at most the total ${p.total} ms`);
  // Later rounds read again the files earlier ones skipped.
  assert.ok(p.filesRead >= 2, String(p.filesRead));
  assert.ok(p.parses >= 1);
});

test('a .c file that names vmsplice only in comments and strings is not parsed; a header that does is', () => {
  const dir = tree('mentions', {
    'a.c': GIFT_C,
    'log.c': '/* vmsplice(2) is not used here */\nvoid warn(void) { puts("vmsplice failed"); }\n',
    'flags.h': '/* flags for vmsplice */\n#define GIFT 1\n',
    'note.c': '// vmsplice-lint-disable-next-line no-such-rule\nint x;\n',
  });
  const r = run(['--format', 'json', '.'], dir);
  const out = JSON.parse(r.stdout) as { summary: { files: number; parsed: number }; notifications: { path: string; kind: string }[] };
  // a.c and flags.h, and note.c: a file with a directive is parsed so that its problems are reported.
  assert.deepEqual([out.summary.files, out.summary.parsed], [4, 3]);
  assert.ok(out.notifications.some((n) => n.path === 'note.c' && n.kind === 'directive'), r.stdout);
});
