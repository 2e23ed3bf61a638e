import { readFileSync } from 'node:fs';
import type { Finding, LintResult } from './types.js';

/**
 * A baseline records the findings a team accepted, as counts per (file, rule,
 * flagged code with whitespace removed), never by line number (ESLint's bulk
 * suppressions do the same), so unrelated edits do not resurrect them. Only
 * findings beyond the counts are reported.
 */

export interface BaselineEntry {
  path: string;
  ruleId: string;
  /** The flagged line with all whitespace removed. */
  code: string;
  count: number;
}

export interface Baseline {
  version: 1;
  entries: BaselineEntry[];
}

const keyOf = (path: string, ruleId: string, code: string): string => JSON.stringify([path, ruleId, code]);
const codeOf = (f: Finding): string => f.lineText.replace(/\s/g, '');

export function buildBaseline(result: LintResult): Baseline {
  const counts = new Map<string, BaselineEntry>();
  for (const file of result.files) {
    for (const f of file.findings) {
      if (f.suppression) continue;
      const k = keyOf(f.location.path, f.ruleId, codeOf(f));
      const e = counts.get(k);
      if (e) e.count++;
      else counts.set(k, { path: f.location.path, ruleId: f.ruleId, code: codeOf(f), count: 1 });
    }
  }
  const entries = [...counts.values()].sort((a, b) => (a.path + a.ruleId + a.code < b.path + b.ruleId + b.code ? -1 : 1));
  return { version: 1, entries };
}

export function readBaseline(file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read baseline '${file}': ${(err as Error).message}`);
  }
  const b = data as Baseline;
  const valid =
    b?.version === 1 &&
    Array.isArray(b.entries) &&
    b.entries.every((e) => typeof e?.path === 'string' && typeof e.ruleId === 'string' && typeof e.code === 'string' && Number.isInteger(e.count) && e.count > 0);
  if (!valid) throw new Error(`baseline '${file}' is not a vmsplice-lint baseline (version 1 with entries of path, ruleId, code, count)`);
  return b;
}

/**
 * Drops the findings the baseline covers and marks the rest 'new' (SARIF
 * baselineState); returns the baseline pruned to what still occurs.
 */
export function applyBaseline(result: LintResult, baseline: Baseline): Baseline {
  const left = new Map(baseline.entries.map((e) => [keyOf(e.path, e.ruleId, e.code), e.count]));
  const used = new Map<string, number>();
  for (const file of result.files) {
    file.findings = file.findings.filter((f) => {
      if (f.suppression) return true;
      const k = keyOf(f.location.path, f.ruleId, codeOf(f));
      const n = left.get(k) ?? 0;
      if (n > 0) {
        left.set(k, n - 1);
        used.set(k, (used.get(k) ?? 0) + 1);
        return false;
      }
      f.baselineState = 'new';
      return true;
    });
  }
  result.files = result.files.filter((f) => f.findings.length > 0);
  return {
    version: 1,
    entries: baseline.entries
      .map((e) => ({ ...e, count: Math.min(e.count, used.get(keyOf(e.path, e.ruleId, e.code)) ?? 0) }))
      .filter((e) => e.count > 0),
  };
}
