import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rule } from '../src/rule.js';
import type { Finding, LintResult } from '../src/types.js';
import { toJson } from '../src/report/json.js';

function rule(id: string, level: Rule['meta']['level'], enabledByDefault = true): Rule {
  return {
    id,
    meta: { title: `Title of ${id}`, level, precision: 'high', tags: [], enabledByDefault },
    docs: { summary: 'Summary.', why: 'Why.', example: 'f();', useInstead: 'g();', limits: 'None.', fixes: '', references: [] },
    check: () => {},
  };
}

const RULES = [
  rule('splice-f-gift', 'error'),
  rule('unchecked-result', 'warning'),
  rule('ineffective-flag', 'note', false),
];

function finding(
  ruleId: string,
  level: Finding['level'],
  path: string,
  line: number,
  extra: Partial<Finding> = {},
): Finding {
  return {
    ruleId,
    level,
    message: `Message for '${ruleId}'.`,
    location: { path, region: { startLine: line, startColumn: 3, endLine: line + 1, endColumn: 4 } },
    related: [],
    flow: [],
    lineText: 'vmsplice(fd, &iov, 1, 0);',
    fingerprint: `fp-${ruleId}-${line}`,
    ...extra,
  };
}

const RESULT: LintResult = {
  root: '/src/proj',
  files: [
    {
      path: 'src/z é.c',
      findings: [
        finding('unchecked-result', 'warning', 'src/z é.c', 9, { message: 'The result is ignored' }),
        finding('splice-f-gift', 'error', 'src/z é.c', 2, {
          related: [
            {
              location: { path: 'src/pipe.c', region: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 9 } },
              message: 'The pipe is created.',
            },
          ],
        }),
      ],
      notifications: [{ level: 'note', kind: 'parse-recovery', path: 'src/z é.c', message: 'Parsed with errors.' }],
    },
    { path: 'src/a.c', findings: [finding('ineffective-flag', 'note', 'src/a.c', 1)], notifications: [] },
  ],
  filesScanned: 12,
  filesParsed: 10,
  notifications: [
    { level: 'warning', kind: 'binary', path: 'data/blob.c', message: 'The file looks binary.' },
    { level: 'error', kind: 'unreadable', path: 'data/blob.c', message: 'The file could not be read.' },
    { level: 'warning', kind: 'too-large', path: 'big.c', message: 'The file is too large' },
  ],
};

test('the JSON report has the documented shape, order and counts', () => {
  assert.deepEqual(toJson(RESULT, RULES, '0.1.0'), {
    version: 1,
    tool: { name: 'vmsplice-lint', version: '0.1.0' },
    // Two distinct skipped files (data/blob.c twice, big.c); parse recovery is not a skip.
    summary: { files: 12, parsed: 10, findings: 3, errors: 1, warnings: 1, notes: 1, skipped: 2, ignoredFiles: 0, ignoredDirectories: 0, directiveProblems: 0 },
    findings: [
      {
        ruleId: 'ineffective-flag', level: 'note', message: "Message for 'ineffective-flag'.", path: 'src/a.c',
        line: 1, column: 3, endLine: 2, endColumn: 4, related: [], fingerprint: 'fp-ineffective-flag-1',
      },
      {
        ruleId: 'splice-f-gift', level: 'error', message: "Message for 'splice-f-gift'.", path: 'src/z é.c',
        line: 2, column: 3, endLine: 3, endColumn: 4,
        related: [{ path: 'src/pipe.c', line: 4, column: 5, message: 'The pipe is created.' }],
        fingerprint: 'fp-splice-f-gift-2',
      },
      {
        ruleId: 'unchecked-result', level: 'warning', message: 'The result is ignored.', path: 'src/z é.c',
        line: 9, column: 3, endLine: 10, endColumn: 4, related: [], fingerprint: 'fp-unchecked-result-9',
      },
    ],
    notifications: [
      { level: 'warning', kind: 'too-large', path: 'big.c', message: 'The file is too large.' },
      { level: 'warning', kind: 'binary', path: 'data/blob.c', message: 'The file looks binary.' },
      { level: 'error', kind: 'unreadable', path: 'data/blob.c', message: 'The file could not be read.' },
      { level: 'note', kind: 'parse-recovery', path: 'src/z é.c', message: 'Parsed with errors.' },
    ],
  });
});

test('a clean run still reports the summary and empty lists', () => {
  const clean: LintResult = { root: '/src/proj', files: [], filesScanned: 4, filesParsed: 4, notifications: [] };
  assert.deepEqual(toJson(clean, RULES, '0.1.0'), {
    version: 1,
    tool: { name: 'vmsplice-lint', version: '0.1.0' },
    summary: { files: 4, parsed: 4, findings: 0, errors: 0, warnings: 0, notes: 0, skipped: 0, ignoredFiles: 0, ignoredDirectories: 0, directiveProblems: 0 },
    findings: [],
    notifications: [],
  });
});

test('the report is plain data and does not depend on file order', () => {
  const report = toJson(RESULT, RULES, '0.1.0');
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  assert.deepEqual(toJson({ ...RESULT, files: [...RESULT.files].reverse() }, RULES, '0.1.0'), report);
});

test('a finding of a rule that did not run throws', () => {
  assert.throws(() => toJson(RESULT, RULES.slice(0, 2), '0.1.0'), /ineffective-flag/);
});
