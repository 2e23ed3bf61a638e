// Rule documentation generated from Rule.meta and Rule.docs, the single source for --explain, the README rule table
// and SARIF help, so the three never drift apart.

import type { Rule } from '../rule.js';

/** Security severity as GitHub shows it: one decimal for whole numbers ("7.0"), otherwise as written. */
export function formatSecuritySeverity(severity: number): string {
  return Number.isInteger(severity) ? severity.toFixed(1) : String(severity);
}

function metadata(rule: Rule): string[] {
  const { meta } = rule;
  return [
    `level ${meta.level}`,
    ...(meta.securitySeverity === undefined
      ? []
      : [`security-severity ${formatSecuritySeverity(meta.securitySeverity)}`]),
    `precision ${meta.precision}`,
    meta.enabledByDefault ? 'on by default' : meta.pack ? `off by default (pack ${meta.pack}: enable with --rule ${meta.pack} or "packs" in the config)` : 'off by default (enable with --rule)',
  ];
}

// A fence longer than any backtick run in the code, so C that contains ``` cannot end the block early.
function fenced(code: string, language: string): string {
  const longestRun = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${code.replace(/\n+$/, '')}\n${fence}`;
}

// Markdown needs a blank line after a heading; the terminal text reads better without one.
function sections(parts: [heading: string, body: string][], afterHeading: string): string {
  return parts
    .filter(([, body]) => body.trim() !== '')
    .map(([heading, body]) => `${heading}${afterHeading}${body.replace(/^\n+|\s+$/g, '')}`)
    .join('\n\n');
}

export function ruleMarkdown(rule: Rule): string {
  const { meta, docs } = rule;
  const tags = meta.tags.length > 0 ? ` · tags: ${meta.tags.map((tag) => `\`${tag}\``).join(', ')}` : '';
  return (
    sections([
      [`# \`${rule.id}\`: ${meta.title}`, `*${metadata(rule).join(' · ')}${tags}*\n\n${docs.summary}`],
      ['## Why is this bad?', docs.why],
      ['## Example', docs.example.trim() === '' ? '' : fenced(docs.example, 'c')],
      ['## Use instead', docs.useInstead],
      ['## Known limits', docs.limits],
      ['## Fixes', docs.fixes],
      ['## References', docs.references.map((ref) => `- [${ref.title}](${ref.url})`).join('\n')],
    ], '\n\n') + '\n'
  );
}

// Terminal rendering of the Markdown fields: fences become indented blocks and links show their URL.
function plain(markdown: string): string {
  const out: string[] = [];
  let inFence = false;
  for (const line of markdown.trim().split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    out.push(inFence ? `    ${line}` : line.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 <$2>'));
  }
  return out.join('\n');
}

function indented(code: string): string {
  return code
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

export function ruleText(rule: Rule): string {
  const { meta, docs } = rule;
  const tags = meta.tags.length > 0 ? `\nTags: ${meta.tags.join(', ')}` : '';
  return (
    sections([
      [`${rule.id}: ${meta.title}`, `${metadata(rule).join(', ')}${tags}\n\n${plain(docs.summary)}`],
      ['Why is this bad?', plain(docs.why)],
      ['Example:', docs.example.trim() === '' ? '' : indented(docs.example)],
      ['Use instead:', plain(docs.useInstead)],
      ['Known limits:', plain(docs.limits)],
      ['Fixes:', plain(docs.fixes)],
      ['References:', docs.references.map((ref) => `  - ${ref.title}: ${ref.url}`).join('\n')],
    ], '\n') + '\n'
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The README rule table: one row per rule, in the order given. */
export function rulesTableMarkdown(rules: Rule[]): string {
  const rows = rules.map(({ id, meta }) =>
    [
      `\`${id}\``,
      cell(meta.title),
      meta.level,
      meta.securitySeverity === undefined ? '-' : formatSecuritySeverity(meta.securitySeverity),
      meta.precision,
      meta.enabledByDefault ? 'yes' : 'no',
    ].join(' | '),
  );
  return [
    '| Rule | Title | Level | Security severity | Precision | On by default |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n') + '\n';
}
