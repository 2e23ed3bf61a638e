import { buildFacts } from './analysis/facts.js';
import { buildFileIndex } from './analysis/fileindex.js';
import { parseC } from './parse.js';
import { resolveOptions, type Report, type Rule, type RuleOptionValues } from './rule.js';
import type { Finding, Level } from './types.js';

export interface EngineOptions {
  rules: readonly Rule[];
  /** Per-rule level overrides. */
  levels?: ReadonlyMap<string, Level>;
  /** Per-rule option values (validated by resolveOptions). */
  ruleOptions?: ReadonlyMap<string, RuleOptionValues>;
}

/** Bytes whose absence proves a file cannot call vmsplice (every recognised form spells it). */
export const PREFILTER_NEEDLES = ['vmsplice'];

/**
 * Lints one file's text: a pure function of (path, text, options), so it can
 * run on any thread and in any order.
 */
export function lintText(path: string, text: string, opts: EngineOptions): Finding[] {
  if (!PREFILTER_NEEDLES.some((n) => text.includes(n))) return [];
  const tree = parseC(text);
  const facts = buildFacts(path, buildFileIndex(text, tree));
  const lines = text.split(/\r\n|\r|\n/);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const rule of opts.rules) {
    const level = opts.levels?.get(rule.id) ?? rule.meta.level;
    const options = resolveOptions(rule, opts.ruleOptions?.get(rule.id));
    rule.check(facts, (r: Report) => {
      const { region } = r.location;
      // Two expansions of one site (a macro with #if variants) can say the same thing.
      const key = `${rule.id}\0${region.startLine}:${region.startColumn}\0${r.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push({
        ruleId: rule.id,
        level,
        message: r.message,
        location: r.location,
        related: r.related ?? [],
        flow: r.flow ?? [],
        lineText: lines[region.startLine - 1] ?? '',
        fingerprint: '',
      });
    }, options);
  }
  return findings.sort(
    (a, b) =>
      a.location.region.startLine - b.location.region.startLine ||
      a.location.region.startColumn - b.location.region.startColumn ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
