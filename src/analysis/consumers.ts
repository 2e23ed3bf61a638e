import type { SyntaxNode } from '../parse.js';
import type { VmspliceCall } from './calls.js';
import { callersOf, isAfAlgOp, isCopySink, referenceHolder, type FdFacts, type FdKind } from './fds.js';
import { spawns } from './libc.js';
import type { CallNode, FileIndex, Scope } from './fileindex.js';
import { unparen } from './syntax.js';
import { expressionIn } from './values.js';
import { afAlgAssumption, afAlgCopies, type KernelFloor } from './kernel.js';

/**
 * Where the pages a vmsplice call queued go next (semantics.md section 4):
 * the fd it writes to, and for a pipe made in this file, every consumer of
 * the pipe's read end found in the file.
 */

export type ConsumerClass = 'copy' | 'reference' | 'deferred' | 'unknown';

export interface Consumer {
  class: ConsumerClass;
  /** For messages: 'a TCP socket', 'a regular file', 'another process', ... */
  what: string;
  /** Sink category for the safeSinks option: netlink, file, dev-null, af-alg. */
  sink: 'netlink' | 'file' | 'dev-null' | 'af-alg' | 'read' | null;
  /** The consuming call (splice, tee, read, dup2, fork). */
  at: SyntaxNode;
  /** Where the consumer was made (socket(), open(), accept()), when known. */
  createdAt: SyntaxNode | null;
}

export interface Destination {
  /** What the vmsplice fd is, at the outermost call that names it. */
  fd: FdKind;
  fdScope: Scope;
  fdExpr: SyntaxNode | null;
  /** The pipe, when the fd is the write end of one made in this file. */
  pipe: string | null;
  consumers: Consumer[];
}


function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

const CALLER_DEPTH = 3;

function sameEnd(a: FdKind, b: FdKind): boolean {
  return a.kind === 'pipe-end' && b.kind === 'pipe-end' && a.pipe === b.pipe && a.end === b.end;
}

function createdAt(k: FdKind): SyntaxNode | null {
  if (k.kind === 'accepted') return k.at;
  return 'at' in k ? k.at : null;
}

export function destinationOf(call: VmspliceCall, index: FileIndex, fds: FdFacts, kernel: KernelFloor | null = null): Destination {
  // The fd as written at each level, outermost first: the first level where it is something known decides.
  const scopes: Scope[] = [];
  for (const h of call.hops) {
    if (h.at.frag) continue;
    const s = index.scopeOf(h.at.node);
    if (!scopes.includes(s)) scopes.push(s);
  }
  if (call.args.fd && !scopes.includes(call.args.fd.scope)) scopes.push(call.args.fd.scope);
  let fd: FdKind = { kind: 'unknown' };
  let fdScope = call.scope;
  let fdExpr: SyntaxNode | null = null;
  for (const s of scopes) {
    const e = expressionIn(call.args.fd, s);
    if (!e) continue;
    const k = fds.kindOf(e, s);
    fd = k;
    fdScope = s;
    fdExpr = e;
    if (k.kind !== 'parameter' && k.kind !== 'unknown') break;
  }
  // A parameter is what every caller in the project passes, when they all pass the same end of the same pipe.
  // A wrapper's callers are call sites of their own (with the wrapper as a hop): they are judged there.
  for (let depth = 0; fd.kind === 'parameter' && fdScope.name && !index.knownWrappers?.has(fdScope.name) && depth < CALLER_DEPTH; depth++) {
    const at = fdScope.params.indexOf(fd.name);
    const callers = callersOf(fdScope, index);
    const bound = callers.map((c) => {
      const arg = args(c.node)[at];
      return arg ? { k: fds.kindOf(arg, c.scope), scope: c.scope, arg } : null;
    });
    const first = bound[0];
    const agree = first && bound.every((b) => b && b.k.kind === 'pipe-end' && sameEnd(b.k, first.k));
    // A parameter passed on by the only caller is followed one more level up.
    if (!first || !(agree || (bound.length === 1 && first.k.kind === 'parameter'))) break;
    ({ k: fd, scope: fdScope, arg: fdExpr } = first);
  }
  const pipe = fd.kind === 'pipe-end' ? fd.pipe : null;
  return { fd, fdScope, fdExpr, pipe, consumers: pipe ? consumersOf(pipe, index, fds, kernel) : [] };
}

function classify(sink: FdKind, at: SyntaxNode, afAlgRead: (k: FdKind) => boolean, onward: (pipe: string) => Consumer[], kernel: KernelFloor | null): Consumer {
  const created = createdAt(sink);
  // Into another pipe of this file: as safe as that pipe's own consumers, all of which must copy.
  if (sink.kind === 'pipe-end' && sink.end === 1) {
    const next = onward(sink.pipe);
    if (next.length && next.every((c) => c.class === 'copy')) return { class: 'copy', what: `another pipe drained into ${next[0].what}`, sink: next[0].sink, at, createdAt: created };
  }
  if (isCopySink(sink)) {
    const dev = sink.kind === 'file' && sink.path === '/dev/null';
    return {
      class: 'copy',
      what: sink.kind === 'socket' ? 'a netlink socket' : dev ? '/dev/null' : 'a regular file',
      sink: sink.kind === 'socket' ? 'netlink' : dev ? 'dev-null' : 'file',
      at,
      createdAt: created,
    };
  }
  if (isAfAlgOp(sink)) {
    // Before Linux 7.1's ffdd2bc37895 AF_ALG held the pages until the result was read back (S1'); since, it copies.
    if (afAlgCopies(kernel)) return { class: 'copy', what: `an AF_ALG operation socket (${afAlgAssumption(kernel)})`, sink: 'af-alg', at, createdAt: created };
    return afAlgRead(sink)
      ? { class: 'copy', what: 'an AF_ALG operation socket whose result is read back', sink: 'af-alg', at, createdAt: created }
      : { class: 'deferred', what: `an AF_ALG operation socket whose result is never read back in this file (${afAlgAssumption(kernel)})`, sink: 'af-alg', at, createdAt: created };
  }
  if (sink.kind === 'file' && sink.path === '/dev/fuse') return { class: 'deferred', what: '/dev/fuse', sink: null, at, createdAt: created };
  const holder = referenceHolder(sink);
  if (holder) return { class: 'reference', what: holder, sink: null, at, createdAt: created };
  return { class: 'unknown', what: 'a descriptor of unknown kind', sink: null, at, createdAt: created };
}

/** One thing done to an end of a pipe: directly, or inside a function of the project the end is passed to. */
export interface PipeUse {
  op: 'splice' | 'tee' | 'read' | 'dup2' | 'close';
  end: 0 | 1;
  /** The call that does it (inside the helper, for a helper). */
  at: SyntaxNode;
  scope: Scope;
  /** The call in the function that holds the pipe: `at` itself, or the call of the helper. */
  outer: SyntaxNode;
  outerScope: Scope;
  /** For splice: the sink, resolved where it is named (a helper's parameter: the caller's argument). */
  sink: FdKind | null;
}

const PIPE_OPS: Record<string, PipeUse['op']> = { splice: 'splice', tee: 'tee', read: 'read', readv: 'read', vmsplice: 'read', dup2: 'dup2', dup3: 'dup2', close: 'close' };
const HELPER_DEPTH = 3;

/**
 * Every use of a pipe's ends in the project: calls on `p[0]`/`p[1]`, and calls
 * of functions that receive an end as a parameter (summaries: what the helper
 * does with that parameter, its sink resolved in the caller when it too is a
 * parameter).
 */
export function pipeUses(pipe: string, index: FileIndex, fds: FdFacts): PipeUse[] {
  const out: PipeUse[] = [];
  for (const { call: c, k, end } of pipeArguments(index, fds).get(pipe) ?? []) {
    const a = args(c.node);
    const op = PIPE_OPS[c.callee];
    if (op && k === 0) {
      out.push({ op, end, at: c.node, scope: c.scope, outer: c.node, outerScope: c.scope, sink: op === 'splice' && a[2] ? fds.kindOf(a[2], c.scope) : null });
    } else if (!op) {
      for (const u of helperUses(c.callee, k, a, c.scope, index, fds, 0)) out.push({ ...u, end, outer: c.node, outerScope: c.scope });
    }
  }
  return out;
}

/** Every call argument that names a pipe end, by pipe: built once per project. */
function pipeArguments(index: FileIndex, fds: FdFacts): Map<string, { call: CallNode; k: number; end: 0 | 1 }[]> {
  const cached = index.projectCache.get('pipe-arguments') as Map<string, { call: CallNode; k: number; end: 0 | 1 }[]> | undefined;
  if (cached) return cached;
  const map = new Map<string, { call: CallNode; k: number; end: 0 | 1 }[]>();
  for (const c of index.projectCalls()) {
    args(c.node).forEach((arg, k) => {
      if (unparen(arg).type !== 'subscript_expression') return;
      const e = fds.pipeEnd(arg, c.scope);
      if (!e) return;
      const list = map.get(e.pipe) ?? [];
      list.push({ call: c, k, end: e.end });
      map.set(e.pipe, list);
    });
  }
  index.projectCache.set('pipe-arguments', map);
  return map;
}

/** What a function of the project does with its parameter `k` (an fd), given the caller's arguments. */
function helperUses(name: string, k: number, callerArgs: SyntaxNode[], callerScope: Scope, index: FileIndex, fds: FdFacts, depth: number): Omit<PipeUse, 'end' | 'outer' | 'outerScope'>[] {
  const f = index.functions.get(name);
  const param = f?.scope.params[k];
  if (!f || !param || depth >= HELPER_DEPTH || f.scope.defs.has(param)) return [];
  const isParam = (n: SyntaxNode | undefined): boolean => n !== undefined && unparen(n).type === 'identifier' && unparen(n).text === param;
  // A sink that is the helper's own parameter is what the caller passed.
  const sinkKind = (n: SyntaxNode): FdKind => {
    const u = unparen(n);
    const j = u.type === 'identifier' ? f.scope.params.indexOf(u.text) : -1;
    return j >= 0 && callerArgs[j] ? fds.kindOf(callerArgs[j], callerScope) : fds.kindOf(n, f.scope);
  };
  const out: Omit<PipeUse, 'end' | 'outer' | 'outerScope'>[] = [];
  for (const c of index.callsByScope(f.scope)) {
    const a = args(c.node);
    const op = PIPE_OPS[c.callee];
    if (op && isParam(a[0])) out.push({ op, at: c.node, scope: c.scope, sink: op === 'splice' && a[2] ? sinkKind(a[2]) : null });
    else if (!op) a.forEach((arg, j) => {
      if (isParam(arg)) out.push(...helperUses(c.callee, j, a, c.scope, index, fds, depth + 1));
    });
  }
  return out;
}

/** Every consumer of a pipe's read end in the project (`seen` stops pipe-to-pipe cycles). */
function consumersOf(pipe: string, index: FileIndex, fds: FdFacts, kernel: KernelFloor | null, seen = new Set<string>()): Consumer[] {
  seen.add(pipe);
  const onward = (next: string): Consumer[] => (seen.has(next) ? [] : consumersOf(next, index, fds, kernel, seen));
  const out: Consumer[] = [];
  const afAlgRead = (k: FdKind): boolean => k.kind === 'accepted' && afAlgReadBack(index, fds).has(k.at.id);
  for (const u of pipeUses(pipe, index, fds)) {
    if (u.end !== 0) continue;
    if (u.op === 'splice' && u.sink) out.push(classify(u.sink, u.at, afAlgRead, onward, kernel));
    else if (u.op === 'tee') out.push({ class: 'reference', what: 'another pipe (tee)', sink: null, at: u.at, createdAt: null });
    else if (u.op === 'read') out.push({ class: 'copy', what: 'a read() in this program', sink: 'read', at: u.at, createdAt: null });
    else if (u.op === 'dup2') {
      const target = args(u.at)[1] ? unparen(args(u.at)[1]).text : '';
      out.push({ class: 'reference', what: /^(0|1|2|STD(IN|OUT|ERR)_FILENO)$/.test(target) ? 'another process (through standard input or output)' : 'a duplicated descriptor', sink: null, at: u.at, createdAt: null });
    }
  }
  const creation = fds.pipeCreation(pipe);
  const creationScope = creation ? index.scopeOf(creation) : null;
  for (const c of creationScope ? index.callsByScope(creationScope) : []) {
    if (c.node.startIndex > (creation?.startIndex ?? 0) && spawns(c.callee, index)) {
      out.push({ class: 'reference', what: `another process (the read end is inherited through ${c.callee}())`, sink: null, at: c.node, createdAt: null });
    }
  }
  return out;
}

/** The accept() calls of AF_ALG operation sockets whose result the project reads back: built once per project. */
function afAlgReadBack(index: FileIndex, fds: FdFacts): Set<number> {
  let set = index.projectCache.get('af-alg-read-back') as Set<number> | undefined;
  if (set) return set;
  set = new Set();
  for (const name of ['read', 'recv', 'recvmsg', 'readv']) {
    for (const c of index.callsByCallee(name)) {
      const fd = args(c.node)[0];
      const k = fd ? fds.kindOf(fd, c.scope) : null;
      if (k && isAfAlgOp(k) && k.kind === 'accepted') set.add(k.at.id);
    }
  }
  index.projectCache.set('af-alg-read-back', set);
  return set;
}

