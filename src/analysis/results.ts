import type { SyntaxNode } from '../parse.js';
import type { BufferResolver } from './buffers.js';
import type { VmspliceCall } from './calls.js';
import type { FileIndex } from './fileindex.js';
import { resultVariable } from './lifetime.js';
import { irOf } from '../ir/cache.js';
import { resultUse, type ResultVerdict } from './result-use.js';
import { fragmentBody, insideLoop, parseIntLiteral, unparen, type NodeRef } from './syntax.js';

/**
 * What happens to a vmsplice call's result: dropped, stored and never read,
 * only tested for failure, or really used. The result is followed out of
 * macros and wrappers that return it, to where it is finally used.
 */

export type ResultUse = 'discarded' | 'unread' | 'errors-only' | 'checked' | 'head-resent' | 'unguarded-advance';

export interface ResultFacts {
  use: ResultUse;
  /** `(void)call(...)`: discarded on purpose. */
  deliberate: boolean;
  /** For errors-only: what the count was used for instead of a check, and the undefined macro it went into. */
  detail: Extract<ResultVerdict, { use: 'errors-only' }> | null;
  /** The call whose value is dropped or tested (the vmsplice, a macro use or a wrapper call). */
  at: NodeRef;
  /** The variable holding the result, when there is one. */
  variable: string | null;
}

type Use = ResultUse | 'returned';

const MAX_CLIMB = 64;
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

function isFailureLiteral(n: SyntaxNode): boolean {
  let e = unparen(n);
  if (e.type === 'cast_expression') e = unparen(e.childForFieldName('value')!);
  if (e.type === 'number_literal') {
    const v = parseIntLiteral(e.text);
    return v === 0 || v === -1;
  }
  if (e.type === 'unary_expression' && e.children[0]?.type === '-') return unparen(e.childForFieldName('argument')!).text === '1';
  return false;
}

/** How the value of expression `n` is used by its parent. */
function useOf(n: SyntaxNode, fragmentValue: SyntaxNode | null): Use | { variable: string } {
  let x = n;
  // `parent` costs time proportional to the depth: a pathological nest of parentheses is given up on.
  for (let steps = 0; steps < MAX_CLIMB; steps++) {
    const p = x.parent;
    if (!p) return 'checked';
    if (p.type === 'parenthesized_expression') {
      x = p;
      continue;
    }
    if (p.type === 'cast_expression') {
      if (p.childForFieldName('type')?.text.trim() === 'void') return 'discarded';
      x = p;
      continue;
    }
    if (fragmentValue && x.id === fragmentValue.id) return 'returned';
    switch (p.type) {
      case 'expression_statement': {
        // The last statement of a GNU statement expression is its value.
        const block = p.parent;
        const holder = block?.parent?.type;
        if (block?.type === 'compound_statement' && (holder === 'statement_expression' || holder === 'parenthesized_expression') && block.lastNamedChild?.id === p.id) {
          x = block.parent!;
          continue;
        }
        return 'discarded';
      }
      case 'return_statement':
        return 'returned';
      case 'init_declarator':
      case 'assignment_expression': {
        const v = resultVariable(n);
        return v ? { variable: v } : 'checked';
      }
      case 'binary_expression': {
        const op = p.childForFieldName('operator')?.text ?? '';
        if (!COMPARISONS.has(op)) return op === '&&' || op === '||' ? 'errors-only' : 'checked';
        const other = p.childForFieldName('left')?.id === x.id ? p.childForFieldName('right') : p.childForFieldName('left');
        return other && isFailureLiteral(other) ? 'errors-only' : 'checked';
      }
      case 'unary_expression':
        return p.children[0]?.type === '!' ? 'errors-only' : 'checked';
      case 'parenthesized_expression':
        return 'checked';
      default:
        // The condition of an if/while, or a ternary's condition, tests truth only.
        if (p.childForFieldName('condition')?.id === x.id) return 'errors-only';
        return 'checked';
    }
  }
  return 'checked';
}

/** A later `v = ...` that runs whenever the call's statement did (same block or an enclosing one, outside loops). */
function killedAt(variable: string, call: SyntaxNode, fn: SyntaxNode | null): number {
  let kill = Infinity;
  for (const a of fn?.descendantsOfType('assignment_expression') ?? []) {
    if (a.startIndex <= call.endIndex || a.startIndex >= kill) continue;
    if (a.childForFieldName('left')?.text !== variable || a.childForFieldName('operator')?.text !== '=') continue;
    const stmt = a.parent;
    if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'compound_statement') continue;
    const block = stmt.parent;
    if (block.startIndex <= call.startIndex && call.endIndex <= block.endIndex && !insideLoop(call, fn)) kill = a.startIndex;
  }
  return kill;
}

/** Classifies the uses of a result variable after the call. */
function variableUse(variable: string, call: SyntaxNode, fn: SyntaxNode | null): Use {
  const kill = killedAt(variable, call, fn);
  const ids = (fn?.descendantsOfType('identifier') ?? []).filter((id) => id.text === variable && id.startIndex > call.endIndex && id.startIndex < kill);
  let errorsOnly = false;
  let used = false;
  for (const id of ids) {
    const p = id.parent;
    if (p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === id.id && p.childForFieldName('operator')?.text === '=') continue;
    used = true;
    const u = useOf(id, null);
    if (u === 'returned') return 'returned';
    if (u === 'errors-only') errorsOnly = true;
    else if (u !== 'discarded') return 'checked';
  }
  if (!used) return 'unread';
  return errorsOnly ? 'errors-only' : 'unread';
}

/** A single segment of at most one byte is queued whole or not at all. */
function cannotBeShort(call: VmspliceCall, buffers: BufferResolver): boolean {
  const { iov, count } = call.args;
  if (!iov || !count || parseIntLiteral(unparen(count.node).text) !== 1) return false;
  const lens = buffers.iovLengths(iov, count);
  return lens.length > 0 && lens.every((l) => {
    const v = parseIntLiteral(unparen(l.node).text);
    return v !== null && v <= 1;
  });
}

export function analyzeResult(call: VmspliceCall, index: FileIndex, buffers: BufferResolver): ResultFacts {
  const isDefined = (name: string): boolean => index.functions.has(name) || index.macros.has(name);
  for (let i = call.hops.length - 1; i >= 0; i--) {
    const at = call.hops[i].at;
    const scope = at.frag ? null : index.scopeOf(at.node);
    const ir = scope?.kind === 'function' && scope.node?.type === 'function_definition' ? irOf(scope.node, index.conditions) : null;
    const instr = ir?.callAt(at.node);
    if (ir && instr) {
      const v = resultUse(ir, instr, { isDefined, cannotBeShort: cannotBeShort(call, buffers) });
      if (v.use === 'returned') continue;
      const variable = resultVariable(at.node);
      if (v.use === 'discarded') return { use: 'discarded', deliberate: v.deliberate, detail: null, at, variable };
      if (v.use === 'errors-only') return { use: 'errors-only', deliberate: false, detail: v, at, variable };
      return { use: v.use, deliberate: false, detail: null, at, variable };
    }
    // Macro bodies and code outside a function: judged on the syntax around the call.
    const fragValue = at.frag ? fragmentValueOf(at.frag) : null;
    let use: Use | { variable: string } = useOf(at.node, fragValue);
    let variable: string | null = null;
    if (typeof use === 'object') {
      variable = use.variable;
      use = variableUse(use.variable, at.node, at.frag ? null : index.scopeOf(at.node).node);
    }
    if (use === 'errors-only' && (insideLoop(at.node, at.frag ? null : index.scopeOf(at.node).node) || cannotBeShort(call, buffers))) use = 'checked';
    if (use !== 'returned') return { use, deliberate: false, detail: null, at, variable };
  }
  return { use: 'checked', deliberate: false, detail: null, at: call.hops[0].at, variable: null };
}

function fragmentValueOf(frag: NonNullable<NodeRef['frag']>): SyntaxNode | null {
  const first = fragmentBody(frag)?.namedChildren.find((c) => c.type !== 'comment');
  return first?.type === 'expression_statement' ? first.namedChild(0) : null;
}
