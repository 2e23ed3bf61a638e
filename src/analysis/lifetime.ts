import type { SyntaxNode } from '../parse.js';
import { BufferResolver } from './buffers.js';
import type { VmspliceCall } from './calls.js';
import { pathTo, reachFrom, type Cfg } from './cfg.js';
import { pipeUses } from './consumers.js';
import { COPYING_FORKS, DUPS, LIBRARY_NAMES, spawns } from './libc.js';
import { FdFacts, isAfAlgOp, isCopySink } from './fds.js';
import type { CallNode, FileIndex, Scope } from './fileindex.js';
import { insideLoop, isAncestor, parseIntLiteral, unparen } from './syntax.js';
import { expressionIn } from './values.js';
import { irOf } from '../ir/cache.js';
import type { CallInstr, Instr, IrFunction, IrSymbol } from '../ir/types.js';
import { locName, overlaps, Summaries, type Effect, type Loc, type MemoryModel, type RootKind } from './memory.js';
import { afAlgCopies, type KernelFloor } from './kernel.js';

/**
 * Buffer lifetime after a write-direction vmsplice (semantics.md section 5):
 * which events can change or release the queued memory on a path from the
 * call that passes no safe point.
 */

export type EventKind = 'store' | 'libc' | 'call' | 'free' | 'realloc' | 'scope-exit' | 'fork';

export interface BufferEvent {
  kind: EventKind;
  /** The writing function for libc and call events. */
  callee: string;
  /** Where the event happens (for scope exit: the return statement or the block's closing brace). */
  node: SyntaxNode;
  /** Reached only through a loop's back edge: the next iteration's write. */
  refill: boolean;
  root: BufferRoot;
  /** Statements from the vmsplice call to the event, for code flows. */
  path: SyntaxNode[];
  /** The call in the event's function that queued the buffer (the vmsplice, or the wrapper call). */
  queuedAt: SyntaxNode;
  /** The pipe is drained after the write: the code relies on the reader seeing the new bytes (semantics.md `reliance`). */
  reliance?: boolean;
}

export interface LifetimeFacts {
  direction: 'write' | 'read';
  roots: BufferRoot[];
  /** A fork (or a project's fork wrapper) that runs before the call, when the queued memory existed before it. */
  forkedBefore: { node: SyntaxNode; callee: string } | null;
  /** iovec bases whose memory has no known root (neither a variable nor a string literal), or every base when the iovec itself is unknown. */
  unresolved: boolean;
  events: BufferEvent[];
  /** Refills were discharged by verified double buffering (S4). */
  doubleBuffered: boolean;
  /** The refills S4 discharged (events this rule would otherwise report), and the pipe-size check that verified it. */
  dischargedByS4: { events: BufferEvent[]; check: SyntaxNode } | null;
}

const PRIVATE = new Set<RootKind>(['stack', 'static', 'heap', 'mmap-anon-private']);
const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement']);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** What one level contributes; `returnsQueued`: some path from the queueing call returns with no safe point passed. */
interface LevelEvents {
  events: BufferEvent[];
  doubleBuffered: boolean;
  discharged: BufferEvent[];
  sizeCheck: SyntaxNode | null;
  returnsQueued: boolean;
}

/** One function the queued memory passes through, with the call there that queues it. */
interface Level {
  scope: Scope;
  ir: IrFunction;
  model: MemoryModel;
  instr: CallInstr;
  queued: Loc[];
}

/** The queued memory, named for messages and facts. */
export interface BufferRoot {
  kind: RootKind;
  /** The variable naming the memory (for heap and mmap: the pointer that first held it). */
  variable: string;
  /** Member path below the variable when the buffer is a struct member (`.payload`), else ''. */
  member: string;
  scope: Scope;
  /** Where the memory was made (an allocation) or queued, for positions. */
  expr: SyntaxNode;
  /** The declaration of an automatic variable: its block bounds the lifetime. */
  declaration: SyntaxNode | null;
}

/** The variable a call's result is stored in (`r = call`, `T r = call`), from the IR. */
function resultOf(ir: IrFunction, call: CallInstr): string | null {
  for (const x of ir.code[ir.blockOf(call)] ?? []) {
    if (x.kind === 'assign' && x.place.path.length === 0 && x.value.kind === 'result' && x.value.call === call.id) return x.place.base.name;
  }
  return null;
}

function rootOf(l: Loc, level: Level): BufferRoot {
  return {
    kind: l.obj.kind,
    variable: locName(l),
    member: '',
    scope: level.scope,
    expr: l.obj.call?.node ?? level.instr.node,
    declaration: l.obj.sym?.decl ?? null,
  };
}

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

/** The variable a call's result is stored in (`r = call`, `T r = call`), if any. */
export function resultVariable(call: SyntaxNode): string | null {
  let n = call;
  while (n.parent && (n.parent.type === 'parenthesized_expression' || n.parent.type === 'cast_expression')) n = n.parent;
  const p = n.parent;
  if (p?.type === 'init_declarator') return p.childForFieldName('declarator')?.text.replace(/^[*\s]+/, '') ?? null;
  if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.id === n.id) {
    const l = p.childForFieldName('left');
    return l?.type === 'identifier' ? l.text : null;
  }
  return null;
}

/** Is the result of `call` compared, or used as a loop's progress? (a checked drain) */
export function resultChecked(call: SyntaxNode, scope: Scope): boolean {
  if (insideLoop(call, scope.node)) return true;
  let n = call;
  while (n.parent && (n.parent.type === 'parenthesized_expression' || n.parent.type === 'cast_expression')) n = n.parent;
  if (n.parent?.type === 'binary_expression' && COMPARISONS.has(n.parent.childForFieldName('operator')?.text ?? '')) return true;
  const v = resultVariable(call);
  return v !== null && (scope.node?.descendantsOfType('identifier') ?? []).some((id) => id.text === v && id.startIndex > call.endIndex && id.parent?.type === 'binary_expression');
}

/** Literal value of an integer constant expression such as `0`, `-1`, `(ssize_t)0`. */
function literal(n: SyntaxNode): number | null {
  const e = unparen(n);
  if (e.type === 'number_literal') return parseIntLiteral(e.text);
  if (e.type === 'unary_expression' && e.children[0]?.type === '-') {
    const v = literal(e.childForFieldName('argument')!);
    return v === null ? null : -v;
  }
  if (e.type === 'cast_expression') return literal(e.childForFieldName('value')!);
  return null;
}

/**
 * For a condition testing the call's result: the branch on which the call
 * queued nothing (result <= 0), so the buffer is not in the pipe there.
 */
export function failureBranch(cond: SyntaxNode, call: SyntaxNode, resultVar: string | null): 'true' | 'false' | null {
  const e = unparen(cond);
  const isResult = (x: SyntaxNode): boolean => {
    const u = unparen(x);
    if (u.id === call.id || (u.type === 'assignment_expression' && unparen(u.childForFieldName('right')!).id === call.id)) return true;
    if (u.type === 'cast_expression') return isResult(u.childForFieldName('value')!);
    return resultVar !== null && u.type === 'identifier' && u.text === resultVar;
  };
  if (e.type === 'unary_expression' && e.children[0]?.type === '!' && isResult(e.childForFieldName('argument')!)) return 'true';
  if (e.type !== 'binary_expression') return null;
  let op = e.childForFieldName('operator')?.text ?? '';
  let l = e.childForFieldName('left')!;
  let r = e.childForFieldName('right')!;
  if (!isResult(l)) {
    if (!isResult(r)) return null;
    [l, r] = [r, l];
    op = ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op;
  }
  const k = literal(r);
  if (k === null) return null;
  switch (op) {
    case '<': return k <= 1 ? 'true' : null;
    case '<=': return k <= 0 ? 'true' : null;
    case '==': return k <= 0 ? 'true' : null;
    case '!=': return k <= 0 && k === -1 ? 'false' : null;
    case '>': return k === 0 ? 'false' : null;
    case '>=': return k === 1 || k === 0 ? 'false' : null;
    default: return null;
  }
}

export class LifetimeAnalysis {
  private readonly summaries = new Summaries(
    (name) => this.definition(name),
    (c) => {
      const fd = c.node.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
      return !!fd && this.fds.direction(fd, this.index.scopeOf(c.node)) === 'read';
    },
  );
  readonly fds: FdFacts;
  readonly buffers: BufferResolver;

  /** `kernel`: the oldest supported kernel, which decides whether a splice into AF_ALG is a copy (S1). */
  constructor(
    private readonly index: FileIndex,
    private readonly kernel: KernelFloor | null = null,
  ) {
    this.fds = new FdFacts(index);
    this.buffers = new BufferResolver(index);
  }

  /** Functions too deeply nested for the (recursive) graph builder: analysed without control flow. */
  readonly unstructured = new Set<Scope>();

  cfgOf(scope: Scope): Cfg | null {
    return this.irFor(scope)?.cfg ?? null;
  }

  /** The function's IR (its CFG included), built once; null when the graph builder gave up on it. */
  private irFor(scope: Scope): IrFunction | null {
    if (scope.kind !== 'function' || scope.node?.type !== 'function_definition' || this.unstructured.has(scope)) return null;
    const ir = irOf(scope.node, this.index.conditions);
    // Thousands of nested blocks exhaust the stack; the rest of the file's findings must survive.
    if (!ir) this.unstructured.add(scope);
    return ir;
  }

  analyze(call: VmspliceCall): LifetimeFacts {
    const innerScope = call.args.fd?.scope ?? call.scope;
    const fdInner = call.args.fd ? expressionIn(call.args.fd, innerScope) ?? unparen(call.args.fd.node) : null;
    if (this.directionOf(call, fdInner, innerScope) === 'read') return { direction: 'read', roots: [], events: [], doubleBuffered: false, dischargedByS4: null, unresolved: false, forkedBefore: null };

    const levels = this.levels(call);
    const events: BufferEvent[] = [];
    let doubleBuffered = false;
    let dischargedByS4: LifetimeFacts['dischargedByS4'] = null;
    const seen = new Set<string>();
    // Innermost first: a function that drains the pipe (or otherwise passes a safe point) on every path back to its
    // caller hands back memory no longer queued, so its callers' later writes are not judged.
    for (const level of [...levels].reverse()) {
      if (!level.queued.length) continue;
      const fdHere = call.args.fd ? expressionIn(call.args.fd, level.scope) : null;
      const pipe = fdHere ? this.fds.pipeEnd(fdHere, level.scope)?.pipe ?? null : null;
      // A parameter fd has no meaning in the caller: the call's own fd (standard output, say) still says which pipe.
      const fd = fdHere ? { node: fdHere, scope: level.scope } : fdInner ? { node: fdInner, scope: innerScope } : null;
      const r = this.eventsAt(level, pipe, fd);
      doubleBuffered ||= r.doubleBuffered;
      if (r.discharged.length && r.sizeCheck) {
        dischargedByS4 ??= { events: [], check: r.sizeCheck };
        for (const ev of r.discharged) if (!dischargedByS4.events.some((d) => d.node.startIndex === ev.node.startIndex && d.node.endIndex === ev.node.endIndex)) dischargedByS4.events.push(ev);
      }
      for (const ev of r.events) {
        const key = `${ev.kind}:${ev.node.startIndex}:${ev.node.endIndex}`;
        if (seen.has(key)) continue;
        seen.add(key);
        events.push(ev);
      }
      if (!r.returnsQueued) break;
    }
    const outer = levels[0];
    const queued = outer ? outer.queued.filter((l) => l.obj.key !== 'str') : [];
    const roots = outer ? queued.map((l) => rootOf(l, outer)) : [];
    const unresolved = !outer || !outer.queued.length;
    return { direction: 'write', roots, events, doubleBuffered, dischargedByS4, unresolved, forkedBefore: this.forkBefore(call, roots) };
  }

  /**
   * The functions the buffer passes through, outermost first: each with the call there that queues it (the
   * vmsplice, or the call of the wrapper or macro that does) and the queued memory in that function's terms. The
   * innermost function reads its iovec; each caller substitutes its own arguments for the wrapper's parameters.
   */
  private levels(call: VmspliceCall): Level[] {
    const out: Level[] = [];
    const hops = call.hops.filter((h) => !h.at.frag);
    let inner: Level | null = null;
    for (let i = hops.length - 1; i >= 0; i--) {
      const node = hops[i].at.node;
      const scope = this.index.scopeOf(node);
      const ir = this.irFor(scope);
      const instr = ir?.callAt(node);
      if (!ir || !instr) break;
      const model = this.summaries.modelOf(ir);
      let queued: Loc[] = [];
      if (inner) {
        const callee = inner.ir;
        queued = inner.queued.flatMap((l) => model.translate(l, { effects: [], macro: false, paramIndex: (s) => callee.params.indexOf(s) }, instr));
      }
      if (!queued.length) {
        const iov = call.args.iov ? expressionIn(call.args.iov, scope) : null;
        const count = call.args.count ? expressionIn(call.args.count, scope) : null;
        const value = iov ? ir.argAt(iov) : undefined;
        // What the iovec holds when it is queued: assignments after the call (outside a loop) do not count.
        if (value) queued = model.iovecBuffers(value, count ? ir.argAt(count) : undefined, instr);
      }
      inner = { scope, ir, model, instr, queued };
      out.unshift(inner);
    }
    return out;
  }

  /**
   * semantics.md fork-after-vmsplice, second clause: the call runs after a fork that copied the address space (in
   * the child, or in the parent while the child lives) and queues memory that existed before the fork, so both
   * processes share its pages copy-on-write while they are queued.
   */
  private forkBefore(call: VmspliceCall, roots: BufferRoot[]): { node: SyntaxNode; callee: string } | null {
    const ir = this.irFor(call.scope);
    const site = ir?.callAt(call.site);
    if (!ir || !site) return null;
    const target = ir.blockOf(site);
    for (const f of ir.calls) {
      if (!f.callee || f.id === site.id || !spawns(f.callee, this.index, COPYING_FORKS)) continue;
      if (!reachFrom(ir.cfg, ir.blockOf(f), () => false, () => false).reached.has(target)) continue;
      // Memory the process allocates after the fork is its own.
      const madeAfter = roots.some((r) => {
        if (r.scope !== call.scope || r.kind === 'param' || r.kind === 'static' || r.kind === 'unknown') return false;
        return (r.kind === 'stack' ? r.declaration ?? r.expr : r.expr).startIndex > f.node.startIndex;
      });
      if (!madeAfter) return { node: f.node, callee: f.callee };
    }
    return null;
  }

  /** The direction decided at the innermost level where the fd is known, from the real call outward through the hops. */
  private directionOf(call: VmspliceCall, fdInner: SyntaxNode | null, innerScope: Scope): 'read' | 'write' | null {
    const inner = fdInner ? this.fds.direction(fdInner, innerScope) : null;
    if (inner || !call.args.fd) return inner;
    for (const h of call.hops) {
      if (h.at.frag) continue;
      const scope = this.index.scopeOf(h.at.node);
      const e = expressionIn(call.args.fd, scope);
      const d = e ? this.fds.direction(e, scope) : null;
      if (d) return d;
    }
    return null;
  }

  /** Events on the queued memory of one level, on paths from its queueing call that pass no safe point. */
  private eventsAt(level: Level, pipe: string | null, fd: { node: SyntaxNode; scope: Scope } | null): LevelEvents {
    const { scope, ir, model, instr } = level;
    const position = instr.node;
    const queued = level.queued.filter((l) => l.obj.key !== 'str');
    const cfg = ir.cfg;
    const start = ir.blockOf(instr);
    if (start < 0 || !queued.length) return { events: [], doubleBuffered: false, discharged: [], sizeCheck: null, returnsQueued: true };
    const blockOf = model.blockOfInstr();
    const effects = model.effects();
    const hit = (e: Effect): Loc | null => {
      for (const l of e.locs) {
        const q = queued.find((x) => overlaps(l, x));
        if (!q) continue;
        // free() and realloc() release heap memory; on a stack, static or mapped object they are someone else's bug.
        if ((e.kind === 'free' || e.kind === 'realloc') && (q.obj.kind === 'stack' || q.obj.kind === 'static' || q.obj.kind.startsWith('mmap'))) continue;
        return q;
      }
      return null;
    };

    const safe = new Set<number>(this.safePoints(scope, cfg, pipe, queued, effects, blockOf, position));

    const sizeCheck = this.pipeSizeCheck(scope, pipe, fd);
    const doubleBuffered = sizeCheck !== null;
    const resultVar = resultOf(ir, instr);
    const blocked = (id: number): boolean => safe.has(id);
    const first = reachFrom(cfg, start, blocked, (node, succ) => {
      if (node.kind !== 'cond' || !node.syntax) return false;
      const fail = failureBranch(node.syntax, position, resultVar);
      return (fail === 'true' && succ === node.onTrue && node.onTrue !== node.onFalse) || (fail === 'false' && succ === node.onFalse && node.onTrue !== node.onFalse);
    });
    // Back at the call in a loop, earlier rounds have queued data: this round's failure no longer clears the buffer.
    const again = first.reached.has(start) ? reachFrom(cfg, start, blocked, () => false) : null;
    const reach = again ?? first;

    const candidates: { kind: EventKind; callee: string; node: SyntaxNode; block: number; loc: Loc }[] = [];
    // Memory excluded from fork (MADV_DONTFORK/WIPEONFORK), and memory that is not private, is not COW-shared.
    const shared = queued.find((q) => PRIVATE.has(q.obj.kind) && !effects.some((e) => e.kind === 'no-fork' && e.locs.some((l) => overlaps(l, q))));
    for (const e of effects) {
      if (e.kind === 'relinquish' || e.kind === 'no-fork') continue;
      const block = blockOf.get(e.instr) ?? -1;
      if (e.kind === 'fork') {
        if (shared) candidates.push({ kind: 'fork', callee: e.callee, node: e.instr.node, block, loc: shared });
        continue;
      }
      const q = hit(e);
      if (q) candidates.push({ kind: e.kind, callee: e.callee, node: e.instr.node, block, loc: q });
    }
    // Returning from main ends the process: the pipe keeps its pages and nothing reuses them.
    if (ir.name !== 'main') {
      for (const q of queued) {
        const sym = q.obj.sym;
        if (!sym || sym.storage !== 'auto' || !sym.extent) continue;
        const extent = sym.extent;
        ir.code.forEach((list, block) => {
          for (const x of list) {
            if (x.kind === 'scope-end' && x.symbols.includes(sym)) candidates.push({ kind: 'scope-exit', callee: '', node: x.node.lastChild ?? x.node, block, loc: q });
            else if (x.kind === 'return' && extent.start <= x.node.startIndex && x.node.endIndex <= extent.end) candidates.push({ kind: 'scope-exit', callee: '', node: x.node, block, loc: q });
          }
        });
      }
    }

    const later = (block: number): Set<number> => reachFrom(cfg, block, () => false, () => false).reached;
    const drains = pipe ? this.drainBlocks(scope, cfg, pipe) : [];
    const events: BufferEvent[] = [];
    const discharged: BufferEvent[] = [];
    for (const c of candidates) {
      const sameNode = c.block === start;
      const after = c.node.startIndex >= position.endIndex || (c.kind === 'scope-exit' && c.node.type === 'return_statement' && isAncestor(c.node, position));
      const reached = reach.reached.has(c.block) && !(safe.has(c.block) && c.block !== start);
      if (!(sameNode && after) && !reached) continue;
      const refill = c.kind !== 'scope-exit' && !(sameNode && after) && c.node.startIndex < position.startIndex;
      const ids = sameNode && after ? [start] : pathTo(reach, start, c.block);
      // A store into memory the caller owns, with the pipe drained after it: the code expects the reader to see it.
      const reliance = !refill && c.kind !== 'scope-exit' && c.kind !== 'fork' && c.loc.obj.kind === 'param' && drains.some((d) => later(c.block).has(d));
      (refill && doubleBuffered ? discharged : events).push({
        kind: c.kind,
        callee: c.callee,
        node: c.node,
        refill,
        root: rootOf(c.loc, level),
        path: ids.map((id) => cfg.nodes[id].syntax).filter((s): s is SyntaxNode => s !== null),
        queuedAt: position,
        reliance,
      });
    }
    return { events, doubleBuffered, discharged, sizeCheck, returnsQueued: reach.reached.has(cfg.exit) };
  }

  /** CFG nodes of this function that move data out of the pipe (splice, tee or read on its read end). */
  private drainBlocks(scope: Scope, cfg: Cfg, pipe: string): number[] {
    const out: number[] = [];
    for (const u of pipeUses(pipe, this.index, this.fds)) {
      if (u.outerScope !== scope || u.end !== 0 || (u.op !== 'read' && u.op !== 'splice' && u.op !== 'tee')) continue;
      const n = cfg.nodeOf(u.outer);
      if (n) out.push(n.id);
    }
    return out;
  }

  /** Project functions and function-like macros, for summaries; library names are never the project's. */
  private definition(name: string): { ir: IrFunction; macro: boolean; paramIndex(sym: IrSymbol): number } | null {
    if (LIBRARY_NAMES.has(name)) return null;
    const f = this.index.functions.get(name);
    if (f) {
      const ir = f.node.type === 'function_definition' ? irOf(f.node, this.index.conditions) : null;
      return ir ? { ir, macro: false, paramIndex: (s) => ir.params.indexOf(s) } : null;
    }
    for (const m of this.index.macros.get(name) ?? []) {
      const params = m.params;
      const fn = params ? m.fragment()?.tree.rootNode.namedChildren.find((n) => n.type === 'function_definition') : null;
      const ir = fn ? irOf(fn, this.index.conditions) : null;
      // A macro's parameters are names its body does not declare.
      if (ir && params) return { ir, macro: true, paramIndex: (s) => (s.storage === 'extern' ? params.indexOf(s.name) : -1) };
    }
    return null;
  }

  private safePoints(scope: Scope, cfg: Cfg, pipe: string | null, queued: Loc[], effects: Effect[], blockOf: Map<Instr, number>, position: SyntaxNode): number[] {
    const out: number[] = [];
    const node = (n: SyntaxNode): void => {
      const c = cfg.nodeOf(n);
      if (c) out.push(c.id);
    };
    // A drain looped until done: leaving the loop means the pipe was drained, so the loop's head is the safe point
    // (unless the vmsplice itself is in that loop, where only the drain statement is).
    const drain = (n: SyntaxNode): void => {
      let loop: SyntaxNode | null = n.parent;
      while (loop && !LOOPS.has(loop.type) && loop.id !== scope.node?.id) loop = loop.parent;
      if (!loop || !LOOPS.has(loop.type) || isAncestor(loop, position)) return node(n);
      node(loop.childForFieldName('condition') ?? loop);
    };
    // S3: giving up a private anonymous mapping keeps the pipe's pages as they are.
    for (const e of effects) {
      if (e.kind !== 'relinquish' || !e.locs.some((l) => queued.some((q) => q.obj.kind === 'mmap-anon-private' && overlaps(l, q)))) continue;
      const b = blockOf.get(e.instr);
      if (b !== undefined) out.push(b);
    }
    // S5: an explicit annotation.
    for (const c of scope.node?.descendantsOfType('comment') ?? []) {
      if (!/vmsplice-consumed/.test(c.text)) continue;
      let next = c.nextNamedSibling;
      while (next?.type === 'comment') next = next.nextNamedSibling;
      const prev = c.previousNamedSibling;
      const target = prev && prev.endPosition.row === c.startPosition.row ? prev : next;
      if (target) node(target);
    }
    if (!pipe) return out;
    const closes: SyntaxNode[][] = [[], []];
    for (const u of pipeUses(pipe, this.index, this.fds)) {
      if (u.outerScope !== scope) continue;
      if (u.op === 'close') closes[u.end].push(u.outer);
      // S1: a checked, full drain of this pipe (here or in a helper it is passed to) into a sink that copies.
      const copies = u.op === 'read' || (u.op === 'splice' && u.sink !== null && (isCopySink(u.sink) || (afAlgCopies(this.kernel) && isAfAlgOp(u.sink))));
      if (u.end === 0 && copies && resultChecked(u.at, u.scope)) drain(u.outer);
    }
    // S1': reading the AF_ALG result completes the operation that held the pages.
    if (this.splicedIntoAfAlg(pipe)) {
      for (const c of this.index.callsByScope(scope)) {
        const a = args(c.node);
        if ((c.callee === 'read' || c.callee === 'recv' || c.callee === 'recvmsg') && a[0] && isAfAlgOp(this.fds.kindOf(a[0], scope))) node(c.node);
      }
    }
    // S2: both ends closed, for a pipe no other process or descriptor holds; the later close completes it.
    for (const w of closes[1]) for (const r of closes[0]) {
      const later = w.startIndex > r.startIndex ? w : r;
      const earlier = later === w ? r : w;
      if (sameBlockBefore(earlier, later) && !this.pipeEscapes(pipe, scope, later)) node(later);
    }
    return out;
  }

  /** Could another descriptor or process hold an end of the pipe (dup'ed, or inherited by fork/exec before `until`)? */
  private pipeEscapes(pipe: string, scope: Scope, until: SyntaxNode): boolean {
    if (this.index.callsByScope(scope).some((c) => c.node.startIndex < until.startIndex && spawns(c.callee, this.index))) return true;
    return [...DUPS].some((name) => this.index.callsByCallee(name).some((c) => args(c.node).some((a) => this.fds.pipeEnd(a, c.scope)?.pipe === pipe)));
  }

  private splicedIntoAfAlg(pipe: string): boolean {
    return pipeUses(pipe, this.index, this.fds).some((u) => u.op === 'splice' && u.end === 0 && u.sink !== null && isAfAlgOp(u.sink));
  }

  /** S4: the fcntl() whose returned pipe size the code compares (FizzBuzz-style double buffering), if any. */
  private pipeSizeCheck(scope: Scope, pipe: string | null, fd: { node: SyntaxNode; scope: Scope } | null): SyntaxNode | null {
    const checked = (c: CallNode): boolean => /F_[SG]ETPIPE_SZ/.test(args(c.node)[1]?.text ?? '') && resultChecked(c.node, c.scope);
    const here = this.index.callsByScope(scope).find((c) => c.callee === 'fcntl' && checked(c));
    if (here) return here.node;
    // The size is a property of the pipe: a program sizes standard output or its pipe once (in main, at set-up) and
    // fills it elsewhere.
    const kind = fd ? this.fds.kindOf(fd.node, fd.scope) : null;
    const samePipe = (a: SyntaxNode, at: Scope): boolean => {
      if (pipe) return this.fds.pipeEnd(a, at)?.pipe === pipe;
      const k = this.fds.kindOf(a, at);
      return kind?.kind === 'std' && k.kind === 'std' && k.n === kind.n;
    };
    return this.index.callsByCallee('fcntl').find((c) => checked(c) && comparedWithSize(c.node) && args(c.node)[0] !== undefined && samePipe(args(c.node)[0], c.scope))?.node ?? null;
  }
}

/**
 * S4 asks for the size the kernel returned to be compared with the half being filled (`!= CHUNK`), not only tested for
 * failure: resizing a pipe for throughput (`if (fcntl(p[0], F_SETPIPE_SZ, n) < 0)`) proves nothing about halves.
 */
function comparedWithSize(call: SyntaxNode): boolean {
  let up = call.parent;
  while (up?.type === 'parenthesized_expression') up = up.parent;
  if (up?.type !== 'binary_expression' || !/^[!=<>]=?$/.test(up.childForFieldName('operator')?.text ?? '')) return false;
  const other = [up.childForFieldName('left'), up.childForFieldName('right')].find((n) => n && !isAncestor(n, call));
  const text = other ? unparen(other).text.replace(/\s+/g, '') : '';
  return text !== '' && !/^(?:-?[01]|NULL)$/.test(text);
}

/** Both statements sit in one block, `a` first, with nothing conditional between them and that block. */
function sameBlockBefore(a: SyntaxNode, b: SyntaxNode): boolean {
  const stmt = (n: SyntaxNode): SyntaxNode => {
    let s = n;
    while (s.parent && s.parent.type !== 'compound_statement') s = s.parent;
    return s;
  };
  const sa = stmt(a);
  const sb = stmt(b);
  return sa.parent?.id === sb.parent?.id && sa.startIndex <= sb.startIndex;
}
