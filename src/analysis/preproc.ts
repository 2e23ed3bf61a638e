import type { SyntaxNode } from '../parse.js';
import type { MacroDef } from './fileindex.js';
import { parseIntLiteral, unparen } from './syntax.js';

/**
 * Preprocessor conditions. By default every branch of every `#if` may be
 * compiled; a branch is dead only when its condition is decided: `#if 0`, a
 * condition made false by the tree's own `#define`s (`#define USE_GIFT 0`
 * ... `#if USE_GIFT`), or by the user's -D/-U (or a compile_commands.json).
 */

export interface Defines {
  /** -D NAME[=VALUE]: VALUE, or '1'. */
  defined: ReadonlyMap<string, string>;
  /** -U NAME. */
  undefined: ReadonlySet<string>;
}

export const NO_DEFINES: Defines = { defined: new Map(), undefined: new Set() };

export type Truth = boolean | null;

const CONDITIONALS = new Set(['preproc_if', 'preproc_ifdef', 'preproc_elif', 'preproc_elifdef']);

export function isConditional(n: SyntaxNode): boolean {
  return CONDITIONALS.has(n.type);
}

/** Parses `NAME`, `NAME=VALUE` (a -D argument). */
export function parseDefine(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, '1'] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

export class Conditions {
  private readonly cache = new Map<number, Truth>();
  private readonly byTree = new Map<SyntaxNode['tree'], SyntaxNode[]>();

  constructor(
    private readonly macros: ReadonlyMap<string, MacroDef[]>,
    private readonly defines: Defines,
  ) {}

  /** Whether a conditional's own branch is compiled: true, false, or undecided. */
  truth(n: SyntaxNode): Truth {
    const cached = this.cache.get(n.id);
    if (cached !== undefined) return cached;
    let t: Truth = null;
    if (!wellFormed(n)) {
      this.cache.set(n.id, null);
      return null;
    }
    if (n.type === 'preproc_ifdef' || n.type === 'preproc_elifdef') {
      const name = n.childForFieldName('name')?.text ?? '';
      const negated = /^#\s*(ifndef|elifndef)/.test(n.text);
      const d = this.isDefined(name);
      t = d === null ? null : d !== negated;
    } else if (n.type === 'preproc_if' || n.type === 'preproc_elif') {
      const c = n.childForFieldName('condition');
      const v = c ? this.value(c, 0) : null;
      t = v === null ? null : v !== 0;
    }
    this.cache.set(n.id, t);
    return t;
  }

  private isDefined(name: string): Truth {
    if (this.defines.defined.has(name)) return true;
    if (this.defines.undefined.has(name)) return false;
    return null;
  }

  private value(e: SyntaxNode, depth: number): number | null {
    if (depth > 32) return null;
    const n = unparen(e);
    switch (n.type) {
      case 'number_literal':
        return parseIntLiteral(n.text);
      case 'char_literal':
        return null;
      case 'preproc_defined': {
        const name = n.namedChildren.find((c) => c.type === 'identifier')?.text ?? '';
        const d = this.isDefined(name);
        return d === null ? null : d ? 1 : 0;
      }
      case 'identifier': {
        const given = this.defines.defined.get(n.text);
        if (given !== undefined) return parseIntLiteral(given.trim()) ?? null;
        if (this.defines.undefined.has(n.text)) return 0;
        // A macro of the tree with one definition: its value (an undefined name would be 0, but it may be
        // defined by the build, so it stays undecided).
        const defs = this.macros.get(n.text);
        if (defs?.length === 1 && defs[0].params === null) return parseIntLiteral(defs[0].body.trim().replace(/^\((.*)\)$/, '$1').trim());
        return null;
      }
      case 'unary_expression': {
        const v = this.value(n.childForFieldName('argument')!, depth + 1);
        const op = n.children[0]?.type;
        if (v === null) return null;
        return op === '!' ? (v ? 0 : 1) : op === '-' ? -v : op === '~' ? ~v : v;
      }
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text ?? '';
        const l = this.value(n.childForFieldName('left')!, depth + 1);
        const r = this.value(n.childForFieldName('right')!, depth + 1);
        if (op === '&&') return l === 0 || r === 0 ? 0 : l === null || r === null ? null : 1;
        if (op === '||') return (l !== null && l !== 0) || (r !== null && r !== 0) ? 1 : l === null || r === null ? null : 0;
        if (l === null || r === null) return null;
        switch (op) {
          case '==': return l === r ? 1 : 0;
          case '!=': return l !== r ? 1 : 0;
          case '<': return l < r ? 1 : 0;
          case '>': return l > r ? 1 : 0;
          case '<=': return l <= r ? 1 : 0;
          case '>=': return l >= r ? 1 : 0;
          case '+': return l + r;
          case '-': return l - r;
          case '*': return l * r;
          case '&': return l & r;
          case '|': return l | r;
          case '<<': return l << r;
          case '>>': return l >> r;
          default: return null;
        }
      }
      default:
        return null;
    }
  }

  /**
   * The children of a conditional that are compiled: its own branch when it
   * may be true, its alternative (#else/#elif) when it may be false.
   */
  liveChildren(n: SyntaxNode): SyntaxNode[] {
    const t = this.truth(n);
    const alt = n.childForFieldName('alternative');
    const skip = new Set([n.childForFieldName('condition')?.id, n.childForFieldName('name')?.id]);
    const own = n.namedChildren.filter((c) => c.id !== alt?.id && !skip.has(c.id));
    if (t === true) return own;
    if (t === false) return alt ? [alt] : [];
    return alt ? [...own, alt] : own;
  }

  /**
   * "#ifdef ALG_ZERO_COPY", "#if X > 1", "the #else of #ifdef X": the
   * undecided conditions around a node. Found top-down by ranges: walking up
   * through `parent` costs time proportional to the depth at every step.
   */
  describe(node: SyntaxNode): string[] {
    const tree = node.tree;
    let all = this.byTree.get(tree);
    if (!all) {
      all = tree.rootNode.descendantsOfType([...CONDITIONALS]);
      this.byTree.set(tree, all);
    }
    const at = node.startIndex;
    const out: string[] = [];
    for (const p of all) {
      if (p.startIndex > at || at >= p.endIndex || p.type === 'preproc_elif' || p.type === 'preproc_elifdef') continue;
      if (this.truth(p) !== null || isIncludeGuard(p) || !wellFormed(p)) continue;
      const alt = p.childForFieldName('alternative');
      const inAlternative = alt !== null && alt.startIndex <= at && at < alt.endIndex;
      if (!inAlternative) out.push(directiveText(p));
      else if (alt.type === 'preproc_else') out.push(`the #else of ${directiveText(p)}`);
      else {
        // An #elif chain: the innermost #elif holding the node names its condition.
        let e: SyntaxNode | null = alt;
        while (e && (e.type === 'preproc_elif' || e.type === 'preproc_elifdef')) {
          const next: SyntaxNode | null = e.childForFieldName('alternative');
          if (!next || at < next.startIndex || at >= next.endIndex) break;
          e = next;
        }
        if (e && e.type !== 'preproc_else') out.push(directiveText(e));
      }
    }
    return out;
  }
}

/**
 * The parser can lose an `#endif` (a conditional around an attribute before a
 * function) and then nests the rest of the file in the conditional: such a
 * node says nothing about what it contains.
 */
function wellFormed(n: SyntaxNode): boolean {
  let top = n;
  while ((top.type === 'preproc_elif' || top.type === 'preproc_elifdef' || top.type === 'preproc_else') && top.parent && isConditionalOrElse(top.parent)) top = top.parent;
  const last = top.lastChild;
  return last !== null && last.type === '#endif' && !last.isMissing;
}

function isConditionalOrElse(n: SyntaxNode): boolean {
  return CONDITIONALS.has(n.type) || n.type === 'preproc_else';
}

/** `#ifdef NAME`, `#if COND` on one line, without comments and continuation backslashes, at most 80 characters. */
function directiveText(n: SyntaxNode): string {
  const directive = (n.children[0]?.text ?? '#if').replace(/\s+/g, '');
  const what = n.childForFieldName('name') ?? n.childForFieldName('condition');
  const text = (what?.text ?? '').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
  const full = `${directive} ${text}`;
  return full.length > 80 ? `${full.slice(0, 77)}...` : full;
}

/** `#ifndef FOO_H` around a whole header. */
function isIncludeGuard(n: SyntaxNode): boolean {
  return n.type === 'preproc_ifdef' && /^#\s*ifndef/.test(n.text) && n.parent?.type === 'translation_unit' && /_H(_|__)?$|^_*[A-Z0-9]+(_[A-Z0-9]+)*_H\b/.test(n.childForFieldName('name')?.text ?? '');
}
