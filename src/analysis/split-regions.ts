/**
 * Conditional groups (`#if ... #elif ... #else ... #endif`) whose branches
 * open or close braces unevenly, found by a scan of the text: the parser
 * cannot say where such a group ends, since it is what breaks the parse.
 */

export interface Branch {
  /** The directive opening the branch, on one line: `#if defined(X)`, `#elif Y`, `#else`; '' for a missing #else. */
  directive: string;
  /** The branch's text, after its directive line, up to the next directive of the group. */
  start: number;
  end: number;
  /** Braces opened minus closed, nested groups counted by their first branch. */
  delta: number;
}

export interface Group {
  branches: Branch[];
  /** The directive lines of the group (#if, #elif, #else, #endif), as [start, end) ranges without their newline. */
  directives: [number, number][];
  start: number;
  end: number;
  /** The group's directives as written, one per line: groups with the same key are switched together. */
  key: string;
}

const DIRECTIVE = /^#\s*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b/;

/** The end of the logical line starting at `i` (backslash continuations joined), at its newline or the text's end. */
function lineEnd(t: string, i: number): number {
  for (;;) {
    const nl = t.indexOf('\n', i);
    if (nl < 0) return t.length;
    const before = t[nl - 1] === '\r' ? nl - 2 : nl - 1;
    if (t[before] !== '\\') return nl;
    i = nl + 1;
  }
}

function oneLine(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Every conditional group in the text, innermost first, with the brace balance of each branch. */
export function conditionalGroups(t: string): Group[] {
  const done: Group[] = [];
  const stack: Group[] = [];
  const addBraces = (d: number): void => {
    const top = stack[stack.length - 1];
    if (top) top.branches[top.branches.length - 1].delta += d;
  };
  let lineStart = true;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (ch === '\n') {
      lineStart = true;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') continue;
    if (ch === '#' && lineStart) {
      const end = lineEnd(t, i);
      const m = DIRECTIVE.exec(t.slice(i, Math.min(end, i + 16)));
      if (m) directive(m[1], i, end);
      i = end - 1;
      continue;
    }
    lineStart = false;
    if (ch === '/' && t[i + 1] === '*') {
      const e = t.indexOf('*/', i + 2);
      i = e < 0 ? t.length : e + 1;
    } else if (ch === '/' && t[i + 1] === '/') {
      i = lineEnd(t, i) - 1;
    } else if (ch === '"' || ch === "'") {
      for (i++; i < t.length && t[i] !== ch && t[i] !== '\n'; i++) if (t[i] === '\\') i++;
    } else if (ch === '{') addBraces(1);
    else if (ch === '}') addBraces(-1);
  }
  return done;

  function directive(kind: string, start: number, end: number): void {
    const text = oneLine(t.slice(start, end));
    const top = stack[stack.length - 1];
    if (kind.startsWith('if')) {
      stack.push({ branches: [{ directive: text, start: end, end, delta: 0 }], directives: [[start, end]], start, end, key: text });
      return;
    }
    // An #else or #endif without its #if (the #if sits in an included file): nothing to split.
    if (!top) return;
    const last = top.branches[top.branches.length - 1];
    last.end = start;
    top.directives.push([start, end]);
    top.key += `\n${text}`;
    if (kind !== 'endif') {
      top.branches.push({ directive: text, start: end, end, delta: 0 });
      return;
    }
    if (!top.branches.some((b) => b.directive.startsWith('#else'))) top.branches.push({ directive: '', start, end: start, delta: 0 });
    top.end = end;
    stack.pop();
    done.push(top);
    addBraces(top.branches[0].delta);
  }
}

/** A group whose branches do not each balance their braces: the parser cannot structure the code around it. */
export function isUneven(g: Group): boolean {
  return g.branches.some((b) => b.delta !== 0);
}
