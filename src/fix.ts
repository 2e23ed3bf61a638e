import type { FileFacts, FlagDecision } from './analysis/facts.js';
import { descendants, regionOf } from './analysis/syntax.js';
import type { SyntaxNode } from './parse.js';
import type { Fix, Region, Replacement } from './types.js';

/**
 * Fixes: which edits are safe, as data on findings, and how to apply them to
 * a file's text. Only edits whose effect on the program is exactly "this flag
 * bit is no longer passed to vmsplice" are offered.
 */

/**
 * Removes a flag from the `|`-chain it was written in, when that chain is the
 * flags argument of a call the analysis recognised, or the initializer of a
 * local variable used only as such an argument. `A | B` becomes `B`, a lone
 * flag `0`. Null when the flag comes from a macro, another file, a
 * conditional, arithmetic, or a variable that is also used otherwise.
 */
/**
 * How far up the tree a fix looks (tree-sitter finds a parent by walking down from the root, so climbs cost
 * depth each): a flag buried deeper in parentheses or blocks than this gets no fix.
 */
const MAX_CLIMB = 64;

export function flagRemoval(facts: FileFacts, d: FlagDecision, name: string): Fix | null {
  const ref = d.setAtRef;
  if (!ref || ref.frag || !d.setAt || d.setAt.path !== facts.path) return null;
  const flag = ref.node;
  if (flag.type !== 'identifier' || flag.text !== name) return null;
  const operand = outermostParens(flag);
  let top = operand;
  for (let i = 0; top.parent && (isOr(top.parent) || top.parent.type === 'parenthesized_expression'); i++) {
    if (i === MAX_CLIMB) return null;
    top = top.parent;
  }
  // A second spelling of the flag in the chain would keep the bit set.
  if ([...descendants(top)].filter((n) => n.type === 'identifier' && n.text === name).length !== 1) return null;
  const sites = new Set(facts.vmsplice.map((f) => `${f.location.region.startLine}:${f.location.region.startColumn}`));
  if (!callArgumentOfSite(top, sites) && !isLocalUsedOnlyAsFlags(top, sites)) return null;
  return { description: `Remove '${name}' from the flags.`, changes: [{ path: facts.path, replacements: [removal(operand)] }] };
}

function isOr(n: SyntaxNode): boolean {
  return n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '|';
}

function outermostParens(n: SyntaxNode): SyntaxNode {
  let cur = n;
  for (let i = 0; i < MAX_CLIMB && cur.parent?.type === 'parenthesized_expression' && cur.parent.namedChildCount === 1; i++) cur = cur.parent;
  return cur;
}

/** The edit dropping `operand` from its `|` (with the operator), or turning a lone operand into `0`. */
function removal(operand: SyntaxNode): Replacement {
  const parent = operand.parent;
  if (parent && isOr(parent)) {
    const left = parent.childForFieldName('left')!;
    const right = parent.childForFieldName('right')!;
    const isLeft = left.startIndex === operand.startIndex && left.endIndex === operand.endIndex;
    const from = isLeft ? operand.startPosition : left.endPosition;
    const to = isLeft ? right.startPosition : operand.endPosition;
    return { region: regionBetween(from, to), text: '' };
  }
  return { region: regionOf({ node: operand, frag: null }), text: '0' };
}

function regionBetween(from: { row: number; column: number }, to: { row: number; column: number }): Region {
  return { startLine: from.row + 1, startColumn: from.column + 1, endLine: to.row + 1, endColumn: to.column + 1 };
}

function callArgumentOfSite(n: SyntaxNode, sites: Set<string>): boolean {
  const call = n.parent?.type === 'argument_list' ? n.parent.parent : null;
  if (call?.type !== 'call_expression') return false;
  return sites.has(`${call.startPosition.row + 1}:${call.startPosition.column + 1}`);
}

/** `int fl = A | B;` in a function, and every other mention of `fl` there is an argument of a recognised call. */
function isLocalUsedOnlyAsFlags(top: SyntaxNode, sites: Set<string>): boolean {
  const init = top.parent;
  if (init?.type !== 'init_declarator' || init.childForFieldName('value')?.startIndex !== top.startIndex) return false;
  const declarator = init.childForFieldName('declarator');
  if (declarator?.type !== 'identifier') return false;
  let fn: SyntaxNode | null = init;
  for (let i = 0; fn && fn.type !== 'function_definition'; i++) fn = i === MAX_CLIMB ? null : fn.parent;
  const body = fn?.childForFieldName('body');
  if (!body) return false;
  for (const n of descendants(body)) {
    if (n.type !== 'identifier' || n.text !== declarator.text || n.startIndex === declarator.startIndex) continue;
    if (!callArgumentOfSite(n, sites)) return false;
  }
  return true;
}

/** Byte offsets of each line's start, with line ends as the engine counts them (CRLF, lone CR, LF). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(/\r\n|\r|\n/g)) starts.push(m.index + m[0].length);
  return starts;
}

/**
 * Applies replacements to a text, last first. Replacements that overlap one
 * already taken are left out (and returned): a later pass, after a re-lint,
 * can still apply them.
 */
export function applyReplacements(text: string, replacements: Replacement[]): { text: string; applied: Replacement[]; skipped: Replacement[] } {
  const starts = lineStarts(text);
  const offset = (line: number, column: number): number => (starts[line - 1] ?? text.length) + column - 1;
  const spans = replacements
    .map((r) => ({ r, from: offset(r.region.startLine, r.region.startColumn), to: offset(r.region.endLine, r.region.endColumn) }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const taken: typeof spans = [];
  const skipped: Replacement[] = [];
  for (const s of spans) {
    const prev = taken[taken.length - 1];
    if (prev && s.from < prev.to) skipped.push(s.r);
    else taken.push(s);
  }
  let out = text;
  for (const s of [...taken].reverse()) out = out.slice(0, s.from) + s.r.text + out.slice(s.to);
  return { text: out, applied: taken.map((s) => s.r), skipped };
}
