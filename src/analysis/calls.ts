import type { SyntaxNode } from '../parse.js';
import { inError, isVariableAt, type FileIndex, type MacroDef, type Scope } from './fileindex.js';
import { LIBRARY_NAMES } from './libc.js';
import { parseFragment, unparen, type Fragment, type NodeRef } from './syntax.js';
import { fragmentExpression, type ArgExpr, type Binding } from './values.js';

/**
 * Call recognition: every place in a file where vmsplice(2) is called, directly,
 * through syscall(), through a macro of the file, or through a function of the
 * file that forwards its parameters (a wrapper), with the arguments of the real
 * call bound to what each call site passes.
 */

/** Names that are vmsplice itself (CRIU calls its generated stub sys_vmsplice). */
const VMSPLICE_NAMES = new Set(['vmsplice', 'sys_vmsplice']);
/** Generic syscall entry points: with another syscall's number they are not vmsplice calls. */
const SYSCALL_FUNCS = new Set(['syscall', 'tst_syscall', '__syscall', 'raw_syscall']);
const SYSCALL_NUMBERS = new Set(['__NR_vmsplice', 'SYS_vmsplice', '__NR_sys_vmsplice']);
/** glibc-internal macros that take the bare syscall name (and, for INLINE_SYSCALL, an argument count). */
const NAMED_SYSCALL_MACROS: Record<string, number> = { SYSCALL_CANCEL: 1, INLINE_SYSCALL_CALL: 1, INTERNAL_SYSCALL_CALL: 1, INLINE_SYSCALL: 2, INTERNAL_SYSCALL: 2 };

const MAX_DEPTH = 12;
export type HopKind = 'direct' | 'syscall' | 'macro' | 'wrapper';

export interface Hop {
  kind: HopKind;
  name: string;
  at: NodeRef;
}

export interface VmspliceArgs {
  fd: ArgExpr | null;
  iov: ArgExpr | null;
  count: ArgExpr | null;
  flags: ArgExpr | null;
}

export interface VmspliceCall {
  /** The call as written where it is reported: the outermost call or macro use in the file. */
  site: SyntaxNode;
  /** The callee name token of the site. */
  head: SyntaxNode;
  scope: Scope;
  /** From the site inward; the last hop is the real vmsplice or syscall. */
  hops: Hop[];
  args: VmspliceArgs;
  /** Found by re-parsing text inside a region the parser could not structure. */
  recovered: boolean;
}

interface Expansion {
  hops: Hop[];
  args: VmspliceArgs;
}

interface Ctx {
  frag: Fragment | null;
  scope: Scope;
  binding: Binding | null;
  anchor: SyntaxNode;
}

function argList(call: SyntaxNode): SyntaxNode[] {
  const list = call.childForFieldName('arguments');
  return list ? list.namedChildren.filter((c) => c.type !== 'comment') : [];
}

export class CallRecognizer {
  private wrappers = new Set<string>();
  private readonly sitesByScope = new Map<Scope, SyntaxNode[]>();
  private readonly treesDone = new Set<FileIndex['tree']>();

  constructor(private readonly index: FileIndex) {
    if (index.knownWrappers) this.wrappers = new Set(index.knownWrappers);
    else this.findWrappers(index.functions);
  }

  /**
   * Call sites of one file's tree, grouped by scope: built when a scope of
   * that tree is first asked for, since a project view spans every file but
   * an analysis touches few of them.
   */
  private sitesOf(tree: FileIndex['tree']): void {
    if (this.treesDone.has(tree)) return;
    this.treesDone.add(tree);
    for (const c of this.index.callsByTree(tree)) this.addSite(c.scope, c.node);
    // Object-like macros whose body can hold a call stand for calls where they are used.
    for (const [name, defs] of this.index.macros) {
      if (!defs.some((m) => m.params === null && m.body.includes('('))) continue;
      for (const u of this.index.identifierUses.get(name) ?? []) if (u.tree === tree) this.addSite(this.index.scopeOf(u), u);
    }
    for (const list of this.sitesByScope.values()) list.sort((a, b) => a.startIndex - b.startIndex);
  }

  /**
   * Wrappers of a whole project, found file by file (each function judged in
   * the view of the file that defines it) until no file adds one: wrappers of
   * wrappers across files included, and each function examined a bounded
   * number of times rather than once per file.
   */
  static projectWrappers(views: FileIndex[]): Set<string> {
    const known = new Set<string>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const v of views) {
        const r = new CallRecognizer({ ...v, knownWrappers: known });
        const before = r.wrappers.size;
        r.findWrappers((v.own ?? v).functions);
        if (r.wrappers.size > before) {
          for (const w of r.wrappers) known.add(w);
          changed = true;
        }
      }
    }
    return known;
  }

  private addSite(scope: Scope, node: SyntaxNode): void {
    const list = this.sitesByScope.get(scope);
    if (list) list.push(node);
    else this.sitesByScope.set(scope, [node]);
  }

  /** Is this name, in this scope, a callee we follow? */
  private isCandidate(name: string, scope: Scope, at: SyntaxNode): boolean {
    if (isVariableAt(scope, name, at)) return false;
    if (VMSPLICE_NAMES.has(name)) return !this.index.globals.has(name);
    return SYSCALL_FUNCS.has(name) || name in NAMED_SYSCALL_MACROS || this.index.macros.has(name) || this.wrappers.has(name);
  }

  private arg(node: SyntaxNode | undefined, ctx: Ctx): ArgExpr | null {
    return node ? { node, frag: ctx.frag, scope: ctx.scope, binding: ctx.binding, anchor: ctx.anchor } : null;
  }

  private argsFrom(nodes: SyntaxNode[], ctx: Ctx): VmspliceArgs {
    return { fd: this.arg(nodes[0], ctx), iov: this.arg(nodes[1], ctx), count: this.arg(nodes[2], ctx), flags: this.arg(nodes[3], ctx) };
  }

  /** All vmsplice calls a call node stands for. */
  expand(call: SyntaxNode, ctx: Ctx, stack: string[] = []): Expansion[] {
    const fnNode = call.childForFieldName('function');
    const fn = fnNode && unparen(fnNode);
    if (fn?.type !== 'identifier') return [];
    const args = argList(call);
    // Any dispatcher called with vmsplice's syscall number and its four arguments (syscall, my_syscall4, hotcalls4, ...);
    // a syscall table entry such as __SYSCALL(__NR_vmsplice, sys_vmsplice) has no arguments to pass.
    const nr = args[0] && unparen(args[0]);
    if (args.length >= 5 && nr?.type === 'identifier' && SYSCALL_NUMBERS.has(nr.text) && !isVariableAt(ctx.scope, fn.text, ctx.anchor) && !this.wrappers.has(fn.text)) {
      return [{ hops: [{ kind: 'syscall', name: fn.text, at: { node: call, frag: ctx.frag } }], args: this.argsFrom(args.slice(1), ctx) }];
    }
    return this.expandNamed(fn.text, call, args, ctx, stack);
  }

  private expandNamed(name: string, call: SyntaxNode, args: SyntaxNode[], ctx: Ctx, stack: string[]): Expansion[] {
    if (stack.length > MAX_DEPTH || stack.includes(name) || !this.isCandidate(name, ctx.scope, ctx.anchor)) return [];
    const at: NodeRef = { node: call, frag: ctx.frag };
    if (VMSPLICE_NAMES.has(name)) return [{ hops: [{ kind: 'direct', name, at }], args: this.argsFrom(args, ctx) }];
    if (SYSCALL_FUNCS.has(name)) return [];
    if (name in NAMED_SYSCALL_MACROS && !this.index.macros.has(name)) {
      if (args[0]?.text === 'vmsplice') return [{ hops: [{ kind: 'syscall', name, at }], args: this.argsFrom(args.slice(NAMED_SYSCALL_MACROS[name]), ctx) }];
      return [];
    }
    const out: Expansion[] = [];
    for (const m of this.index.macros.get(name) ?? []) {
      const frag = m.fragment();
      if (!frag) continue;
      if (m.params === null) {
        // An object-like macro used as a callee renames it: `#define my_vms vmsplice`.
        const alias = fragmentExpression(frag);
        if (alias?.type === 'identifier') {
          for (const e of this.expandNamed(alias.text, call, args, ctx, [...stack, name])) {
            out.push({ hops: [{ kind: 'macro', name, at }, ...e.hops], args: e.args });
          }
        }
        continue;
      }
      const params = new Map<string, ArgExpr>();
      m.params.forEach((p, i) => {
        const a = this.arg(args[i], ctx);
        if (a) params.set(p, a);
      });
      const binding: Binding = { kind: 'macro', name, params, scope: null, outer: ctx.binding };
      const inner: Ctx = { frag, scope: ctx.scope, binding, anchor: ctx.anchor };
      for (const e of this.expandFragment(frag, inner, [...stack, name])) {
        out.push({ hops: [{ kind: 'macro', name, at }, ...e.hops], args: e.args });
      }
    }
    if (out.length) return out;
    const w = this.wrappers.has(name) ? this.index.functions.get(name) : undefined;
    if (!w) return out;
    const params = new Map<string, ArgExpr>();
    w.scope.params.forEach((p, i) => {
      const a = this.arg(args[i], ctx);
      if (p && a) params.set(p, a);
    });
    const binding: Binding = { kind: 'wrapper', name, params, scope: w.scope, outer: null };
    for (const inner of this.callsIn(w.scope)) {
      for (const e of this.expandUse(inner, { frag: null, scope: w.scope, binding, anchor: inner }, [...stack, name])) {
        out.push({ hops: [{ kind: 'wrapper', name, at }, ...e.hops], args: e.args });
      }
    }
    return out;
  }

  /** The calls (and object-like macro uses) in a macro body. */
  private expandFragment(frag: Fragment, ctx: Ctx, stack: string[]): Expansion[] {
    const out: Expansion[] = [];
    const body = frag.tree.rootNode;
    for (const n of body.descendantsOfType(['call_expression', 'identifier'])) {
      out.push(...this.expandUse(n, ctx, stack));
    }
    return out;
  }

  /** A call_expression, or an identifier naming an object-like macro whose body calls vmsplice. */
  private expandUse(n: SyntaxNode, ctx: Ctx, stack: string[]): Expansion[] {
    if (n.type === 'call_expression') return this.expand(n, ctx, stack);
    if (n.type !== 'identifier' || n.parent?.type === 'call_expression' && n.parent.childForFieldName('function')?.id === n.id) return [];
    const name = n.text;
    if (stack.includes(name) || stack.length > MAX_DEPTH) return [];
    const out: Expansion[] = [];
    for (const m of this.index.macros.get(name) ?? []) {
      if (m.params !== null) continue;
      const frag = m.fragment();
      const expr = frag && fragmentExpression(frag);
      if (!frag || !expr || expr.type === 'identifier') continue;
      const binding: Binding = { kind: 'macro', name, params: new Map(), scope: null, outer: ctx.binding };
      for (const e of this.expandFragment(frag, { frag, scope: ctx.scope, binding, anchor: ctx.anchor }, [...stack, name])) {
        out.push({ hops: [{ kind: 'macro', name, at: { node: n, frag: ctx.frag } }, ...e.hops], args: e.args });
      }
    }
    return out;
  }

  /** Call nodes and macro-use identifiers inside a scope, in source order. */
  private callsIn(scope: Scope): SyntaxNode[] {
    this.sitesOf(scope.node?.tree ?? this.index.tree);
    return this.sitesByScope.get(scope) ?? [];
  }

  /** Does an argument's value come from the parameters of `target` (directly, via locals, or via bindings)? */
  private dependsOn(e: ArgExpr, target: Scope, seen = new Set<string>()): boolean {
    const visitIds = (node: SyntaxNode): boolean => {
      for (const id of node.type === 'identifier' ? [node] : node.descendantsOfType('identifier')) {
        const name = id.text;
        let b = e.binding;
        let bound: ArgExpr | undefined;
        while (b && b.kind === 'macro' && !bound) {
          bound = b.params.get(name);
          b = b.outer;
        }
        if (bound) {
          if (this.dependsOn(bound, target, seen)) return true;
          continue;
        }
        const scope = e.scope;
        if (scope.kind === 'file' || !scope.locals.has(name)) continue;
        if (scope === target && scope.params.includes(name)) return true;
        if (b && b.kind === 'wrapper' && b.scope === scope && b.params.has(name)) {
          if (this.dependsOn(b.params.get(name)!, target, seen)) return true;
          continue;
        }
        const key = `${scope.node?.id}:${name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        for (const d of scope.defs.get(name) ?? []) {
          if (d.value && this.dependsOn({ ...e, node: d.value, frag: null, anchor: d.node }, target, seen)) return true;
        }
      }
      return false;
    };
    return visitIds(e.node);
  }

  private expansionDependsOn(x: Expansion, target: Scope): boolean {
    return [x.args.fd, x.args.iov, x.args.count, x.args.flags].some((a) => a !== null && this.dependsOn(a, target));
  }

  /** Finds which of `functions` (a file's own, or all in view) are wrappers, given those already known. */
  private findWrappers(functions: FileIndex['functions']): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, f] of functions) {
        if (this.wrappers.has(name) || !f.scope.params.some(Boolean) || LIBRARY_NAMES.has(name)) continue;
        const isWrapper = this.callsIn(f.scope).some((c) =>
          this.expandUse(c, { frag: null, scope: f.scope, binding: null, anchor: c }, [name]).some((x) => this.expansionDependsOn(x, f.scope)),
        );
        if (isWrapper) {
          this.wrappers.add(name);
          changed = true;
        }
      }
    }
  }

  /**
   * Names whose calls stand for vmsplice calls, defined in the file the index
   * belongs to, that other files can use: its wrappers with external linkage,
   * and, for a header (`exported`), its static inline wrappers and its macros
   * whose body calls vmsplice (or such a name). Files that use them need
   * indexing too.
   */
  definedNamesThatCall(exported: boolean): string[] {
    const out = new Set<string>();
    const own = this.index.own ?? this.index;
    for (const [name, f] of own.functions) if (this.wrappers.has(name) && (exported || !f.isStatic)) out.add(name);
    const aliases = new Map<string, string>();
    // Parsing every macro body of a big header costs seconds: only bodies that mention a calling name are parsed.
    const calling = [...VMSPLICE_NAMES, ...this.wrappers, ...SYSCALL_NUMBERS, ...Object.keys(NAMED_SYSCALL_MACROS)];
    const pending = new Map<string, MacroDef[]>();
    for (const [name, mine] of exported ? own.macros : []) {
      for (const m of mine) {
        // `#define my_vms vmsplice`: a new name for a calling name (resolved below).
        const target = m.body.trim();
        if (m.params === null && /^[A-Za-z_]\w*$/.test(target)) aliases.set(name, target);
      }
      if (mine.some((m) => m.body.includes('('))) pending.set(name, mine);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, defs] of pending) {
        if (!defs.some((m) => calling.some((c) => m.body.includes(c)))) continue;
        pending.delete(name);
        const binding: Binding = { kind: 'macro', name, params: new Map(), scope: null, outer: null };
        const calls = defs.some((m) => {
          const frag = m.fragment();
          return frag !== null && frag.tree.rootNode.descendantsOfType('call_expression').some((c) => this.expand(c, { frag, scope: this.index.fileScope, binding, anchor: m.node }, [name]).length > 0);
        });
        if (calls) {
          out.add(name);
          calling.push(name);
          changed = true;
        }
      }
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, target] of aliases) {
        if (!out.has(name) && (VMSPLICE_NAMES.has(target) || this.wrappers.has(target) || out.has(target))) {
          out.add(name);
          changed = true;
        }
      }
    }
    return [...out];
  }

  /**
   * Where the flags of a call are decided: its site, unless the flags do not
   * depend on what the site passes to a wrapper; then the call inside that
   * wrapper (recursively), so a constant written in a wrapper is reported
   * once, where it is written. Macro bodies are never a location.
   */
  flagsSite(call: VmspliceCall): { node: SyntaxNode; hop: number } {
    const flags = call.args.flags;
    let site = { node: call.site, hop: 0 };
    if (!flags) return site;
    for (let i = 0; i < call.hops.length - 1; i++) {
      const hop = call.hops[i];
      const next = call.hops[i + 1];
      if (hop.kind !== 'wrapper' || next.at.frag) break;
      const w = this.index.functions.get(hop.name);
      if (!w || this.dependsOn(flags, w.scope)) break;
      site = { node: next.at.node, hop: i + 1 };
    }
    return site;
  }

  /**
   * Every call in this file's scopes, each with its expansions. A call inside
   * a wrapper appears twice: on its own, with the wrapper's parameters unknown
   * (what the wrapper itself decides is reported there, once), and inside the
   * expansions of each call of the wrapper (what callers decide).
   */
  callSites(): VmspliceCall[] {
    const out: VmspliceCall[] = [];
    const scopes = [this.index.fileScope, ...this.index.scopes];
    for (const scope of scopes) {
      for (const c of this.callsIn(scope)) {
        const expansions = this.expandUse(c, { frag: null, scope, binding: null, anchor: c }, scope.name ? [scope.name] : []);
        for (const x of expansions) out.push({ site: c, head: headOf(c), scope, hops: x.hops, args: x.args, recovered: false });
      }
    }
    out.push(...this.recoverFromErrors(out));
    return out.sort((a, b) => a.site.startIndex - b.site.startIndex);
  }

  /**
   * Inside ERROR regions tree-sitter may keep a callee name as a loose token.
   * Such calls are cut out of the text and parsed on their own.
   */
  private recoverFromErrors(found: VmspliceCall[]): VmspliceCall[] {
    const done = new Set(found.map((c) => c.head.id));
    const out: VmspliceCall[] = [];
    for (const [name, uses] of (this.index.own ?? this.index).identifierUses) {
      // Names first: most identifiers of a file can never be callees we follow.
      if (!VMSPLICE_NAMES.has(name) && !this.wrappers.has(name) && !this.index.macros.has(name) && !SYSCALL_FUNCS.has(name) && !(name in NAMED_SYSCALL_MACROS)) continue;
      for (const id of uses) {
        if (id.tree !== this.index.tree || done.has(id.id) || !(id.type === 'type_identifier' || inError(id))) continue;
        const scope = this.index.scopeOf(id);
        if (!this.isCandidate(name, scope, id)) continue;
        const parent = id.parent;
        if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === id.id) continue;
        if (parent?.type === 'function_declarator') continue;
        const text = callTextAt(this.index.text, id.endIndex);
        if (text === null) continue;
        const frag = parseFragment(name + text, { row: id.startPosition.row, column: id.startPosition.column, index: id.startIndex }, id.tree);
        const expr = fragmentExpression(frag);
        if (expr?.type !== 'call_expression' || expr.hasError) continue;
        for (const x of this.expand(expr, { frag, scope, binding: null, anchor: id }, scope.name ? [scope.name] : [])) {
          out.push({ site: id, head: id, scope, hops: x.hops, args: x.args, recovered: true });
        }
      }
    }
    return out;
  }
}

function headOf(site: SyntaxNode): SyntaxNode {
  return site.type === 'call_expression' ? site.childForFieldName('function') ?? site : site;
}

/**
 * The balanced `( ... )` that follows `from` in the text, skipping comments,
 * strings and character literals; null if none starts there.
 */
function callTextAt(text: string, from: number): string | null {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '(') return null;
  let depth = 0;
  const limit = Math.min(text.length, from + 64 * 1024);
  while (i < limit) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return null;
      i = end + 2;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      if (end < 0) return null;
      i = end;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i++;
      while (i < limit && text[i] !== ch && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return text.slice(from, i + 1);
    else if (ch === ';' || ch === '{' || ch === '}') return null;
    i++;
  }
  return null;
}
