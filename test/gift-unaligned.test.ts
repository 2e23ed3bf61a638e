import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRule } from '../rules/index.js';
import { lintText } from '../src/engine.js';
import type { Rule } from '../src/rule.js';

/** gift-unaligned's pageSizes option: larger pages make whole 4 KiB pages partial. */

const rule = findRule('gift-unaligned') as Rule;
const SRC = [
  'int give(int wfd, char *pg)',
  '{',
  '    struct iovec v = { pg, 4096 };',
  '    return vmsplice(wfd, &v, 1, SPLICE_F_GIFT) == 4096 ? 0 : -1;',
  '}',
  '',
].join('\n');

function messages(pageSizes?: string[]): string[] {
  const ruleOptions = pageSizes ? new Map([[rule.id, { pageSizes }]]) : undefined;
  return lintText('a.c', SRC, { rules: [rule], ruleOptions }).findings.map((f) => f.message);
}

test('a 4096-byte gift is whole on 4 KiB pages, partial when 16 KiB pages are supported', () => {
  assert.deepEqual(messages(), []);
  const big = messages(['4096', '16384']);
  assert.equal(big.length, 1);
  assert.match(big[0], /not a multiple of the 16384-byte page/);
});
