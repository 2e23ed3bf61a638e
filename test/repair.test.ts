import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepaired } from '../src/analysis/repair.js';

const LOST = [
  'STATS(x)',
  '',
  'int __attribute__((cold)) send(int fd, char *b) HOT',
  '{',
  '    vmsplice(fd, 0, 0, 0); /* é𐐷 */',
  '    b[0] = 1;',
  '}',
  '',
].join('\n');

function functions(tree: ReturnType<typeof parseRepaired>['tree']): string[] {
  return tree.rootNode.descendantsOfType('function_definition').map((f) => f.childForFieldName('declarator')?.childForFieldName('declarator')?.text ?? '?');
}

test('a function lost to unknown macros is recovered, with every offset unchanged', () => {
  const p = parseRepaired(LOST, ['vmsplice']);
  assert.equal(p.repaired, 1);
  assert.equal(p.text.length, LOST.length);
  assert.deepEqual(p.text.split('\n').map((l) => l.length), LOST.split('\n').map((l) => l.length), 'line structure kept');
  assert.deepEqual(functions(p.tree), ['send']);
  const call = p.tree.rootNode.descendantsOfType('call_expression')[0];
  assert.equal(call.startPosition.row, 4);
  assert.equal(call.startPosition.column, 4);
});

test('nothing is repaired when the lost region does not mention a needle, or nothing is lost', () => {
  assert.equal(parseRepaired(LOST, ['splice_other']).repaired, 0);
  const clean = 'int f(int fd) { return vmsplice(fd, 0, 0, 0); }\n';
  const p = parseRepaired(clean, ['vmsplice']);
  assert.equal(p.repaired, 0);
  assert.equal(p.text, clean);
});
