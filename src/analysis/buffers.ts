import type { SyntaxNode } from '../parse.js';
import type { FileIndex, Scope } from './fileindex.js';
import { ancestors, declaredName, parseIntLiteral, unparen } from './syntax.js';
import type { ArgExpr } from './values.js';

/**
 * The iovec fields a vmsplice call's iov argument selects, as written in the
 * function (iov_len expressions, for the result analysis's one-byte and
 * total checks). Buffers and their lifetime are decided on the IR (memory.ts).
 */

type IovField = 'iov_base' | 'iov_len';

const MAX_STEPS = 32;

/** Declarator details of a local or global variable: array or not, static or not. */
function declarationOf(
  name: string,
  scope: Scope,
  index: FileIndex,
): { node: SyntaxNode; isArray: boolean; isPointer: boolean } | null {
  const global = scope.kind === 'file' || !scope.locals.has(name);
  const root = global ? index.tree.rootNode : scope.node;
  if (!root) return null;
  const decls = global ? root.namedChildren.filter((c) => c.type === 'declaration') : root.descendantsOfType('declaration');
  for (const decl of decls) {
    for (const d of decl.namedChildren) {
      const target = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
      if (!target || !/declarator$|^identifier$/.test(target.type)) continue;
      const dn = declaredName(target);
      if (dn?.name !== name) continue;
      let isArray = false;
      let isPointer = false;
      for (let p: SyntaxNode | null = dn.node.parent; p && p.id !== d.id; p = p.parent) {
        if (p.type === 'array_declarator') isArray = true;
        if (p.type === 'pointer_declarator') isPointer = true;
      }
      if (target.type === 'array_declarator') isArray = true;
      if (target.type === 'pointer_declarator') isPointer = true;
      return { node: decl, isArray, isPointer };
    }
  }
  return null;
}

export class BufferResolver {
  constructor(private readonly index: FileIndex) {}

  /** The iov_base expressions a vmsplice iov argument selects (what the memory and alignment facts start from). */
  iovBases(iov: ArgExpr, count: ArgExpr | null): ArgExpr[] {
    return this.iovFields(iov, count, 'iov_base');
  }

  /** The iov_len expressions a vmsplice iov argument selects. Unknown iovecs give none. */
  iovLengths(iov: ArgExpr, count: ArgExpr | null): ArgExpr[] {
    return this.iovFields(iov, count, 'iov_len');
  }

  private iovFields(iov: ArgExpr, count: ArgExpr | null, field: IovField): ArgExpr[] {
    const n = this.following(iov);
    if (!n) return [];
    const e = unparen(n.node);
    const at = (node: SyntaxNode): ArgExpr => ({ ...n, node });
    const nsegs = count ? parseIntLiteral(unparen(count.node).text) : null;
    if (e.type === 'pointer_expression' && e.children[0]?.type === '&') {
      const target = unparen(e.childForFieldName('argument')!);
      if (target.type === 'compound_literal_expression') {
        const list = target.childForFieldName('value');
        return list ? this.elements(list, 0, 1, field).map(at) : [];
      }
      if (target.type === 'subscript_expression') {
        const arr = target.childForFieldName('argument');
        const k = parseIntLiteral(target.childForFieldName('index')?.text ?? '');
        if (arr?.type === 'identifier') return this.iovArray(arr.text, n, k ?? 0, nsegs ?? 1, k === null, false, field);
        return [];
      }
      if (target.type === 'identifier') return this.iovArray(target.text, n, 0, 1, false, true, field);
      return [];
    }
    if (e.type === 'identifier') return this.iovArray(e.text, n, 0, nsegs ?? Infinity, false, false, field);
    if (e.type === 'compound_literal_expression') {
      const list = e.childForFieldName('value');
      return list ? this.elements(list, 0, nsegs ?? Infinity, field).map(at) : [];
    }
    return [];
  }

  /** Follows macro and wrapper parameter bindings to the expression actually written. */
  private following(a: ArgExpr): ArgExpr | null {
    let cur = a;
    for (let i = 0; i < MAX_STEPS; i++) {
      const e = unparen(cur.node);
      if (e.type !== 'identifier') return cur;
      const bound = this.bound(cur, e.text);
      if (!bound) return cur;
      cur = bound;
    }
    return null;
  }

  private bound(a: ArgExpr, name: string): ArgExpr | null {
    let b = a.binding;
    while (b && b.kind === 'macro') {
      const x = b.params.get(name);
      if (x) return x;
      b = b.outer;
    }
    if (b && b.kind === 'wrapper' && b.scope === a.scope && !this.reassigned(a.scope, name)) return b.params.get(name) ?? null;
    return null;
  }

  private reassigned(scope: Scope, name: string): boolean {
    return (scope.defs.get(name) ?? []).some((d) => d.op !== 'opaque' || d.value === null);
  }

  /** Elements [from, from+count) of an iovec array variable (or a single struct when `single`). */
  private iovArray(name: string, ctx: ArgExpr, from: number, count: number, anyIndex: boolean, single = false, field: IovField = 'iov_base'): ArgExpr[] {
    const scope = ctx.scope;
    const at = (node: SyntaxNode): ArgExpr => ({ ...ctx, node, frag: null, binding: ctx.binding?.kind === 'wrapper' ? ctx.binding : null });
    const out: SyntaxNode[] = [];
    const decl = declarationOf(name, scope, this.index);
    if (decl && decl.isPointer && !decl.isArray) {
      // `struct iovec *iov = v;`: follow a single local definition; a heap array is filled field by field below.
      const defs = (scope.defs.get(name) ?? []).filter((d) => d.value && (d.op === 'init' || d.op === '='));
      const followed = defs.length === 1 ? this.iovFields({ ...ctx, node: defs[0].value!, frag: null }, null, field) : [];
      if (followed.length) return followed;
    } else if (decl) {
      for (const d of decl.node.namedChildren) {
        if (d.type !== 'init_declarator' || declaredName(d.childForFieldName('declarator'))?.name !== name) continue;
        const value = d.childForFieldName('value');
        if (value?.type === 'initializer_list') out.push(...this.elements(value, single ? 0 : from, single ? 1 : count, field, single));
      }
    }
    // Field assignments: v.iov_base = b, v[k].iov_base = b, (also inside loops: v[i].iov_base = bufs[i]).
    for (const def of this.index.fieldDefs.get(field) ?? []) {
      if (def.scope !== scope || !def.value || def.node.type !== 'assignment_expression') continue;
      // Assignments after the call describe a later use of the iovec, unless a loop brings them back to the call.
      if (def.node.startIndex > ctx.anchor.startIndex && !sharesLoop(def.node, ctx.anchor)) continue;
      const left = unparen(def.node.childForFieldName('left')!);
      const obj = left.childForFieldName('argument');
      if (!obj) continue;
      const o = unparen(obj);
      if (o.type === 'identifier' && o.text === name) out.push(def.value);
      else if (o.type === 'subscript_expression' && unparen(o.childForFieldName('argument')!).text === name) {
        const k = parseIntLiteral(o.childForFieldName('index')?.text ?? '');
        if (k === null || anyIndex || (k >= from && k < from + count)) out.push(def.value);
      }
    }
    return out.map(at);
  }

  /** iov_base expressions of elements of an iovec initializer list. */
  private elements(list: SyntaxNode, from: number, count: number, field: IovField, single = false): SyntaxNode[] {
    const items = list.namedChildren.filter((c) => c.type !== 'comment');
    const isStruct = single || items.length === 0 || items[0].type !== 'initializer_list';
    const structs = isStruct ? [list] : items.slice(from, from + count);
    const out: SyntaxNode[] = [];
    for (const s of structs) {
      if (s.type !== 'initializer_list') continue;
      const fields = s.namedChildren.filter((c) => c.type !== 'comment');
      const designated = fields.find((f) => f.type === 'initializer_pair' && (f.childForFieldName('designator')?.text ?? f.namedChildren[0]?.text ?? '').includes(field));
      const position = field === 'iov_base' ? 0 : 1;
      if (designated) {
        const v = designated.childForFieldName('value');
        if (v) out.push(v);
      } else if (fields[position] && fields[position].type !== 'initializer_pair') out.push(fields[position]);
    }
    return out;
  }
}

function sharesLoop(a: SyntaxNode, b: SyntaxNode): boolean {
  for (const p of ancestors(a)) {
    if ((p.type === 'for_statement' || p.type === 'while_statement' || p.type === 'do_statement') && p.startIndex <= b.startIndex && b.endIndex <= p.endIndex) return true;
  }
  return false;
}
