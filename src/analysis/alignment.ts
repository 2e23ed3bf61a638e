import type { SyntaxNode } from '../parse.js';
import { arrayLength, BASIC_SIZES, shapeOf } from '../ir/lower.js';
import type { BufferResolver } from './buffers.js';
import type { VmspliceCall } from './calls.js';
import type { FileIndex, Scope } from './fileindex.js';
import type { Mappings } from './mappings.js';
import { declarationOf, outermost } from './queued-memory.js';
import { unparen } from './syntax.js';
import type { ArgExpr, Evaluator, Value } from './values.js';

/**
 * What is provable about the page alignment of the regions a vmsplice call
 * queues (semantics.md gift-unaligned): iov_len values whose low bits are
 * known, and iov_base offsets from memory known to start on a page boundary
 * (an mmap() result, valloc(), aligned_alloc(), memalign() or
 * posix_memalign() with a constant alignment). Values are kept modulo 64 KiB,
 * the largest page size a rule may ask about.
 */

export const RESIDUE_MODULUS = 65536;

export interface SizeFact {
  kind: 'length' | 'offset';
  /** The iov_len, or the iov_base expression, where the outermost caller wrote it. */
  expr: SyntaxNode;
  inMacro: boolean;
  /** The value modulo RESIDUE_MODULUS, one per alternative the evaluation found. */
  residues: number[];
  /** For offsets: the alignment the memory is known to start on (bytes). */
  rootAlignment: number | null;
}

const PAGE_ALIGNED = new Set(['mmap', 'mmap64', 'valloc', 'pvalloc']);
/** Allocators whose first argument is the alignment. */
const ALIGNED = new Set(['aligned_alloc', 'memalign']);
const BYTE_TYPES = /^(?:(?:un)?signed )?char$|^u?int8_t$|^__?u8$|^u8$|^void$/;
const MASK = RESIDUE_MODULUS - 1;

/** The value modulo RESIDUE_MODULUS in every alternative, or null when some alternative's low bits are unknown. */
function residues(v: Value): number[] | null {
  if (!v.length || v.some((a) => (a.known & MASK) !== MASK)) return null;
  return [...new Set(v.map((a) => a.value & MASK))];
}

function callee(call: SyntaxNode): string {
  const f = call.childForFieldName('function');
  return f ? unparen(f).text : '';
}

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

export class Alignment {
  constructor(
    private readonly index: FileIndex,
    private readonly buffers: BufferResolver,
    private readonly evaluator: Evaluator,
    private readonly mappings: Mappings,
  ) {}

  sizes(call: VmspliceCall): SizeFact[] {
    if (!call.args.iov) return [];
    const out: SizeFact[] = [];
    for (const len of this.buffers.iovLengths(call.args.iov, call.args.count)) {
      const o = outermost(len);
      const size = this.sizeOf(unparen(o.node), o.scope);
      const r = size !== null ? [size & MASK] : residues(this.evaluator.eval(len));
      if (r) out.push({ kind: 'length', expr: unparen(o.node), inMacro: o.frag !== null, residues: r, rootAlignment: null });
    }
    for (const base of this.buffers.iovBases(call.args.iov, call.args.count)) {
      const o = outermost(base);
      const off = this.offset(o);
      if (off) out.push({ kind: 'offset', expr: unparen(o.node), inMacro: o.frag !== null, ...off });
    }
    return out;
  }

  /** `sizeof x` or `sizeof(x)` of a scalar or an array of scalars declared in view (the IR's type sizes). */
  private sizeOf(e: SyntaxNode, scope: Scope): number | null {
    if (e.type !== 'sizeof_expression') return null;
    // `sizeof(buf)` may parse as the size of a type named buf.
    const v = e.childForFieldName('value') ?? e.childForFieldName('type');
    const name = v ? unparen(v).text : '';
    const d = /^[A-Za-z_]\w*$/.test(name) ? declarationOf(name, scope, this.index) : null;
    if (!d) return null;
    const shape = shapeOf(d.decl, d.declarator);
    const unit = shape.pointer === 0 ? BASIC_SIZES[shape.typeName] : undefined;
    if (unit === undefined) return null;
    if (!shape.array) return unit;
    const n = arrayLength(d.declarator);
    return n === null ? null : unit * n;
  }

  /** `root + k` with a byte pointer `root` known to start aligned and a constant `k`. */
  private offset(a: ArgExpr): { residues: number[]; rootAlignment: number } | null {
    const e = unparen(a.node);
    if (e.type !== 'binary_expression') return null;
    const op = e.childForFieldName('operator')?.text;
    const left = e.childForFieldName('left');
    const right = e.childForFieldName('right');
    if ((op !== '+' && op !== '-') || !left || !right || !this.bytePointer(left, a.scope)) return null;
    const align = this.alignmentOf(left, a.scope);
    const r = align === null ? null : residues(this.evaluator.eval({ ...a, node: right }));
    if (!r || align === null) return null;
    return { residues: op === '+' ? r : r.map((x) => (RESIDUE_MODULUS - x) & MASK), rootAlignment: align };
  }

  /** Pointer arithmetic on it counts bytes: a char, uint8_t or void pointer, by declaration or by cast. */
  private bytePointer(node: SyntaxNode, scope: Scope): boolean {
    const e = unparen(node);
    if (e.type === 'cast_expression') {
      const t = e.childForFieldName('type')?.text.replace(/\bconst\b|\bvolatile\b/g, '').replace(/\s+/g, ' ').trim() ?? '';
      return /^(?:(?:un)?signed )?char ?\*$|^u?int8_t ?\*$|^void ?\*$/.test(t);
    }
    const d = e.type === 'identifier' ? declarationOf(e.text, scope, this.index) : null;
    if (!d) return false;
    const shape = shapeOf(d.decl, d.declarator);
    return shape.pointer === 1 && BYTE_TYPES.test(shape.typeName);
  }

  /** The alignment a pointer's memory starts on, when every definition in view makes it aligned. */
  private alignmentOf(node: SyntaxNode, scope: Scope): number | null {
    const e = unparen(node);
    if (e.type === 'cast_expression') return this.alignmentOf(e.childForFieldName('value')!, scope);
    if (e.type === 'call_expression') return this.allocationAlignment(e, scope);
    if (e.type !== 'identifier') return null;
    if (this.mappings.of(e, scope).length) return RESIDUE_MODULUS;
    const local = scope.kind !== 'file' && scope.locals.has(e.text);
    const defs = (local ? scope.defs.get(e.text) : this.index.globalDefs.get(e.text)) ?? [];
    let align: number | null = null;
    for (const d of defs) {
      let a: number | null = null;
      if (d.op === 'opaque' && d.value === null && d.node.type === 'pointer_expression') {
        // posix_memalign(&p, ALIGN, size)
        const call = d.node.parent?.parent;
        if (call?.type === 'call_expression' && callee(call) === 'posix_memalign') a = this.constant(args(call)[1], d.scope);
      } else if (d.value && (d.op === 'init' || d.op === '=')) {
        const v = unparen(d.value);
        a = v.type === 'call_expression' || v.type === 'cast_expression' ? this.alignmentOf(v, d.scope) : null;
      } else continue;
      if (a === null) return null;
      align = align === null ? a : Math.min(align, a);
    }
    return align;
  }

  private allocationAlignment(call: SyntaxNode, scope: Scope): number | null {
    const name = callee(call);
    if (PAGE_ALIGNED.has(name)) return RESIDUE_MODULUS;
    return ALIGNED.has(name) ? this.constant(args(call)[0], scope) : null;
  }

  private constant(node: SyntaxNode | undefined, scope: Scope): number | null {
    if (!node) return null;
    const v = this.evaluator.eval({ node, frag: null, scope, binding: null, anchor: node });
    return v.length === 1 && v[0].known === 0xffffffff && v[0].value > 0 ? v[0].value : null;
  }
}
