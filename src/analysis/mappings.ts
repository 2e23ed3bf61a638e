import type { SyntaxNode } from '../parse.js';
import type { FdFacts, FdKind } from './fds.js';
import type { FileIndex, Scope } from './fileindex.js';
import { parseIntLiteral, unparen } from './syntax.js';

/**
 * Which mmap() calls made the memory a pointer expression points into
 * (semantics.md 5.3, mmap roots), and what each mapping is: anonymous or
 * backed by a file or a memfd, shared or private, writable or not. Pointers
 * are followed through their definitions in the function or the file, struct
 * fields assigned anywhere in the project (`ctx->map = mmap(...)` in a setup
 * function), copies, offsets, and functions of the project that return a
 * mapping (`char *map_file(...) { ... return p; }`).
 */

export type Backing = 'anonymous' | 'file' | 'memfd' | 'unknown';

export interface Mapping {
  /** The mmap() call. */
  at: SyntaxNode;
  backing: Backing;
  /** The descriptor mapped, as far as known (for messages). */
  fd: FdKind;
  /** MAP_SHARED (true), MAP_PRIVATE (false), or flags this analysis cannot read (null). */
  shared: boolean | null;
  /** PROT_READ without PROT_WRITE (true), writable (false), or unknown (null). */
  readOnly: boolean | null;
}

const MMAPS = new Set(['mmap', 'mmap64', 'sys_mmap']);
const MAX_DEPTH = 6;

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

function callee(call: SyntaxNode): string {
  const f = call.childForFieldName('function');
  return f ? unparen(f).text : '';
}

/** The constant names an integer argument is built from, through local variables, globals and macros; null when part of it is unknown. */
function namesIn(node: SyntaxNode, scope: Scope, index: FileIndex, depth = 0): Set<string> | null {
  const e = unparen(node);
  if (depth > MAX_DEPTH) return null;
  switch (e.type) {
    case 'number_literal':
      return parseIntLiteral(e.text) === 0 ? new Set() : null;
    case 'binary_expression':
    case 'conditional_expression': {
      const out = new Set<string>();
      for (const c of e.namedChildren) {
        if (e.type === 'conditional_expression' && c.id === e.childForFieldName('condition')?.id) continue;
        const inner = namesIn(c, scope, index, depth + 1);
        if (!inner) return null;
        for (const n of inner) out.add(n);
      }
      return out;
    }
    case 'cast_expression':
      return namesIn(e.childForFieldName('value')!, scope, index, depth + 1);
    case 'identifier': {
      const local = scope.kind !== 'file' && scope.locals.has(e.text);
      if (local && scope.params.includes(e.text)) return null;
      const defs = local ? scope.defs.get(e.text) : index.globalDefs.get(e.text);
      if (defs?.length) {
        const out = new Set<string>();
        for (const d of defs) {
          if (!d.value || d.op === 'opaque') return null;
          const inner = namesIn(d.value, d.scope, index, depth + 1);
          if (!inner) return null;
          for (const n of inner) out.add(n);
        }
        return out;
      }
      if (local) return null;
      // A project macro (`#define OS_MAP_ANON MAP_ANON`) is its body's names; a system constant is its own name.
      const body = index.macros.get(e.text)?.find((m) => m.params === null)?.body;
      const out = new Set([e.text]);
      if (body) for (const n of body.match(/[A-Za-z_]\w*/g) ?? []) out.add(n);
      return out;
    }
    default:
      return null;
  }
}

function hasName(names: Set<string>, re: RegExp): boolean {
  return [...names].some((n) => re.test(n));
}

export class Mappings {
  /** Per tree and node range (node ids repeat across a project's trees); an entry being computed stands for none. */
  private readonly memo = new WeakMap<object, Map<string, Mapping[]>>();

  constructor(
    private readonly index: FileIndex,
    private readonly fds: FdFacts,
  ) {}

  /** What one mmap() call maps. */
  mapping(call: SyntaxNode, scope: Scope): Mapping {
    const a = args(call);
    const fd = a[4] ? this.fds.kindOf(a[4], scope) : ({ kind: 'unknown' } as FdKind);
    const flags = a[3] ? namesIn(a[3], scope, this.index) : null;
    const prot = a[2] ? namesIn(a[2], scope, this.index) : null;
    let backing: Backing;
    if (flags && hasName(flags, /MAP_ANON/)) backing = 'anonymous';
    // Without MAP_ANONYMOUS, fd -1 fails; /dev/zero maps anonymous memory.
    else if (fd.kind === 'negative' || (fd.kind === 'file' && fd.path === '/dev/zero')) backing = 'anonymous';
    else if (fd.kind === 'special' && fd.what === 'a memfd') backing = 'memfd';
    else if (flags || fd.kind === 'file' || fd.kind === 'fifo') backing = 'file';
    else backing = 'unknown';
    return {
      at: call,
      backing,
      fd,
      shared: flags === null ? null : hasName(flags, /MAP_SHARED/) ? true : hasName(flags, /MAP_PRIVATE/) ? false : null,
      readOnly: prot === null ? null : !hasName(prot, /PROT_WRITE/) && hasName(prot, /PROT_READ/),
    };
  }

  /** The mappings a pointer expression may point into (empty when it is not known to point into one). */
  of(node: SyntaxNode, scope: Scope, depth = 0): Mapping[] {
    let byTree = this.memo.get(node.tree);
    if (!byTree) {
      byTree = new Map();
      this.memo.set(node.tree, byTree);
    }
    const key = `${node.startIndex}:${node.endIndex}:${scope.node?.startIndex ?? -1}`;
    let m = byTree.get(key);
    if (!m) {
      byTree.set(key, []);
      m = this.compute(unparen(node), scope, depth);
      byTree.set(key, m);
    }
    return m;
  }

  private compute(e: SyntaxNode, scope: Scope, depth: number): Mapping[] {
    if (depth > MAX_DEPTH) return [];
    switch (e.type) {
      case 'cast_expression':
        return this.of(e.childForFieldName('value')!, scope, depth + 1);
      case 'binary_expression': {
        const op = e.childForFieldName('operator')?.text;
        if (op !== '+' && op !== '-') return [];
        const l = this.of(e.childForFieldName('left')!, scope, depth + 1);
        return l.length || op === '-' ? l : this.of(e.childForFieldName('right')!, scope, depth + 1);
      }
      case 'conditional_expression':
        return ['consequence', 'alternative'].flatMap((f) => {
          const c = e.childForFieldName(f);
          return c ? this.of(c, scope, depth + 1) : [];
        });
      case 'call_expression': {
        const name = callee(e);
        if (MMAPS.has(name)) return [this.mapping(e, scope)];
        return this.returned(name, depth);
      }
      case 'identifier': {
        const local = scope.kind !== 'file' && scope.locals.has(e.text);
        const defs = (local ? scope.defs.get(e.text) : this.index.globalDefs.get(e.text)) ?? [];
        return defs.filter((d) => d.value && (d.op === 'init' || d.op === '=')).flatMap((d) => this.of(d.value!, d.scope, depth + 1));
      }
      case 'field_expression': {
        const field = e.childForFieldName('field')?.text ?? '';
        return (this.index.fieldDefs.get(field) ?? []).filter((d) => d.value && (d.op === 'init' || d.op === '=')).flatMap((d) => this.of(d.value!, d.scope, depth + 1));
      }
      default:
        return [];
    }
  }

  /** The mappings a function of the project returns. */
  private returned(name: string, depth: number): Mapping[] {
    const f = this.index.functions.get(name);
    if (!f) return [];
    return (f.node.childForFieldName('body')?.descendantsOfType('return_statement') ?? []).flatMap((r) => {
      const v = r.namedChildren.find((c) => c.type !== 'comment');
      return v ? this.of(v, f.scope, depth + 1) : [];
    });
  }
}
