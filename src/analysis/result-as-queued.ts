import type { SyntaxNode } from '../parse.js';
import { irOf } from '../ir/cache.js';
import type { CallInstr, Instr, IrFunction } from '../ir/types.js';
import { reachFrom } from './cfg.js';
import type { VmspliceCall } from './calls.js';
import type { FileIndex } from './fileindex.js';
import { unparen } from './syntax.js';
import { expressionIn } from './values.js';

/**
 * A splice() or tee() out of the descriptor a vmsplice call used, with the
 * call's result as its length: the code takes the call for one that queued
 * that many bytes into the pipe. On a read end vmsplice copied them out of
 * the pipe instead (semantics.md read-direction-misuse).
 */

/** Where splice() and tee() take the input descriptor and the length. */
const DRAINS: Record<string, { fd: number; len: number }> = { splice: { fd: 0, len: 4 }, tee: { fd: 0, len: 2 } };

function normalized(n: SyntaxNode): string {
  return unparen(n).text.replace(/\s+/g, '');
}

export function resultDrainedAsQueued(call: VmspliceCall, index: FileIndex): SyntaxNode | null {
  const fn = call.scope.node;
  if (call.scope.kind !== 'function' || fn?.type !== 'function_definition') return null;
  const ir = irOf(fn, index.conditions);
  const site = ir?.callAt(call.site);
  const fd = expressionIn(call.args.fd, call.scope);
  if (!ir || !site || !fd) return null;
  const start = ir.blockOf(site);
  // Symbols holding the result (`r = vmsplice(...)`, also inside a condition).
  const holders = new Set<number>();
  for (const ins of ir.code[start]) {
    if (ins.kind === 'assign' && ins.place.path.length === 0 && ins.value.kind === 'result' && ins.value.call === site.id) holders.add(ins.place.base.id);
  }
  for (const c of ir.calls) {
    const drain = c.callee ? DRAINS[c.callee] : undefined;
    const len = drain ? c.args[drain.len] : undefined;
    if (!drain || !len) continue;
    const direct = len.kind === 'result' && len.call === site.id;
    const held = len.kind === 'load' && len.place.path.length === 0 && holders.has(len.place.base.id) && reaches(ir, site, len.place.base.id, c);
    if (!direct && !held) continue;
    const from = c.node.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment')[drain.fd];
    if (from && normalized(from) === normalized(fd)) return c.node;
  }
  return null;
}

/** Whether the value the call stored in symbol `sym` is still there when `use` runs (no other assignment on some path). */
function reaches(ir: IrFunction, call: CallInstr, sym: number, use: CallInstr): boolean {
  const kills = (ins: Instr): boolean => ins.kind === 'assign' && ins.place.path.length === 0 && ins.place.base.id === sym && !(ins.value.kind === 'result' && ins.value.call === call.id);
  const start = ir.blockOf(call);
  const block = ir.blockOf(use);
  const code = ir.code[block];
  const at = code.indexOf(use);
  if (block === start) {
    const from = code.indexOf(call);
    if (from < at) return !code.slice(from + 1, at).some(kills);
  }
  const reach = reachFrom(ir.cfg, start, (id) => ir.code[id].some(kills), () => false);
  return reach.reached.has(block) && !code.slice(0, at).some(kills);
}
