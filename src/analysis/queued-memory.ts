import type { SyntaxNode } from '../parse.js';
import { shapeOf } from '../ir/lower.js';
import type { BufferResolver } from './buffers.js';
import type { VmspliceCall } from './calls.js';
import type { FileIndex, Scope } from './fileindex.js';
import type { Mapping, Mappings } from './mappings.js';
import { ancestors, declaredName, unparen } from './syntax.js';
import type { ArgExpr } from './values.js';

/**
 * What the iovec of a vmsplice call points at, element by element: the
 * iov_base expressions as written where they are known (out of macros and
 * wrappers), the mappings they point into, and whether the memory is
 * read-only (a string literal, a const object, a PROT_READ mapping).
 */

export interface QueuedBase {
  /** The iov_base expression where it is written, and its scope. */
  expr: SyntaxNode;
  /** The expression is written where the call is reported, not inside the wrapper or macro it calls. */
  atSite: boolean;
  /** Set when the expression is written in a macro body (its nodes are not in the file's tree). */
  inMacro: boolean;
  scope: Scope;
  mappings: Mapping[];
  /** Why the memory cannot be written, and where that is decided; null when it may be writable. */
  readOnly: ReadOnly | null;
}

/** `what` is a noun phrase for the memory; `may`: only some definition of a pointer makes it so. */
export interface ReadOnly {
  what: string;
  may: boolean;
  at: SyntaxNode;
}

const MAX_STEPS = 8;

/** Follows macro and wrapper parameters outward to the expression a caller wrote. */
export function outermost(a: ArgExpr): ArgExpr {
  let cur = a;
  for (let i = 0; i < 32; i++) {
    const e = unparen(cur.node);
    if (e.type !== 'identifier') return cur;
    let next: ArgExpr | undefined;
    for (let b = cur.binding; b && !next; b = b.outer) {
      if (b.kind === 'wrapper' && b.scope !== cur.scope) continue;
      next = b.params.get(e.text);
    }
    if (!next) return cur;
    cur = next;
  }
  return cur;
}

/** The declaration and declarator of a name visible in `scope` (a local or parameter first, else a global). */
export function declarationOf(name: string, scope: Scope, index: FileIndex): { decl: SyntaxNode; declarator: SyntaxNode } | null {
  const local = scope.kind !== 'file' && scope.locals.has(name);
  const candidates = local
    ? scope.node?.descendantsOfType(['parameter_declaration', 'declaration']) ?? []
    : [...ancestors(index.globals.get(name)?.node ?? index.tree.rootNode, 8)].filter((n) => n.type === 'declaration').slice(0, 1);
  for (const decl of candidates) {
    for (const c of decl.type === 'parameter_declaration' ? [decl.childForFieldName('declarator')] : decl.namedChildren) {
      if (!c || c.id === decl.childForFieldName('type')?.id) continue;
      const d = c.type === 'init_declarator' ? c.childForFieldName('declarator') : c;
      const dn = d ? declaredName(d) : null;
      if (dn && !dn.isFunction && dn.name === name) return { decl, declarator: d! };
    }
  }
  return null;
}

/** A read-only mapping among those a pointer may point into (`may` also when the pointer has other sources). */
function readOnlyMapping(mappings: Mapping[], otherSources: boolean): ReadOnly | null {
  const m = mappings.find((x) => x.readOnly === true);
  return m ? { what: `a read-only (PROT_READ) mapping made on line ${m.at.startPosition.row + 1}`, may: otherSources || mappings.length > 1, at: m.at } : null;
}

export class QueuedMemory {
  /** Per tree and node range; an entry being computed stands for "not read-only" (cycles through definitions). */
  private readonly memo = new WeakMap<object, Map<string, ReadOnly | null>>();

  constructor(
    private readonly index: FileIndex,
    private readonly buffers: BufferResolver,
    private readonly mappings: Mappings,
  ) {}

  bases(call: VmspliceCall): QueuedBase[] {
    if (!call.args.iov) return [];
    return this.buffers.iovBases(call.args.iov, call.args.count).map((b) => {
      const o = outermost(b);
      const expr = unparen(o.node);
      return { expr, atSite: o.scope === call.scope && o.frag === null, inMacro: o.frag !== null, scope: o.scope, mappings: this.mappings.of(expr, o.scope), readOnly: this.readOnly(expr, o.scope) };
    });
  }

  /** Why writing through a pointer expression cannot work: it names a literal, a const object or a read-only mapping. */
  readOnly(node: SyntaxNode, scope: Scope, steps = 0): ReadOnly | null {
    if (steps > MAX_STEPS) return null;
    let byTree = this.memo.get(node.tree);
    if (!byTree) {
      byTree = new Map();
      this.memo.set(node.tree, byTree);
    }
    const key = `${node.startIndex}:${node.endIndex}:${scope.node?.startIndex ?? -1}`;
    if (byTree.has(key)) return byTree.get(key)!;
    byTree.set(key, null);
    const r = this.computeReadOnly(node, scope, steps);
    byTree.set(key, r);
    return r;
  }

  private computeReadOnly(node: SyntaxNode, scope: Scope, steps: number): ReadOnly | null {
    const e = unparen(node);
    switch (e.type) {
      case 'string_literal':
      case 'concatenated_string':
        return { what: 'a string literal', may: false, at: e };
      case 'cast_expression':
        return this.readOnly(e.childForFieldName('value')!, scope, steps + 1);
      case 'binary_expression': {
        const op = e.childForFieldName('operator')?.text;
        return op === '+' || op === '-' ? this.readOnly(e.childForFieldName('left')!, scope, steps + 1) : null;
      }
      case 'pointer_expression': {
        const arg = e.childForFieldName('argument');
        if (e.children[0]?.type !== '&' || !arg) return null;
        const target = unparen(arg);
        const name = target.type === 'identifier' ? target.text : target.type === 'subscript_expression' ? unparen(target.childForFieldName('argument')!).text : null;
        return name ? this.constObject(name, scope, target.type === 'subscript_expression') : null;
      }
      case 'identifier': {
        const own = this.constObject(e.text, scope, false);
        if (own) return own;
        const local = scope.kind !== 'file' && scope.locals.has(e.text);
        const defs = (local ? scope.defs.get(e.text) : this.index.globalDefs.get(e.text)) ?? [];
        const mapped = readOnlyMapping(this.mappings.of(e, scope), defs.length > 1);
        if (mapped) return mapped;
        for (const d of defs) {
          if (!d.value || (d.op !== 'init' && d.op !== '=')) continue;
          const r = this.readOnly(d.value, d.scope, steps + 1);
          if (r) return { ...r, may: r.may || defs.length > 1 };
        }
        return null;
      }
      case 'field_expression':
        return readOnlyMapping(this.mappings.of(e, scope), false);
      default:
        return null;
    }
  }

  /**
   * A name whose object is const (`const char msg[]`, `static const struct hdr h`), or a pointer declared to
   * point at const memory (`const char *s`) when the pointer itself is what is queued.
   */
  private constObject(name: string, scope: Scope, element: boolean): ReadOnly | null {
    const d = declarationOf(name, scope, this.index);
    if (!d) return null;
    const shape = shapeOf(d.decl, d.declarator);
    if (shape.pointer === 0 || shape.array) {
      return shape.constObject ? { what: element ? 'an element of an array declared const' : 'an object declared const', may: false, at: d.declarator } : null;
    }
    if (!element && shape.constPointee) return { what: 'a pointer to const-qualified memory', may: false, at: d.declarator };
    return null;
  }
}
