import type { FileFacts } from './analysis/facts.js';
import type { Level, Location, RelatedLocation } from './types.js';

export type Precision = 'very-high' | 'high' | 'medium' | 'low';

export interface RuleMeta {
  /** Sentence-case title without a final period; SARIF shortDescription. */
  title: string;
  level: Level;
  /** Number in (0, 10] for security rules; absent for the others. */
  securitySeverity?: number;
  precision: Precision;
  tags: string[];
  /** Rules off by default run only when named with --rule. */
  enabledByDefault: boolean;
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
  references: { title: string; url: string }[];
}

export interface Report {
  message: string;
  location: Location;
  related?: RelatedLocation[];
  flow?: RelatedLocation[];
}

export interface Rule {
  id: string;
  meta: RuleMeta;
  docs: RuleDocs;
  check(facts: FileFacts, report: (r: Report) => void): void;
}
