import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allRules } from '../rules/index.js';
import { repoRoot } from '../src/docs.js';
import { cliHarness } from './helpers/cli-run.js';

/** Finding messages are read alone, in code scanning: they say what the code does, why it matters, what to do. */
const { run, tree } = cliHarness('messages');

interface JsonFinding {
  ruleId: string;
  message: string;
  related: { message: string }[];
}

const FLAG_RULES = ['splice-f-gift', 'ineffective-flag'];

function findings(args: string[], cwd: string): JsonFinding[] {
  const r = run(['--format', 'json', ...args], cwd);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout).findings;
}

const fixtureFindings = findings(['--include-suppressed', 'fixtures'], repoRoot);

test('no message says "must include" (read as an instruction to add the flag)', () => {
  assert.ok(fixtureFindings.length > 50, `only ${fixtureFindings.length} findings in fixtures/`);
  const rules = new Set(fixtureFindings.map((f) => f.ruleId));
  for (const id of FLAG_RULES) assert.ok(rules.has(id), `fixtures/ have no ${id} finding`);
  for (const f of fixtureFindings) {
    for (const message of [f.message, ...f.related.map((r) => r.message)]) assert.doesNotMatch(message, /must (or may )?include/i, message);
  }
});

/** What a finding's last sentence may start with: an instruction. */
const ACTION_VERBS = ['Drop', 'Drain', 'Use', 'Pass', 'Queue', 'Compare', 'Advance', 'Test', 'Finish', 'Change', 'Leave', 'Have', 'Send'];

test("every rule's findings are two sentences: what is wrong, then what to do", () => {
  const all = findings(['--include-suppressed', '--rule', allRules.map((r) => r.id).join(','), 'fixtures'], repoRoot);
  const reported = new Set(all.map((f) => f.ruleId));
  for (const rule of allRules) assert.ok(reported.has(rule.id), `fixtures/ have no ${rule.id} finding to check`);
  const action = new RegExp(`^(${ACTION_VERBS.join('|')})\\b`);
  for (const f of all) {
    const sentences = f.message.split(/(?<=\.)\s+(?=[A-Z])/);
    assert.ok(sentences.length === 2, `${f.ruleId}: ${sentences.length} sentences: ${f.message}`);
    assert.match(sentences[1], action, `${f.ruleId}: the last sentence gives no instruction: ${f.message}`);
  }
});

test('flag findings say what the call passes, why it matters, then what to do', () => {
  const flagFindings = fixtureFindings.filter((f) => FLAG_RULES.includes(f.ruleId));
  for (const f of flagFindings) {
    assert.match(f.message, /^(vmsplice|splice|tee)\(\) (is|may be) passed SPLICE_F_[A-Z]+/, f.message);
    assert.match(f.message, /\. Drop (the flag|it|them)\b[^.]*\.$/, `${f.ruleId}: ${f.message}`);
  }
});

test('the "may" form names its condition: the line that sets the flag, or a choice in the call', () => {
  const dir = tree('flags', {
    'a.c': [
      'int always(int fd, struct iovec *v) { return vmsplice(fd, v, 1, SPLICE_F_GIFT); }',
      'int sometimes(int fd, struct iovec *v, int fast) {',
      '  unsigned fl = 0;',
      '  if (fast) fl = SPLICE_F_GIFT | SPLICE_F_MOVE;',
      '  return vmsplice(fd, v, 1, fl);',
      '}',
      'int chosen(int fd, struct iovec *v, int fast) { return vmsplice(fd, v, 1, fast ? SPLICE_F_MORE : 0); }',
      '',
    ].join('\n'),
  });
  const messages = findings(['a.c'], dir).map((f) => `${f.ruleId}: ${f.message}`);
  const has = (re: RegExp) => assert.ok(messages.some((m) => re.test(m)), `${re}\n${messages.join('\n')}`);
  has(/^splice-f-gift: vmsplice\(\) is passed SPLICE_F_GIFT, a promise that the pages are never modified again.* Drop the flag/);
  has(/^splice-f-gift: vmsplice\(\) may be passed SPLICE_F_GIFT \(through variable 'fl', when the value set on line 4 reaches the call\), a promise/);
  has(/^ineffective-flag: vmsplice\(\) may be passed SPLICE_F_MOVE \(through variable 'fl', when the value set on line 4 reaches the call\), which has no effect on vmsplice\(\)\. Drop it: it suggests a zero-copy move that never happens\.$/);
  has(/^ineffective-flag: vmsplice\(\) may be passed SPLICE_F_MORE \(when a condition in the call selects it\), which has no effect/);
  assert.equal(messages.length, 4, messages.join('\n'));
});

test('a condition from #if goes with the first sentence, not with the advice', () => {
  const dir = tree('under', {
    'a.c': ['int push(int fd, struct iovec *v) {', '#ifdef FAST', '  return vmsplice(fd, v, 1, SPLICE_F_MOVE);', '#endif', '  return 0;', '}', ''].join('\n'),
  });
  const [f] = findings(['a.c'], dir);
  assert.equal(f.message, "vmsplice() is passed SPLICE_F_MOVE, which has no effect on vmsplice() (under '#ifdef FAST'). Drop it: it suggests a zero-copy move that never happens.");
});
