import type { SyntaxNode, Tree } from '../parse.js';
import { Conditions, isConditional, NO_DEFINES, type Defines } from './preproc.js';
import { ancestors, declaredName, parameterNames, parseFragment, pointerBase, type Fragment } from './syntax.js';

/**
 * Everything about one file that later questions need, gathered in a single
 * walk of its tree: functions and their scopes, macros, enumerators, globals,
 * and every assignment indexed by the variable or field it writes.
 */

export type DefOp = 'init' | '=' | '|=' | '&=' | '^=' | 'opaque';

export interface Def {
  op: DefOp;
  /** The assigned value; null for writes without one (++, &x passed away). Opaque writes into part of x keep it. */
  value: SyntaxNode | null;
  /** The assignment or declarator node: its position orders and places the def. */
  node: SyntaxNode;
  scope: Scope;
  /** For field writes: the variable whose member is written (`opts.f`), or null when written through a pointer. */
  base?: string | null;
}

export interface Scope {
  kind: 'function' | 'region' | 'file';
  /** function_definition, or the top-level ERROR node standing in for a function the parser lost. */
  node: SyntaxNode | null;
  name: string | null;
  params: string[];
  /** Names declared inside: parameters and local declarations. */
  locals: Set<string>;
  /** Where locals declared as something other than a function (a pointer named vmsplice) are in scope. */
  variableExtents: Map<string, { start: number; end: number }[]>;
  defs: Map<string, Def[]>;
  /** Locals declared static: their value persists across calls like a global's. */
  staticLocals: Set<string>;
}

export interface MacroDef {
  name: string;
  /** null for object-like macros. */
  params: string[] | null;
  variadic: boolean;
  body: string;
  node: SyntaxNode;
  /** Lazily parsed body. */
  fragment(): Fragment | null;
}

export interface GlobalVar {
  name: string;
  extern: boolean;
  isStatic: boolean;
  initialized: boolean;
  node: SyntaxNode;
}

export interface CallNode {
  /** call_expression in the file's tree. */
  node: SyntaxNode;
  callee: string;
  scope: Scope;
}

export interface FileIndex {
  text: string;
  tree: Tree;
  fileScope: Scope;
  scopes: Scope[];
  functions: ReadonlyMap<string, { node: SyntaxNode; scope: Scope; isStatic: boolean }>;
  macros: ReadonlyMap<string, MacroDef[]>;
  enumerators: ReadonlyMap<string, SyntaxNode | null>;
  globals: ReadonlyMap<string, GlobalVar>;
  /** Names declared at file scope as variables (not functions). */
  globalDefs: ReadonlyMap<string, Def[]>;
  /** Writes to struct fields, by field name: `x.f = v`, `p->f |= v`, `{ .f = v }`. */
  fieldDefs: ReadonlyMap<string, Def[]>;
  /** The file's own calls (a project view: still only its own; use the lookups below for the project's). */
  calls: CallNode[];
  callsByTree(tree: Tree): readonly CallNode[];
  callsByScope(scope: Scope): readonly CallNode[];
  /** Calls of a function by name, in every file in view. */
  callsByCallee(name: string): readonly CallNode[];
  /** Every call of every file in view (for project-wide indexes; build them once, in projectCache). */
  projectCalls(): readonly CallNode[];
  /** Memoized facts of the whole project, shared by every file's view. */
  projectCache: Map<string, unknown>;
  /** For a project view: the file's own index (what to iterate when only the file's own things matter). */
  own?: FileIndex;
  /** Identifiers used in code, by name (for object-like macro uses). */
  identifierUses: ReadonlyMap<string, SyntaxNode[]>;
  scopeOf(node: SyntaxNode): Scope;
  /** Which preprocessor branches are compiled. */
  conditions: Conditions;
  /** Wrapper names already known for the whole project (set by project views; otherwise found per file). */
  knownWrappers?: ReadonlySet<string>;
  /** The path of the file a tree belongs to, when the index spans several files (see project.ts). */
  pathOf?(tree: Tree): string | undefined;
}

const COMPOUND_OPS: Record<string, DefOp> = { '=': '=', '|=': '|=', '&=': '&=', '^=': '^=' };

function newScope(kind: Scope['kind'], node: SyntaxNode | null, name: string | null, params: string[]): Scope {
  return {
    kind,
    node,
    name,
    params,
    locals: new Set(params.filter(Boolean)),
    variableExtents: new Map(params.filter(Boolean).map((p) => [p, [{ start: node?.startIndex ?? 0, end: node?.endIndex ?? 0 }]])),
    defs: new Map(),
    staticLocals: new Set(),
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function macroFromNode(node: SyntaxNode): MacroDef | null {
  const name = node.childForFieldName('name')?.text;
  if (!name) return null;
  const value = node.childForFieldName('value');
  let params: string[] | null = null;
  let variadic = false;
  if (node.type === 'preproc_function_def') {
    params = [];
    for (const p of node.childForFieldName('parameters')?.children ?? []) {
      if (p.type === 'identifier') params.push(p.text);
      else if (p.type === '...') variadic = true;
    }
  }
  const body = value?.text ?? '';
  let cached: Fragment | null | undefined;
  return {
    name,
    params,
    variadic,
    body,
    node,
    fragment() {
      if (cached === undefined) {
        cached = value && body.trim()
          ? parseFragment(body, { row: value.startPosition.row, column: value.startPosition.column, index: value.startIndex }, node.tree)
          : null;
      }
      return cached;
    },
  };
}

export function buildFileIndex(text: string, tree: Tree, defines: Defines = NO_DEFINES): FileIndex {
  // Conditions may test macros defined anywhere in the file, before the walk reaches them.
  const allMacros = new Map<string, MacroDef[]>();
  for (const n of tree.rootNode.descendantsOfType(['preproc_def', 'preproc_function_def'])) {
    const m = macroFromNode(n);
    if (m) push(allMacros, m.name, m);
  }
  const conditions = new Conditions(allMacros, defines);
  const fileScope = newScope('file', tree.rootNode, null, []);
  const scopes: Scope[] = [];
  const functions = new Map<string, { node: SyntaxNode; scope: Scope; isStatic: boolean }>();
  const macros = new Map<string, MacroDef[]>();
  const enumerators = new Map<string, SyntaxNode | null>();
  const globals = new Map<string, GlobalVar>();
  const globalDefs = new Map<string, Def[]>();
  const fieldDefs = new Map<string, Def[]>();
  const calls: CallNode[] = [];
  const identifierUses = new Map<string, SyntaxNode[]>();
  const brokenUses = new Map<number, boolean>();
  inErrorByTree.set(tree, brokenUses);
  // Scope boundaries by start index, for scopeOf().
  const ranges: { start: number; end: number; scope: Scope }[] = [];

  const addDef = (scope: Scope, name: string, def: Omit<Def, 'scope'>): void => {
    const target = scope.locals.has(name) ? scope : fileScope;
    const d: Def = { ...def, scope: target };
    if (target === fileScope) push(globalDefs, name, d);
    else push(scope.defs, name, d);
  };

  const visitDeclaration = (decl: SyntaxNode, scope: Scope): void => {
    const storage = decl.namedChildren.filter((c) => c.type === 'storage_class_specifier').map((c) => c.text);
    for (const d of decl.namedChildren) {
      if (d.type === 'init_declarator' || d.type.endsWith('declarator') || d.type === 'identifier') {
        if (d.id === decl.childForFieldName('type')?.id) continue;
        const target = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
        const dn = declaredName(target);
        if (!dn) continue;
        const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
        if (scope === fileScope) {
          if (dn.isFunction) continue;
          globals.set(dn.name, {
            name: dn.name,
            extern: storage.includes('extern') && !value,
            isStatic: storage.includes('static'),
            initialized: !!value,
            node: dn.node,
          });
          if (value) push(globalDefs, dn.name, { op: 'init', value, node: d, scope: fileScope });
        } else {
          scope.locals.add(dn.name);
          if (!dn.isFunction) push(scope.variableExtents, dn.name, blockExtent(decl));
          if (storage.includes('static')) scope.staticLocals.add(dn.name);
          if (value) push(scope.defs, dn.name, { op: 'init', value, node: d, scope });
        }
      }
    }
  };

  const recordWrite = (left: SyntaxNode, op: DefOp, value: SyntaxNode | null, node: SyntaxNode, scope: Scope): void => {
    const l = unwrap(left);
    if (l.type === 'identifier') {
      addDef(scope, l.text, { op, value, node });
    } else {
      if (l.type === 'field_expression') {
        const field = l.childForFieldName('field')?.text;
        if (field) push(fieldDefs, field, { op, value, node, scope, base: memberBase(l) });
      }
      // A write into part of x changes x in a way flag evaluation cannot follow,
      // but the written value still tells what x is built from.
      const base = pointerBase(l);
      if (base) addDef(scope, base, { op: 'opaque', value, node });
    }
  };

  visitPruned(tree.rootNode, fileScope);

  // Function bodies and lost-function regions get their own scope, so the walk
  // prunes them and visits them with that scope.
  function visitPruned(root: SyntaxNode, scope: Scope): void {
    const cursor = root.walk();
    let depth = 0;
    // The walk keeps its own path: node-tree-sitter's `parent` costs time proportional to the depth.
    const rootParent = root.parent;
    const path: { type: string; broken: boolean }[] = [
      { type: rootParent?.type ?? '', broken: rootParent !== null && (rootParent.type === 'ERROR' || (rootParent.type !== 'translation_unit' && inError(root))) },
    ];
    for (;;) {
      const up = path[path.length - 1];
      const type = cursor.nodeType;
      // Most nodes need nothing but a step down: making a node object for each costs more than the rest of the walk.
      if (!NEEDS_NODE.has(type) && up.type !== 'translation_unit') {
        if (cursor.gotoFirstChild()) {
          depth++;
          path.push({ type, broken: up.broken });
          continue;
        }
      } else if (!skipsNode(type, up)) {
        const n = cursor.currentNode;
        if (visit(n, up) && cursor.gotoFirstChild()) {
          depth++;
          // Inside an ERROR node, or inside a top-level item the parser bent around one (see inError).
          path.push({ type: n.type, broken: up.broken || n.type === 'ERROR' || (up.type === 'translation_unit' && n.hasError) });
          continue;
        }
      }
      for (;;) {
        if (depth === 0) return;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        path.pop();
        depth--;
      }
    }

    /** Whether a node of this type would be visited for nothing (and has no children to walk). */
    function skipsNode(type: string, up: { type: string; broken: boolean }): boolean {
      return type === 'type_identifier' ? !up.broken || up.type.startsWith('preproc_') : type === 'identifier' && up.type.startsWith('preproc_');
    }

    /** Visits one node; false when the walk is not to descend into it. */
    function visit(n: SyntaxNode, up: { type: string; broken: boolean }): boolean {
      let descend = true;
      // Compared by type only: a function can be the walk's root (a live branch of a decided #if), and node
      // objects have no stable identity to tell it apart.
      if (n.type === 'function_definition') {
        const declarator = n.childForFieldName('declarator');
        const dn = declaredName(declarator);
        const s = newScope('function', n, dn?.name ?? null, parameterNames(declarator));
        scopes.push(s);
        ranges.push({ start: n.startIndex, end: n.endIndex, scope: s });
        const isStatic = n.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
        if (dn && !functions.has(dn.name)) functions.set(dn.name, { node: n, scope: s, isStatic });
        const body = n.childForFieldName('body');
        if (body) visitPruned(body, s);
        descend = false;
      } else if (isConditional(n) && conditions.truth(n) !== null) {
        // A decided condition (`#if 0`, -D/-U): only the compiled branch counts.
        for (const c of conditions.liveChildren(n)) visitPruned(c, scope);
        descend = false;
      } else if (scope === fileScope && isLostFunction(n, up.type)) {
        const s = newScope('region', n, null, []);
        scopes.push(s);
        ranges.push({ start: n.startIndex, end: n.endIndex, scope: s });
        collectRegionLocals(n, s);
        for (const c of n.children) visitPruned(c, s);
        descend = false;
      } else {
        visitNode(n, scope, up);
      }
      return descend;
    }
  }

  function visitNode(n: SyntaxNode, scope: Scope, up: { type: string; broken: boolean }): void {
    switch (n.type) {
      case 'preproc_def':
      case 'preproc_function_def': {
        const m = macroFromNode(n);
        if (m) push(macros, m.name, m);
        return;
      }
      case 'enumerator': {
        const name = n.childForFieldName('name')?.text;
        if (name) enumerators.set(name, n.childForFieldName('value'));
        return;
      }
      case 'declaration':
        visitDeclaration(n, scope);
        return;
      case 'assignment_expression': {
        const left = n.childForFieldName('left');
        const opText = n.childForFieldName('operator')?.text ?? n.children[1]?.text ?? '=';
        const op = COMPOUND_OPS[opText] ?? 'opaque';
        const value = op === 'opaque' ? null : n.childForFieldName('right');
        if (left) recordWrite(left, op, value, n, scope);
        return;
      }
      case 'update_expression': {
        const arg = n.childForFieldName('argument');
        if (arg) recordWrite(arg, 'opaque', null, n, scope);
        return;
      }
      case 'pointer_expression': {
        // &x handed to anything may write x (sscanf, getopt_long's flag pointer).
        if (n.children[0]?.type === '&') {
          const arg = n.childForFieldName('argument');
          if (arg?.type === 'identifier') addDef(scope, arg.text, { op: 'opaque', value: null, node: n });
        }
        return;
      }
      case 'initializer_pair': {
        const designator = n.childForFieldName('designator') ?? n.namedChildren[0];
        const value = n.childForFieldName('value');
        if (designator?.type === 'field_designator' && value) {
          const field = designator.namedChildren[0]?.text ?? designator.text.replace(/^\./, '');
          let decl: SyntaxNode | null = n.parent;
          while (decl && decl.type !== 'init_declarator' && decl.type !== 'compound_literal_expression') decl = decl.parent;
          const base = decl?.type === 'init_declarator' ? declaredName(decl.childForFieldName('declarator'))?.name ?? null : null;
          push(fieldDefs, field, { op: 'init', value, node: n, scope, base });
        }
        return;
      }
      case 'call_expression': {
        const f = n.childForFieldName('function');
        const fn = f && unwrap(f);
        if (fn?.type === 'identifier') calls.push({ node: n, callee: fn.text, scope });
        return;
      }
      case 'identifier':
      case 'type_identifier':
        // Names in #define, #ifdef, defined() and #undef are not uses. Type names
        // matter only where error recovery turned a callee into one.
        if (up.type.startsWith('preproc_')) return;
        if (n.type === 'identifier' || up.broken) {
          push(identifierUses, n.text, n);
          brokenUses.set(n.id, up.broken);
        }
        return;
    }
  }

  ranges.sort((a, b) => a.start - b.start || b.end - a.end);

  const byScope = new Map<Scope, CallNode[]>();
  const byCallee = new Map<string, CallNode[]>();
  for (const c of calls) {
    push(byScope, c.scope, c);
    push(byCallee, c.callee, c);
  }
  return {
    text,
    tree,
    fileScope,
    scopes,
    functions,
    macros,
    enumerators,
    globals,
    globalDefs,
    fieldDefs,
    calls,
    callsByTree: (t) => (t === tree ? calls : []),
    callsByScope: (scope) => byScope.get(scope) ?? [],
    callsByCallee: (name) => byCallee.get(name) ?? [],
    projectCalls: () => calls,
    projectCache: new Map(),
    identifierUses,
    conditions,
    scopeOf(node: SyntaxNode): Scope {
      let best: Scope = fileScope;
      for (const r of ranges) {
        if (r.start > node.startIndex) break;
        if (node.endIndex <= r.end) best = r.scope;
      }
      return best;
    },
  };
}

/** Node types the index walk does something with; it only steps through the others. */
const NEEDS_NODE = new Set([
  'function_definition',
  'preproc_def',
  'preproc_function_def',
  'preproc_if',
  'preproc_ifdef',
  'preproc_elif',
  'preproc_elifdef',
  'enumerator',
  'declaration',
  'assignment_expression',
  'update_expression',
  'pointer_expression',
  'initializer_pair',
  'call_expression',
  'identifier',
  'type_identifier',
  'ERROR',
]);

/** inError() of each identifier use the index walk recorded, by tree and node id: the walk knows it for free. */
const inErrorByTree = new WeakMap<Tree, Map<number, boolean>>();

const TOP_LEVEL = new Set(['translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef']);

/**
 * A top-level ERROR, or a top-level declaration the parser bent around an
 * error (unknown macros before a function make it read the function as one),
 * usually holds a function body.
 */
export function isLostFunction(n: SyntaxNode, parentType = n.parent?.type): boolean {
  if (!parentType || !TOP_LEVEL.has(parentType)) return false;
  return n.type === 'ERROR' || (n.type === 'declaration' && n.hasError);
}

/** From a declaration to the end of the block that holds it. */
function blockExtent(decl: SyntaxNode): { start: number; end: number } {
  let b = decl.parent;
  while (b && b.type !== 'compound_statement' && b.type !== 'for_statement' && b.type !== 'function_definition' && b.type !== 'ERROR') b = b.parent;
  return { start: decl.startIndex, end: (b ?? decl).endIndex };
}

/** Is `name` a variable (not a function) at this point of the scope? */
export function isVariableAt(scope: Scope, name: string, node: SyntaxNode): boolean {
  return (scope.variableExtents.get(name) ?? []).some((x) => x.start <= node.startIndex && node.startIndex < x.end);
}

/** `a.b.c` -> 'a'; null when any step goes through a pointer (`p->c`, `a.b->c`). */
export function memberBase(n: SyntaxNode): string | null {
  let x: SyntaxNode | null = n;
  while (x?.type === 'field_expression') {
    if (x.childForFieldName('operator')?.text === '->' || x.children.some((c) => c.type === '->')) return null;
    x = x.childForFieldName('argument');
    while (x?.type === 'parenthesized_expression') x = x.namedChild(0);
  }
  return x?.type === 'identifier' ? x.text : null;
}

/** Inside an ERROR node, or inside a top-level item the parser had to bend around one. */
export function inError(n: SyntaxNode): boolean {
  const known = inErrorByTree.get(n.tree)?.get(n.id);
  if (known !== undefined) return known;
  for (const p of ancestors(n, 1024)) {
    if (p.type === 'ERROR') return true;
    if (p.parent?.type === 'translation_unit') return p.hasError;
  }
  return false;
}

function unwrap(n: SyntaxNode): SyntaxNode {
  let x = n;
  while (x.type === 'parenthesized_expression' && x.namedChildCount === 1) x = x.namedChild(0)!;
  return x;
}

/**
 * In a region the parser could not structure, declarations may survive as
 * `declaration` nodes or as loose tokens; the declared names are what matters
 * for telling locals from globals.
 */
function collectRegionLocals(region: SyntaxNode, s: Scope): void {
  for (const d of region.descendantsOfType('declaration')) {
    for (const c of d.namedChildren) {
      if (c.id === d.childForFieldName('type')?.id) continue;
      const dn = declaredName(c.type === 'init_declarator' ? c.childForFieldName('declarator') : c);
      if (dn) {
        s.locals.add(dn.name);
        if (!dn.isFunction) push(s.variableExtents, dn.name, blockExtent(d));
      }
    }
  }
  for (const p of region.descendantsOfType('parameter_declaration')) {
    const dn = declaredName(p.childForFieldName('declarator'));
    if (dn) {
      s.locals.add(dn.name);
      push(s.variableExtents, dn.name, blockExtent(p));
    }
  }
}
