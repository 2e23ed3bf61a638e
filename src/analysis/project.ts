import type { SyntaxNode, Tree } from '../parse.js';
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

/** A copy whose lists can grow without touching the file's own index. */
function copy<K, V>(m: Map<K, V[]>): Map<K, V[]> {
  return new Map([...m].map(([k, v]) => [k, [...v]]));
}

function addAll<K, V>(into: Map<K, V[]>, key: K, values: V[]): void {
  if (!values.length) return;
  const list = into.get(key);
  if (list) list.push(...values);
  else into.set(key, [...values]);
}

export class Project {
  readonly files: IndexedFile[];
  private readonly byTree = new Map<Tree, IndexedFile>();

  constructor(files: IndexedFile[]) {
    this.files = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of this.files) this.byTree.set(f.index.tree, f);
  }

  file(path: string): IndexedFile | undefined {
    return this.files.find((f) => f.path === path);
  }

  /** The merged index `own` is analysed against. */
  view(own: IndexedFile): FileIndex {
    if (this.files.length === 1) return { ...own.index, pathOf: () => own.path };
    const others = this.files.filter((f) => f !== own);
    const headers = others.filter((f) => HEADER.test(f.path));
    const o = own.index;

    const macros = copy<string, MacroDef>(o.macros);
    for (const h of headers) for (const [name, defs] of h.index.macros) if (!o.macros.has(name)) addAll(macros, name, defs);

    const enumerators = new Map(o.enumerators);
    for (const h of headers) for (const [name, v] of h.index.enumerators) if (!enumerators.has(name)) enumerators.set(name, v);

    const functions = new Map(o.functions);
    for (const f of others) {
      const visible = HEADER.test(f.path);
      for (const [name, fn] of f.index.functions) if (!functions.has(name) && (visible || !fn.isStatic)) functions.set(name, fn);
    }

    // A global with external linkage is one object in every file that names it; a static is its file's own.
    const globals = new Map(o.globals);
    const globalDefs = copy<string, Def>(o.globalDefs);
    const ownStatic = (name: string): boolean => o.globals.get(name)?.isStatic === true;
    for (const f of others) {
      for (const [name, g] of f.index.globals) {
        if (g.isStatic || ownStatic(name)) continue;
        const mine = globals.get(name);
        if (!mine || (mine.extern && !g.extern)) globals.set(name, g);
        addAll(globalDefs, name, f.index.globalDefs.get(name) ?? []);
      }
    }

    const fieldDefs = copy<string, Def>(o.fieldDefs);
    for (const f of others) for (const [name, defs] of f.index.fieldDefs) addAll(fieldDefs, name, defs);

    const identifierUses = copy<string, SyntaxNode>(o.identifierUses);
    for (const f of others) for (const [name, uses] of f.index.identifierUses) addAll(identifierUses, name, uses);

    return {
      ...o,
      macros,
      enumerators,
      functions,
      globals,
      globalDefs,
      fieldDefs,
      identifierUses,
      calls: [...o.calls, ...others.flatMap((f) => f.index.calls)],
      scopeOf: (node) => (this.byTree.get(node.tree) ?? own).index.scopeOf(node),
      pathOf: (tree) => this.byTree.get(tree)?.path,
    };
  }
}

/**
 * Names whose use may stand for a vmsplice call: functions and macros of the
 * indexed files whose bodies mention vmsplice or, transitively, another such
 * name. A file that mentions none of them (nor vmsplice) needs no parse.
 */
export function namesThatMatter(files: IndexedFile[], seed: readonly string[]): Set<string> {
  const names = new Set(seed);
  // Substrings, like the byte prefilter: a name that is part of a longer one only costs a parse.
  const mentions = (text: string): boolean => [...names].some((n) => text.includes(n));
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of files) {
      for (const [name, fn] of f.index.functions) {
        if (!names.has(name) && mentions(fn.node.childForFieldName('body')?.text ?? '')) {
          names.add(name);
          changed = true;
        }
      }
      for (const [name, defs] of f.index.macros) {
        if (!names.has(name) && defs.some((m) => mentions(m.body))) {
          names.add(name);
          changed = true;
        }
      }
    }
  }
  return names;
}
