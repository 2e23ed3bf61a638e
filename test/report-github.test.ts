import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rule } from '../src/rule.js';
import type { Finding, LintResult, Notification } from '../src/types.js';
import { stepSummary, toGithub } from '../src/report/github.js';

function rule(id: string, level: Rule['meta']['level'], title = `Title of ${id}`): Rule {
  return {
    id,
    meta: { title, level, precision: 'high', tags: [], enabledByDefault: true },
    docs: { summary: 'Summary.', why: 'Why.', example: 'f();', useInstead: 'g();', limits: 'None.', fixes: '', references: [] },
    check: () => {},
  };
}

const RULES = [rule('splice-f-gift', 'error'), rule('unchecked-result', 'warning'), rule('ineffective-flag', 'note')];

function finding(ruleId: string, level: Finding['level'], path: string, line: number, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    level,
    message: `Message for '${ruleId}'.`,
    location: { path, region: { startLine: line, startColumn: 3, endLine: line, endColumn: 11 } },
    related: [],
    flow: [],
    lineText: 'vmsplice(fd, &iov, 1, 0);',
    fingerprint: `fp-${ruleId}-${line}`,
    ...extra,
  };
}

function result(findings: Finding[], notifications: Notification[] = [], filesScanned = 12): LintResult {
  // Spread over two files in reverse order, so the reporter has to order them.
  const files = [
    { path: 'src/z.c', findings: findings.filter((f) => f.location.path !== 'src/a.c'), notifications: [] },
    { path: 'src/a.c', findings: findings.filter((f) => f.location.path === 'src/a.c'), notifications: [] },
  ];
  return { root: '/r', files, filesScanned, filesParsed: filesScanned, notifications };
}

function lines(text: string): string[] {
  assert.ok(text.endsWith('\n'), 'output ends with a newline');
  return text.slice(0, -1).split('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow commands

test('a finding is one ::error command with file, line, col, endLine, endColumn and title, in that order', () => {
  const f = finding('splice-f-gift', 'error', 'src/a.c', 12, { message: "The call passes 'SPLICE_F_GIFT'" });
  assert.deepEqual(lines(toGithub(result([f]))), [
    "::error file=src/a.c,line=12,col=3,endLine=12,endColumn=11,title=splice-f-gift::The call passes 'SPLICE_F_GIFT'.",
    'vmsplice-lint: 1 problem (1 error, 0 warnings, 0 notes) in 12 files.',
  ]);
});

test('levels map to error, warning and notice; commands follow path, then line order', () => {
  const out = lines(
    toGithub(
      result([
        finding('ineffective-flag', 'note', 'src/z.c', 1),
        finding('unchecked-result', 'warning', 'src/a.c', 9),
        finding('splice-f-gift', 'error', 'src/a.c', 2),
      ]),
    ),
  );
  assert.deepEqual(
    out.map((line) => line.slice(0, line.indexOf(' '))),
    ['::error', '::warning', '::notice', 'vmsplice-lint:'],
  );
  assert.match(out[0]!, /file=src\/a\.c,line=2,/);
  assert.match(out[1]!, /file=src\/a\.c,line=9,.*title=unchecked-result::/);
  assert.match(out[2]!, /file=src\/z\.c,line=1,/);
  assert.equal(out[3], 'vmsplice-lint: 3 problems (1 error, 1 warning, 1 note) in 12 files.');
  assert.ok(!out.some((line) => line.startsWith('::note')), 'there is no ::note command');
});

test('property values escape %, CR, LF, colon and comma; a path with a comma stays one property', () => {
  const path = 'src/50%,x:y\r\nz.c';
  const out = lines(toGithub(result([finding('splice-f-gift', 'error', path, 4)])))[0]!;
  assert.equal(
    out,
    "::error file=src/50%25%2Cx%3Ay%0D%0Az.c,line=4,col=3,endLine=4,endColumn=11,title=splice-f-gift::Message for 'splice-f-gift'.",
  );
  // The runner splits properties on ',' and ends them at '::': exactly the six keys survive.
  const props = out.slice('::error '.length, out.indexOf('::', 2)).split(',');
  assert.deepEqual(
    props.map((p) => p.slice(0, p.indexOf('='))),
    ['file', 'line', 'col', 'endLine', 'endColumn', 'title'],
  );
});

test('the message escapes %, CR and LF but keeps colons and commas', () => {
  const message = "100% of 'iov': gifted,\r\n::error::injected";
  const out = toGithub(result([finding('splice-f-gift', 'error', 'src/a.c', 4, { message })]));
  assert.ok(out.includes("::100%25 of 'iov': gifted,%0D%0A::error::injected.\n"), out);
  // The injected command is not at the start of a line, so the runner does not see it.
  assert.equal(lines(out).filter((line) => line.startsWith('::')).length, 1);
});

test('% is escaped before the other escapes, so an existing %0A in a message is not turned into a newline', () => {
  const out = toGithub(result([finding('splice-f-gift', 'error', 'src/a,%3A.c', 4, { message: 'Literal %0A here.' })]));
  assert.ok(out.includes('file=src/a%2C%253A.c,'), out);
  assert.ok(out.includes('::Literal %250A here.\n'), out);
});

test('a region spanning lines carries no columns, which GitHub accepts only on a single line', () => {
  const f = finding('splice-f-gift', 'error', 'src/a.c', 4);
  f.location.region = { startLine: 4, startColumn: 3, endLine: 6, endColumn: 2 };
  assert.equal(
    lines(toGithub(result([f])))[0],
    "::error file=src/a.c,line=4,endLine=6,title=splice-f-gift::Message for 'splice-f-gift'.",
  );
});

test('notifications are ::warning or ::notice commands with a file, after the findings', () => {
  const notifications: Notification[] = [
    { level: 'warning', kind: 'binary', path: 'blob,1.c', message: 'The file looks binary' },
    { level: 'note', kind: 'parse-recovery', path: 'src/p.c', message: 'Parsed with errors.', count: 2 },
  ];
  assert.deepEqual(lines(toGithub(result([finding('splice-f-gift', 'error', 'src/a.c', 1)], notifications))), [
    "::error file=src/a.c,line=1,col=3,endLine=1,endColumn=11,title=splice-f-gift::Message for 'splice-f-gift'.",
    '::warning file=blob%2C1.c::The file looks binary.',
    '::notice file=src/p.c::Parsed with errors.',
    'vmsplice-lint: 1 problem (1 error, 0 warnings, 0 notes) in 12 files; 1 file skipped; ' +
      '2 vmsplice calls analysed without control flow.',
  ]);
});

test('an error-level notification (a path that does not exist) stays an ::error', () => {
  const n: Notification = { level: 'error', kind: 'not-found', path: 'nope', message: "'nope' does not exist." };
  assert.equal(lines(toGithub(result([], [n])))[0], "::error file=nope::'nope' does not exist.");
});

test('a clean result is only the summary line', () => {
  assert.equal(toGithub(result([], [], 3)), 'vmsplice-lint: No problems found in 3 files.\n');
  assert.equal(toGithub(result([], [], 1)), 'vmsplice-lint: No problems found in 1 file.\n');
});

test('the output does not depend on the order of files and findings in the result', () => {
  const a = [finding('unchecked-result', 'warning', 'src/a.c', 9), finding('splice-f-gift', 'error', 'src/a.c', 9)];
  const one = toGithub(result(a));
  const two = toGithub(result([...a].reverse()));
  assert.equal(one, two);
  assert.ok(one.indexOf('title=splice-f-gift') < one.indexOf('title=unchecked-result'), one);
});

// ---------------------------------------------------------------------------------------------------------------
// Step summary

function tableRows(markdown: string): string[] {
  return lines(markdown).filter((line) => line.startsWith('| ') && !line.startsWith('| Rule ') && !line.startsWith('| ---'));
}

function listItems(markdown: string): string[] {
  return lines(markdown).filter((line) => line.startsWith('- '));
}

test('the step summary counts findings per rule, by count descending then rule id', () => {
  const findings = [
    finding('unchecked-result', 'warning', 'src/a.c', 1),
    finding('unchecked-result', 'warning', 'src/a.c', 2),
    finding('ineffective-flag', 'note', 'src/a.c', 3),
    finding('splice-f-gift', 'error', 'src/z.c', 4),
  ];
  const md = stepSummary(result(findings), RULES);
  assert.equal(lines(md)[0], '## vmsplice-lint');
  assert.ok(md.includes('4 problems (1 error, 2 warnings, 1 note) in 12 files.'), md);
  assert.deepEqual(tableRows(md), [
    '| unchecked-result | Title of unchecked-result | warning | 2 |',
    '| ineffective-flag | Title of ineffective-flag | note | 1 |',
    '| splice-f-gift | Title of splice-f-gift | error | 1 |',
  ]);
});

test('only rules with findings get a row, and a rule level override shows in the Level column', () => {
  const md = stepSummary(result([finding('splice-f-gift', 'warning', 'src/a.c', 1)]), RULES);
  assert.deepEqual(tableRows(md), ['| splice-f-gift | Title of splice-f-gift | warning | 1 |']);
});

test('top findings list path:line, message and rule, most severe first', () => {
  const findings = [
    finding('ineffective-flag', 'note', 'src/a.c', 1),
    finding('unchecked-result', 'warning', 'src/a.c', 2),
    finding('splice-f-gift', 'error', 'src/z.c', 30),
  ];
  const md = stepSummary(result(findings), RULES);
  assert.ok(md.includes('\n### Top findings\n'), md);
  assert.deepEqual(listItems(md), [
    "- `src/z.c:30` — Message for 'splice-f-gift'. `[splice-f-gift]`",
    "- `src/a.c:2` — Message for 'unchecked-result'. `[unchecked-result]`",
    "- `src/a.c:1` — Message for 'ineffective-flag'. `[ineffective-flag]`",
  ]);
});

test('the top findings list stops at 20 and says how many there are; the table counts them all', () => {
  const findings = Array.from({ length: 25 }, (_, i) => finding('unchecked-result', 'warning', 'src/a.c', i + 1));
  const md = stepSummary(result(findings), RULES);
  const items = listItems(md);
  assert.equal(items.length, 20);
  assert.equal(items[0], "- `src/a.c:1` — Message for 'unchecked-result'. `[unchecked-result]`");
  assert.equal(items[19], "- `src/a.c:20` — Message for 'unchecked-result'. `[unchecked-result]`");
  assert.ok(md.includes('Showing 20 of 25 findings.'), md);
  assert.deepEqual(tableRows(md), ['| unchecked-result | Title of unchecked-result | warning | 25 |']);
  const exactly20 = stepSummary(result(findings.slice(0, 20)), RULES);
  assert.equal(listItems(exactly20).length, 20);
  assert.doesNotMatch(exactly20, /Showing/);
});

test('a | in a message or title does not break the table or the list; Markdown characters are escaped', () => {
  const message = "Flags 'a|b' *and* __c__ `d` <script> [x](y) & $m$.";
  const rules = [rule('splice-f-gift', 'error', 'Pipe | table *title*')];
  const f = finding('splice-f-gift', 'error', 'src/a.c', 5, { message });
  const md = stepSummary(result([f]), rules);
  const [row] = tableRows(md);
  assert.equal(row, '| splice-f-gift | Pipe \\| table \\*title\\* | error | 1 |');
  // A GFM row splits on every '|' that an odd number of backslashes does not escape: four cells, no more.
  const cells = row!.split(/(?<!\\)(?:\\\\)*\|/).slice(1, -1);
  assert.equal(cells.length, 4);
  assert.deepEqual(listItems(md), [
    "- `src/a.c:5` — Flags 'a\\|b' \\*and\\* \\_\\_c\\_\\_ \\`d\\` \\<script\\> \\[x\\](y) \\& \\$m\\$. `[splice-f-gift]`",
  ]);
});

test('a message with a line break stays one list item', () => {
  const f = finding('splice-f-gift', 'error', 'src/a.c', 5, { message: 'First line.\n## Not a heading\r\n| x |' });
  const md = stepSummary(result([f]), RULES);
  assert.deepEqual(listItems(md), ["- `src/a.c:5` — First line. ## Not a heading  \\| x \\|. `[splice-f-gift]`"]);
  assert.ok(!lines(md).some((line) => line.startsWith('## Not')), md);
});

test('a path with backticks and Markdown characters is held in a long enough code span', () => {
  const findings = [finding('splice-f-gift', 'error', 'src/``odd`_*|.c', 7), finding('splice-f-gift', 'error', '`x.c', 8)];
  const md = stepSummary(result(findings), RULES);
  assert.deepEqual(listItems(md), [
    "- `` `x.c:8 `` — Message for 'splice-f-gift'. `[splice-f-gift]`",
    "- ```src/``odd`_*|.c:7``` — Message for 'splice-f-gift'. `[splice-f-gift]`",
  ]);
});

test('a clean step summary says so, with no table or list, and counts skipped files', () => {
  assert.equal(stepSummary(result([], [], 7), RULES), '## vmsplice-lint\n\nNo problems found in 7 files.\n');
  const skipped: Notification[] = [
    { level: 'warning', kind: 'too-large', path: 'big.c', message: 'The file is too large.' },
    { level: 'warning', kind: 'binary', path: 'blob.c', message: 'The file looks binary.' },
  ];
  const md = stepSummary(result([], skipped, 7), RULES);
  assert.equal(md, '## vmsplice-lint\n\nNo problems found in 7 files; 2 files skipped.\n');
  assert.deepEqual(tableRows(md), []);
  assert.deepEqual(listItems(md), []);
});

test('the step summary is deterministic', () => {
  const findings = [finding('unchecked-result', 'warning', 'src/a.c', 1), finding('splice-f-gift', 'error', 'src/z.c', 4)];
  assert.equal(stepSummary(result(findings), RULES), stepSummary(result([...findings].reverse()), [...RULES].reverse()));
});
