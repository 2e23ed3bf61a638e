import type { SyntaxNode } from '../parse.js';
import type { FileIndex, Scope } from './fileindex.js';
import { unparen } from './syntax.js';

/**
 * What the file says about file descriptors: which expressions name the two
 * ends of a pipe made with pipe()/pipe2(), and what kind of object an fd
 * variable or field was made from (socket domain, opened path, accept()).
 * Variables resolve within their function; struct fields by field name across
 * the file, since setup and use often live in different functions.
 */

export type FdKind =
  | { kind: 'pipe-end'; pipe: string; end: 0 | 1 }
  | { kind: 'file'; path: string | null }
  | { kind: 'socket'; domain: string; type: string | null }
  | { kind: 'accepted'; from: FdKind | null }
  | { kind: 'unknown' };

/** A key naming a pipe array: `local:<scope id>:p` or `field:zc_pipe`. */
export function pipeKey(expr: SyntaxNode, scope: Scope): string | null {
  const e = unparen(expr);
  if (e.type === 'identifier') return scope.locals.has(e.text) ? `local:${scope.node?.id}:${e.text}` : `global:${e.text}`;
  if (e.type === 'field_expression') {
    const f = e.childForFieldName('field')?.text;
    return f ? `field:${f}` : null;
  }
  return null;
}

const COPY_OPEN = new Set(['open', 'open64', 'openat', 'openat64', 'creat', 'creat64']);

export class FdFacts {
  /** Pipe keys that some pipe()/pipe2() call fills. */
  private readonly pipes = new Set<string>();

  constructor(private readonly index: FileIndex) {
    for (const c of index.calls) {
      if (c.callee !== 'pipe' && c.callee !== 'pipe2') continue;
      const arg = c.node.childForFieldName('arguments')?.namedChildren[0];
      const key = arg && pipeKey(arg, c.scope);
      if (key) this.pipes.add(key);
    }
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

  /** The kind of the fd an expression names, from its definitions in the function or the file. */
  kindOf(expr: SyntaxNode, scope: Scope, seen = new Set<string>()): FdKind {
    const e = unparen(expr);
    const end = this.pipeEnd(e, scope);
    if (end) return { kind: 'pipe-end', ...end };
    let values: SyntaxNode[] = [];
    let key: string;
    if (e.type === 'identifier') {
      key = `${scope.node?.id}:${e.text}`;
      values = (scope.locals.has(e.text) ? scope.defs.get(e.text) : this.index.globalDefs.get(e.text))?.map((d) => d.value).filter((v): v is SyntaxNode => v !== null) ?? [];
    } else if (e.type === 'field_expression') {
      const f = e.childForFieldName('field')?.text ?? '';
      key = `field:${f}`;
      values = (this.index.fieldDefs.get(f) ?? []).map((d) => d.value).filter((v): v is SyntaxNode => v !== null);
    } else if (e.type === 'call_expression') {
      return this.kindOfCall(e, scope, seen);
    } else return { kind: 'unknown' };
    if (seen.has(key) || values.length !== 1) return { kind: 'unknown' };
    seen.add(key);
    const v = unparen(values[0]);
    return v.type === 'call_expression' ? this.kindOfCall(v, scope, seen) : this.kindOf(v, scope, seen);
  }

  private kindOfCall(call: SyntaxNode, scope: Scope, seen: Set<string>): FdKind {
    const name = call.childForFieldName('function')?.text ?? '';
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (COPY_OPEN.has(name)) {
      const pathArg = args[name.startsWith('openat') ? 1 : 0];
      const lit = pathArg && unparen(pathArg).type === 'string_literal' ? unparen(pathArg).text.slice(1, -1) : null;
      return { kind: 'file', path: lit };
    }
    if (name === 'socket') return { kind: 'socket', domain: args[0]?.text ?? '?', type: args[1]?.text ?? null };
    if (name === 'accept' || name === 'accept4') return { kind: 'accepted', from: args[0] ? this.kindOf(args[0], scope, seen) : null };
    return { kind: 'unknown' };
  }
}

/** Sinks that copy the pipe's data during the splice call (semantics.md section 4, class C). */
export function isCopySink(k: FdKind): boolean {
  if (k.kind === 'file') return k.path === null ? true : k.path !== '/dev/fuse';
  if (k.kind === 'socket') return /AF_NETLINK|PF_NETLINK/.test(k.domain);
  return false;
}

/** An AF_ALG operation socket: accept() on a socket(AF_ALG, ...). */
export function isAfAlgOp(k: FdKind): boolean {
  return k.kind === 'accepted' && k.from?.kind === 'socket' && /AF_ALG|PF_ALG/.test(k.from.domain);
}
