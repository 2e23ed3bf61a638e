import { parseC, type SyntaxNode, type Tree } from '../parse.js';
import { isLostFunction } from './fileindex.js';

/**
 * Recovers functions the parser lost to unknown macros (`FUSE_EXPORT int f(...)
 * DECLSPEC {`, a macro use without a semicolon before a function). In each
 * top-level region that failed to parse and mentions a name that matters,
 * every `name(params) ... {` header gets the text before its name replaced by
 * `int` and spaces, and the text between `)` and `{` by spaces; then the file
 * is parsed again. Only characters become spaces (newlines stay), so every
 * offset, line and column of the repaired text is the original's.
 */

export interface Parsed {
  tree: Tree;
  /** The text the tree was parsed from: the original, or the repaired copy of the same length. */
  text: string;
  /** Functions whose headers were repaired. */
  repaired: number;
}

const ATTRIBUTE_LIKE = /^(__attribute__|__declspec|__asm__|asm|[A-Z_][A-Z0-9_]*)$/;

function isIdent(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

function skipSpaceBack(t: string, i: number): number {
  while (i >= 0 && /\s/.test(t[i])) i--;
  return i;
}

/** The index of the `(` matching the `)` at `close`, or -1. */
function matchOpen(t: string, close: number, limit: number): number {
  let depth = 0;
  for (let i = close; i >= limit; i--) {
    if (t[i] === ')') depth++;
    else if (t[i] === '(' && --depth === 0) return i;
  }
  return -1;
}

/** The `}` matching the `{` at `open`, skipping comments and literals; -1 if none before `end`. */
function matchClose(t: string, open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    const ch = t[i];
    if (ch === '/' && t[i + 1] === '*') {
      const e = t.indexOf('*/', i + 2);
      if (e < 0) return -1;
      i = e + 1;
    } else if (ch === '/' && t[i + 1] === '/') {
      const e = t.indexOf('\n', i);
      if (e < 0) return -1;
      i = e;
    } else if (ch === '"' || ch === "'") {
      for (i++; i < end && t[i] !== ch && t[i] !== '\n'; i++) if (t[i] === '\\') i++;
    } else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * For the body opening at `brace`: the function name's start and the end of
 * its parameter list, skipping attribute-like groups between them and the
 * brace (`) DECLSPEC {`, `) __attribute__((cold)) {`).
 */
function headerBefore(t: string, brace: number, limit: number): { nameStart: number; paramsEnd: number } | null {
  let i = skipSpaceBack(t, brace - 1);
  for (let guard = 0; guard < 8 && i >= limit; guard++) {
    if (isIdent(t[i])) {
      let s = i;
      while (s > limit && isIdent(t[s - 1])) s--;
      if (!ATTRIBUTE_LIKE.test(t.slice(s, i + 1))) return null;
      i = skipSpaceBack(t, s - 1);
      continue;
    }
    if (t[i] !== ')') return null;
    const open = matchOpen(t, i, limit);
    if (open < 0) return null;
    const e = skipSpaceBack(t, open - 1);
    if (!isIdent(t[e])) {
      // `__attribute__((x))`: the inner group; step out to the outer one.
      if (t[e] === '(') {
        i = skipSpaceBack(t, e);
        continue;
      }
      return null;
    }
    let s = e;
    while (s > limit && isIdent(t[s - 1])) s--;
    const word = t.slice(s, e + 1);
    if (/^(if|while|for|switch|return|sizeof)$/.test(word)) return null;
    if (ATTRIBUTE_LIKE.test(word) && word !== word.toLowerCase()) {
      i = skipSpaceBack(t, s - 1);
      if (t[i] === ')') continue;
    }
    if (/^__attribute__|^__declspec$/.test(word)) {
      i = skipSpaceBack(t, s - 1);
      continue;
    }
    return { nameStart: s, paramsEnd: i };
  }
  return null;
}

/**
 * Where `int` can stand before the name without touching a newline: three
 * non-newline characters at or after `from`, ending before the character in
 * front of the name (which is blanked too, so a separator remains).
 */
function typeSlot(t: string, from: number, nameStart: number): number {
  for (let k = nameStart - 4; k >= from; k--) {
    if (!/[\r\n]/.test(t.slice(k, k + 3))) return k;
  }
  return -1;
}

/** Blanks characters to spaces, newlines kept: offsets, lines and columns stay the original's. */
export function blank(chars: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
}

function lostRegions(tree: Tree): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    for (const c of n.namedChildren) {
      // The parent's type is passed: node-tree-sitter finds a parent by a search from the root, which made
      // this loop quadratic in the top-level items (a syscall table header has thousands).
      if (isLostFunction(c, n.type)) out.push(c);
      else if (c.type.startsWith('preproc_if') || c.type === 'preproc_else' || c.type === 'preproc_elif') visit(c);
    }
  };
  visit(tree.rootNode);
  return out;
}

export function parseRepaired(text: string, needles: readonly string[]): Parsed {
  const tree = parseC(text);
  if (!tree.rootNode.hasError) return { tree, text, repaired: 0 };
  // Code units, not code points: offsets must stay those of the UTF-16 string.
  const chars = text.split('');
  let repaired = 0;
  // Junk before a lost function may sit in earlier lost regions (`DEFINE_STATS(x)` with no semicolon):
  // a repair blanks back to the end of the last item that parsed, or of the last repaired body.
  let done = 0;
  for (const region of lostRegions(tree)) {
    let prev = region.previousNamedSibling;
    while (prev && isLostFunction(prev) && prev.startIndex >= done) prev = prev.previousNamedSibling;
    let from = Math.max(done, prev ? prev.endIndex : region.parent?.type === 'translation_unit' ? 0 : region.startIndex);
    // The body's `{` may be the first thing after the region the parser gave up on, and the body may run past it.
    let scanEnd = region.endIndex;
    while (scanEnd < text.length && /\s/.test(text[scanEnd])) scanEnd++;
    scanEnd = text[scanEnd] === '{' ? scanEnd + 1 : region.endIndex;
    for (let i = Math.max(region.startIndex, from); i < scanEnd; i++) {
      if (text[i] !== '{') continue;
      const close = matchClose(text, i, text.length);
      const h = headerBefore(text, i, from);
      const matters = h !== null && close > 0 && needles.some((n) => text.slice(h.nameStart, close).includes(n));
      const slot = h && matters ? typeSlot(text, from, h.nameStart) : -1;
      if (h && slot >= 0) {
        blank(chars, from, h.nameStart);
        chars[slot] = 'i';
        chars[slot + 1] = 'n';
        chars[slot + 2] = 't';
        blank(chars, h.paramsEnd + 1, i);
        repaired++;
      }
      if (close < 0) break;
      i = close;
      from = close + 1;
      done = from;
    }
  }
  if (!repaired) return { tree, text, repaired: 0 };
  const fixed = chars.join('');
  return { tree: parseC(fixed), text: fixed, repaired };
}
