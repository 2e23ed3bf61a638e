import type { SyntaxNode } from '../parse.js';
import type { VmspliceCall } from './calls.js';
import { isAfAlgOp, isCopySink, referenceHolder, type FdFacts, type FdKind } from './fds.js';
import type { FileIndex, Scope } from './fileindex.js';
import { unparen } from './syntax.js';
import { expressionIn } from './values.js';

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

const SPAWNS = new Set(['fork', 'vfork', 'clone', 'clone3', 'posix_spawn', 'posix_spawnp', 'execl', 'execlp', 'execle', 'execv', 'execvp', 'execvpe', 'execve', 'fexecve', 'system', 'popen', 'daemon']);

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

function createdAt(k: FdKind): SyntaxNode | null {
  if (k.kind === 'accepted') return k.at;
  return 'at' in k ? k.at : null;
}

export function destinationOf(call: VmspliceCall, index: FileIndex, fds: FdFacts): Destination {
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
  const pipe = fd.kind === 'pipe-end' ? fd.pipe : null;
  return { fd, fdScope, fdExpr, pipe, consumers: pipe ? consumersOf(pipe, index, fds) : [] };
}

function classify(sink: FdKind, at: SyntaxNode, afAlgRead: (k: FdKind) => boolean, onward: (pipe: string) => Consumer[]): Consumer {
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
    // Before Linux 7.1's ffdd2bc37895 AF_ALG held the pages until the result was read back (S1').
    return afAlgRead(sink)
      ? { class: 'copy', what: 'an AF_ALG operation socket whose result is read back', sink: 'af-alg', at, createdAt: created }
      : { class: 'deferred', what: 'an AF_ALG operation socket whose result is never read back in this file', sink: null, at, createdAt: created };
  }
  if (sink.kind === 'file' && sink.path === '/dev/fuse') return { class: 'deferred', what: '/dev/fuse', sink: null, at, createdAt: created };
  const holder = referenceHolder(sink);
  if (holder) return { class: 'reference', what: holder, sink: null, at, createdAt: created };
  return { class: 'unknown', what: 'a descriptor of unknown kind', sink: null, at, createdAt: created };
}

/** Every consumer of a pipe's read end in the file (`seen` stops pipe-to-pipe cycles). */
function consumersOf(pipe: string, index: FileIndex, fds: FdFacts, seen = new Set<string>()): Consumer[] {
  seen.add(pipe);
  const onward = (next: string): Consumer[] => (seen.has(next) ? [] : consumersOf(next, index, fds, seen));
  const out: Consumer[] = [];
  const readEnd = (a: SyntaxNode | undefined, scope: Scope): boolean => {
    const e = a ? fds.pipeEnd(a, scope) : null;
    return e?.pipe === pipe && e.end === 0;
  };
  const afAlgRead = (k: FdKind): boolean =>
    index.calls.some((c) => ['read', 'recv', 'recvmsg', 'readv'].includes(c.callee) && args(c.node)[0] !== undefined && sameAfAlg(fds.kindOf(args(c.node)[0], c.scope), k));
  const creation = fds.pipeCreation(pipe);
  const creationScope = creation ? index.scopeOf(creation) : null;
  for (const c of index.calls) {
    const a = args(c.node);
    if (c.callee === 'splice' && readEnd(a[0], c.scope) && a[2]) out.push(classify(fds.kindOf(a[2], c.scope), c.node, afAlgRead, onward));
    else if (c.callee === 'tee' && readEnd(a[0], c.scope)) out.push({ class: 'reference', what: 'another pipe (tee)', sink: null, at: c.node, createdAt: null });
    else if ((c.callee === 'read' || c.callee === 'readv' || c.callee === 'vmsplice') && readEnd(a[0], c.scope)) {
      out.push({ class: 'copy', what: 'a read() in this program', sink: 'read', at: c.node, createdAt: null });
    } else if ((c.callee === 'dup2' || c.callee === 'dup3') && readEnd(a[0], c.scope)) {
      const target = a[1] ? unparen(a[1]).text : '';
      out.push({ class: 'reference', what: /^(0|1|2|STD(IN|OUT|ERR)_FILENO)$/.test(target) ? 'another process (through standard input or output)' : 'a duplicated descriptor', sink: null, at: c.node, createdAt: null });
    } else if (SPAWNS.has(c.callee) && c.scope === creationScope && c.node.startIndex > (creation?.startIndex ?? 0)) {
      out.push({ class: 'reference', what: `another process (the read end is inherited through ${c.callee}())`, sink: null, at: c.node, createdAt: null });
    }
  }
  return out;
}

function sameAfAlg(a: FdKind, b: FdKind): boolean {
  return isAfAlgOp(a) && isAfAlgOp(b) && a.kind === 'accepted' && b.kind === 'accepted' && a.at.id === b.at.id;
}

