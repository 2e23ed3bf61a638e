// GitHub Actions output: workflow commands that become annotations on the run and the pull request (as ast-grep's
// and Ruff's `--format github` do), and a Markdown report for $GITHUB_STEP_SUMMARY.
//
// Workflow command syntax: `::{command} {key}={value},{key}={value}::{data}`. The runner splits the properties on
// ',' and '=' and ends them at the first '::', and a command ends at the line break; so the data escapes '%', CR and
// LF, and property values escape ':' and ',' too (the escapeData/escapeProperty rules of @actions/core). Messages and
// paths come from the scanned tree: unescaped, a newline in either could start a command of its own.

import type { Rule } from '../rule.js';
import type { Finding, Level, LintResult, Notification, Region } from '../types.js';
import { orderedFindings, orderedNotifications, sentence, summaryLine } from './common.js';

type Command = 'error' | 'warning' | 'notice';

const COMMAND: Record<Level, Command> = { error: 'error', warning: 'warning', note: 'notice' };

/** Most findings listed by name in the step summary; the table still counts them all. */
const TOP_FINDINGS = 20;

// '%' first, so the escapes added after it are not escaped again.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: Command, properties: (readonly [string, string | number])[], message: string): string {
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${name} ${props}::${escapeData(message)}`;
}

// GitHub takes columns only for a single-line annotation ("Omit this parameter if start_line and end_line have
// different values"), so a region spanning lines is annotated by lines alone.
function regionProperties(region: Region): (readonly [string, number])[] {
  const singleLine = region.startLine === region.endLine;
  return [
    ['line', region.startLine],
    ...(singleLine ? [['col', region.startColumn] as const] : []),
    ['endLine', region.endLine],
    ...(singleLine ? [['endColumn', region.endColumn] as const] : []),
  ];
}

function findingCommand(finding: Finding): string {
  const { path, region } = finding.location;
  return command(COMMAND[finding.level], [['file', path], ...regionProperties(region), ['title', finding.ruleId]], sentence(finding.message));
}

function notificationCommand(n: Notification): string {
  const place = n.region ? [...regionProperties(n.region), ['title', `vmsplice-lint ${n.kind}`] as const] : [];
  return command(COMMAND[n.level], [['file', n.path], ...place], sentence(n.message));
}

function summary(findings: Finding[], notifications: Notification[], run: LintResult): string {
  const { head, tail } = summaryLine(findings, notifications, run);
  return head + tail;
}

/**
 * One workflow command per finding (`::error`, `::warning` or `::notice` by level) and per notification, in the
 * reporters' common order, then a plain summary line.
 */
export function toGithub(result: LintResult): string {
  const findings = orderedFindings(result);
  const notifications = orderedNotifications(result);
  const lines = [
    ...findings.map(findingCommand),
    ...notifications.map(notificationCommand),
    `vmsplice-lint: ${summary(findings, notifications, result)}`,
  ];
  return `${lines.join('\n')}\n`;
}

// Markdown. Text from the scanned tree goes on one line (a line break would end the list item or table row) and
// has every character that could start inline markup backslash-escaped, the backslash included, so that each '|'
// left in a table row is either escaped or a cell delimiter. Code spans are used outside the table only: GFM splits
// table cells before it parses code spans.
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

function escapeMarkdown(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~&$]/g, (c) => `\\${c}`);
}

/** A code span that holds any text: the fence is longer than the longest run of backticks inside. */
function codeSpan(text: string): string {
  const flat = oneLine(text);
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space from each end when both ends have one; padding keeps edge backticks and spaces.
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const SEVERITY: Record<Level, number> = { error: 0, warning: 1, note: 2 };

interface RuleRow {
  id: string;
  level: Level;
  count: number;
}

function ruleRows(findings: Finding[]): RuleRow[] {
  const rows = new Map<string, RuleRow>();
  for (const finding of findings) {
    const row = rows.get(finding.ruleId);
    if (row) {
      row.count++;
      // Levels are per rule for a run; should they ever differ, the row shows the most severe.
      if (SEVERITY[finding.level] < SEVERITY[row.level]) row.level = finding.level;
    } else {
      rows.set(finding.ruleId, { id: finding.ruleId, level: finding.level, count: 1 });
    }
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * A Markdown report for $GITHUB_STEP_SUMMARY: counts per rule and the first findings, most severe first. `rules`
 * supplies the titles; a finding of a rule not among them is still counted, with an empty title.
 */
export function stepSummary(result: LintResult, rules: Rule[]): string {
  const findings = orderedFindings(result);
  const notifications = orderedNotifications(result);
  const out = ['## vmsplice-lint', '', summary(findings, notifications, result)];
  if (findings.length > 0) {
    const titles = new Map(rules.map((rule) => [rule.id, rule.meta.title]));
    out.push('', '| Rule | Title | Level | Count |', '| --- | --- | --- | ---: |');
    for (const row of ruleRows(findings)) {
      const title = escapeMarkdown(titles.get(row.id) ?? '');
      out.push(`| ${escapeMarkdown(row.id)} | ${title} | ${row.level} | ${row.count} |`);
    }
    // A stable sort: within a level, the reporters' common order.
    const top = [...findings].sort((a, b) => SEVERITY[a.level] - SEVERITY[b.level]).slice(0, TOP_FINDINGS);
    out.push('', '### Top findings', '');
    for (const finding of top) {
      const { path, region } = finding.location;
      out.push(
        `- ${codeSpan(`${path}:${region.startLine}`)} — ${escapeMarkdown(sentence(finding.message))} ` +
          codeSpan(`[${finding.ruleId}]`),
      );
    }
    if (findings.length > top.length) out.push('', `Showing ${top.length} of ${findings.length} findings.`);
  }
  return `${out.join('\n')}\n`;
}
