import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, LintResult, Notification } from '../src/types.js';
import { toText } from '../src/report/text.js';

const PLAIN = { color: false, codeFrame: false };
const FRAMED = { color: false, codeFrame: true };

function finding(lineText: string, column: number, length: number, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'splice-f-gift',
    level: 'error',
    message: "The call passes 'SPLICE_F_GIFT'.",
    location: {
      path: 'src/a.c',
      region: { startLine: 12, startColumn: column, endLine: 12, endColumn: column + length },
    },
    related: [],
    flow: [],
    lineText,
    fingerprint: 'f',
    ...extra,
  };
}

function result(findings: Finding[], notifications: Notification[] = [], filesScanned = 12): LintResult {
  const files = [{ path: 'src/a.c', findings, notifications: [] }];
  return { root: '/r', files, filesScanned, filesParsed: filesScanned, notifications };
}

/** Where a terminal with 8-column tab stops draws the character at UTF-16 index `index` (no wide characters here). */
function screenColumn(line: string, index: number): number {
  let col = 0;
  for (const char of line.slice(0, index)) col = char === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  return col;
}

function frameLines(text: string): [string, string] {
  const lines = text.split('\n');
  const source = lines.findIndex((line) => line.startsWith('  12 | '));
  return [lines[source]!.slice('  12 | '.length), lines[source + 1]!.slice('     | '.length)];
}

test('the caret sits under the finding after a tab, a non-ASCII and an astral character', () => {
  const line = '\t/* é \u{10437} */\tx = vmsplice(p[1], &iov, 1, SPLICE_F_GIFT);';
  const column = line.indexOf('vmsplice') + 1; // UTF-16: the astral character counts 2
  const [source, marks] = frameLines(toText(result([finding(line, column, 'vmsplice'.length)]), FRAMED));
  assert.equal(source, line);
  assert.equal(marks, '\t' + ' '.repeat(9) + '\t' + ' '.repeat(4) + '^'.repeat(8));
  const caret = marks.indexOf('^');
  assert.equal(screenColumn(marks, caret), screenColumn(source, line.indexOf('vmsplice')));
});

test('wide CJK characters before the finding take two cells each', () => {
  const line = '/* 管道 */ vmsplice(fd, &iov, 1, 0);';
  const [, marks] = frameLines(toText(result([finding(line, line.indexOf('vmsplice') + 1, 8)]), FRAMED));
  assert.equal(marks, ' '.repeat(3 + 4 + 4) + '^'.repeat(8));
});

test('a region running past its first line is underlined to the end of that line', () => {
  const line = '\tvmsplice(p[1],';
  const f = finding(line, 2, 0);
  f.location.region = { startLine: 12, startColumn: 2, endLine: 14, endColumn: 3 };
  const [, marks] = frameLines(toText(result([f]), FRAMED));
  assert.equal(marks, '\t' + '^'.repeat(line.length - 1));
});

test('each finding is one path:line:col line with level, message and rule id, then its related notes', () => {
  const f = finding('vmsplice(p[1], &iov, 1, SPLICE_F_GIFT);', 1, 8, {
    message: "The call passes 'SPLICE_F_GIFT'",
    related: [
      {
        location: { path: 'src/pipe.c', region: { startLine: 3, startColumn: 7, endLine: 3, endColumn: 12 } },
        message: 'The pipe is created.',
      },
    ],
  });
  assert.equal(
    toText(result([f]), PLAIN),
    "src/a.c:12:1  error  The call passes 'SPLICE_F_GIFT'.  [splice-f-gift]\n" +
      '  note: src/pipe.c:3:7 The pipe is created.\n' +
      '\n' +
      '1 problem (1 error, 0 warnings, 0 notes) in 12 files.\n',
  );
});

test('the summary counts levels and skipped files; notifications say whether the file was skipped', () => {
  const findings = [
    finding('a();', 1, 1, { level: 'warning', ruleId: 'unchecked-result' }),
    finding('b();', 1, 1, { level: 'warning', ruleId: 'unchecked-result' }),
    finding('c();', 1, 1),
  ];
  findings[1]!.location.region = { startLine: 20, startColumn: 1, endLine: 20, endColumn: 2 };
  const text = toText(
    result(findings, [
      { level: 'warning', kind: 'binary', path: 'blob.c', message: 'The file looks binary.' },
      { level: 'note', kind: 'parse-recovery', path: 'src/a.c', message: 'Parsed with errors.' },
    ]),
    PLAIN,
  );
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.at(-1), '3 problems (1 error, 2 warnings, 0 notes) in 12 files; 1 file skipped.');
  assert.ok(lines.includes('blob.c: skipped (binary): The file looks binary.'), text);
  assert.ok(lines.includes('src/a.c: note (parse-recovery): Parsed with errors.'), text);
  assert.deepEqual(lines.slice(0, 3).map((l) => l.split('  ')[0]), ['src/a.c:12:1', 'src/a.c:12:1', 'src/a.c:20:1']);
});

test('a clean run says so', () => {
  assert.equal(toText(result([], [], 12), PLAIN), 'No problems found in 12 files.\n');
  assert.equal(toText(result([], [], 1), PLAIN), 'No problems found in 1 file.\n');
});

test('colour only when asked for', () => {
  const f = finding('vmsplice(fd, &iov, 1, 0);', 1, 8);
  assert.doesNotMatch(toText(result([f]), FRAMED), /\x1b\[/);
  const colored = toText(result([f]), { color: true, codeFrame: true });
  assert.match(colored, /\x1b\[31merror\x1b\[0m/);
  assert.match(colored, /\x1b\[31m\^{8}\x1b\[0m/);
});

test('control characters and bidi overrides from the scanned tree are neutralised without moving the caret', () => {
  const line = 'x = "\x1b[2J\u202e"; vmsplice(fd, &iov, 1, 0);';
  const text = toText(result([finding(line, line.indexOf('vmsplice') + 1, 8, { message: "Bad 'a\nb'." })]), FRAMED);
  assert.doesNotMatch(text, /[\x1b\u202e]/);
  assert.ok(text.includes("Bad 'a\uFFFDb'."), text);
  const [source, marks] = frameLines(text);
  assert.equal(marks.indexOf('^'), source.indexOf('vmsplice'));
});

test('the summary counts calls analysed without control flow, which are not skipped files', () => {
  const recovered: Notification = { level: 'note', kind: 'parse-recovery', path: 'src/a.c', message: 'Two calls sit in unparsable code.', count: 2 };
  const text = toText(result([], [recovered]), PLAIN);
  assert.match(text, /No problems found in 12 files; 2 vmsplice calls analysed without control flow\.$/m);
  assert.doesNotMatch(text, /skipped\./);
});
