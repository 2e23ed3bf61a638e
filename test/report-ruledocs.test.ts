import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rule } from '../src/rule.js';
import { ruleMarkdown, rulesTableMarkdown, ruleText } from '../src/report/ruledocs.js';

const GIFT: Rule = {
  id: 'splice-f-gift',
  meta: {
    title: 'SPLICE_F_GIFT | gifting pages',
    level: 'error',
    securitySeverity: 7,
    precision: 'high',
    tags: ['security', 'external/cwe/cwe-416'],
    enabledByDefault: true,
  },
  docs: {
    summary: 'Reports vmsplice() calls that pass `SPLICE_F_GIFT`.',
    why: 'The pages are gifted; see [the man page](https://man7.org/linux/man-pages/man2/vmsplice.2.html).',
    example: 'char *s = "```";\nvmsplice(p[1], &iov, 1, SPLICE_F_GIFT);\n',
    useInstead: 'Drop the flag:\n\n```c\nvmsplice(p[1], &iov, 1, 0);\n```',
    limits: 'Flags computed at run time are not seen.',
    fixes: 'Remove the flag.',
    references: [{ title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' }],
  },
  check: () => {},
};

const FLAG: Rule = {
  id: 'ineffective-flag',
  meta: { title: 'Ineffective flag', level: 'note', precision: 'medium', tags: [], enabledByDefault: false },
  docs: {
    summary: 'Reports flags vmsplice() ignores.',
    why: 'They do nothing.',
    example: 'vmsplice(fd, &iov, 1, SPLICE_F_MOVE);',
    useInstead: 'Drop them.',
    limits: '',
    fixes: '',
    references: [],
  },
  check: () => {},
};

test('the Markdown doc has every section in order, a metadata line and a fence the example cannot close', () => {
  const md = ruleMarkdown(GIFT);
  const headings = md.split('\n').filter((line) => line.startsWith('#'));
  assert.deepEqual(headings, [
    '# `splice-f-gift`: SPLICE_F_GIFT | gifting pages',
    '## Why is this bad?',
    '## Example',
    '## Use instead',
    '## Known limits',
    '## Fixes',
    '## References',
  ]);
  const meta = '*level error · security-severity 7.0 · precision high · on by default · tags: `security`, `external/cwe/cwe-416`*';
  assert.ok(md.split('\n').includes(meta), md);
  assert.ok(md.includes('````c\nchar *s = "```";\nvmsplice(p[1], &iov, 1, SPLICE_F_GIFT);\n````'), md);
  assert.ok(md.includes('- [vmsplice(2)](https://man7.org/linux/man-pages/man2/vmsplice.2.html)'));
  assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'));
});

test('empty sections are left out', () => {
  const md = ruleMarkdown(FLAG);
  assert.doesNotMatch(md, /Known limits|Fixes|References/);
  assert.match(md, /off by default \(enable with --rule\)/);
  assert.doesNotMatch(md, /security-severity/);
});

test('the terminal text has no Markdown fences or link syntax and indents code', () => {
  const text = ruleText(GIFT);
  const head = 'splice-f-gift: SPLICE_F_GIFT | gifting pages\nlevel error, security-severity 7.0, precision high, on by default\n';
  assert.ok(text.startsWith(head), text);
  assert.doesNotMatch(text, /```c|\]\(/);
  assert.ok(text.includes('the man page <https://man7.org/linux/man-pages/man2/vmsplice.2.html>'), text);
  assert.ok(text.includes('Example:\n    char *s = "```";\n    vmsplice(p[1], &iov, 1, SPLICE_F_GIFT);\n'), text);
  assert.ok(text.includes('Use instead:\nDrop the flag:\n\n    vmsplice(p[1], &iov, 1, 0);'), text);
  assert.ok(text.includes('Fixes:\nRemove the flag.\n'), text);
  assert.ok(text.includes('References:\n  - vmsplice(2): https://man7.org/linux/man-pages/man2/vmsplice.2.html'), text);
});

test('the rules table has one row per rule in order, with escaped pipes', () => {
  assert.equal(
    rulesTableMarkdown([GIFT, FLAG]),
    '| Rule | Title | Level | Security severity | Precision | On by default |\n' +
      '|---|---|---|---|---|---|\n' +
      '| `splice-f-gift` | SPLICE_F_GIFT \\| gifting pages | error | 7.0 | high | yes |\n' +
      '| `ineffective-flag` | Ineffective flag | note | - | medium | no |\n',
  );
});
