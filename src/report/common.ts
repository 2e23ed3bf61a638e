// Helpers shared by the reporters, so text, JSON and SARIF agree on order, counts and wording.

import type { Finding, Level, LintResult, Notification } from '../types.js';

type RunCounts = Pick<LintResult, 'filesScanned' | 'ignored'>;

// Code-unit order, not localeCompare: output must not depend on the machine's locale.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Path, then position, then rule and message: a total order, so worker scheduling never shows in the output. */
export function compareFindings(a: Finding, b: Finding): number {
  const ra = a.location.region;
  const rb = b.location.region;
  return (
    compareStrings(a.location.path, b.location.path) ||
    ra.startLine - rb.startLine ||
    ra.startColumn - rb.startColumn ||
    ra.endLine - rb.endLine ||
    ra.endColumn - rb.endColumn ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.message, b.message)
  );
}

export function orderedFindings(result: LintResult): Finding[] {
  return result.files.flatMap((file) => file.findings).sort(compareFindings);
}

/** Run-level and per-file notifications together, ordered by path, kind, place and message. */
export function orderedNotifications(result: LintResult): Notification[] {
  const place = (n: Notification): number => (n.region ? n.region.startLine * 1e6 + n.region.startColumn : 0);
  return [...result.notifications, ...result.files.flatMap((file) => file.notifications)].sort(
    (a, b) => compareStrings(a.path, b.path) || compareStrings(a.kind, b.kind) || place(a) - place(b) || compareStrings(a.message, b.message),
  );
}

// A Record, so that a new kind does not compile until someone decides whether it means "not analysed".
const SKIPS: Record<Notification['kind'], boolean> = {
  unreadable: true,
  binary: true,
  'too-large': true,
  'not-found': true,
  internal: true,
  'parse-recovery': false,
  directive: false,
};

export function isSkip(notification: Notification): boolean {
  return SKIPS[notification.kind];
}

/** Number of distinct files that were not analysed. */
export function skippedFiles(notifications: Notification[]): number {
  return new Set(notifications.filter(isSkip).map((n) => n.path)).size;
}

export function countLevels(findings: { level: Level }[]): Record<Level, number> {
  const counts: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  for (const finding of findings) counts[finding.level]++;
  return counts;
}

/** Problems in suppression directives (an unknown rule id, no reason, unused): counted and judged as findings are. */
export function directiveProblems(notifications: Notification[]): Notification[] {
  return notifications.filter((n) => n.kind === 'directive');
}

/**
 * What the summary counts and the exit code judges, by level: findings no directive suppresses (they are shown
 * with --include-suppressed, not counted) and problems in the directives themselves, as ESLint counts its own.
 */
export function problemCounts(findings: Finding[], notifications: Notification[]): Record<Level, number> {
  return countLevels([...findings.filter((f) => !f.suppression), ...directiveProblems(notifications)]);
}

/**
 * The engine promises complete sentences; this keeps a slip from reaching SARIF consumers, which require a
 * final period (SARIF2001).
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed.endsWith('.') ? trimmed : `${trimmed}.`;
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** '3 files and 1 directory', or null when ignore rules left nothing out. */
export function ignoredPhrase(ignored: LintResult['ignored']): string | null {
  if (!ignored || ignored.files + ignored.dirs === 0) return null;
  const parts = [...(ignored.files ? [plural(ignored.files, 'file')] : []), ...(ignored.dirs ? [plural(ignored.dirs, 'directory', 'directories')] : [])];
  return parts.join(' and ');
}

/** The summary line, shared by the text and GitHub reporters: `head` (painted by level in text) and `tail`. */
export function summaryLine(findings: Finding[], notifications: Notification[], run: RunCounts): { head: string; tail: string; worst: Level | null } {
  const files = run.filesScanned;
  const ignored = ignoredPhrase(run.ignored);
  const directives = directiveProblems(notifications).length;
  const suppressed = findings.filter((f) => f.suppression).length;
  const counts = problemCounts(findings, notifications);
  const total = counts.error + counts.warning + counts.note;
  const skipped = skippedFiles(notifications);
  const unstructured = notifications.reduce((n, x) => n + (x.kind === 'parse-recovery' ? (x.count ?? 0) : 0), 0);
  const parts = [
    ...(directives > 0 ? [`${directives} in ${directives === 1 ? 'a suppression directive' : 'suppression directives'}`] : []),
    ...(suppressed > 0 ? [`${plural(suppressed, 'finding')} suppressed by directives, not counted`] : []),
    ...(skipped > 0 ? [`${plural(skipped, 'file')} skipped`] : []),
    ...(unstructured > 0 ? [`${plural(unstructured, 'vmsplice call')} analysed without control flow`] : []),
    ...(ignored ? [`${ignored} left out by .gitignore (--no-ignore to lint them)`] : []),
  ];
  const tail = parts.length ? `; ${parts.join('; ')}.` : '.';
  if (total === 0) return { head: `No problems found in ${plural(files, 'file')}`, tail, worst: null };
  const worst: Level = counts.error > 0 ? 'error' : counts.warning > 0 ? 'warning' : 'note';
  const head =
    `${plural(total, 'problem')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ` +
    `${plural(counts.note, 'note')}) in ${plural(files, 'file')}`;
  return { head, tail, worst };
}
