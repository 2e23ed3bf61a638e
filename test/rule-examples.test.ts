import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allRules } from '../rules/index.js';
import { lintText } from '../src/engine.js';

/**
 * The example in a rule's documentation is what users see first (--explain, SARIF help, rules/<id>.md): it must be a
 * case the rule reports. semantics.md section 6 says which headers the examples assume.
 */
const PRELUDE = [
  '#define _GNU_SOURCE',
  ...['fcntl.h', 'sys/uio.h', 'unistd.h', 'string.h', 'stdlib.h', 'sys/mman.h', 'sys/socket.h'].map((h) => `#include <${h}>`),
  '',
].join('\n');

/** Examples known not to be reported yet, with the reason (a todo test still runs, but does not fail the suite). */
const TODO: Record<string, string> = {
  'fork-after-vmsplice': 'the example is two statements outside a function, which get no control-flow graph',
};

for (const rule of allRules) {
  test(`the documentation example of ${rule.id} is reported by it`, { todo: TODO[rule.id] }, () => {
    const found = lintText(`${rule.id}-example.c`, PRELUDE + rule.docs.example, { rules: [rule] }).findings;
    assert.ok(found.some((f) => f.ruleId === rule.id), `no ${rule.id} finding in its example:\n${rule.docs.example}`);
    assert.ok(found.every((f) => f.ruleId === rule.id));
  });
}
