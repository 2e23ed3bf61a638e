// Human-readable output in the ESLint/Ruff style: one `path:line:col` line per finding (editors and terminals make
// it clickable), an optional code frame, related notes, skipped files and a summary line.

import type { Finding, Level, LintResult, Notification } from '../types.js';
import { isSkip, orderedFindings, orderedNotifications, sentence, summaryLine } from './common.js';

export interface TextOptions {
  color: boolean;
  codeFrame: boolean;
}

const ANSI = { bold: 1, dim: 2, red: 31, yellow: 33, cyan: 36 } as const;
type Style = keyof typeof ANSI;
type Paint = (style: Style, text: string) => string;

const LEVEL_STYLE: Record<Level, Style> = { error: 'red', warning: 'yellow', note: 'cyan' };

// Source lines, paths and messages come from the scanned tree: control characters (ESC, C1 CSI, CR, newlines in
// file names) and bidi overrides must not drive the terminal or reorder the frame. Each is one UTF-16 unit, as is
// U+FFFD, so columns stay valid.
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
}

// Terminal cells per code point: East Asian wide ranges (CJK comments are common in C) take two, combining marks
// and format characters none. An approximation of Unicode's East Asian Width that covers CJK and common emoji.
const WIDE: [number, number][] = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff], [0x20000, 0x3fffd],
];

function cells(char: string): number {
  if (/[\p{Mn}\p{Me}\p{Cf}]/u.test(char)) return 0;
  const cp = char.codePointAt(0) ?? 0;
  return WIDE.some(([lo, hi]) => cp >= lo && cp <= hi) ? 2 : 1;
}

function width(text: string): number {
  let total = 0;
  for (const char of text) total += cells(char);
  return total;
}

// Blank out the text before the caret cell by cell, keeping tabs, so the caret lands where the terminal drew it.
function blank(prefix: string): string {
  let out = '';
  for (const char of prefix) out += char === '\t' ? '\t' : ' '.repeat(cells(char));
  return out;
}

function codeFrame(finding: Finding, paint: Paint): string[] {
  const line = printable(finding.lineText.replace(/\r$/, ''));
  const { startLine, startColumn, endLine, endColumn } = finding.location.region;
  // Columns are 1-based UTF-16 code units, end exclusive; a region running on to later lines is underlined to the
  // end of its first line.
  const start = Math.min(startColumn - 1, line.length);
  const end = endLine === startLine ? Math.max(start, Math.min(endColumn - 1, line.length)) : line.length;
  const marks = '^'.repeat(Math.max(1, width(line.slice(start, end))));
  const gutter = String(startLine);
  return [
    `  ${paint('dim', `${gutter} |`)} ${line}`,
    `  ${paint('dim', `${' '.repeat(gutter.length)} |`)} ` +
      `${blank(line.slice(0, start))}${paint(LEVEL_STYLE[finding.level], marks)}`,
  ];
}

function findingBlock(finding: Finding, opts: TextOptions, paint: Paint): string {
  const { path, region } = finding.location;
  const lines = [
    `${paint('bold', `${printable(path)}:${region.startLine}:${region.startColumn}`)}  ` +
      `${paint(LEVEL_STYLE[finding.level], finding.level)}  ${printable(sentence(finding.message))}  ` +
      paint('dim', `[${finding.ruleId}]`),
  ];
  if (opts.codeFrame) lines.push(...codeFrame(finding, paint));
  for (const { location, message } of finding.related) {
    const where = `${printable(location.path)}:${location.region.startLine}:${location.region.startColumn}`;
    lines.push(`  ${paint('cyan', 'note')}: ${where} ${printable(sentence(message))}`);
  }
  return lines.join('\n');
}

// A notification with a place reads like a finding, so editors and terminals open it the same way.
function notificationLine(n: Notification, paint: Paint): string {
  if (n.region) {
    const where = `${printable(n.path)}:${n.region.startLine}:${n.region.startColumn}`;
    return `${paint('bold', where)}  ${paint(LEVEL_STYLE[n.level], n.level)}  ${printable(sentence(n.message))}  ${paint('dim', `[${n.kind}]`)}`;
  }
  const status = paint(LEVEL_STYLE[n.level], isSkip(n) ? 'skipped' : n.level);
  return `${paint('bold', printable(n.path))}: ${status} (${n.kind}): ${printable(sentence(n.message))}`;
}

function summary(findings: Finding[], notifications: Notification[], run: LintResult, paint: Paint): string {
  const { head, tail, worst } = summaryLine(findings, notifications, run);
  return (worst ? paint(LEVEL_STYLE[worst], head) : head) + tail;
}

export function toText(result: LintResult, opts: TextOptions): string {
  const paint: Paint = opts.color ? (style, text) => `\x1b[${ANSI[style]}m${text}\x1b[0m` : (_style, text) => text;
  const findings = orderedFindings(result);
  const notifications = orderedNotifications(result);
  const parts = [
    findings.map((finding) => findingBlock(finding, opts, paint)).join(opts.codeFrame ? '\n\n' : '\n'),
    notifications.map((n) => notificationLine(n, paint)).join('\n'),
    summary(findings, notifications, result, paint),
  ];
  return `${parts.filter((part) => part !== '').join('\n\n')}\n`;
}
