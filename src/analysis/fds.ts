import type { SyntaxNode } from '../parse.js';
import type { CallNode, FileIndex, Scope } from './fileindex.js';
import { parseIntLiteral, unparen } from './syntax.js';

/**
 * What the file says about file descriptors (semantics.md 5.2): which
 * expressions name the two ends of a pipe made with pipe()/pipe2(), and what
 * an fd variable or field was made from (socket domain, opened path,
 * accept(), eventfd, ...), through dup() and friends. Variables resolve
 * within their function; struct fields by field name across the file, since
 * setup and use often live in different functions (`h->op = accept(h->tfm,
 * ...)` in one, `h->tfm = socket(AF_ALG, ...)` in another).
 */

export type FdKind =
  | { kind: 'pipe-end'; pipe: string; end: 0 | 1; at: SyntaxNode | null; notification: boolean }
  | { kind: 'file'; path: string | null; creates: boolean; at: SyntaxNode }
  /** `readOnly`: opened O_RDONLY (a read end); O_WRONLY and O_RDWR open the write direction (semantics.md 2.1). */
  | { kind: 'fifo'; at: SyntaxNode; readOnly: boolean | null }
  | { kind: 'socket'; domain: string; type: string | null; at: SyntaxNode }
  | { kind: 'accepted'; from: FdKind | null; at: SyntaxNode }
  | { kind: 'socketpair'; at: SyntaxNode | null }
  /** eventfd, memfd_create, timerfd_create, signalfd, epoll_create, inotify_init, pidfd_open, userfaultfd. */
  | { kind: 'special'; what: string; at: SyntaxNode }
  | { kind: 'std'; n: 0 | 1 | 2 }
  | { kind: 'negative'; at: SyntaxNode }
  | { kind: 'parameter'; name: string }
  | { kind: 'unknown' };

/** A key naming a pipe array: `local:<scope id>:p`, `global:p` or `field:zc_pipe`. */
function pipeKey(expr: SyntaxNode, scope: Scope): string | null {
  const e = unparen(expr);
  if (e.type === 'identifier') return scope.locals.has(e.text) ? `local:${scope.node?.id}:${e.text}` : `global:${e.text}`;
  if (e.type === 'field_expression') {
    const f = e.childForFieldName('field')?.text;
    return f ? `field:${f}` : null;
  }
  return null;
}

const OPENERS = new Set(['open', 'open64', 'openat', 'openat64', 'creat', 'creat64', 'fopen_fd']);
const SPECIAL: Record<string, string> = {
  eventfd: 'an eventfd', memfd_create: 'a memfd', timerfd_create: 'a timerfd', signalfd: 'a signalfd',
  epoll_create: 'an epoll instance', epoll_create1: 'an epoll instance', inotify_init: 'an inotify instance',
  inotify_init1: 'an inotify instance', pidfd_open: 'a pidfd', userfaultfd: 'a userfaultfd', fanotify_init: 'a fanotify instance',
  open_by_handle_at: 'a file opened by handle',
};
const DUPS = new Set(['dup', 'dup2', 'dup3']);
const DIRECTION_DEPTH = 4;
const STD_NAMES: Record<string, 0 | 1 | 2> = { STDIN_FILENO: 0, STDOUT_FILENO: 1, STDERR_FILENO: 2 };

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

function callee(call: SyntaxNode): string {
  const f = call.childForFieldName('function');
  return f ? unparen(f).text : '';
}

export class FdFacts {
  /** Pipe keys filled by pipe()/pipe2() in the project, with the creating call. */
  private readonly pipes: Map<string, SyntaxNode>;
  /** Pipe keys filled by pipe2(..., O_NOTIFICATION_PIPE): watch queues, which vmsplice rejects. */
  private readonly notificationPipes: Set<string>;
  /** Arrays filled by socketpair(). */
  private readonly socketpairs: Map<string, SyntaxNode>;
  /** Paths made FIFOs with mkfifo()/mknod(). */
  private readonly fifoPaths: Set<string>;

  constructor(private readonly index: FileIndex) {
    // Project-wide facts: built once, shared by every file's view.
    let makers = index.projectCache.get('fd-makers') as Makers | undefined;
    if (!makers) {
      makers = collectMakers(index);
      index.projectCache.set('fd-makers', makers);
    }
    ({ pipes: this.pipes, notificationPipes: this.notificationPipes, socketpairs: this.socketpairs, fifoPaths: this.fifoPaths } = makers);
  }

  /** `p[1]` -> the write end of pipe p, when p is filled by pipe() in this file. */
  pipeEnd(expr: SyntaxNode, scope: Scope): { pipe: string; end: 0 | 1 } | null {
    const e = unparen(expr);
    if (e.type !== 'subscript_expression') return null;
    const index = e.childForFieldName('index')?.text;
    const arr = e.childForFieldName('argument');
    if ((index !== '0' && index !== '1') || !arr) return null;
    const key = pipeKey(arr, scope);
    return key && this.pipes.has(key) ? { pipe: key, end: index === '1' ? 1 : 0 } : null;
  }

  /**
   * Which way a vmsplice on this fd moves data (semantics.md 2.1: the fd's open mode decides): 'read' for a pipe's
   * read end or standard input, 'write' for a write end or standard output. A parameter takes the direction every
   * caller in the project agrees on, through up to DIRECTION_DEPTH levels of calls; otherwise null.
   */
  direction(expr: SyntaxNode, scope: Scope, depth = 0): 'read' | 'write' | null {
    const k = this.kindOf(expr, scope);
    if (k.kind === 'pipe-end') return k.end === 0 ? 'read' : 'write';
    if (k.kind === 'std') return k.n === 0 ? 'read' : 'write';
    if (k.kind === 'fifo' && k.readOnly !== null) return k.readOnly ? 'read' : 'write';
    if (k.kind !== 'parameter' || !scope.name || depth >= DIRECTION_DEPTH) return null;
    const at = scope.params.indexOf(k.name);
    const callers = callersOf(scope, this.index);
    if (at < 0 || !callers.length) return null;
    let agreed: 'read' | 'write' | null = null;
    for (const c of callers) {
      const arg = args(c.node)[at];
      const d = arg ? this.direction(arg, c.scope, depth + 1) : null;
      if (!d || (agreed && d !== agreed)) return null;
      agreed = d;
    }
    return agreed;
  }

  /** The call that made a pipe. */
  pipeCreation(pipe: string): SyntaxNode | null {
    return this.pipes.get(pipe) ?? null;
  }

  /** The kind of the fd an expression names, from its definitions in the function or the file (memoized per project). */
  kindOf(expr: SyntaxNode, scope: Scope, seen?: Set<string>): FdKind {
    if (seen) return this.computeKind(expr, scope, seen);
    // Keyed by tree and byte ranges: node ids are not unique across the project's trees (see issue 12).
    let byTree = this.index.projectCache.get('fd-kinds') as WeakMap<object, Map<string, FdKind>> | undefined;
    if (!byTree) {
      byTree = new WeakMap();
      this.index.projectCache.set('fd-kinds', byTree);
    }
    let memo = byTree.get(expr.tree);
    if (!memo) {
      memo = new Map();
      byTree.set(expr.tree, memo);
    }
    const key = `${expr.startIndex}:${expr.endIndex}:${expr.type}:${scope.node?.startIndex}:${scope.node?.endIndex}`;
    let k = memo.get(key);
    if (!k) {
      k = this.computeKind(expr, scope, new Set());
      memo.set(key, k);
    }
    return k;
  }

  private computeKind(expr: SyntaxNode, scope: Scope, seen: Set<string>): FdKind {
    const e = unparen(expr);
    if (e.type === 'cast_expression') return this.kindOf(e.childForFieldName('value')!, scope, seen);
    const end = this.pipeEnd(e, scope);
    if (end) {
      return { kind: 'pipe-end', ...end, at: this.pipes.get(end.pipe) ?? null, notification: this.notificationPipes.has(end.pipe) };
    }
    if (e.type === 'subscript_expression') {
      const arr = e.childForFieldName('argument');
      const key = arr && pipeKey(arr, scope);
      if (key && this.socketpairs.has(key)) return { kind: 'socketpair', at: this.socketpairs.get(key)! };
      return { kind: 'unknown' };
    }
    if (e.type === 'number_literal') {
      const v = parseIntLiteral(e.text);
      if (v !== null && v < 0) return { kind: 'negative', at: e };
      return v === 0 || v === 1 || v === 2 ? { kind: 'std', n: v } : { kind: 'unknown' };
    }
    if (e.type === 'call_expression') return this.kindOfCall(e, scope, seen);
    let values: SyntaxNode[];
    let key: string;
    if (e.type === 'identifier') {
      if (e.text in STD_NAMES && !scope.locals.has(e.text)) return { kind: 'std', n: STD_NAMES[e.text] };
      const macro = this.index.macros.get(e.text);
      if (macro?.length === 1 && macro[0].params === null && /^\(?\s*-\s*\d+\s*\)?$/.test(macro[0].body.trim())) return { kind: 'negative', at: e };
      const local = scope.kind !== 'file' && scope.locals.has(e.text);
      key = `${local ? scope.node?.id : 'g'}:${e.text}`;
      const defs = (local ? scope.defs.get(e.text) : this.index.globalDefs.get(e.text)) ?? [];
      values = defs.map((d) => d.value).filter((v): v is SyntaxNode => v !== null);
      if (local && scope.params.includes(e.text) && !values.length) return { kind: 'parameter', name: e.text };
      // An fd that some call fills through a pointer (`&fd`) or that has several sources is not one thing.
      if (defs.some((d) => d.op !== 'init' && d.op !== '=')) return { kind: 'unknown' };
    } else if (e.type === 'field_expression') {
      const f = e.childForFieldName('field')?.text ?? '';
      key = `field:${f}`;
      values = (this.index.fieldDefs.get(f) ?? []).filter((d) => d.op === 'init' || d.op === '=').map((d) => d.value).filter((v): v is SyntaxNode => v !== null);
    } else return { kind: 'unknown' };
    if (seen.has(key) || values.length === 0) return { kind: 'unknown' };
    seen.add(key);
    // All definitions must agree (ignoring error sentinels like `fd = -1`).
    const kinds = values
      .filter((v) => !(unparen(v).type === 'number_literal' && (parseIntLiteral(unparen(v).text) ?? 0) < 0))
      .map((v) => this.kindOf(v, scope, new Set(seen)));
    if (!kinds.length) return { kind: 'negative', at: values[0] };
    const first = kinds[0];
    if (kinds.every((k) => sameKind(k, first))) return first;
    // Every socket it may hold keeps page references: it keeps them as a whole, whichever one it is.
    const holders = kinds.filter((k) => k.kind === 'socket' || k.kind === 'accepted' || k.kind === 'socketpair');
    if (holders.length === kinds.length && holders.every((k) => referenceHolder(k) !== null)) return holders.find((k) => k.kind === 'socket') ?? first;
    // Sockets of different domains: surely not a pipe, but of no single consumer class.
    if (first.kind === 'socket' && kinds.every((k) => k.kind === 'socket')) return { kind: 'socket', domain: 'several domains', type: null, at: first.at };
    return { kind: 'unknown' };
  }

  private kindOfCall(call: SyntaxNode, scope: Scope, seen: Set<string>): FdKind {
    const name = callee(call);
    const a = args(call);
    if (OPENERS.has(name)) {
      const at = name.startsWith('openat') ? 1 : 0;
      const p = a[at] ? unparen(a[at]) : null;
      const path = p?.type === 'string_literal' ? p.text.slice(1, -1) : null;
      const flags = a[at + 1]?.text ?? '';
      if (p && this.fifoPaths.has(p.text)) return { kind: 'fifo', at: call, readOnly: /O_WRONLY|O_RDWR/.test(flags) ? false : /O_RDONLY|^0$/.test(flags) ? true : null };
      const creates = name.startsWith('creat') || /O_CREAT|O_TMPFILE/.test(flags);
      return { kind: 'file', path, creates, at: call };
    }
    if (name === 'socket') return { kind: 'socket', domain: a[0]?.text ?? '?', type: a[1]?.text ?? null, at: call };
    if (name === 'accept' || name === 'accept4') return { kind: 'accepted', from: a[0] ? this.kindOf(a[0], scope, seen) : null, at: call };
    if (name in SPECIAL) return { kind: 'special', what: SPECIAL[name], at: call };
    if (DUPS.has(name) && a[0]) return this.kindOf(a[0], scope, seen);
    if (name === 'fcntl' && a[0] && /F_DUPFD/.test(a[1]?.text ?? '')) return this.kindOf(a[0], scope, seen);
    return this.returnedKind(name, seen);
  }

  /** A function of the project that returns one kind of fd (`static int open_sink(void) { ... return socket(...); }`). */
  private returnedKind(name: string, seen: Set<string>): FdKind {
    const f = this.index.functions.get(name);
    const key = `returns:${name}`;
    if (!f || seen.has(key)) return { kind: 'unknown' };
    seen.add(key);
    const kinds = (f.node.childForFieldName('body')?.descendantsOfType('return_statement') ?? [])
      .map((r) => r.namedChildren.find((c) => c.type !== 'comment'))
      .filter((v): v is SyntaxNode => v !== undefined && !(unparen(v).type === 'number_literal' && (parseIntLiteral(unparen(v).text) ?? 0) < 0))
      .map((v) => this.kindOf(v, f.scope, new Set(seen)));
    if (!kinds.length || kinds.some((k) => k.kind === 'unknown' || k.kind === 'parameter')) return { kind: 'unknown' };
    return kinds.every((k) => sameKind(k, kinds[0])) ? kinds[0] : { kind: 'unknown' };
  }
}

interface Makers {
  pipes: Map<string, SyntaxNode>;
  notificationPipes: Set<string>;
  socketpairs: Map<string, SyntaxNode>;
  fifoPaths: Set<string>;
}

const PIPE_MAKER_DEPTH = 3;

function collectMakers(index: FileIndex): Makers {
  const m: Makers = { pipes: new Map(), notificationPipes: new Set(), socketpairs: new Map(), fifoPaths: new Set() };
  // Pipe-making calls: pipe(), pipe2(), and project functions that pass a parameter to one (`fuse_pipe(llp->pipe)`),
  // a few levels deep.
  let makers = new Map<string, number>([['pipe', 0], ['pipe2', 0]]);
  const seenMakers = new Set(makers.keys());
  for (let level = 0; level < PIPE_MAKER_DEPTH && makers.size; level++) {
    const next = new Map<string, number>();
    for (const [name, k] of makers) {
      for (const c of index.callsByCallee(name)) {
        const a = args(c.node);
        const arg = a[k] ? unparen(a[k]) : null;
        if (!arg) continue;
        const param = arg.type === 'identifier' && c.scope.kind === 'function' ? c.scope.params.indexOf(arg.text) : -1;
        if (param >= 0 && c.scope.name && !seenMakers.has(c.scope.name) && !(c.scope.defs.get(arg.text) ?? []).length) {
          next.set(c.scope.name, param);
          seenMakers.add(c.scope.name);
          continue;
        }
        const key = pipeKey(arg, c.scope);
        if (!key) continue;
        m.pipes.set(key, c.node);
        if (c.callee === 'pipe2' && /O_NOTIFICATION_PIPE/.test(a[1]?.text ?? '')) m.notificationPipes.add(key);
      }
    }
    makers = next;
  }
  for (const c of ['socketpair', 'mkfifo', 'mknod', 'mkfifoat'].flatMap((n) => index.callsByCallee(n))) {
    const a = args(c.node);
    if (c.callee === 'socketpair' && a[3]) {
      const key = pipeKey(a[3], c.scope);
      if (key) m.socketpairs.set(key, c.node);
    } else if (c.callee === 'socketpair' && a[3]) {
      const key = pipeKey(a[3], c.scope);
      if (key) m.socketpairs.set(key, c.node);
    } else if (c.callee.startsWith('mk') && a.length) {
      m.fifoPaths.add(unparen(a[c.callee === 'mkfifoat' ? 1 : 0]).text);
    }
  }
  return m;
}

/**
 * The calls of the function a scope belongs to: a static function is called only from its own file (programs of
 * one tree often each define their own static helper of the same name).
 */
export function callersOf(scope: Scope, index: FileIndex): readonly CallNode[] {
  if (!scope.name || !scope.node) return [];
  const all = index.callsByCallee(scope.name);
  const isStatic = scope.node.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
  const tree = scope.node.tree;
  return isStatic ? all.filter((c) => c.node.tree === tree) : all;
}

function sameKind(a: FdKind, b: FdKind): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'pipe-end' && b.kind === 'pipe-end') return a.pipe === b.pipe && a.end === b.end;
  if (a.kind === 'socket' && b.kind === 'socket') return a.domain === b.domain;
  return true;
}

/** Sinks that copy the pipe's data during the splice call (semantics.md section 4, class C). */
export function isCopySink(k: FdKind): boolean {
  if (k.kind === 'file') return k.path !== '/dev/fuse';
  if (k.kind === 'socket') return isNetlink(k.domain);
  return false;
}

function isNetlink(domain: string): boolean {
  return /\b[AP]F_NETLINK\b/.test(domain);
}

/** An AF_ALG operation socket: accept() on a socket(AF_ALG, ...). */
export function isAfAlgOp(k: FdKind): boolean {
  return k.kind === 'accepted' && k.from?.kind === 'socket' && /\b[AP]F_ALG\b/.test(k.from.domain);
}

/** Consumers that may keep page references after the consuming call returns (semantics.md section 4, class R). */
export function referenceHolder(k: FdKind): string | null {
  switch (k.kind) {
    case 'socket':
      if (/\b[AP]F_INET6?\b/.test(k.domain)) return /SOCK_DGRAM/.test(k.type ?? '') ? 'a UDP socket' : /SOCK_STREAM/.test(k.type ?? '') ? 'a TCP socket' : 'an IP socket';
      if (/\b[AP]F_(UNIX|LOCAL)\b/.test(k.domain)) return 'a UNIX socket';
      if (/\b[AP]F_PACKET\b/.test(k.domain)) return 'a packet socket';
      // Netlink and AF_ALG never stream: a stream socket of a domain chosen at run time is TCP or UNIX.
      if (/\bSOCK_STREAM\b/.test(k.type ?? '') && !/\b[AP]F_(NETLINK|ALG)\b/.test(k.domain)) return 'a stream socket (TCP or UNIX)';
      return null;
    case 'accepted': {
      if (isAfAlgOp(k)) return null;
      const listener = k.from?.kind === 'socket' ? referenceHolder(k.from) : null;
      return listener ? `${listener} (accepted)` : 'an accepted socket';
    }
    case 'socketpair':
      return 'a socketpair';
    case 'pipe-end':
    case 'fifo':
      return 'another pipe';
    case 'std':
      return k.n === 0 ? null : 'standard output, read by another process';
    default:
      return null;
  }
}

/** Provably not a pipe: vmsplice fails with EBADF (semantics.md, not-a-pipe). */
export function notAPipe(k: FdKind): string | null {
  switch (k.kind) {
    case 'file':
      // Without O_CREAT a path may name a FIFO; /dev, /proc and /sys paths and created files are not pipes.
      if (k.creates) return 'a regular file created by open()';
      // /proc/self/fd/N, /dev/fd/N and /dev/std* name whatever the descriptor is, maybe a pipe.
      if (k.path && /^\/(dev|proc|sys)\//.test(k.path) && !/^\/(proc\/self\/fd|dev\/fd)\/|^\/dev\/std(in|out|err)$/.test(k.path)) return `'${k.path}'`;
      return null;
    case 'socket':
      return 'a socket';
    case 'accepted':
      return 'an accepted socket';
    case 'socketpair':
      return 'a socketpair';
    case 'special':
      return k.what;
    case 'negative':
      return 'a negative descriptor';
    case 'pipe-end':
      return k.notification ? 'a notification pipe (O_NOTIFICATION_PIPE)' : null;
    default:
      return null;
  }
}
