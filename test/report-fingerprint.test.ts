import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Finding } from '../src/types.js';
import { assignFingerprints } from '../src/report/fingerprint.js';

const LINE = '\tret = vmsplice(p[1], &iov, 1, SPLICE_F_GIFT);';

function finding(line: number, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'splice-f-gift',
    level: 'error',
    message: "The call passes 'SPLICE_F_GIFT'.",
    location: { path: 'src/a.c', region: { startLine: line, startColumn: 8, endLine: line, endColumn: 16 } },
    related: [],
    flow: [],
    lineText: LINE,
    fingerprint: '',
    ...extra,
  };
}

function fingerprintOf(f: Finding): string {
  assignFingerprints([f]);
  return f.fingerprint;
}

test('the fingerprint hashes rule, path, whitespace-free line and occurrence, and nothing else', () => {
  const expected = createHash('sha256')
    .update(JSON.stringify(['splice-f-gift', 'src/a.c', 'ret=vmsplice(p[1],&iov,1,SPLICE_F_GIFT);', 1]))
    .digest('hex')
    .slice(0, 32);
  assert.equal(fingerprintOf(finding(40)), expected);
  assert.match(expected, /^[0-9a-f]{32}$/);
});

test('moving a finding down 5 lines, or re-indenting its line, keeps its fingerprint', () => {
  const before = fingerprintOf(finding(10));
  assert.equal(fingerprintOf(finding(15)), before);
  const reindented = finding(15, { lineText: '        ret  =  vmsplice(p[1], &iov, 1, SPLICE_F_GIFT);  ' });
  assert.equal(fingerprintOf(reindented), before);
  const shiftedColumn = finding(15);
  shiftedColumn.location.region = { startLine: 15, startColumn: 20, endLine: 15, endColumn: 28 };
  assert.equal(fingerprintOf(shiftedColumn), before);
});

test('identical lines in one file get different fingerprints, numbered in line order whatever the input order', () => {
  const first = finding(10);
  const second = finding(30);
  assignFingerprints([second, first]);
  assert.notEqual(first.fingerprint, second.fingerprint);
  assert.equal(first.fingerprint, fingerprintOf(finding(99)));
  // Deleting the first occurrence makes the second one inherit occurrence 1: the documented trade-off.
  const survivor = finding(25);
  assignFingerprints([survivor]);
  assert.equal(survivor.fingerprint, first.fingerprint);
});

test('two findings on the same line are numbered by column', () => {
  const left = finding(5);
  const right = finding(5);
  right.location.region = { startLine: 5, startColumn: 30, endLine: 5, endColumn: 36 };
  assignFingerprints([right, left]);
  const again = [finding(5), finding(5)];
  again[1]!.location.region = { startLine: 5, startColumn: 30, endLine: 5, endColumn: 36 };
  assignFingerprints(again);
  assert.equal(left.fingerprint, again[0]!.fingerprint);
  assert.equal(right.fingerprint, again[1]!.fingerprint);
  assert.notEqual(left.fingerprint, right.fingerprint);
});

test('rule, path and line text each change the fingerprint, and occurrences are counted per triple', () => {
  const base = fingerprintOf(finding(10));
  assert.notEqual(fingerprintOf(finding(10, { ruleId: 'unchecked-result' })), base);
  const elsewhere = finding(10);
  elsewhere.location.path = 'src/b.c';
  assert.notEqual(fingerprintOf(elsewhere), base);
  assert.notEqual(fingerprintOf(finding(10, { lineText: 'ret = vmsplice(p[1], &iov, 2, SPLICE_F_GIFT);' })), base);
  const otherFile = finding(1, { location: { path: 'src/0.c', region: finding(1).location.region } });
  const here = finding(10);
  assignFingerprints([otherFile, here]);
  assert.equal(here.fingerprint, base);
});
