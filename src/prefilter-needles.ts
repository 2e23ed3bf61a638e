/**
 * The byte test that decides which files are worth parsing. Most files of a
 * tree mention no needle, and searching each needle separately made the read
 * pass several times its floor: needles are grouped under shared substrings
 * (anchors: 'plice' for vmsplice, __NR_splice and SYS_splice), each anchor is
 * searched once, and a needle is looked for only where its anchor occurs.
 * In a .c file, a needle that occurs only in comments and string literals
 * does not count. In a header it does: its macros may decide the flags of
 * calls elsewhere, and a comment naming vmsplice is a sign that they do.
 */

/**
 * Anchor lengths. Below 7 bytes Node's Buffer#indexOf scans for the first byte
 * and compares from there, so an anchor that starts with a byte rare in C
 * (measured on a kernel tree: 'plice' 0.2 s, 'splice' 0.27 s, '_tee' 0.56 s,
 * 'SPLICE_F_' 0.5 s per 1.2 GB) is the fast one.
 */
const MIN_ANCHOR = 3;
const MAX_ANCHOR = 6;

/** Bytes common in C code, most common first: an anchor should not start with one. */
const COMMON = '_etsaironlcdumpfhgbSETAIRNOLCDUMP';

/** Every file with a suppression directive is parsed, so its directives are checked even where nothing else is. */
const DIRECTIVE = 'vmsplice-lint-';

export class NeedleSet {
  readonly needles: readonly string[];
  private readonly groups: { anchor: Buffer; needles: Buffer[]; anchorIsNeedle: boolean }[];

  constructor(
    needles: readonly string[],
    /** Whether mentions in comments and literals are ignored (see inCode). */
    readonly codeOnly = true,
  ) {
    this.needles = [...new Set(needles)];
    this.groups = anchorGroups(this.needles).map((g) => ({
      anchor: Buffer.from(g.anchor),
      needles: g.needles.map((n) => Buffer.from(n)),
      anchorIsNeedle: g.needles.includes(g.anchor),
    }));
  }

  /** Whether any needle occurs anywhere in the bytes. */
  foundIn(buf: Buffer): boolean {
    for (const g of this.groups) {
      if (buf.indexOf(g.anchor) < 0) continue;
      if (g.anchorIsNeedle || g.needles.some((n) => buf.indexOf(n) >= 0)) return true;
    }
    return false;
  }

  /** Whether a needle occurs in code (outside comments and string and character literals), or the text has a suppression directive; always true unless codeOnly. */
  inCode(text: string): boolean {
    if (!this.codeOnly || text.includes(DIRECTIVE)) return true;
    const positions: number[] = [];
    for (const n of this.needles) {
      for (let at = text.indexOf(n); at >= 0; at = text.indexOf(n, at + 1)) positions.push(at);
    }
    return anyInCode(text, positions.sort((a, b) => a - b));
  }
}

/**
 * Greedy cover of the needles by short substrings: the one found in most
 * needles becomes an anchor (on ties, the one whose first byte is rarest in C,
 * then the longer), until every needle has one.
 */
function anchorGroups(needles: readonly string[]): { anchor: string; needles: string[] }[] {
  const groups: { anchor: string; needles: string[] }[] = [];
  let rest = [...needles];
  while (rest.length) {
    const counts = new Map<string, number>();
    for (const n of rest) {
      const subs = new Set<string>(n.length < MIN_ANCHOR ? [n] : []);
      for (let len = MIN_ANCHOR; len <= Math.min(n.length, MAX_ANCHOR); len++) for (let i = 0; i + len <= n.length; i++) subs.add(n.slice(i, i + len));
      for (const s of subs) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    let best = '';
    let bestScore: number[] = [];
    for (const [s, c] of counts) {
      const score = [c, rarity(s), s.length];
      if (!best || better(score, bestScore) || (!better(bestScore, score) && s < best)) {
        best = s;
        bestScore = score;
      }
    }
    groups.push({ anchor: best, needles: rest.filter((n) => n.includes(best)) });
    rest = rest.filter((n) => !n.includes(best));
  }
  return groups;
}

function rarity(s: string): number {
  const i = COMMON.indexOf(s[0]);
  return i < 0 ? COMMON.length : i;
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/** Longest character literal taken as one ('\x7f', 'abcd'); a quote without a close this near is code (C23 digit separators). */
const MAX_CHAR_LITERAL = 16;

/**
 * Whether any of the ascending offsets lies in code. Where the text is
 * malformed (an unterminated comment or literal), it counts as code: a file
 * is skipped only when every mention is provably in a comment or a literal.
 */
function anyInCode(text: string, positions: number[]): boolean {
  const special = /[/"']/g;
  let k = 0;
  while (k < positions.length) {
    const m = special.exec(text);
    const j = m ? m.index : text.length;
    if (positions[k] < j) return true;
    if (!m) return false;
    const end = spanEnd(text, j);
    // Not a comment or literal after all: the search goes on after the character.
    if (end < 0) continue;
    while (k < positions.length && positions[k] < end) k++;
    special.lastIndex = end;
  }
  return false;
}

/** The end of the comment or literal starting at `j`, or -1 if none starts there (or it is unterminated). */
function spanEnd(text: string, j: number): number {
  const ch = text[j];
  if (ch === '/') {
    const next = text[j + 1];
    if (next === '*') {
      const close = text.indexOf('*/', j + 2);
      return close < 0 ? -1 : close + 2;
    }
    if (next !== '/') return -1;
    // A backslash at the end of the line continues a // comment.
    let nl = text.indexOf('\n', j);
    while (nl >= 0 && (text[nl - 1] === '\\' || (text[nl - 1] === '\r' && text[nl - 2] === '\\'))) nl = text.indexOf('\n', nl + 1);
    return nl < 0 ? text.length : nl;
  }
  const limit = ch === "'" ? Math.min(text.length, j + MAX_CHAR_LITERAL) : text.length;
  for (let i = j + 1; i < limit; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === ch) return i + 1;
    else if (c === '\n') return -1;
  }
  return -1;
}
