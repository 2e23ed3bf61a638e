import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRule } from '../rules/index.js';
import { lintText } from '../src/engine.js';

/**
 * The example in a rule's documentation is what users see first (--explain, SARIF help, rules/<id>.md): it must
 * be a case the rule reports. Examples are complete functions; semantics.md section 6 says which headers they assume.
 */

const PRELUDE = [
  '#define _GNU_SOURCE',
  ...['fcntl.h', 'sys/uio.h', 'unistd.h', 'string.h', 'stdlib.h', 'sys/mman.h', 'sys/socket.h'].map((h) => `#include <${h}>`),
  '',
].join('\n');

const WHOLE_FUNCTION_EXAMPLES = ['splice-source-mutated', 'exploit-dirty-pipe', 'exploit-copy-fail', 'exploit-cow-leak', 'double-buffer-relies-on-reader'];

for (const id of WHOLE_FUNCTION_EXAMPLES) {
  test(`the documentation example of ${id} is reported by it`, () => {
    const rule = findRule(id);
    assert.ok(rule, `rule ${id} exists`);
    const findings = lintText('example.c', PRELUDE + rule.docs.example, { rules: [rule] }).findings;
    assert.ok(findings.length > 0, `${id} reports nothing on its own example`);
    assert.ok(findings.every((f) => f.ruleId === id));
  });
}
