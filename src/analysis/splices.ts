import type { SyntaxNode } from '../parse.js';
import type { Location } from '../types.js';
import type { FdFacts } from './fds.js';
import type { FileIndex, Scope } from './fileindex.js';
import { compactRegionOf, locateRef, unparen } from './syntax.js';
import { altsSetting, bitState, type BitState, type Evaluator } from './values.js';

/**
 * splice() and tee() calls for the flag rules: written directly, as raw
 * syscalls (`syscall(__NR_splice, ...)`), or through a function of the
 * project that passes its own parameter on as the flags (`ssplice(in, 0,
 * out, 0, n, flags)`); such a wrapper call is judged where it is written,
 * with the caller's arguments.
 */

export interface SpliceFact {
  callee: 'splice' | 'tee';
  /** The call, reported where its callee is written (the wrapper call for a wrapper). */
  location: Location;
  flags(bit: number): BitState;
  /** Where the flags value set `bit`, for each alternative that sets it (one value may reach several calls). */
  setAt(bit: number): Location[];
  /** Names the flags came through (variables, macros, the wrapper), outermost first. */
  via: string[];
  /** For splice: what the output descriptor is; 'fuse' only for a provable or possible /dev/fuse. */
  output: 'pipe' | 'fuse' | 'may-be-fuse' | 'other' | null;
}

interface Shape {
  callee: 'splice' | 'tee';
  flags: SyntaxNode;
  out: SyntaxNode | null;
}

interface Wrapper {
  callee: 'splice' | 'tee';
  flagsParam: number;
  /** The wrapper's parameter that is the output, or the output as the wrapper writes it. */
  outParam: number;
  out: SyntaxNode | null;
  scope: Scope;
}

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
}

/** The arguments of a splice() or tee() call as the kernel takes them: written directly, or a raw syscall without its number. */
export function spliceArguments(call: SyntaxNode, callee: string): { callee: 'splice' | 'tee'; args: SyntaxNode[]; first: number } | null {
  const a = args(call);
  if (callee === 'splice' || callee === 'tee') return { callee, args: a, first: 0 };
  const m = callee === 'syscall' && a[0] ? /^(?:__NR_|SYS_|__NR_sys_)(splice|tee)$/.exec(unparen(a[0]).text) : null;
  return m ? { callee: m[1] as 'splice' | 'tee', args: a.slice(1), first: 1 } : null;
}

/** The flags and output of a splice()/tee() call, direct or raw. */
function shapeOf(call: SyntaxNode, callee: string): Shape | null {
  const s = spliceArguments(call, callee);
  if (!s) return null;
  const flags = s.args[s.callee === 'splice' ? 5 : 3];
  return flags ? { callee: s.callee, flags, out: s.callee === 'splice' ? s.args[2] ?? null : null } : null;
}

function wrapperOf(name: string, index: FileIndex): Wrapper | null {
  const cache = (index.projectCache.get('splice-wrappers') as Map<string, Wrapper | null> | undefined) ?? new Map<string, Wrapper | null>();
  index.projectCache.set('splice-wrappers', cache);
  if (cache.has(name)) return cache.get(name)!;
  let found: Wrapper | null = null;
  const f = index.functions.get(name);
  for (const c of f ? index.callsByScope(f.scope) : []) {
    const shape = shapeOf(c.node, c.callee);
    const flagsParam = shape ? f!.scope.params.indexOf(unparen(shape.flags).text) : -1;
    if (!shape || flagsParam < 0 || f!.scope.defs.has(f!.scope.params[flagsParam])) continue;
    const outParam = shape.out ? f!.scope.params.indexOf(unparen(shape.out).text) : -1;
    found = { callee: shape.callee, flagsParam, outParam, out: shape.out, scope: f!.scope };
    break;
  }
  cache.set(name, found);
  return found;
}

export function spliceFacts(path: string, index: FileIndex, evaluator: Evaluator, fds: FdFacts): SpliceFact[] {
  const own = index.own ?? index;
  // Whether an unknown output may be /dev/fuse, the one sink where SPLICE_F_MOVE still moves pages.
  const fuseInView = /\/dev\/fuse|\bfuse_\w+|\bFUSE_\w+/.test(index.text);
  const outputOf = (node: SyntaxNode | null, scope: Scope): SpliceFact['output'] => {
    if (!node) return null;
    const k = fds.kindOf(node, scope);
    if (k.kind === 'pipe-end' || k.kind === 'fifo') return 'pipe';
    if (k.kind === 'file' && k.path === '/dev/fuse') return 'fuse';
    if ((k.kind === 'unknown' || k.kind === 'parameter' || (k.kind === 'file' && k.path === null)) && fuseInView) return 'may-be-fuse';
    return 'other';
  };
  const out: SpliceFact[] = [];
  for (const c of own.calls) {
    const shape = shapeOf(c.node, c.callee);
    const wrapper = shape ? null : wrapperOf(c.callee, index);
    const a = args(c.node);
    const flagsNode = shape?.flags ?? (wrapper ? a[wrapper.flagsParam] : undefined);
    if (!flagsNode || !(shape || wrapper)) continue;
    const value = evaluator.eval({ node: flagsNode, frag: null, scope: c.scope, binding: null, anchor: flagsNode });
    const output = shape
      ? outputOf(shape.out, c.scope)
      : wrapper!.outParam >= 0
        ? outputOf(a[wrapper!.outParam] ?? null, c.scope)
        : outputOf(wrapper!.out, wrapper!.scope);
    out.push({
      callee: (shape ?? wrapper)!.callee,
      location: { path, region: compactRegionOf({ node: c.node, frag: null }, c.node.childForFieldName('function') ?? c.node) },
      flags: (bit) => bitState(value, bit),
      setAt: (bit) =>
        altsSetting(value, bit).flatMap((alt) => {
          const ref = alt.setAt.get(bit);
          return ref ? [locateRef(ref, index.pathOf?.bind(index), path)] : [];
        }),
      via: [...(wrapper ? [`wrapper '${c.callee}'`] : []), ...new Set(value.flatMap((alt) => alt.via))],
      output,
    });
  }
  return out;
}
