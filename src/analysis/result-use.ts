import type { CallInstr, Instr, IrFunction, Place, Value } from '../ir/types.js';
import { placeKey } from '../ir/types.js';

/**
 * What a function does with the value one call returns, decided by a
 * forward dataflow over the IR from that call (semantics.md, unchecked-result):
 * which places hold the count (copies, accumulators, remainders), whether a
 * test for failure comes before the count is used, and whether a short count
 * is handled: compared with the total (also through an accumulator, also
 * after the loop), or used to advance both iov_base and iov_len of an iovec
 * that is sent again.
 */

export type ResultVerdict =
  | { use: 'checked' }
  | { use: 'returned' }
  | { use: 'discarded'; deliberate: boolean }
  | { use: 'unread' }
  | { use: 'errors-only'; why: 'error-test' | 'counter' | 'arithmetic' | 'opaque-macro'; macro?: string }
  | { use: 'head-resent' }
  | { use: 'unguarded-advance' };

/** How a place relates to the count: a copy, a running sum of counts, a remainder (decremented by counts), or other arithmetic. */
type Derivation = 'raw' | 'sum' | 'remainder' | 'arith';

interface State {
  derived: Map<string, Derivation>;
  /** A test for failure has run on every path here. */
  tested: boolean;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Functions that only print or log their arguments: passing the count there checks nothing. */
const LOGGERS = new Set([
  'printf', 'fprintf', 'dprintf', 'sprintf', 'snprintf', 'syslog', 'perror', 'warn', 'warnx', 'err', 'errx', 'fputs', 'puts',
  'tst_res', 'tst_resm', 'tst_brkm', 'ksft_print_msg', 'ksft_test_result', 'pr_debug', 'pr_info', 'pr_warn', 'pr_err', 'pr_perror',
]);

export interface ResultContext {
  /** Is this name a function or macro defined somewhere in the project? */
  isDefined(name: string): boolean;
  /** The call queues at most one byte: it cannot be short. */
  cannotBeShort: boolean;
}

export function resultUse(ir: IrFunction, call: CallInstr, ctx: ResultContext): ResultVerdict {
  const start = ir.blockOf(call);
  if (start < 0) return { use: 'checked' };

  let discarded: { deliberate: boolean } | null = null;
  let anyUse = false;
  let errorTest = false;
  let totalCompare = false;
  let passed = false;
  let returned = false;
  let opaqueMacro: string | null = null;
  let counter = false;
  let unguardedAdvance = false;
  const basesAdvanced = new Set<string>();
  const lensAdvanced = new Set<string>();
  let resent = false;

  const derivationOf = (v: Value, s: State): Derivation | null => {
    switch (v.kind) {
      case 'result': {
        if (v.call === call.id) return 'raw';
        // An undefined macro around the call (`TEMP_FAILURE_RETRY(vmsplice(...))`) is taken to yield its argument.
        const inner = ir.calls[v.call];
        return inner && isOpaqueMacro(inner.callee) && inner.args.some((a) => derivationOf(a, s) === 'raw') ? 'raw' : null;
      }
      case 'load':
        return s.derived.get(placeKey(v.place)) ?? null;
      case 'op': {
        if (v.op === '?:') return derivationOf(v.args[1], s) ?? derivationOf(v.args[2], s);
        if (COMPARISONS.has(v.op) || v.op === '!' || v.op === '&&' || v.op === '||') return null;
        return v.args.some((a) => derivationOf(a, s) !== null) ? 'arith' : null;
      }
      default:
        return null;
    }
  };

  const isOpaqueMacro = (name: string | null): boolean => name !== null && /^[A-Z][A-Z0-9_]*$/.test(name) && !ctx.isDefined(name);
  const isFailureLiteral = (v: Value): boolean => v.kind === 'const' && (v.value === 0 || v.value === -1);

  /** Records the tests a value makes of the count; true when one of them is a test for failure or the total. */
  const inspectTests = (v: Value, s: State, asCondition: boolean): boolean => {
    let tests = false;
    const visit = (x: Value, truth: boolean): void => {
      if (x.kind !== 'op') {
        const d = truth ? derivationOf(x, s) : null;
        if (d) {
          anyUse = true;
          // `while (left)` on a remainder tests for the end of the data; a truth test of the count tests for failure.
          if (d === 'remainder') totalCompare = true;
          else errorTest = true;
          tests = true;
        }
        return;
      }
      if (COMPARISONS.has(x.op)) {
        const [l, r] = x.args;
        const dl = derivationOf(l, s);
        const dr = derivationOf(r, s);
        const d = dl ?? dr;
        if (!d) return;
        anyUse = true;
        tests = true;
        const other = dl ? r : l;
        if (d === 'remainder' || !isFailureLiteral(other)) totalCompare = true;
        else errorTest = true;
        return;
      }
      if (x.op === '!' || x.op === '&&' || x.op === '||') {
        for (const a of x.args) visit(a, true);
        return;
      }
      if (x.op === '?:') {
        visit(x.args[0], true);
        visit(x.args[1], false);
        visit(x.args[2], false);
        return;
      }
      for (const a of x.args) visit(a, false);
    };
    visit(v, asCondition);
    return tests;
  };

  const iovField = (p: Place): { iov: string; field: 'iov_base' | 'iov_len' } | null => {
    const last = p.path[p.path.length - 1];
    if (last?.kind !== 'field' || (last.name !== 'iov_base' && last.name !== 'iov_len')) return null;
    const iov = placeKey({ base: p.base, path: p.path.slice(0, -1).filter((s) => s.kind !== 'index') });
    return { iov, field: last.name };
  };

  const transfer = (ins: Instr, s: State, recordUses: boolean): void => {
    switch (ins.kind) {
      case 'call': {
        if (ins.id === call.id) return;
        const withCount = ins.args.filter((a) => derivationOf(a, s) !== null);
        for (const a of ins.args) inspectTests(a, s, false);
        if (!withCount.length || !recordUses) return;
        anyUse = true;
        const name = ins.callee ?? '';
        if (LOGGERS.has(name)) return;
        if (isOpaqueMacro(name)) opaqueMacro ??= name;
        else passed = true;
        return;
      }
      case 'assign': {
        const key = placeKey(ins.place);
        const d = derivationOf(ins.value, s);
        if (recordUses) inspectTests(ins.value, s, false);
        const field = iovField(ins.place);
        // A plain copy (`r = vmsplice(...)`, `n = r`) is not a use; the copy's uses are.
        const copy = d === 'raw' && (ins.op === '=' || ins.op === 'init') && ins.value.kind !== 'op';
        // Stored where the caller or another function can read it (`*queued = r`, a global, a field through a pointer).
        const escapes = ins.place.base.storage !== 'auto' && ins.place.base.storage !== 'temp' && (ins.place.base.storage !== 'param' || ins.place.path.some((st) => st.kind === 'deref'));
        if (d && recordUses && escapes && !field) {
          anyUse = true;
          passed = true;
        }
        if (d && recordUses && !copy) {
          anyUse = true;
          if (field) {
            (field.field === 'iov_base' ? basesAdvanced : lensAdvanced).add(field.iov);
            if (field.field === 'iov_base' && !s.tested) unguardedAdvance = true;
          }
        }
        const before = s.derived.get(key);
        if (ins.op === '=' || ins.op === 'init') {
          if (d === 'raw' && ins.value.kind !== 'op') s.derived.set(key, 'raw');
          else if (d) s.derived.set(key, before === 'sum' ? 'sum' : 'arith');
          else s.derived.delete(key);
          // `total = total + r` adds the count to a running total.
          if (d && ins.value.kind === 'op' && ins.value.op === '+' && ins.value.args.some((a) => a.kind === 'load' && placeKey(a.place) === key)) {
            s.derived.set(key, 'sum');
            if (recordUses) counter = true;
          }
        } else if (d) {
          if (ins.op === '+=') {
            s.derived.set(key, before === 'raw' ? 'raw' : 'sum');
            if (recordUses && before !== 'raw') counter = true;
          } else if (ins.op === '-=') s.derived.set(key, before === 'raw' || before === 'sum' ? before : 'remainder');
          else s.derived.set(key, before ?? 'arith');
        }
        return;
      }
      case 'branch':
        if (recordUses && inspectTests(ins.cond, s, true)) s.tested = true;
        return;
      case 'return': {
        if (!ins.value || !recordUses) return;
        const d = derivationOf(ins.value, s);
        // A running total or a moved pointer handed back says nothing about the short slot it skipped.
        if (d === 'raw' && (ins.value.kind === 'result' || ins.value.kind === 'load')) returned = true;
        if (d) anyUse = true;
        if (inspectTests(ins.value, s, false)) s.tested = true;
        return;
      }
      case 'discard':
        if (ins.value.kind === 'result' && ins.value.call === call.id) discarded = { deliberate: ins.deliberate };
        return;
      case 'scope-end':
        return;
    }
  };

  // Forward may-analysis to a fixpoint: the derived places only grow, `tested` only falls (AND at joins).
  const states = new Map<number, State>();
  const afterCall = (): State => {
    const s: State = { derived: new Map(), tested: false };
    const code = ir.code[start];
    const i = code.indexOf(call);
    for (const ins of code.slice(i + 1)) transfer(ins, s, true);
    return s;
  };
  const merge = (into: State | undefined, s: State): State | null => {
    if (!into) return { derived: new Map(s.derived), tested: s.tested };
    let changed = false;
    for (const [k, d] of s.derived) {
      const old = into.derived.get(k);
      if (old === undefined) {
        into.derived.set(k, d);
        changed = true;
      } else if (old !== d && old !== 'arith') {
        into.derived.set(k, 'arith');
        changed = true;
      }
    }
    if (into.tested && !s.tested) {
      into.tested = false;
      changed = true;
    }
    return changed ? into : null;
  };
  const out0 = afterCall();
  const work: number[] = [];
  const push = (id: number, s: State): void => {
    const merged = merge(states.get(id), s);
    if (merged) {
      states.set(id, merged);
      work.push(id);
    }
  };
  for (const succ of ir.cfg.nodes[start].succ) push(succ, out0);
  let steps = 0;
  const limit = ir.cfg.nodes.length * 8 + 64;
  while (work.length && steps++ < limit) {
    const id = work.shift()!;
    const s: State = { derived: new Map(states.get(id)!.derived), tested: states.get(id)!.tested };
    if (id === start) {
      // Back at the call: this round's count replaces the last one's in the places it is stored to.
      resent = true;
      const code = ir.code[id];
      const i = code.indexOf(call);
      for (const ins of code.slice(0, i)) transfer(ins, s, true);
      for (const [k, d] of s.derived) if (d === 'raw') s.derived.delete(k);
      s.tested = false;
      for (const ins of code.slice(i + 1)) transfer(ins, s, true);
    } else for (const ins of ir.code[id]) transfer(ins, s, true);
    for (const succ of ir.cfg.nodes[id].succ) push(succ, s);
  }

  if (discarded) return { use: 'discarded', deliberate: (discarded as { deliberate: boolean }).deliberate };
  const advancedBoth = [...basesAdvanced].some((k) => lensAdvanced.has(k));
  if (resent && [...lensAdvanced].some((k) => !basesAdvanced.has(k))) return { use: 'head-resent' };
  if (unguardedAdvance && !errorTest) return { use: 'unguarded-advance' };
  if (totalCompare || passed || (advancedBoth && resent)) return { use: 'checked' };
  if (returned) return { use: 'returned' };
  if (!anyUse) return { use: 'unread' };
  if (ctx.cannotBeShort || oneByte(ir, call)) return { use: 'checked' };
  if (opaqueMacro) return { use: 'errors-only', why: 'opaque-macro', macro: opaqueMacro };
  if (counter) return { use: 'errors-only', why: 'counter' };
  if (errorTest) return { use: 'errors-only', why: 'error-test' };
  return { use: 'errors-only', why: 'arithmetic' };
}

/** A single iovec whose every stored length folds to at most one byte: queued whole or not at all. */
function oneByte(ir: IrFunction, call: CallInstr): boolean {
  const [, iov, count] = call.args;
  if (count?.kind !== 'const' || count.value !== 1 || (iov?.kind !== 'addr' && iov?.kind !== 'load')) return false;
  const lenKey = placeKey({ base: iov.place.base, path: [...iov.place.path, { kind: 'field', name: 'iov_len' }] });
  let seen = false;
  for (const block of ir.code) {
    for (const ins of block) {
      if (ins.kind !== 'assign' || ins.place.base.id !== iov.place.base.id) continue;
      const key = placeKey(ins.place);
      if (key === lenKey) {
        if (ins.value.kind !== 'const' || ins.value.value > 1) return false;
        seen = true;
      } else if (lenKey.startsWith(key)) return false;
    }
  }
  return seen;
}
