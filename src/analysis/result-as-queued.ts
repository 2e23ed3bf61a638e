import type { SyntaxNode } from '../parse.js';
import { irOf } from '../ir/cache.js';
import type { Value } from '../ir/types.js';
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
  // Symbols holding the result (`r = vmsplice(...)`, also inside a condition).
  const holders = new Set<number>();
  for (const block of ir.code) {
    for (const ins of block) {
      if (ins.kind === 'assign' && ins.place.path.length === 0 && ins.value.kind === 'result' && ins.value.call === site.id) holders.add(ins.place.base.id);
    }
  }
  const isResult = (v: Value | undefined): boolean =>
    v !== undefined && ((v.kind === 'result' && v.call === site.id) || (v.kind === 'load' && v.place.path.length === 0 && holders.has(v.place.base.id)));
  for (const c of ir.calls) {
    const drain = c.callee ? DRAINS[c.callee] : undefined;
    if (!drain || !isResult(c.args[drain.len])) continue;
    const from = c.node.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment')[drain.fd];
    if (from && normalized(from) === normalized(fd)) return c.node;
  }
  return null;
}
