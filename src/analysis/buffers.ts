import type { SyntaxNode } from '../parse.js';
import type { FileIndex, Scope } from './fileindex.js';
import { aliasBase, ancestors, declaredName, parseIntLiteral, unparen } from './syntax.js';
import type { ArgExpr } from './values.js';

/**
 * The buffer of a vmsplice call: which memory its iovec points at, named by a
 * root variable in some function (the caller's, when the pointer came in
 * through a wrapper's parameter), and what kind of storage that is.
 */

type IovField = 'iov_base' | 'iov_len';

export type RootKind = 'stack' | 'static' | 'heap' | 'mmap-anon-private' | 'mmap-anon-shared' | 'mmap-file' | 'param' | 'unknown';

export interface BufferRoot {
  kind: RootKind;
  /** The variable naming the memory in `scope` (for heap and mmap: the pointer holding it). */
  variable: string;
  /** Member path below the variable when the buffer is a struct member (`->payload`), else ''. */
  member: string;
  scope: Scope;
  /** The expression that led to the root, for messages. */
  expr: SyntaxNode;
  /** The declaration of an automatic variable: its block bounds the lifetime. */
  declaration: SyntaxNode | null;
}

const HEAP_ALLOC = new Set(['malloc', 'calloc', 'realloc', 'reallocarray', 'strdup', 'strndup', 'aligned_alloc', 'memalign', 'valloc', 'pvalloc']);
const MAX_STEPS = 32;
const SCALAR_TYPEDEF = /^(s?size_t|off(64)?_t|loff_t|u?int(8|16|32|64|ptr|max)?_t|ptrdiff_t|pid_t|mode_t|bool|__[us](8|16|32|64)|[us](8|16|32|64))$/;

function callName(n: SyntaxNode): string {
  return n.type === 'call_expression' ? n.childForFieldName('function')?.text ?? '' : '';
}

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

/** Declarator details of a local or global variable: array or not, static or not. */
function declarationOf(
  name: string,
  scope: Scope,
  index: FileIndex,
): { node: SyntaxNode; isArray: boolean; isPointer: boolean; isStatic: boolean; global: boolean; isAggregate: boolean } | null {
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
      const isStatic = decl.namedChildren.some((c) => c.type === 'storage_class_specifier' && (c.text === 'static' || c.text === 'extern'));
      const type = decl.childForFieldName('type');
      const isAggregate =
        type?.type === 'struct_specifier' || type?.type === 'union_specifier' || (type?.type === 'type_identifier' && !SCALAR_TYPEDEF.test(type.text));
      return { node: decl, isArray, isPointer, isStatic, global, isAggregate };
    }
  }
  return null;
}

export class BufferResolver {
  constructor(private readonly index: FileIndex) {}

  /** The iov_base expressions a vmsplice iov argument selects. Unknown iovecs give none. */
  iovBases(iov: ArgExpr, count: ArgExpr | null): ArgExpr[] {
    return this.iovFields(iov, count, 'iov_base');
  }

  /** The iov_len expressions, likewise. */
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

  /** The storage an iov_base expression points into (`addressed`: reached through `&`, so a scalar's own storage counts). */
  root(base: ArgExpr, steps = 0, addressed = false): BufferRoot | null {
    if (steps > MAX_STEPS) return null;
    const e = unparen(base.node);
    const scope = base.scope;
    const mk = (kind: RootKind, variable: string, member = '', declaration: SyntaxNode | null = null): BufferRoot => ({ kind, variable, member, scope, expr: e, declaration });
    switch (e.type) {
      case 'cast_expression':
        return this.root({ ...base, node: e.childForFieldName('value')! }, steps + 1);
      case 'binary_expression': {
        const op = e.childForFieldName('operator')?.text;
        if (op !== '+' && op !== '-') return null;
        const l = e.childForFieldName('left')!;
        const r = e.childForFieldName('right')!;
        return this.root({ ...base, node: l }, steps + 1) ?? (op === '+' ? this.root({ ...base, node: r }, steps + 1) : null);
      }
      case 'pointer_expression': {
        const arg = e.childForFieldName('argument');
        if (!arg) return null;
        // &x names x's own storage; *p names what p points at.
        return this.root({ ...base, node: arg }, steps + 1, e.children[0]?.type === '&');
      }
      case 'subscript_expression':
        return this.root({ ...base, node: e.childForFieldName('argument')! }, steps + 1, addressed);
      case 'string_literal':
      case 'concatenated_string':
        return { kind: 'static', variable: '', member: '', scope, expr: e, declaration: null };
      case 'field_expression': {
        const obj = e.childForFieldName('argument');
        const field = e.childForFieldName('field')?.text ?? '';
        // iov_base read back from an iovec (`p = v.iov_base`, `p = iov[1].iov_base`) points at that iovec's buffer.
        if (field === 'iov_base' && obj) {
          const o = unparen(obj);
          const arr = o.type === 'subscript_expression' ? o.childForFieldName('argument') : o;
          const k = o.type === 'subscript_expression' ? parseIntLiteral(o.childForFieldName('index')?.text ?? '') : 0;
          if (arr?.type !== 'identifier' || k === null) return null;
          const bases = o.type === 'subscript_expression' ? this.iovArray(arr.text, base, k, 1, false) : this.iovArray(arr.text, base, 0, 1, false, true);
          return bases.length ? this.root(bases[0], steps + 1) : null;
        }
        if (obj?.type === 'identifier') {
          const inner = this.root({ ...base, node: obj }, steps + 1);
          if (!inner) return null;
          const arrow = e.children.some((c) => c.type === '->');
          return { ...inner, kind: arrow && inner.kind === 'stack' ? 'unknown' : inner.kind, member: `${inner.member}.${field}`, expr: e };
        }
        return null;
      }
      case 'identifier': {
        const name = e.text;
        const bound = this.bound(base, name);
        if (bound) return this.root(bound, steps + 1);
        const decl = declarationOf(name, scope, this.index);
        if (scope.kind !== 'file' && scope.params.includes(name)) return mk('param', name);
        if (!decl) return this.index.globals.has(name) ? mk('static', name) : null;
        if (!decl.isPointer || decl.isArray) {
          // A scalar used as a pointer value is an address held in an integer, not a buffer we can name.
          if (!decl.isArray && !addressed && !decl.isAggregate) return null;
          return mk(decl.global || decl.isStatic ? 'static' : 'stack', name, '', decl.global ? null : decl.node);
        }
        // A pointer: what it was made to point at decides the storage.
        const defs = decl.global ? this.index.globalDefs.get(name) ?? [] : scope.defs.get(name) ?? [];
        for (const d of defs) {
          if (d.op === 'opaque' && d.value === null && d.node.type === 'pointer_expression') {
            const call = d.node.parent?.parent;
            if (call && callName(call) === 'posix_memalign') return mk('heap', name);
          }
          const v = d.value && unparen(d.value);
          if (!v || (d.op !== 'init' && d.op !== '=')) continue;
          const inner = v.type === 'cast_expression' ? unparen(v.childForFieldName('value')!) : v;
          const fn = callName(inner);
          if (HEAP_ALLOC.has(fn)) return mk('heap', name);
          if (fn === 'mmap' || fn === 'mmap64') return mk(mmapKind(inner), name);
          const r = this.root({ ...base, node: v }, steps + 1);
          if (r) return r;
        }
        return mk(decl.global || decl.isStatic ? 'static' : 'unknown', name);
      }
      default:
        return null;
    }
  }
}

function sharesLoop(a: SyntaxNode, b: SyntaxNode): boolean {
  for (const p of ancestors(a)) {
    if ((p.type === 'for_statement' || p.type === 'while_statement' || p.type === 'do_statement') && p.startIndex <= b.startIndex && b.endIndex <= p.endIndex) return true;
  }
  return false;
}

function mmapKind(call: SyntaxNode): RootKind {
  const a = args(call);
  const flags = a[3]?.text ?? '';
  const fd = a[4] ? unparen(a[4]).text : '-1';
  if (/MAP_ANON/.test(flags) || fd === '-1') return /MAP_SHARED/.test(flags) ? 'mmap-anon-shared' : 'mmap-anon-private';
  return 'mmap-file';
}

/**
 * Local variables that point into the root's memory: `q = buf + n`,
 * `p = (char *)buf`, `p = &buf[4]`, `p = msg->payload` for a member root, and
 * `p = v.iov_base` when `v`'s base resolves to this root (`readsRoot`).
 */
export function aliasesOf(root: BufferRoot, readsRoot: (value: SyntaxNode) => boolean): Set<string> {
  const aliases = new Set([root.variable]);
  const member = root.member.split('.').pop() ?? '';
  const derives = (value: SyntaxNode): boolean => {
    const v = unparen(value);
    if (v.type === 'field_expression') {
      const field = v.childForFieldName('field')?.text ?? '';
      if (field === 'iov_base') return readsRoot(v);
      const obj = v.childForFieldName('argument');
      const b = obj && aliasBase(obj);
      return member !== '' && field === member && b !== null && aliases.has(b);
    }
    const b = aliasBase(v);
    return b !== null && aliases.has(b);
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, defs] of root.scope.defs) {
      if (aliases.has(name)) continue;
      if (defs.some((d) => (d.op === 'init' || d.op === '=') && d.value && derives(d.value))) {
        aliases.add(name);
        changed = true;
      }
    }
  }
  return aliases;
}
