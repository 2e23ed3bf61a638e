import type { CallInstr, Instr, IrFunction, IrSymbol, Place, Value } from '../ir/types.js';
import { WRITERS } from './libc.js';

/**
 * Writes, in the function that calls vmsplice, through pointers taken from the
 * iovec it queues (`struct hdr *out = iov[0].iov_base; ... out->len = n;`).
 * This is how a header is fixed up after it was queued (semantics.md
 * `reliance`, libfuse's fuse_send_data_iov): the iovec usually arrives as a
 * parameter, so the memory has no name in this function but these aliases.
 */

export interface AliasWrite {
  instr: Instr;
  /** The CFG node holding the write. */
  block: number;
  /** The alias written through, and the iovec element it came from (for messages). */
  alias: string;
  element: string;
  callee: string;
}

export function queuedAliasWrites(ir: IrFunction, call: CallInstr): AliasWrite[] {
  const iov = call.args[1];
  const iovPlace = iov?.kind === 'load' || iov?.kind === 'addr' ? iov.place : null;
  if (!iovPlace) return [];
  const baseOfIov = iovPlace.base;

  /** `iov[k].iov_base`, `iov->iov_base`, `v.iov_base` of the queued iovec: the element text, or null. */
  const element = (p: Place): string | null => {
    if (p.base.id !== baseOfIov.id) return null;
    const last = p.path[p.path.length - 1];
    if (last?.kind !== 'field' || last.name !== 'iov_base') return null;
    const mid = p.path.slice(iovPlace.path.length, -1);
    if (mid.some((s) => s.kind === 'field')) return null;
    const idx = mid.find((s) => s.kind === 'index');
    const k = idx?.kind === 'index' && idx.index.kind === 'const' ? String(idx.index.value) : idx ? 'i' : '0';
    return `${baseOfIov.name}[${k}].iov_base`;
  };

  // Pointer symbols that hold an element's iov_base (also offset or cast), found to a fixpoint over copies.
  const aliases = new Map<number, { sym: IrSymbol; element: string }>();
  const pointee = (v: Value): string | null => {
    if (v.kind === 'load') return element(v.place) ?? (v.place.path.length === 0 ? aliases.get(v.place.base.id)?.element ?? null : null);
    if (v.kind === 'op' && (v.op === '+' || v.op === '-')) return pointee(v.args[0]);
    return null;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const block of ir.code) {
      for (const ins of block) {
        if (ins.kind !== 'assign' || ins.place.path.length || aliases.has(ins.place.base.id)) continue;
        const e = pointee(ins.value);
        if (e && (ins.op === '=' || ins.op === 'init')) {
          aliases.set(ins.place.base.id, { sym: ins.place.base, element: e });
          changed = true;
        }
      }
    }
  }
  if (!aliases.size) return [];

  const throughAlias = (p: Place): { sym: IrSymbol; element: string } | null => {
    const a = aliases.get(p.base.id);
    // Writing the pointer itself re-points it; writing through it (`*out`, `out->len`, `out[i]`) changes queued memory.
    return a && p.path.length > 0 && (p.path[0].kind === 'deref' || p.path[0].kind === 'index') ? a : null;
  };
  const named = (v: Value): { sym: IrSymbol; element: string } | null => {
    if (v.kind === 'load' && v.place.path.length === 0) return aliases.get(v.place.base.id) ?? null;
    if (v.kind === 'op' && (v.op === '+' || v.op === '-')) return named(v.args[0]);
    return null;
  };

  const out: AliasWrite[] = [];
  ir.code.forEach((block, id) => {
    for (const ins of block) {
      if (ins.kind === 'assign') {
        const a = throughAlias(ins.place);
        if (a) out.push({ instr: ins, block: id, alias: a.sym.name, element: a.element, callee: '' });
      } else if (ins.kind === 'call' && ins.callee && WRITERS[ins.callee]) {
        for (const k of WRITERS[ins.callee]) {
          const a = ins.args[k] ? named(ins.args[k]) : null;
          if (a) out.push({ instr: ins, block: id, alias: a.sym.name, element: a.element, callee: ins.callee });
        }
      }
    }
  });
  return out;
}
