import type { SyntaxNode } from '../parse.js';
import { aliasesOf, BufferResolver, type BufferRoot } from './buffers.js';
import type { VmspliceCall } from './calls.js';
import { pathTo, reachFrom, type Cfg, type CfgNode } from './cfg.js';
import { pipeUses } from './consumers.js';
import { COPYING_FORKS, DUPS, IOV_READERS, SCANF, spawns, WRITERS } from './libc.js';
import { FdFacts, isAfAlgOp, isCopySink } from './fds.js';
import type { FileIndex, Scope } from './fileindex.js';
import { insideLoop, isAncestor, parseIntLiteral, pointerBase, unparen } from './syntax.js';
import { expressionIn } from './values.js';
import { irOf } from '../ir/cache.js';
import type { CallInstr, IrFunction } from '../ir/types.js';
import { queuedAliasWrites } from './queued-aliases.js';

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
}

const PRIVATE = new Set(['stack', 'static', 'heap', 'mmap-anon-private']);
const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement']);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

interface WriteSite {
  node: SyntaxNode;
  kind: EventKind | 'relinquish' | 'no-fork';
  callee: string;
  /** Variables written through (direct: the variable itself is assigned). */
  bases: { name: string; direct: boolean; text: string }[];
}

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

function calleeOf(call: SyntaxNode): string {
  const f = call.childForFieldName('function');
  return f?.type === 'identifier' ? f.text : '';
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
function resultChecked(call: SyntaxNode, scope: Scope): boolean {
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
function failureBranch(cond: SyntaxNode, call: SyntaxNode, resultVar: string | null): 'true' | 'false' | null {
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
  private readonly sites = new Map<Scope, WriteSite[]>();
  private readonly paramWrites = new Map<string, Set<number> | null>();
  readonly fds: FdFacts;
  readonly buffers: BufferResolver;

  constructor(private readonly index: FileIndex) {
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
    const inner = call.hops[call.hops.length - 1];
    const innerScope = call.args.fd?.scope ?? call.scope;
    const fdInner = call.args.fd ? expressionIn(call.args.fd, innerScope) ?? unparen(call.args.fd.node) : null;
    if (this.directionOf(call, fdInner, innerScope) === 'read') return { direction: 'read', roots: [], events: [], doubleBuffered: false, unresolved: false, forkedBefore: null };

    const bases = call.args.iov ? this.buffers.iovBases(call.args.iov, call.args.count) : [];
    const roots = bases.map((b) => this.buffers.root(b)).filter((r): r is BufferRoot => r !== null && r.variable !== '');
    const events: BufferEvent[] = [];
    let doubleBuffered = false;
    const seen = new Set<string>();
    const add = (ev: BufferEvent): void => {
      const key = `${ev.kind}:${ev.node.startIndex}:${ev.node.endIndex}`;
      if (!seen.has(key)) {
        seen.add(key);
        events.push(ev);
      }
    };
    if (!inner.at.frag) for (const ev of this.aliasEvents(call, inner.at.node)) add(ev);
    for (const root of roots) {
      // Where the root lives, the call that queued it: the real call, or the wrapper call in the caller.
      const position = this.positionIn(call, root.scope, inner.at.frag ? null : inner.at.node);
      if (!position) continue;
      const fdHere = call.args.fd ? expressionIn(call.args.fd, root.scope) : null;
      const pipe = fdHere ? this.fds.pipeEnd(fdHere, root.scope) : null;
      const r = this.eventsFor(root, position, pipe?.pipe ?? null);
      doubleBuffered ||= r.doubleBuffered;
      for (const ev of r.events) add(ev);
    }
    const literal = (n: SyntaxNode): boolean => {
      const u = unparen(n);
      return u.type === 'string_literal' || u.type === 'concatenated_string' || (u.type === 'cast_expression' && literal(u.childForFieldName('value')!));
    };
    const unresolved = !bases.length || bases.some((b) => !literal(b.node) && !roots.some((r) => r.expr.id === b.node.id || this.buffers.root(b)?.variable === r.variable));
    return { direction: 'write', roots, events, doubleBuffered, unresolved, forkedBefore: this.forkBefore(call, roots) };
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

  /**
   * Writes through pointers taken from the queued iovec's elements in the function that calls vmsplice (a header
   * fixed up after it was queued), on paths from the call that pass no safe point and not the failure branch.
   */
  private aliasEvents(call: VmspliceCall, position: SyntaxNode): BufferEvent[] {
    const scope = this.index.scopeOf(position);
    const ir = this.irFor(scope);
    const instr = ir?.callAt(position);
    if (!ir || !instr) return [];
    const writes = queuedAliasWrites(ir, instr);
    if (!writes.length) return [];
    const cfg = ir.cfg;
    const start = ir.blockOf(instr);
    const fd = call.args.fd ? expressionIn(call.args.fd, scope) : null;
    const pipe = fd ? this.fds.pipeEnd(fd, scope)?.pipe ?? null : null;
    const events: BufferEvent[] = [];
    for (const w of writes) {
      const root: BufferRoot = { kind: 'param', variable: w.alias, member: '', scope, expr: w.instr.node, declaration: null };
      const aliases = new Set([w.alias]);
      const safe = new Set(this.safePoints(scope, cfg, pipe, root, aliases, this.writeSites(scope), position));
      const resultVar = resultVariable(position);
      const reach = reachFrom(cfg, start, (id) => safe.has(id), (node, succ) => {
        if (node.kind !== 'cond' || !node.syntax || node.onTrue === node.onFalse) return false;
        const fail = failureBranch(node.syntax, position, resultVar);
        return (fail === 'true' && succ === node.onTrue) || (fail === 'false' && succ === node.onFalse);
      });
      const sameNode = w.block === start && w.instr.node.startIndex >= position.endIndex;
      if (!sameNode && !(reach.reached.has(w.block) && !safe.has(w.block))) continue;
      const refill = !sameNode && w.instr.node.startIndex < position.startIndex;
      const ids = sameNode ? [start] : pathTo(reach, start, w.block);
      const later = reachFrom(cfg, w.block, () => false, () => false).reached;
      const drains = (c: CallInstr): boolean => {
        const first = c.node.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
        return (c.callee === 'splice' || c.callee === 'tee' || c.callee === 'read') && !!first && !!pipe && this.fds.pipeEnd(first, scope)?.pipe === pipe;
      };
      events.push({
        kind: w.callee ? 'libc' : 'store',
        callee: w.callee,
        node: w.instr.node,
        refill,
        root,
        path: ids.map((id) => cfg.nodes[id].syntax).filter((x): x is SyntaxNode => x !== null),
        queuedAt: position,
        reliance: !refill && ir.calls.some((c) => later.has(ir.blockOf(c)) && drains(c)),
      });
    }
    return events;
  }

  /** The call node in `scope` that queues the buffer: the real call, or the hop calling into the wrapper. */
  private positionIn(call: VmspliceCall, scope: Scope, innerNode: SyntaxNode | null): SyntaxNode | null {
    for (const h of call.hops) {
      if (h.at.frag) continue;
      if (this.index.scopeOf(h.at.node) === scope) return h.at.node;
    }
    if (innerNode && this.index.scopeOf(innerNode) === scope) return innerNode;
    return null;
  }

  private eventsFor(root: BufferRoot, position: SyntaxNode, pipe: string | null): { events: BufferEvent[]; doubleBuffered: boolean } {
    const scope = root.scope;
    const cfg = this.cfgOf(scope);
    const start = cfg?.nodeOf(position);
    if (!cfg || !start) return { events: [], doubleBuffered: false };
    const aliases = aliasesOf(root, (value) => this.buffers.root({ node: value, frag: null, scope, binding: null, anchor: value })?.variable === root.variable);
    const sites = this.writeSites(scope);

    const safe = new Set<number>();
    for (const n of this.safePoints(scope, cfg, pipe, root, aliases, sites, position)) safe.add(n);
    const doubleBuffered = this.verifiesPipeSize(scope);

    const resultVar = resultVariable(position);
    const blocked = (id: number): boolean => safe.has(id);
    const first = reachFrom(cfg, start.id, blocked, (node, succ) => {
      if (node.kind !== 'cond' || !node.syntax) return false;
      const fail = failureBranch(node.syntax, position, resultVar);
      return (fail === 'true' && succ === node.onTrue && node.onTrue !== node.onFalse) || (fail === 'false' && succ === node.onFalse && node.onTrue !== node.onFalse);
    });
    // Back at the call in a loop, earlier rounds have queued data: this round's failure no longer clears the buffer.
    const again = first.reached.has(start.id) ? reachFrom(cfg, start.id, blocked, () => false) : null;
    const reach = again ?? first;

    const candidates: { kind: EventKind; callee: string; node: SyntaxNode; cfgNode: CfgNode }[] = [];
    // Memory excluded from fork (MADV_DONTFORK/WIPEONFORK), and memory that is not private, is not COW-shared.
    const forkShares = PRIVATE.has(root.kind) && !sites.some((s) => s.kind === 'no-fork' && s.bases.some((b) => aliases.has(b.name)));
    for (const s of sites) {
      if (s.kind === 'relinquish' || s.kind === 'no-fork') continue;
      if (s.kind === 'fork') {
        const n = forkShares ? cfg.nodeOf(s.node) : undefined;
        if (n) candidates.push({ kind: 'fork', callee: s.callee, node: s.node, cfgNode: n });
        continue;
      }
      if (!s.bases.some((b) => this.touches(root, aliases, b, s.kind))) continue;
      const n = cfg.nodeOf(s.node);
      if (n) candidates.push({ kind: s.kind, callee: s.callee, node: s.node, cfgNode: n });
    }
    // Returning from main ends the process: the pipe keeps its pages and nothing reuses them.
    if (root.kind === 'stack' && root.declaration && scope.name !== 'main') {
      for (const n of cfg.nodes) {
        const syn = n.syntax;
        if (!syn) continue;
        const endsBlock = n.kind === 'block-end' && isDeclaringBlock(syn, root.declaration);
        const returns = n.kind === 'stmt' && syn.type === 'return_statement' && insideDeclaringBlock(syn, root.declaration);
        if (endsBlock || returns) candidates.push({ kind: 'scope-exit', callee: '', node: endsBlock ? syn.lastChild ?? syn : syn, cfgNode: n });
      }
    }

    const events: BufferEvent[] = [];
    for (const c of candidates) {
      const sameNode = c.cfgNode.id === start.id;
      const after = c.node.startIndex >= position.endIndex || (c.kind === 'scope-exit' && c.node.type === 'return_statement' && isAncestor(c.node, position));
      const reached = reach.reached.has(c.cfgNode.id) && !(safe.has(c.cfgNode.id) && c.cfgNode.id !== start.id);
      if (!(sameNode && after) && !reached) continue;
      const refill = c.kind !== 'scope-exit' && !(sameNode && after) && c.node.startIndex < position.startIndex;
      if (refill && doubleBuffered) continue;
      const ids = sameNode && after ? [start.id] : pathTo(reach, start.id, c.cfgNode.id);
      events.push({
        kind: c.kind,
        callee: c.callee,
        node: c.node,
        refill,
        root,
        path: ids.map((id) => cfg.nodes[id].syntax).filter((s): s is SyntaxNode => s !== null),
        queuedAt: position,
      });
    }
    return { events, doubleBuffered };
  }

  /** Does a write through `base` change the root's memory? */
  private touches(root: BufferRoot, aliases: Set<string>, base: { name: string; direct: boolean; text: string }, kind: WriteSite['kind']): boolean {
    if (!aliases.has(base.name)) return false;
    // A member root is touched through that member (or through an alias of it), not through its sibling members.
    if (root.member && base.name === root.variable) {
      const last = root.member.split('.').pop()!;
      if (!new RegExp(`(\\.|->)\\s*${last}\\b`).test(base.text)) return false;
    }
    if (kind === 'free' || kind === 'realloc') return root.kind !== 'stack' && root.kind !== 'static' && !root.kind.startsWith('mmap');
    // Assigning the pointer variable itself re-points it; assigning an array or struct object writes it.
    if (base.direct) return base.name === root.variable && (root.kind === 'stack' || root.kind === 'static') && !root.member;
    return true;
  }

  private writeSites(scope: Scope): WriteSite[] {
    let list = this.sites.get(scope);
    if (list) return list;
    list = [];
    const body = scope.node;
    if (body) {
      for (const n of body.descendantsOfType(['assignment_expression', 'update_expression', 'call_expression'])) {
        const site = this.writeSite(n, scope);
        if (site) list.push(site);
      }
    }
    this.sites.set(scope, list);
    return list;
  }

  private writeSite(n: SyntaxNode, scope: Scope, depth = 0): WriteSite | null {
    const baseOf = (x: SyntaxNode, direct: boolean): WriteSite['bases'][number] | null => {
      const u = unparen(x);
      const name = pointerBase(u);
      return name ? { name, direct: direct && u.type === 'identifier', text: u.text } : null;
    };
    if (n.type === 'assignment_expression' || n.type === 'update_expression') {
      const target = n.childForFieldName(n.type === 'assignment_expression' ? 'left' : 'argument');
      const b = target && baseOf(target, true);
      return b ? { node: n, kind: 'store', callee: '', bases: [b] } : null;
    }
    const name = calleeOf(n);
    if (!name) return null;
    const a = args(n);
    const viaMacro = depth < 4 ? this.macroWriteSite(n, name, a, scope, depth) : null;
    if (viaMacro) return viaMacro;
    const pick = (idx: number[]): WriteSite['bases'] => idx.map((i) => (a[i] ? baseOf(a[i], false) : null)).filter((b): b is WriteSite['bases'][number] => b !== null);
    if (name === 'free' || name === 'cfree') return { node: n, kind: 'free', callee: name, bases: pick([0]) };
    // fork() copies the address space: every private buffer is then COW-shared with the child.
    if (name === 'fork' || name === 'daemon' || name === '__fork' || ((name === 'clone' || name === 'clone3') && !/CLONE_VM/.test(n.text))) {
      return { node: n, kind: 'fork', callee: name, bases: [{ name: '*', direct: false, text: '' }] };
    }
    if (name === 'madvise' && /MADV_(DONTFORK|WIPEONFORK)/.test(a[2]?.text ?? '')) return { node: n, kind: 'no-fork', callee: name, bases: pick([0]) };
    if (name === 'realloc' || name === 'reallocarray') return { node: n, kind: 'realloc', callee: name, bases: pick([0]) };
    if (name === 'munmap') return { node: n, kind: 'relinquish', callee: name, bases: pick([0]) };
    if (name === 'madvise' && /MADV_DONTNEED|MADV_REMOVE/.test(a[2]?.text ?? '')) return { node: n, kind: 'relinquish', callee: name, bases: pick([0]) };
    if ((name === 'mmap' || name === 'mmap64') && /MAP_FIXED/.test(a[3]?.text ?? '')) return { node: n, kind: 'relinquish', callee: name, bases: pick([0]) };
    if (WRITERS[name]) return { node: n, kind: 'libc', callee: name, bases: pick(WRITERS[name]) };
    const iovArg = this.writtenIovec(name, a, scope);
    if (iovArg) {
      const expr = { node: iovArg, frag: null, scope, binding: null, anchor: n };
      const bases = this.buffers.iovBases(expr, null).map((b) => baseOf(b.node, false)).filter((b): b is WriteSite['bases'][number] => b !== null);
      return bases.length ? { node: n, kind: 'libc', callee: name, bases } : null;
    }
    if (name in SCANF) return { node: n, kind: 'libc', callee: name, bases: pick(a.map((_, i) => i).filter((i) => i >= SCANF[name])) };
    const written = this.writtenParams(name);
    if (written?.size) return { node: n, kind: 'call', callee: name, bases: pick([...written]) };
    return null;
  }

  /**
   * A function-like macro whose body writes, frees or unmaps (`#define
   * cleanup(p) munmap(p, LEN)`): the body's event, with the macro's parameters
   * replaced by what this use passes.
   */
  private macroWriteSite(n: SyntaxNode, name: string, a: SyntaxNode[], scope: Scope, depth: number): WriteSite | null {
    for (const m of this.index.macros.get(name) ?? []) {
      if (m.params === null) continue;
      const frag = m.fragment();
      if (!frag) continue;
      for (const inner of frag.tree.rootNode.descendantsOfType(['assignment_expression', 'update_expression', 'call_expression'])) {
        const site = this.writeSite(inner, scope, depth + 1);
        if (!site) continue;
        const bases = site.bases.flatMap((b) => {
          const k = m.params!.indexOf(b.name);
          if (k < 0) return b.name === '*' ? [b] : [];
          const arg = a[k] ? unparen(a[k]) : null;
          const base = arg ? pointerBase(arg) : null;
          return base ? [{ name: base, direct: b.direct && arg!.type === 'identifier', text: b.text.replace(new RegExp(`\\b${b.name}\\b`), arg!.text) }] : [];
        });
        if (bases.length) return { ...site, node: n, bases };
      }
    }
    return null;
  }

  /**
   * The iovec argument of calls that write into the buffers an iovec names:
   * readv and friends, process_vm_readv's local side, recvmsg's msg_iov, and
   * vmsplice on a pipe's read end (a copy into the buffers).
   */
  private writtenIovec(name: string, a: SyntaxNode[], scope: Scope): SyntaxNode | null {
    if (IOV_READERS.has(name)) return a[1] ?? null;
    if (name === 'vmsplice' && a[0] && this.fds.direction(a[0], scope) === 'read') return a[1] ?? null;
    if (name === 'recvmsg' && a[1]) {
      // recvmsg(fd, &msg, 0) with msg.msg_iov = iov set in this function.
      const msg = pointerBase(a[1]);
      const def = (this.index.fieldDefs.get('msg_iov') ?? []).find((d) => d.scope === scope && d.base === msg && d.value);
      return def?.value ?? null;
    }
    return null;
  }

  /** Parameter positions a function of this file writes through (its summary), null for unknown functions. */
  writtenParams(name: string): Set<number> | null {
    if (this.paramWrites.has(name)) return this.paramWrites.get(name)!;
    const f = this.index.functions.get(name);
    if (!f) return null;
    this.paramWrites.set(name, new Set());
    const out = new Set<number>();
    const sites = this.writeSites(f.scope);
    f.scope.params.forEach((p, i) => {
      if (!p) return;
      const aliases = aliasesOf({ kind: 'param', variable: p, member: '', scope: f.scope, expr: f.node, declaration: null }, () => false);
      if (sites.some((s) => (s.kind === 'store' || s.kind === 'libc' || s.kind === 'call') && s.bases.some((b) => aliases.has(b.name) && !b.direct))) out.add(i);
    });
    this.paramWrites.set(name, out);
    return out;
  }

  private safePoints(scope: Scope, cfg: Cfg, pipe: string | null, root: BufferRoot, aliases: Set<string>, sites: WriteSite[], position: SyntaxNode): number[] {
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
    if (root.kind === 'mmap-anon-private') {
      for (const s of sites) if (s.kind === 'relinquish' && s.bases.some((b) => aliases.has(b.name))) node(s.node);
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
      const copies = u.op === 'read' || (u.op === 'splice' && u.sink !== null && isCopySink(u.sink));
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

  /** S4: the code compares the pipe size that fcntl() returned (FizzBuzz-style double buffering). */
  private verifiesPipeSize(scope: Scope): boolean {
    return this.index
      .callsByScope(scope)
      .some((c) => c.callee === 'fcntl' && /F_[SG]ETPIPE_SZ/.test(args(c.node)[1]?.text ?? '') && resultChecked(c.node, scope));
  }
}

function insideDeclaringBlock(n: SyntaxNode, declaration: SyntaxNode): boolean {
  let p = declaration.parent;
  while (p && p.type !== 'compound_statement') p = p.parent;
  return p !== null && isAncestor(p, n);
}

function isDeclaringBlock(block: SyntaxNode, declaration: SyntaxNode): boolean {
  let p = declaration.parent;
  while (p && p.type !== 'compound_statement') p = p.parent;
  return p?.id === block.id;
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
