/**
 * Finding fingerprints, emitted in SARIF as `partialFingerprints["vmspliceLint/v1"]` and in JSON as `fingerprint`.
 *
 * v1 is the first 32 hex digits of SHA-256 over the JSON array
 *   [ruleId, path, flagged line with every whitespace character removed, occurrence]
 * where `occurrence` is 1 for the first finding of that (ruleId, path, normalized line) triple in the run, in
 * (line, column) order, 2 for the second, and so on.
 *
 * The line number is deliberately absent: adding or removing lines above a finding, or re-indenting it, keeps its
 * fingerprint, so dismissed alerts and baseline entries stay matched (a line-keyed id re-opens them). Identical lines
 * in one file are told apart by their order, as upload-sarif does for `primaryLocationLineHash`. Editing the flagged
 * line itself changes the fingerprint; that is intended.
 *
 * Any change to these inputs or their encoding needs a new key (`vmspliceLint/v2`): SARIF consumers compare only the
 * keys both runs share (SARIF 2.1.0 §3.27.17).
 */

import { createHash } from 'node:crypto';
import type { Finding } from '../types.js';
import { compareFindings } from './common.js';

export const FINGERPRINT_KEY = 'vmspliceLint/v1';

/** Sets `fingerprint` on every finding; pass all findings of one run, since occurrences are counted across it. */
export function assignFingerprints(findings: Finding[]): void {
  const occurrences = new Map<string, number>();
  for (const finding of [...findings].sort(compareFindings)) {
    const triple = [finding.ruleId, finding.location.path, finding.lineText.replace(/\s/gu, '')];
    const key = JSON.stringify(triple);
    const occurrence = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, occurrence);
    finding.fingerprint = createHash('sha256')
      .update(JSON.stringify([...triple, occurrence]))
      .digest('hex')
      .slice(0, 32);
  }
}
