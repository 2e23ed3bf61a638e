import { parseC, type SyntaxNode, type Tree } from '../parse.js';
import type { Location, Region } from '../types.js';

/**
 * A piece of text parsed on its own (a macro body, or a call recovered from an
 * ERROR region) whose positions map back into the file. The fragment's text is
 * `prefix + original`, where `original` starts at `origin` in the file and keeps
 * its line structure, so row 0 is shifted by the prefix and later rows are not.
 */
export interface Fragment {
  tree: Tree;
  prefixLength: number;
  origin: { row: number; column: number; index: number };
  /** The file's tree the text was cut from. */
  source: Tree;
}

/** A node and the fragment it belongs to (null: the file's own tree). */
export interface NodeRef {
  node: SyntaxNode;
  frag: Fragment | null;
}

const FRAGMENT_PREFIX = 'void __vmsplice_lint_fragment(void){';

/** Parses `text` (found at `origin` in the file) as the body of a function. */
export function parseFragment(text: string, origin: Fragment['origin'], source: Tree): Fragment {
  // Backslash-newlines of macro bodies become plain newlines: same offsets, valid C.
  const body = text.replace(/\\(?=\r?\n)/g, ' ');
  const tree = parseC(`${FRAGMENT_PREFIX}${body}\n;}`);
  return { tree, prefixLength: FRAGMENT_PREFIX.length, origin, source };
}

/** The statements of a fragment's wrapper function. */
export function fragmentBody(frag: Fragment): SyntaxNode | null {
  const fn = frag.tree.rootNode.namedChildren.find((n) => n.type === 'function_definition');
  return fn?.childForFieldName('body') ?? null;
}

function mapPoint(p: { row: number; column: number }, frag: Fragment | null): { row: number; column: number } {
  if (!frag) return p;
  if (p.row === 0) return { row: frag.origin.row, column: frag.origin.column + Math.max(0, p.column - frag.prefixLength) };
  return { row: frag.origin.row + p.row, column: p.column };
}

/** The file and region of a node that may sit in another file of the project (`pathOf`) or in a macro fragment. */
export function locateRef(ref: NodeRef, pathOf: ((tree: Tree) => string | undefined) | undefined, fallback: string): Location {
  return { path: refPath(ref, pathOf, fallback), region: regionOf(ref) };
}

/** The file a node belongs to (a macro fragment's is the file it was written in). */
export function refPath(ref: NodeRef, pathOf: ((tree: Tree) => string | undefined) | undefined, fallback: string): string {
  return pathOf?.(ref.frag ? ref.frag.source : ref.node.tree) ?? fallback;
}

export function regionOf(ref: NodeRef): Region {
  const s = mapPoint(ref.node.startPosition, ref.frag);
  const e = mapPoint(ref.node.endPosition, ref.frag);
  return { startLine: s.row + 1, startColumn: s.column + 1, endLine: e.row + 1, endColumn: e.column + 1 };
}

/** A node's region, or only its first token's when the node spans lines (PR annotations need every line in the diff). */
export function compactRegionOf(ref: NodeRef, head: SyntaxNode): Region {
  const r = regionOf(ref);
  return r.startLine === r.endLine ? r : regionOf({ node: head, frag: ref.frag });
}

export function* descendants(node: SyntaxNode): Generator<SyntaxNode> {
  const cursor = node.walk();
  let depth = 0;
  for (;;) {
    yield cursor.currentNode;
    if (cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (depth === 0 || !cursor.gotoParent()) return;
      depth--;
      if (depth === 0) return;
    }
  }
}

export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0)!;
  return n;
}

export function isAncestor(anc: SyntaxNode, node: SyntaxNode): boolean {
  return anc.startIndex <= node.startIndex && node.endIndex <= anc.endIndex && anc.tree === node.tree;
}

/** The name a declarator declares, and whether it declares a function (not a pointer to one). */
export function declaredName(declarator: SyntaxNode | null): { name: string; node: SyntaxNode; isFunction: boolean } | null {
  let d = declarator;
  let parent: SyntaxNode | null = null;
  while (d) {
    if (d.type === 'identifier' || d.type === 'field_identifier' || d.type === 'type_identifier') {
      return { name: d.text, node: d, isFunction: parent?.type === 'function_declarator' };
    }
    parent = d;
    d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c.type !== 'attribute_specifier' && c.type !== 'ms_call_modifier' && c.type !== 'type_qualifier') ?? null;
  }
  return null;
}

/** Parameter names of a function_declarator (or of the innermost one in a declarator chain). */
export function parameterNames(declarator: SyntaxNode | null): string[] {
  let d = declarator;
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const list = d?.childForFieldName('parameters');
  if (!list) return [];
  const names: string[] = [];
  for (const p of list.namedChildren) {
    if (p.type !== 'parameter_declaration') continue;
    const dn = declaredName(p.childForFieldName('declarator'));
    names.push(dn ? dn.name : '');
  }
  return names;
}

/** Parses a C integer literal (decimal, hex, octal, binary, with suffixes). */
export function parseIntLiteral(text: string): number | null {
  // tree-sitter-c folds a leading minus sign into the literal.
  const negative = /^\s*-/.test(text);
  const t = text.replace(/^\s*[-+]\s*/, '').replace(/['_]/g, '').replace(/[uUlL]+$/, '');
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0[bB][01]+$/.test(t)) v = parseInt(t.slice(2), 2);
  else if (/^0[0-7]*$/.test(t)) v = parseInt(t, 8);
  else if (/^[1-9][0-9]*$/.test(t)) v = parseInt(t, 10);
  else return null;
  if (!Number.isFinite(v)) return null;
  return negative ? -v : v;
}

/**
 * The variable an expression is derived from, through casts, parentheses and
 * pointer arithmetic. `storage`: the storage an lvalue or argument names, so
 * `*p`, `p[i]`, `s.f` and `p->f` lead to p or s (what a write goes through);
 * otherwise a pointer value, where only `&x`/`&x[i]` lead on and reads
 * through a pointer (`*p`, `p[i]`) are not aliases.
 */
function baseVariable(n: SyntaxNode, storage: boolean): string | null {
  let e: SyntaxNode | null = unparen(n);
  for (let i = 0; e && i < 32; i++) {
    switch (e.type) {
      case 'identifier':
        return e.text;
      case 'cast_expression':
        e = e.childForFieldName('value');
        break;
      case 'parenthesized_expression':
        e = e.namedChildren[0] ?? null;
        break;
      case 'binary_expression': {
        const op = e.childForFieldName('operator')?.text;
        if (op !== '+' && op !== '-') return null;
        e = e.childForFieldName('left');
        break;
      }
      case 'pointer_expression':
        if (!storage && e.children[0]?.type !== '&') return null;
        if (!storage) return baseVariable(e.childForFieldName('argument')!, true);
        e = e.childForFieldName('argument');
        break;
      case 'subscript_expression':
      case 'field_expression':
        if (!storage) return null;
        e = e.childForFieldName('argument');
        break;
      default:
        return null;
    }
  }
  return null;
}

/** The variable a pointer value is derived from (`buf + 4`, `(char *)buf`, `&buf[2]`); null for values read through it (`*p`, `p[i]`). */
export function aliasBase(n: SyntaxNode): string | null {
  return baseVariable(n, false);
}

/** The variable whose storage an lvalue or pointer argument reaches: `buf + 4`, `*p`, `p[i]`, `v.iov_base` -> v. */
export function pointerBase(n: SyntaxNode): string | null {
  return baseVariable(n, true);
}

/**
 * A node's ancestors, nearest first, at most `max` of them. node-tree-sitter
 * finds a parent by descending from the root, so each step costs time
 * proportional to the depth: walks toward the root are capped, and code
 * nested deeper than that is treated as if the walk found nothing.
 */
export function* ancestors(n: SyntaxNode, max = 512): Generator<SyntaxNode> {
  let p = n.parent;
  for (let i = 0; p && i < max; i++, p = p.parent) yield p;
}

const LOOP_TYPES = ['for_statement', 'while_statement', 'do_statement'];

/** Whether a loop inside `within` (a function) contains `n`: found top-down by ranges, at any depth. */
export function insideLoop(n: SyntaxNode, within: SyntaxNode | null): boolean {
  let top: SyntaxNode | null = within;
  if (!top) {
    for (const p of ancestors(n)) top = p;
  }
  return (top?.descendantsOfType(LOOP_TYPES) ?? []).some((l) => l.startIndex <= n.startIndex && n.endIndex <= l.endIndex && l.id !== n.id);
}
