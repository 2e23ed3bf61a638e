import type { Tree } from './parse.js';
import type { SyntaxNode } from 'tree-sitter';
import { didYouMean } from './suggest.js';
import type { Finding, Notification, Region } from './types.js';

/**
 * Inline suppression directives, in `//` or `/* *\/` comments:
 *
 *   // vmsplice-lint-disable-next-line splice-f-gift, ineffective-flag -- CRIU probe, reviewed
 *   foo();  // vmsplice-lint-disable-line unchecked-result -- result is irrelevant here
 *   /* vmsplice-lint-disable buffer-modified-after-vmsplice -- ring tolerates torn reads *\/
 *   /* vmsplice-lint-enable buffer-modified-after-vmsplice *\/
 *
 * The next-line form is the main one: a directive on the line before keeps
 * GitHub's hash of the flagged line. Comment-only and blank lines between it
 * and the code are skipped. A reason after `--` is expected (a warning when
 * missing); an unknown rule id is an error, and the directive is ignored.
 * Problems point at the directive's text, so editors and annotations can show them.
 */

export interface Directive {
  kind: 'next-line' | 'line' | 'disable' | 'enable';
  rules: string[];
  reason: string | null;
  /** 1-based line of the comment. */
  line: number;
  /** The directive's text within the comment. */
  region: Region;
  /** Lines it covers: [from, to], inclusive (to = Infinity for an open disable). */
  from: number;
  to: number;
  used: boolean;
}

const DIRECTIVE = /vmsplice-lint-(disable-next-line|disable-line|disable|enable)\b([^\n]*)/;

/** The region of `length` characters at `offset` in a comment (one line: a directive ends at the line break). */
function regionIn(comment: SyntaxNode, offset: number, length: number): Region {
  const before = comment.text.slice(0, offset);
  const lineBreak = before.lastIndexOf('\n');
  const startLine = comment.startPosition.row + 1 + (before.match(/\n/g)?.length ?? 0);
  const startColumn = lineBreak < 0 ? comment.startPosition.column + 1 + offset : offset - lineBreak;
  return { startLine, startColumn, endLine: startLine, endColumn: startColumn + length };
}

/** Directives of one file, from its comments, with the lines each covers. */
export function parseDirectives(tree: Tree, text: string, path: string, knownRules: ReadonlySet<string>): { directives: Directive[]; problems: Notification[] } {
  const lines = text.split(/\r\n|\r|\n/);
  const codeLine = (i: number): boolean => {
    const l = lines[i - 1]?.trim() ?? '';
    return l !== '' && !/^(\/\/|\/\*|\*)/.test(l);
  };
  const directives: Directive[] = [];
  const problems: Notification[] = [];
  const open = new Map<string, Directive>();
  const comments = tree.rootNode.descendantsOfType('comment').sort((a, b) => a.startIndex - b.startIndex);
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text.replace(/\*\/\s*$/, ''));
    if (!m) continue;
    const line = c.startPosition.row + 1;
    const region = regionIn(c, m.index, m[0].trimEnd().length);
    const [, word, rest] = m;
    const [list, ...why] = rest.split(/\s--\s?|^--\s?/);
    const reason = why.join(' -- ').trim() || null;
    const rules = list.split(/[\s,]+/).filter(Boolean);
    const unknown = rules.filter((r) => !knownRules.has(r));
    if (!rules.length || unknown.length) {
      problems.push({
        level: 'error',
        kind: 'directive',
        path,
        region,
        message: rules.length
          ? `The directive names unknown rule ${unknown.map((r) => `'${r}'`).join(', ')} and is ignored${didYouMean(unknown[0], [...knownRules]) || '; see --list-rules for the ids'}.`
          : 'The directive names no rule and is ignored; name the rule ids it silences.',
      });
      continue;
    }
    const kind = word === 'disable-next-line' ? 'next-line' : word === 'disable-line' ? 'line' : (word as 'disable' | 'enable');
    if (kind !== 'enable' && !reason) {
      problems.push({ level: 'warning', kind: 'directive', path, region, message: "The directive gives no reason; add one after '--'." });
    }
    if (kind === 'enable') {
      for (const r of rules) {
        const d = open.get(r);
        if (d) {
          d.to = line;
          open.delete(r);
        }
      }
      continue;
    }
    let from = line;
    if (kind === 'next-line') {
      from = c.endPosition.row + 2;
      while (from <= lines.length && !codeLine(from)) from++;
    }
    const d: Directive = { kind, rules, reason, line, region, from, to: kind === 'disable' ? Infinity : from, used: false };
    directives.push(d);
    if (kind === 'disable') for (const r of rules) open.set(r, d);
  }
  return { directives, problems };
}

/** Marks the findings the directives cover with an in-source suppression; returns the unused directives. */
export function applyDirectives(findings: Finding[], directives: Directive[]): Directive[] {
  for (const f of findings) {
    const line = f.location.region.startLine;
    const d = directives.find((x) => x.rules.includes(f.ruleId) && x.from <= line && line <= x.to);
    if (!d) continue;
    d.used = true;
    f.suppression = { kind: 'inSource', justification: d.reason ?? '' };
  }
  return directives.filter((d) => !d.used);
}
