import type { SyntaxNode, Tree } from '../parse.js';
import { CallRecognizer } from './calls.js';
import type { Def, FileIndex, MacroDef } from './fileindex.js';

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

const HEADER = /\.(h|hh|hpp|hxx|inc)$/;

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
      calls: [...o.calls, ...this.files.filter((f) => f !== own).flatMap((f) => f.index.calls)],
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
  for (const f of project.files) {
    for (const n of new CallRecognizer(project.view(f)).definedNamesThatCall(HEADER.test(f.path))) names.add(n);
  }
  return names;
}
