import type { SyntaxNode } from '../parse.js';
import { irOf } from '../ir/cache.js';
import type { CallInstr, IrFunction, Place, Value } from '../ir/types.js';
import { pathTo, reachFrom, type Reach } from './cfg.js';
import { pipeUses } from './consumers.js';
import { isCopySink, type FdFacts, type FdKind } from './fds.js';
import type { FileIndex, Scope } from './fileindex.js';
import { failureBranch, resultChecked, resultVariable } from './lifetime.js';
import { spliceArguments } from './splices.js';
import { unparen } from './syntax.js';

/**
 * splice() calls with both ends resolved, for the rules about what moves from
 * a file into a pipe (semantics.md 2.4: file -> pipe shares page-cache pages):
 * written directly, as raw syscalls, or through a function of the project that
 * splices its own descriptor parameters (judged at each call, with the
 * caller's arguments). Each site carries the IR of its function, so rules ask
 * path questions on the CFG rather than on the syntax.
 */

export interface SpliceEnd {
  /** The argument as written at the site. */
  expr: SyntaxNode;
  kind: FdKind;
  /** The place the argument loads (`fd`, `ctx->fd`, `p[1]`), unique within the function; null for other expressions. */
  place: string | null;
  /** Its IR value. */
  value: Value | undefined;
  /** For an end of a pipe made with pipe()/pipe2() in the project. */
  pipe: { pipe: string; end: 0 | 1 } | null;
}

export interface SpliceSite {
  /** The call as written: splice(), syscall(__NR_splice, ...), or the call of a project function that splices. */
  node: SyntaxNode;
  /** The project function that does the splice, when the site calls one. */
  wrapper: string | null;
  scope: Scope;
  ir: IrFunction;
  instr: CallInstr;
  input: SpliceEnd;
  output: SpliceEnd;
  /** off_in as written; null when it is NULL (the file position is used and advanced) or a wrapper decides it. */
  offIn: SyntaxNode | null;
  len: SyntaxNode | null;
}

interface IoWrapper {
  /** The wrapper's parameter index for each splice argument (fd_in, off_in, fd_out, off_out, len, flags), or -1. */
  params: number[];
}

const NULLS = /^(NULL|0|nullptr|\(void\s*\*\)\s*0)$/;

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
}

/** A place as a key that tells `p[0]` from `p[1]` (constant indexes kept). */
export function placeId(p: Place): string {
  return `${p.base.id}${p.path.map((s) => (s.kind === 'deref' ? '*' : s.kind === 'field' ? `.${s.name}` : `[${s.index.kind === 'const' ? s.index.value : '?'}]`)).join('')}`;
}

export function valuePlace(v: Value | undefined): string | null {
  return v?.kind === 'load' ? placeId(v.place) : null;
}

/** The IR of the function a scope stands for (null outside functions, or where the graph builder gave up). */
export function irOfScope(scope: Scope, index: FileIndex): IrFunction | null {
  return scope.kind === 'function' && scope.node?.type === 'function_definition' ? irOf(scope.node, index.conditions) : null;
}

/** A project function that passes its own descriptor parameters to splice() as fd_in and fd_out. */
function ioWrapperOf(name: string, index: FileIndex): IoWrapper | null {
  const cache = (index.projectCache.get('splice-io-wrappers') as Map<string, IoWrapper | null> | undefined) ?? new Map<string, IoWrapper | null>();
  index.projectCache.set('splice-io-wrappers', cache);
  if (cache.has(name)) return cache.get(name)!;
  cache.set(name, null);
  const f = index.functions.get(name);
  let found: IoWrapper | null = null;
  for (const c of f ? index.callsByScope(f.scope) : []) {
    const s = spliceArguments(c.node, c.callee);
    if (s?.callee !== 'splice') continue;
    const params = s.args.slice(0, 6).map((a) => {
      const u = unparen(a);
      const k = u.type === 'identifier' ? f!.scope.params.indexOf(u.text) : -1;
      return k >= 0 && !f!.scope.defs.has(u.text) ? k : -1;
    });
    if (params[0] >= 0 && params[2] >= 0) {
      found = { params };
      break;
    }
  }
  cache.set(name, found);
  return found;
}

/** Does the file of this open() make its path a FIFO (mkfifo, mknod)? */
export function madeFifoHere(opener: SyntaxNode, index: FileIndex): boolean {
  const a = args(opener);
  const path = a[/^openat/.test(opener.childForFieldName('function')?.text ?? '') ? 1 : 0];
  return index.callsByTree(opener.tree).some((c) => /^mk(fifo|nod)(at)?$/.test(c.callee) && args(c.node).some((x) => path !== undefined && unparen(x).text === unparen(path).text));
}

/** The splice() sites written in this file. */
export function spliceSites(index: FileIndex, fds: FdFacts): SpliceSite[] {
  const out: SpliceSite[] = [];
  for (const c of (index.own ?? index).calls) {
    const direct = spliceArguments(c.node, c.callee);
    const wrapper = direct ? null : ioWrapperOf(c.callee, index);
    if (direct?.callee !== 'splice' && !wrapper) continue;
    const ir = irOfScope(c.scope, index);
    const instr = ir?.callAt(c.node);
    if (!ir || !instr) continue;
    const written = args(c.node);
    // Position k of splice's arguments, as written at this site (and its IR value).
    const arg = (k: number): { node: SyntaxNode | null; value: Value | undefined } => {
      const at = direct ? k + direct.first : wrapper!.params[k];
      return at >= 0 ? { node: written[at] ?? null, value: instr.args[at] } : { node: null, value: undefined };
    };
    const end = (k: number): SpliceEnd | null => {
      const a = arg(k);
      if (!a.node) return null;
      return { expr: a.node, kind: fds.kindOf(a.node, c.scope), place: valuePlace(a.value), value: a.value, pipe: fds.pipeEnd(a.node, c.scope) };
    };
    const input = end(0);
    const output = end(2);
    if (!input || !output) continue;
    const off = arg(1).node;
    out.push({
      node: c.node,
      wrapper: wrapper ? c.callee : null,
      scope: c.scope,
      ir,
      instr,
      input,
      output,
      offIn: off && !NULLS.test(unparen(off).text) ? off : null,
      len: arg(4).node,
    });
  }
  return out;
}

/**
 * Where the pipe a site writes to is provably drained into a sink that copies (semantics.md S1): a checked read()
 * or splice() of its read end into a regular file or netlink, in the site's function. A drain looped until done
 * makes its loop's head the point (unless the site itself is in that loop).
 */
export function drainPoints(site: SpliceSite, index: FileIndex, fds: FdFacts): Set<number> {
  const out = new Set<number>();
  const pipe = site.output.pipe;
  if (!pipe || pipe.end !== 1) return out;
  const cfg = site.ir.cfg;
  for (const u of pipeUses(pipe.pipe, index, fds)) {
    if (u.outerScope !== site.scope || u.end !== 0) continue;
    const copies = u.op === 'read' || (u.op === 'splice' && u.sink !== null && isCopySink(u.sink));
    if (!copies || !resultChecked(u.at, u.scope)) continue;
    let loop: SyntaxNode | null = u.outer.parent;
    while (loop && !/^(for|while|do)_statement$/.test(loop.type) && loop.id !== site.scope.node?.id) loop = loop.parent;
    const inLoop = loop !== null && /^(for|while|do)_statement$/.test(loop.type);
    const around = inLoop && loop!.startIndex <= site.node.startIndex && site.node.endIndex <= loop!.endIndex;
    const n = cfg.nodeOf(inLoop && !around ? loop!.childForFieldName('condition') ?? loop! : u.outer);
    if (n) out.add(n.id);
  }
  return out;
}

/**
 * Paths from a site on which its call moved data (the branch testing its result for failure is left out), not
 * passing `blocked` nodes; a site in a loop also reaches itself, and from there every branch counts.
 */
export function reachAfter(site: SpliceSite, blocked: Set<number>): { reach: Reach; start: number } {
  const cfg = site.ir.cfg;
  const start = site.ir.blockOf(site.instr);
  const resultVar = resultVariable(site.node);
  const first = reachFrom(cfg, start, (id) => blocked.has(id), (node, succ) => {
    if (node.kind !== 'cond' || !node.syntax || node.onTrue === node.onFalse) return false;
    const fail = failureBranch(node.syntax, site.node, resultVar);
    return (fail === 'true' && succ === node.onTrue) || (fail === 'false' && succ === node.onFalse);
  });
  const reach = first.reached.has(start) ? reachFrom(cfg, start, (id) => blocked.has(id), () => false) : first;
  return { reach, start };
}

/** Does control reach `node` (in CFG block `block`) after the site, without passing a blocked node? */
export function reachedAfter(site: SpliceSite, r: { reach: Reach; start: number }, blocked: Set<number>, block: number, node: SyntaxNode): boolean {
  if (block === r.start && node.startIndex >= site.node.endIndex) return true;
  return r.reach.reached.has(block) && !blocked.has(block);
}

/** The statements from the site to a later block, for code flows. */
export function stepsTo(site: SpliceSite, r: { reach: Reach; start: number }, block: number): SyntaxNode[] {
  const ids = block === r.start ? [r.start] : pathTo(r.reach, r.start, block);
  return ids.map((id) => site.ir.cfg.nodes[id].syntax).filter((s): s is SyntaxNode => s !== null);
}
