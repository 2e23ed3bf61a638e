import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { repoRoot } from '../docs.js';
import type { Finding, Fix, Level, Notification, Region } from '../types.js';

/** Findings and fixes in the protocol's terms: 0-based lines, UTF-16 columns (the protocol's default, and ours). */

const SEVERITY: Record<Level, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
};

export function toRange(r: Region): Range {
  return { start: { line: r.startLine - 1, character: r.startColumn - 1 }, end: { line: r.endLine - 1, character: r.endColumn - 1 } };
}

/** The rule's generated page (rules/<id>.md ships with the package), when it is there: a real address or none. */
export function ruleDocUri(ruleId: string): string | null {
  const file = path.join(repoRoot, 'rules', `${ruleId}.md`);
  return existsSync(file) ? pathToFileURL(file).href : null;
}

/** Maps a finding's root-relative path to the URI the client knows the file by. */
export type UriOf = (relPath: string) => string;

export function toDiagnostic(f: Finding, uriOf: UriOf): Diagnostic {
  const doc = ruleDocUri(f.ruleId);
  // SARIF's related locations and code-flow steps: the vmsplice call, where a flag was set, the path to a write.
  const related: DiagnosticRelatedInformation[] = [...f.related, ...f.flow].map((r) => ({
    location: { uri: uriOf(r.location.path), range: toRange(r.location.region) },
    message: r.message,
  }));
  return {
    range: toRange(f.location.region),
    severity: SEVERITY[f.level],
    code: f.ruleId,
    ...(doc ? { codeDescription: { href: doc } } : {}),
    source: 'vmsplice-lint',
    message: f.message,
    ...(related.length ? { relatedInformation: related } : {}),
  };
}

/** A notification with a place in the file (a directive problem), where the CLI's text output points it; null: no place. */
export function notificationDiagnostic(n: Notification): Diagnostic | null {
  if (!n.region) return null;
  return { range: toRange(n.region), severity: SEVERITY[n.level], code: n.kind, source: 'vmsplice-lint', message: n.message };
}

export function fixEdit(fix: Fix, uriOf: UriOf): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const c of fix.changes) {
    changes[uriOf(c.path)] = c.replacements.map((r) => ({ range: toRange(r.region), newText: r.text }));
  }
  return { changes };
}

export const DIRECTIVE_PREFIX = '// vmsplice-lint-disable-next-line';

/** The suppression comment above the finding's line, indented like it; the reason goes after `-- `. */
export function suppressEdit(f: Finding): { edit: TextEdit; cursor: { line: number; character: number } } {
  const indent = /^[ \t]*/.exec(f.lineText)?.[0] ?? '';
  const comment = `${indent}${DIRECTIVE_PREFIX} ${f.ruleId} -- `;
  const line = f.location.region.startLine - 1;
  return {
    edit: { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${comment}\n` },
    cursor: { line, character: comment.length },
  };
}
