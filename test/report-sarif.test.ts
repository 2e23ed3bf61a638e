import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import type { Rule } from '../src/rule.js';
import type { Finding, LintResult, Notification, Region } from '../src/types.js';
import { assignFingerprints } from '../src/report/fingerprint.js';
import { toSarif } from '../src/report/sarif.js';
import { validateSarif } from './helpers/sarif-validate.js';

const ROOT_URI = 'file:///home/ci/work/proj/';
const OPTS = { toolVersion: '0.1.0', rootUri: ROOT_URI, informationUri: 'https://example.org/vmsplice-lint' };

function rule(id: string, meta: Partial<Rule['meta']>, summary = `Reports ${id} problems in vmsplice callers.`): Rule {
  return {
    id,
    meta: {
      title: `Title of ${id}`,
      level: 'warning',
      precision: 'high',
      tags: ['correctness'],
      enabledByDefault: true,
      ...meta,
    },
    docs: {
      summary,
      why: 'The kernel keeps the user pages; see [vmsplice(2)](https://man7.org/linux/man-pages/man2/vmsplice.2.html).',
      example: 'vmsplice(p[1], &iov, 1, SPLICE_F_GIFT);',
      useInstead: 'Use `write(2)`:\n\n```c\nwrite(p[1], buf, len);\n```',
      limits: 'Wrappers behind function pointers are not followed.',
      fixes: '',
      references: [{ title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' }],
    },
    check: () => {},
  };
}

const RULES: Rule[] = [
  rule('splice-f-gift', { level: 'error', securitySeverity: 7.5, tags: ['security', 'external/cwe/cwe-416'] }),
  rule('unchecked-result', { level: 'warning' }),
  rule('ineffective-flag', { level: 'note', precision: 'medium', enabledByDefault: false }),
];

function region(startLine: number, startColumn: number, endLine: number, endColumn: number): Region {
  return { startLine, startColumn, endLine, endColumn };
}

function finding(ruleId: string, path: string, line: number, column: number, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    level: 'warning',
    message: `The call passes 'SPLICE_F_GIFT' to '${ruleId}'.`,
    location: { path, region: region(line, column, line, column + 8) },
    related: [],
    flow: [],
    lineText: '    ret = vmsplice(p[1], &iov, 1, SPLICE_F_GIFT);',
    fingerprint: '',
    ...extra,
  };
}

function lintResult(findings: Finding[], notifications: Notification[] = []): LintResult {
  const paths = [...new Set(findings.map((f) => f.location.path))];
  assignFingerprints(findings);
  return {
    root: '/home/ci/work/proj',
    files: paths.map((path) => ({
      path,
      findings: findings.filter((f) => f.location.path === path),
      notifications: [],
    })),
    filesScanned: 12,
    filesParsed: 11,
    notifications,
  };
}

const WEIRD = 'src/my dir/a#b%c é.c';
const OUTSIDE = '/usr/include/linux/uio.h';

function busyResult(): LintResult {
  return lintResult(
    [
      finding('splice-f-gift', WEIRD, 10, 5, {
        level: 'error',
        related: [
          { location: { path: WEIRD, region: region(4, 3, 4, 10) }, message: 'The pipe is created with pipe2().' },
          { location: { path: 'src/io[1].c', region: region(7, 1, 8, 2) }, message: 'The buffer is freed' },
        ],
      }),
      finding('unchecked-result', 'src/main.c', 3, 1, { message: 'The result of vmsplice() is ignored' }),
      finding('ineffective-flag', OUTSIDE, 20, 9, { level: 'note' }),
    ],
    [
      { level: 'warning', kind: 'binary', path: 'blob/data.c', message: 'The file looks binary and was skipped.' },
      { level: 'error', kind: 'unreadable', path: 'secret dir/x.c', message: "The file could not be read: 'EACCES'" },
    ],
  );
}

function validate(log: Sarif.Log): { errors: string[]; warnings: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'report-sarif-'));
  try {
    const file = join(dir, 'out.sarif');
    writeFileSync(file, JSON.stringify(log, null, 2));
    return validateSarif(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a clean run is valid, has results: [] and declares every rule in the given order', () => {
  const log = toSarif(lintResult([]), RULES, OPTS);
  const run = log.runs[0]!;
  assert.deepEqual(run.results, []);
  assert.deepEqual(run.tool.driver.rules?.map((r) => r.id), ['splice-f-gift', 'unchecked-result', 'ineffective-flag']);
  assert.equal(run.invocations?.[0]?.executionSuccessful, true);
  assert.deepEqual(validate(log), { errors: [], warnings: [] });
});

test('findings, odd paths, an outside file and notifications pass the Multitool with no errors or warnings', () => {
  const log = toSarif(busyResult(), RULES, { ...OPTS, automationId: 'vmsplice-lint/linux/' });
  assert.deepEqual(validate(log), { errors: [], warnings: [] });
});

test('the validator is not vacuous: Multitool warnings come through', () => {
  const log = toSarif(busyResult(), RULES, OPTS);
  const driver = log.runs[0]!.tool.driver;
  driver.rules![1]!.name = driver.rules![1]!.id;
  delete driver.informationUri;
  const { errors, warnings } = validate(log);
  assert.deepEqual(errors, []);
  assert.ok(warnings.some((w) => w.startsWith('SARIF1001') && w.includes('unchecked-result')), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.startsWith('SARIF2005')), warnings.join('\n'));
});

test('the validator is not vacuous: our structural checks catch what the Multitool skips', () => {
  const log = toSarif(busyResult(), RULES, OPTS);
  const run = log.runs[0]!;
  run.tool.driver.rules![0]!.properties!['security-severity'] = 7.5;
  run.results![0]!.level = 'fatal' as Sarif.Result.level;
  run.results![1]!.ruleIndex = 0;
  run.results![1]!.locations![0]!.physicalLocation!.region!.startColumn = 0;
  const { errors } = validate(log);
  const expected = [
    'did not analyse',
    "invalid level 'fatal'",
    'security-severity 7.5',
    "does not point at rule 'unchecked-result'",
    'startColumn is 0',
  ];
  for (const part of expected) {
    assert.ok(errors.some((e) => e.includes(part)), `missing '${part}' in:\n${errors.join('\n')}`);
  }
});

test('rules carry GitHub metadata: name, descriptions, help, default configuration and severity properties', () => {
  const [gift, unchecked, ineffective] = toSarif(lintResult([]), RULES, OPTS).runs[0]!.tool.driver.rules!;
  assert.equal(gift!.name, 'SpliceFGift');
  assert.equal(gift!.shortDescription?.text, 'Title of splice-f-gift');
  assert.equal(gift!.fullDescription?.text, 'Reports splice-f-gift problems in vmsplice callers.');
  assert.match(gift!.help!.markdown!, /## Why is this bad\?/);
  assert.match(gift!.help!.markdown!, /\[vmsplice\(2\)\]\(https:\/\/man7\.org/);
  assert.doesNotMatch(gift!.help!.text, /```/);
  assert.deepEqual(gift!.defaultConfiguration, { level: 'error' });
  assert.deepEqual(gift!.properties, {
    precision: 'high',
    tags: ['security', 'external/cwe/cwe-416'],
    'security-severity': '7.5',
  });
  assert.equal(gift!.helpUri, undefined);
  assert.deepEqual(unchecked!.properties, { precision: 'high', tags: ['correctness'], 'problem.severity': 'warning' });
  assert.deepEqual(ineffective!.defaultConfiguration, { level: 'note', enabled: false });
  assert.equal(ineffective!.properties?.['problem.severity'], 'recommendation');
});

test('a whole-number security severity is still a decimal string, and a security rule is tagged security', () => {
  const log = toSarif(lintResult([]), [rule('x-y', { securitySeverity: 9, tags: ['external/cwe/cwe-416'] })], OPTS);
  const [descriptor] = log.runs[0]!.tool.driver.rules!;
  assert.equal(descriptor!.properties?.['security-severity'], '9.0');
  assert.deepEqual(descriptor!.properties?.tags, ['security', 'external/cwe/cwe-416']);
});

test('a long summary is cut to 1024 UTF-16 units without splitting a surrogate pair', () => {
  const summary = `${'word '.repeat(204)}\u{10437}${'x'.repeat(50)}`; // the astral character straddles unit 1022/1023
  const [descriptor] = toSarif(lintResult([]), [rule('long-doc', {}, summary)], OPTS).runs[0]!.tool.driver.rules!;
  const text = descriptor!.fullDescription!.text;
  assert.ok(text.length <= 1024, `length ${text.length}`);
  assert.ok(text.endsWith('…'));
  assert.doesNotMatch(text, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  assert.ok(summary.startsWith(text.slice(0, -1)));
});

test('paths are percent-encoded relative URIs under %SRCROOT%; outside files become absolute file URIs', () => {
  const run = toSarif(busyResult(), RULES, OPTS).runs[0]!;
  assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: ROOT_URI } });
  const byRule = new Map(run.results!.map((r) => [r.ruleId, r]));
  assert.deepEqual(byRule.get('splice-f-gift')!.locations![0]!.physicalLocation!.artifactLocation, {
    uri: 'src/my%20dir/a%23b%25c%20%C3%A9.c',
    uriBaseId: '%SRCROOT%',
  });
  assert.deepEqual(byRule.get('ineffective-flag')!.locations![0]!.physicalLocation!.artifactLocation, {
    uri: 'file:///usr/include/linux/uio.h',
  });
  const windows = toSarif(lintResult([finding('unchecked-result', 'C:/src/a b.c', 1, 1)]), RULES, OPTS).runs[0]!;
  const windowsLocation = windows.results![0]!.locations![0]!.physicalLocation!.artifactLocation;
  assert.deepEqual(windowsLocation, { uri: 'file:///C:/src/a%20b.c' });
});

test('a root URI without its trailing slash gets one', () => {
  const run = toSarif(lintResult([]), RULES, { ...OPTS, rootUri: 'file:///home/ci/work/proj' }).runs[0]!;
  assert.equal(run.originalUriBaseIds?.['%SRCROOT%']?.uri, 'file:///home/ci/work/proj/');
});

test('results have rule index, level, full region, related locations linked from the message, our fingerprint', () => {
  const run = toSarif(busyResult(), RULES, OPTS).runs[0]!;
  assert.equal(run.columnKind, 'utf16CodeUnits');
  const gift = run.results!.find((r) => r.ruleId === 'splice-f-gift')!;
  assert.equal(gift.ruleIndex, 0);
  assert.equal(gift.level, 'error');
  assert.deepEqual(gift.locations![0]!.physicalLocation!.region, region(10, 5, 10, 13));
  assert.equal(
    gift.message.text,
    "The call passes 'SPLICE_F_GIFT' to 'splice-f-gift'. The pipe is created with pipe2() ([line 4](1)). " +
      'The buffer is freed ([src/io\\[1\\].c:7](2)).',
  );
  assert.deepEqual(
    gift.relatedLocations!.map((l) => [l.id, l.message?.text, l.physicalLocation?.artifactLocation?.uri]),
    [
      [1, 'The pipe is created with pipe2().', 'src/my%20dir/a%23b%25c%20%C3%A9.c'],
      [2, 'The buffer is freed.', 'src/io%5B1%5D.c'],
    ],
  );
  assert.match(gift.partialFingerprints!['vmspliceLint/v1']!, /^[0-9a-f]{32}$/);
  assert.equal(gift.partialFingerprints!['primaryLocationLineHash'], undefined);
  const unchecked = run.results!.find((r) => r.ruleId === 'unchecked-result')!;
  assert.equal(unchecked.ruleIndex, 1);
  assert.equal(unchecked.message.text, 'The result of vmsplice() is ignored.');
  assert.equal(unchecked.relatedLocations, undefined);
});

test('notifications point at their file and an error-level one marks the execution unsuccessful', () => {
  const run = toSarif(busyResult(), RULES, { ...OPTS, automationId: 'vmsplice-lint/linux/' }).runs[0]!;
  assert.deepEqual(run.automationDetails, { id: 'vmsplice-lint/linux/' });
  const [invocation] = run.invocations!;
  assert.equal(invocation!.executionSuccessful, false);
  assert.deepEqual(invocation!.toolExecutionNotifications, [
    {
      level: 'warning',
      message: { text: 'The file looks binary and was skipped.' },
      descriptor: { id: 'binary' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'blob/data.c', uriBaseId: '%SRCROOT%' } } }],
    },
    {
      level: 'error',
      message: { text: "The file could not be read: 'EACCES'." },
      descriptor: { id: 'unreadable' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'secret%20dir/x.c', uriBaseId: '%SRCROOT%' } } }],
    },
  ]);
  const tooLarge: Notification = { level: 'warning', kind: 'too-large', path: 'big.c', message: 'Too large.' };
  const warningsOnly = toSarif(lintResult([], [tooLarge]), RULES, OPTS);
  assert.equal(warningsOnly.runs[0]!.invocations![0]!.executionSuccessful, true);
});

test('output is deterministic: file order does not matter and only the root URI is absolute', () => {
  const result = busyResult();
  const reversed: LintResult = { ...result, files: [...result.files].reverse() };
  const a = JSON.stringify(toSarif(result, RULES, OPTS));
  assert.equal(JSON.stringify(toSarif(reversed, RULES, OPTS)), a);
  assert.doesNotMatch(a, /\d{4}-\d\d-\d\dT\d\d:/);
  assert.equal(a.split('/home/ci/work/proj').length - 1, 1);
  const log = JSON.parse(a) as Sarif.Log;
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  assert.equal(log.runs[0]!.tool.driver.name, 'vmsplice-lint');
  assert.equal(log.runs[0]!.tool.driver.semanticVersion, '0.1.0');
});

test('a finding of a rule that was not given is an engine bug and throws', () => {
  assert.throws(() => toSarif(lintResult([finding('no-such-rule', 'a.c', 1, 1)]), RULES, OPTS), /no-such-rule/);
});
