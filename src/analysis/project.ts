import type { SyntaxNode, Tree } from '../parse.js';
import { HEADER } from '../file-kinds.js';
import { CallRecognizer } from './calls.js';
import { LIBRARY_NAMES } from './libc.js';
import type { CallNode, Def, FileIndex, MacroDef } from './fileindex.js';

/**
 * The files of a tree that matter, indexed once, and the merged view each of
 * them is analysed against: its own definitions first, then what other files
 * make visible to it. Without include resolution, visibility follows C's
 * usual layout: macros, enumerators and static inline functions of headers
 * are visible everywhere; functions and globals with external linkage of any
 * file are too; a .c file's macros and statics are its own. Struct fields are
 * matched by name across all files. Merges run in path order, so the view is
 * the same whatever order the files were read in.
 */

export interface IndexedFile {
  path: string;
  index: FileIndex;
}


/**
 * A read-only map over layers, built without copying them: what the merged
 * view of a project needs, since every file is analysed against all others.
 * `pick` combines the layers' values of one key (computed once per key).
 */
class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private readonly cache = new Map<K, V | undefined>();

  constructor(
    private readonly layers: ReadonlyMap<K, V>[],
    private readonly pick: (key: K, values: V[]) => V | undefined,
  ) {}

  get(key: K): V | undefined {
    if (this.cache.has(key)) return this.cache.get(key);
    const values: V[] = [];
    for (const l of this.layers) {
      const v = l.get(key);
      if (v !== undefined) values.push(v);
    }
    const v = values.length ? this.pick(key, values) : undefined;
    this.cache.set(key, v);
    return v;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  *keys(): MapIterator<K> {
    const seen = new Set<K>();
    for (const l of this.layers) {
      for (const k of l.keys()) {
        if (seen.has(k)) continue;
        seen.add(k);
        if (this.has(k)) yield k;
      }
    }
  }

  *entries(): MapIterator<[K, V]> {
    for (const k of this.keys()) yield [k, this.get(k)!];
  }

  *values(): MapIterator<V> {
    for (const k of this.keys()) yield this.get(k)!;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(f: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.entries()) f(v, k, this);
  }

  get size(): number {
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }
}

const first = <V>(_: unknown, values: V[]): V => values[0];
const concat = <V>(_: unknown, values: V[][]): V[] => (values.length === 1 ? values[0] : values.flat());

/** What one file makes visible to the others. */
interface Exports {
  macros: ReadonlyMap<string, MacroDef[]>;
  enumerators: ReadonlyMap<string, SyntaxNode | null>;
  functions: FileIndex['functions'];
  globals: FileIndex['globals'];
  globalDefs: ReadonlyMap<string, Def[]>;
}

function exportsOf(f: IndexedFile): Exports {
  const header = HEADER.test(f.path);
  const none = new Map();
  const globals = new Map([...f.index.globals].filter(([, g]) => !g.isStatic || header));
  return {
    macros: header ? f.index.macros : none,
    enumerators: header ? f.index.enumerators : none,
    functions: header ? f.index.functions : new Map([...f.index.functions].filter(([, fn]) => !fn.isStatic)),
    globals,
    globalDefs: new Map([...f.index.globalDefs].filter(([name]) => globals.has(name))),
  };
}

export class Project {
  readonly files: IndexedFile[];
  private readonly byTree = new Map<Tree, IndexedFile>();
  private wrappers: Set<string> | undefined;
  private readonly views = new Map<IndexedFile, FileIndex>();
  private readonly exports = new Map<IndexedFile, Exports>();
  private readonly cache = new Map<string, unknown>();
  private readonly byCallee = new Map<string, readonly CallNode[]>();
  private allCalls: readonly CallNode[] | undefined;

  private callsByCallee(name: string): readonly CallNode[] {
    let list = this.byCallee.get(name);
    if (!list) {
      list = this.files.flatMap((f) => f.index.callsByCallee(name));
      this.byCallee.set(name, list);
    }
    return list;
  }

  constructor(files: IndexedFile[]) {
    this.files = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of this.files) this.byTree.set(f.index.tree, f);
  }

  file(path: string): IndexedFile | undefined {
    return this.files.find((f) => f.path === path);
  }

  /** The merged index `own` is analysed against, with the project's wrappers. */
  view(own: IndexedFile): FileIndex {
    this.wrappers ??= CallRecognizer.projectWrappers(this.files.map((f) => this.baseView(f)));
    return { ...this.baseView(own), knownWrappers: this.wrappers };
  }

  private baseView(own: IndexedFile): FileIndex {
    let v = this.views.get(own);
    if (!v) {
      v = this.merge(own);
      this.views.set(own, v);
    }
    return v;
  }

  private merge(own: IndexedFile): FileIndex {
    if (this.files.length === 1) return { ...own.index, pathOf: () => own.path };
    const o = own.index;
    const others = this.files.filter((f) => f !== own).map((f) => {
      let e = this.exports.get(f);
      if (!e) {
        e = exportsOf(f);
        this.exports.set(f, e);
      }
      return e;
    });
    // A static of this file hides every other file's object of that name.
    const ownStatic = (name: string): boolean => o.globals.get(name)?.isStatic === true;
    return {
      ...o,
      macros: new LayeredMap([o.macros, ...others.map((e) => e.macros)], (_, v) => v[0]),
      enumerators: new LayeredMap([o.enumerators, ...others.map((e) => e.enumerators)], first),
      functions: new LayeredMap([o.functions, ...others.map((e) => e.functions)], first),
      globals: new LayeredMap([o.globals, ...others.map((e) => e.globals)], (name, v) => (ownStatic(name) ? v[0] : v.find((g) => !g.extern) ?? v[0])),
      globalDefs: new LayeredMap([o.globalDefs, ...others.map((e) => e.globalDefs)], (name, v) => (ownStatic(name) ? o.globalDefs.get(name) : concat(name, v))),
      fieldDefs: new LayeredMap([o.fieldDefs, ...this.files.filter((f) => f !== own).map((f) => f.index.fieldDefs)], concat),
      identifierUses: new LayeredMap([o.identifierUses, ...this.files.filter((f) => f !== own).map((f) => f.index.identifierUses)], concat),
      calls: o.calls,
      callsByTree: (tree) => this.byTree.get(tree)?.index.calls ?? [],
      callsByScope: (scope) => (scope.node ? this.byTree.get(scope.node.tree)?.index.callsByScope(scope) ?? [] : []),
      callsByCallee: (name) => this.callsByCallee(name),
      projectCalls: () => (this.allCalls ??= this.files.flatMap((f) => f.index.calls)),
      projectCache: this.cache,
      own: o,
      scopeOf: (node) => (this.byTree.get(node.tree) ?? own).index.scopeOf(node),
      pathOf: (tree) => this.byTree.get(tree)?.path,
    };
  }
}

/**
 * Names whose use may stand for a vmsplice call: wrappers and call macros the
 * indexed files define (found with the whole project in view, so wrappers of
 * wrappers across files count). A file that mentions none of them, nor
 * vmsplice, needs no parse.
 */
export function namesThatMatter(project: Project): Set<string> {
  const names = new Set<string>();
  const defined = new Set<string>();
  for (const f of project.files) {
    for (const n of f.index.functions.keys()) defined.add(n);
    // A file with main() is a program's entry point: other files do not call into it.
    if (f.index.functions.has('main') && !HEADER.test(f.path)) continue;
    for (const n of new CallRecognizer(project.view(f)).definedNamesThatCall(HEADER.test(f.path))) names.add(n);
  }
  for (const n of fdHelperNames(project)) if (!defined.has(n)) names.add(n);
  // Globals a calling file only declares extern are set somewhere else (option parsing, a config module).
  for (const f of project.files) {
    if (!f.index.calls.some((c) => c.callee === 'vmsplice' || c.callee === 'sys_vmsplice')) continue;
    for (const [name, g] of f.index.globals) if (g.extern && !project.files.some((o) => o.index.globals.get(name)?.extern === false)) names.add(name);
  }
  return names;
}

/**
 * Macros a vmsplice call is written inside (`TEST(vmsplice(...))`,
 * `TEMP_FAILURE_RETRY(...)`): what they do with the result is only known from
 * their definitions, which live in headers.
 */
export function enclosingMacroNames(project: Project): Set<string> {
  const out = new Set<string>();
  for (const f of project.files) {
    for (const c of f.index.calls) {
      if (c.callee !== 'vmsplice' && c.callee !== 'syscall' && c.callee !== 'sys_vmsplice') continue;
      let n = c.node.parent;
      for (let up = 0; n && up < 4; up++, n = n.parent) {
        if (n.type !== 'argument_list') continue;
        const name = n.parent?.childForFieldName('function')?.text ?? '';
        if (/^[A-Z][A-Z0-9_]*$/.test(name) && !project.files.some((g) => g.index.macros.has(name))) out.add(name);
        break;
      }
    }
  }
  return out;
}

/**
 * Functions the fds of vmsplice calls come from or go to, in the functions
 * that call vmsplice: callees given an end of a pipe (`drain_into(p[0], ...)`),
 * and callees whose result becomes an fd there (`int s = open_uplink();`).
 * Their definitions, maybe in another file, summarise what happens to the pipe.
 */
function fdHelperNames(project: Project): Set<string> {
  const out = new Set<string>();
  for (const f of project.files) {
    const withVmsplice = new Set(f.index.calls.filter((c) => c.callee === 'vmsplice' || c.callee === 'sys_vmsplice').map((c) => c.scope));
    if (!withVmsplice.size) continue;
    const argsOf = (c: { node: SyntaxNode }): SyntaxNode[] => c.node.childForFieldName('arguments')?.namedChildren ?? [];
    const pipes = new Set(f.index.calls.filter((c) => c.callee === 'pipe' || c.callee === 'pipe2').map((c) => argsOf(c)[0]?.text ?? ''));
    // Variables used as the fd of vmsplice or as an end of splice/tee.
    const FD_ARGS: Record<string, number[]> = { vmsplice: [0], sys_vmsplice: [0], splice: [0, 2], tee: [0, 1] };
    const fdVars = new Set(f.index.calls.flatMap((c) => (FD_ARGS[c.callee] ?? []).map((i) => argsOf(c)[i]?.text)));
    for (const c of f.index.calls) {
      if (!withVmsplice.has(c.scope) || LIBRARY_NAMES.has(c.callee)) continue;
      const takesPipeEnd = argsOf(c).some((a) => a.type === 'subscript_expression' && pipes.has(a.childForFieldName('argument')?.text ?? '') && /^[01]$/.test(a.childForFieldName('index')?.text ?? ''));
      const parent = c.node.parent;
      const target = parent?.type === 'init_declarator' ? parent.childForFieldName('declarator')?.text : parent?.type === 'assignment_expression' ? parent.childForFieldName('left')?.text : undefined;
      const makesFd = target !== undefined && fdVars.has(target);
      if (takesPipeEnd || makesFd) out.add(c.callee);
    }
    // Where a pipe is made or filled, a project function named like a fork wrapper may hand its read end to another
    // process, or copy the queued pages into a child (fork-after-vmsplice); a macro of that name stands for the
    // functions its body calls (`SAFE_FORK()` for `safe_fork(__FILE__, __LINE__)`).
    const pipeScopes = new Set(f.index.calls.filter((c) => c.callee === 'pipe' || c.callee === 'pipe2').map((c) => c.scope));
    for (const c of f.index.calls) {
      if (!(pipeScopes.has(c.scope) || withVmsplice.has(c.scope)) || LIBRARY_NAMES.has(c.callee) || !FORK_LIKE.test(c.callee)) continue;
      const bodies = project.files.flatMap((g) => g.index.macros.get(c.callee) ?? []);
      if (!bodies.length) out.add(c.callee);
      for (const m of bodies) for (const x of m.body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) if (FORK_LIKE.test(x[1]) && !LIBRARY_NAMES.has(x[1])) out.add(x[1]);
    }
  }
  return out;
}

const FORK_LIKE = /fork|spawn|clone/i;
