/**
 * The JSON output (`--format json`), a public contract. `version` changes only when a field is removed, renamed or
 * changes meaning; new fields may be added within a version.
 *
 * {
 *   version: 1,
 *   tool: { name: "vmsplice-lint", version: string },
 *   summary: {
 *     files: number,       // files scanned
 *     parsed: number,      // files parsed (the others were ruled out by a byte search)
 *     findings: number,    // = errors + warnings + notes
 *     errors: number, warnings: number, notes: number,
 *     skipped: number,     // distinct files not analysed (unreadable, binary, too large, not found, internal error)
 *     ignoredFiles: number, ignoredDirectories: number,  // left out by .gitignore rules
 *     directiveProblems: number  // notifications of kind "directive"; the exit code counts them as findings
 *   },
 *   findings: [{           // ordered by path, line, column, rule id
 *     ruleId: string,
 *     level: "error" | "warning" | "note",
 *     message: string,     // complete sentence(s) ending in a period
 *     path: string,        // relative to the lint root, '/'-separated; absolute for files outside the root
 *     line: number, column: number,        // 1-based; columns in UTF-16 code units
 *     endLine: number, endColumn: number,  // endColumn is exclusive
 *     related: [{ path: string, line: number, column: number, message: string }],
 *     fingerprint: string  // line-number-free identity, see src/report/fingerprint.ts
 *   }],
 *   notifications: [{      // ordered by path, kind, message
 *     level: "error" | "warning" | "note",
 *     kind: "unreadable" | "binary" | "too-large" | "not-found" | "parse-recovery" | "internal" | "directive",
 *     path: string,
 *     line?: number, column?: number, endLine?: number, endColumn?: number,  // for a problem with a place (directive)
 *     message: string
 *   }]
 * }
 */

import type { Rule } from '../rule.js';
import type { Level, LintResult, Notification } from '../types.js';
import { countLevels, directiveProblems, orderedFindings, orderedNotifications, sentence, skippedFiles } from './common.js';

export interface JsonReport {
  version: 1;
  tool: { name: 'vmsplice-lint'; version: string };
  summary: { files: number; parsed: number; findings: number; errors: number; warnings: number; notes: number; skipped: number; ignoredFiles: number; ignoredDirectories: number; directiveProblems: number };
  findings: JsonFinding[];
  notifications: JsonNotification[];
}

export interface JsonFinding {
  ruleId: string;
  level: Level;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  related: { path: string; line: number; column: number; message: string }[];
  fingerprint: string;
}

export interface JsonNotification {
  level: Notification['level'];
  kind: Notification['kind'];
  path: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  message: string;
}

/** `rules` are the rules that ran; a finding of any other rule is an engine bug and throws. */
export function toJson(result: LintResult, rules: Rule[], toolVersion: string): JsonReport {
  const known = new Set(rules.map((rule) => rule.id));
  const findings = orderedFindings(result);
  const stranger = findings.find((finding) => !known.has(finding.ruleId));
  if (stranger) {
    throw new Error(`finding for rule '${stranger.ruleId}', which is not among the rules given to the JSON reporter`);
  }
  const notifications = orderedNotifications(result);
  const counts = countLevels(findings);
  return {
    version: 1,
    tool: { name: 'vmsplice-lint', version: toolVersion },
    summary: {
      files: result.filesScanned,
      parsed: result.filesParsed,
      findings: findings.length,
      errors: counts.error,
      warnings: counts.warning,
      notes: counts.note,
      skipped: skippedFiles(notifications),
      ignoredFiles: result.ignored?.files ?? 0,
      ignoredDirectories: result.ignored?.dirs ?? 0,
      directiveProblems: directiveProblems(notifications).length,
    },
    findings: findings.map((finding) => {
      const { path, region } = finding.location;
      return {
        ruleId: finding.ruleId,
        level: finding.level,
        message: sentence(finding.message),
        path,
        line: region.startLine,
        column: region.startColumn,
        endLine: region.endLine,
        endColumn: region.endColumn,
        related: finding.related.map(({ location, message }) => ({
          path: location.path,
          line: location.region.startLine,
          column: location.region.startColumn,
          message: sentence(message),
        })),
        fingerprint: finding.fingerprint,
      };
    }),
    notifications: notifications.map(({ level, kind, path, region, message }) => ({
      level,
      kind,
      path,
      ...(region ? { line: region.startLine, column: region.startColumn, endLine: region.endLine, endColumn: region.endColumn } : {}),
      message: sentence(message),
    })),
  };
}
