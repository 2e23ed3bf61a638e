// Shared domain types. Analysis produces facts, rules turn facts into findings,
// reporters turn findings into text; none of them imports the others' internals.

export type Level = 'error' | 'warning' | 'note';

/** 1-based lines, 1-based columns in UTF-16 code units, end column exclusive (SARIF convention). */
export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface Location {
  /** Path relative to the lint root, '/'-separated. */
  path: string;
  region: Region;
}

export interface RelatedLocation {
  location: Location;
  message: string;
}

/** One text replacement: the region's text (empty region: an insertion point) becomes `text`. */
export interface Replacement {
  region: Region;
  text: string;
}

/** A mechanical edit that resolves a finding (SARIF `fixes`, --fix and the editor's quick fix share it). */
export interface Fix {
  /** Imperative sentence ending in a period: "Remove 'SPLICE_F_GIFT' from the flags." */
  description: string;
  /** Per file (root-relative path as in Location), non-overlapping replacements. */
  changes: { path: string; replacements: Replacement[] }[];
}

export interface Finding {
  ruleId: string;
  level: Level;
  /** Complete sentence(s) ending in a period; dynamic parts in single quotes. */
  message: string;
  location: Location;
  related: RelatedLocation[];
  /** Steps from the cause to the finding (SARIF codeFlows), each with a message; empty when the finding stands alone. */
  flow: RelatedLocation[];
  /** Text of the flagged source line, for code frames and fingerprints. */
  lineText: string;
  /** Stable, line-number-free identity (see report/fingerprint.ts). Filled by the engine. */
  fingerprint: string;
  /** Safe mechanical edits that resolve the finding; absent when the rule offers none. */
  fixes?: Fix[];
  /** Set when an inline directive covers the finding (kept only with --include-suppressed). */
  suppression?: { kind: 'inSource'; justification: string };
  /** Set when a baseline was given: 'new' for findings beyond it. */
  baselineState?: 'new' | 'unchanged';
}

/** Something the run could not do for one file: skipped, unreadable, binary. */
export interface Notification {
  level: 'error' | 'warning' | 'note';
  kind: 'unreadable' | 'binary' | 'too-large' | 'not-found' | 'parse-recovery' | 'internal' | 'directive';
  path: string;
  /** Where in the file, for a problem with a place (a suppression directive). */
  region?: Region;
  message: string;
  /** For parse-recovery: how many vmsplice calls were analysed without control-flow structure. */
  count?: number;
}

export interface FileResult {
  path: string;
  findings: Finding[];
  notifications: Notification[];
}

export interface LintResult {
  root: string;
  files: FileResult[];
  filesScanned: number;
  /** Files with a linted extension, and directories, that ignore rules left out (absent: none counted). */
  ignored?: { files: number; dirs: number };
  filesParsed: number;
  notifications: Notification[];
}
