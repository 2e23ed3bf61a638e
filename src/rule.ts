import type { FileFacts } from './analysis/facts.js';
import type { Fix, Level, Location, RelatedLocation } from './types.js';

export type Precision = 'very-high' | 'high' | 'medium' | 'low';

export interface RuleMeta {
  /** Sentence-case title without a final period; SARIF shortDescription. */
  title: string;
  level: Level;
  /** Number in (0, 10] for security rules; absent for the others. */
  securitySeverity?: number;
  precision: Precision;
  tags: string[];
  /** Rules off by default run only when named with --rule, or when their pack is enabled. */
  enabledByDefault: boolean;
  /** The opt-in group the rule belongs to (`--rule PACK` or the config's `packs` enable all of it). */
  pack?: string;
}

/** The documentation of a rule; --explain, the README table and SARIF help are generated from it. */
export interface RuleDocs {
  /** One paragraph, at most 1024 characters: SARIF fullDescription. */
  summary: string;
  /** "Why is this bad", with sources. Markdown. */
  why: string;
  /** A C example that the rule reports. */
  example: string;
  /** What to write instead, Markdown, usually with a C example. */
  useInstead: string;
  /** Known false positives and negatives, Markdown. */
  limits: string;
  /** Which automatic fixes the rule offers (--fix, SARIF `fixes`, editor quick fixes), or why none; Markdown. */
  fixes: string;
  references: { title: string; url: string }[];
}

export interface Report {
  message: string;
  /** A sub-case the rule documents as less severe than its level (a configured level still wins). */
  level?: Level;
  location: Location;
  related?: RelatedLocation[];
  flow?: RelatedLocation[];
  fixes?: Fix[];
}

/** A rule option: its type, default and meaning (documented with the rule, validated where set). */
export type RuleOption =
  | { type: 'boolean'; default: boolean; description: string }
  | { type: 'string[]'; default: string[]; values: string[]; description: string };

export type RuleOptionValues = Record<string, boolean | string[]>;

export interface Rule {
  id: string;
  meta: RuleMeta;
  docs: RuleDocs;
  options?: Record<string, RuleOption>;
  check(facts: FileFacts, report: (r: Report) => void, options: RuleOptionValues): void;
}

/** The rule's defaults overlaid with the values set; throws on an unknown key or a bad value. */
export function resolveOptions(rule: Rule, set: RuleOptionValues | undefined): RuleOptionValues {
  const out: RuleOptionValues = {};
  for (const [k, o] of Object.entries(rule.options ?? {})) out[k] = o.default;
  for (const [k, v] of Object.entries(set ?? {})) {
    const o = rule.options?.[k];
    if (!o) throw new Error(`rule '${rule.id}' has no option '${k}'`);
    if (o.type === 'boolean' && typeof v !== 'boolean') throw new Error(`option '${rule.id}.${k}' takes true or false`);
    if (o.type === 'string[]') {
      if (!Array.isArray(v) || v.some((x) => !o.values.includes(x))) throw new Error(`option '${rule.id}.${k}' takes a list of: ${o.values.join(', ')}`);
    }
    out[k] = v;
  }
  return out;
}
