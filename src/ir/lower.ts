import type { SyntaxNode } from '../parse.js';
import { buildCfg, type Cfg } from '../analysis/cfg.js';
import type { Conditions } from '../analysis/preproc.js';
import { parseIntLiteral } from '../analysis/syntax.js';
import type { CallInstr, Instr, IrFunction, IrSymbol, Place, Step, Storage, TypeShape, Value } from './types.js';

/**
 * Lowers one C function (a tree-sitter function_definition) to the IR of
 * types.ts, instruction lists on the nodes of its CFG. Cost is linear in the
 * function's size: one pass to declare symbols, one over the CFG nodes.
 *
 * Approximations, each chosen to over-approximate what may happen:
 * - `&&`, `||` and `?:` evaluate every operand's calls (no short-circuit split);
 * - a GNU statement expression's statements run in order, its value is the last one;
 * - a struct initialiser's positional entries name fields `#0`, `#1`, ... except
 *   for `struct iovec`, whose layout is known.
 */

export const BASIC_SIZES: Record<string, number> = {
  char: 1, 'signed char': 1, 'unsigned char': 1, bool: 1, _Bool: 1, int8_t: 1, uint8_t: 1, u8: 1, __u8: 1,
  short: 2, 'unsigned short': 2, int16_t: 2, uint16_t: 2, u16: 2, __u16: 2,
  int: 4, unsigned: 4, 'unsigned int': 4, int32_t: 4, uint32_t: 4, u32: 4, __u32: 4, float: 4,
  long: 8, 'unsigned long': 8, 'long long': 8, 'unsigned long long': 8, int64_t: 8, uint64_t: 8, u64: 8, __u64: 8,
  size_t: 8, ssize_t: 8, off_t: 8, loff_t: 8, intptr_t: 8, uintptr_t: 8, double: 8,
  'struct iovec': 16,
};
const POINTER_SIZE = 8;
const IOVEC_FIELDS = ['iov_base', 'iov_len'];
const COMPOUND_STATEMENTS = new Set(['for_statement', 'while_statement', 'do_statement', 'switch_statement', 'if_statement', 'labeled_statement', 'compound_statement']);

interface Declared {
  sym: IrSymbol;
  /** Offset from which the name refers to this declaration. */
  from: number;
}

export interface LowerContext {
  conditions?: Conditions;
  /** Globals of the file or project, for storage and type shape of names the function does not declare. */
  globalShape?(name: string): TypeShape | null;
}

export function lowerFunction(fn: SyntaxNode, ctx: LowerContext = {}, cfg: Cfg = buildCfg(fn, ctx.conditions)): IrFunction {
  const symbols: IrSymbol[] = [];
  const byName = new Map<string, Declared[]>();
  const outside = new Map<string, IrSymbol>();
  const newSymbol = (name: string, storage: Storage, shape: TypeShape, decl: SyntaxNode | null, extent: IrSymbol['extent']): IrSymbol => {
    const sym = { id: symbols.length, name, storage, shape, decl, extent };
    symbols.push(sym);
    return sym;
  };

  const declarator = fn.childForFieldName('declarator');
  const params: IrSymbol[] = [];
  for (const p of functionDeclarator(declarator)?.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type !== 'parameter_declaration') continue;
    const d = p.childForFieldName('declarator');
    const name = d ? nameOf(d) : null;
    if (!name) continue;
    const sym = newSymbol(name, 'param', shapeOf(p, d), d, null);
    params.push(sym);
    declare(name, sym, fn.startIndex);
  }
  const body = fn.childForFieldName('body');
  if (body) declareLocals(body);

  function declare(name: string, sym: IrSymbol, from: number): void {
    const list = byName.get(name);
    if (list) list.push({ sym, from });
    else byName.set(name, [{ sym, from }]);
  }

  function declareLocals(root: SyntaxNode): void {
    const stack = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'declaration') {
        const isStatic = n.children.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
        const isExtern = n.children.some((c) => c.type === 'storage_class_specifier' && c.text === 'extern');
        for (const c of n.namedChildren) {
          if (c.id === n.childForFieldName('type')?.id || c.type === 'storage_class_specifier' || c.type === 'type_qualifier') continue;
          const d = c.type === 'init_declarator' ? c.childForFieldName('declarator') : c;
          const name = d ? nameOf(d) : null;
          if (!name || !d || functionDeclarator(d)) continue;
          const storage: Storage = isStatic ? 'static' : isExtern ? 'extern' : 'auto';
          const extent = storage === 'auto' ? blockExtent(n) : null;
          declare(name, newSymbol(name, storage, shapeOf(n, d), d, extent), d.startIndex);
        }
      }
      // Nested function bodies do not occur in C; statement expressions and blocks are walked like the rest.
      for (let i = n.namedChildCount - 1; i >= 0; i--) stack.push(n.namedChild(i)!);
    }
  }

  function resolve(name: string, at: number): IrSymbol {
    let best: Declared | null = null;
    for (const d of byName.get(name) ?? []) {
      if (d.from > at) continue;
      if (d.sym.extent && !(d.sym.extent.start <= at && at < d.sym.extent.end)) continue;
      if (!best || d.from >= best.from) best = d;
    }
    if (best) return best.sym;
    let sym = outside.get(name);
    if (!sym) {
      const shape = ctx.globalShape?.(name) ?? null;
      sym = newSymbol(name, shape ? 'global' : 'extern', shape ?? UNKNOWN_SHAPE, null, null);
      outside.set(name, sym);
    }
    return sym;
  }

  const calls: CallInstr[] = [];
  const callByRange = new Map<string, CallInstr>();
  const argByRange = new Map<string, Value>();
  const blockOfCall = new Map<number, number>();
  const code: Instr[][] = cfg.nodes.map(() => []);
  let out: Instr[] = [];
  let temps = 0;

  const lvalue = (n: SyntaxNode): Place | null => {
    const e = strip(n);
    switch (e.type) {
      case 'identifier':
        return { base: resolve(e.text, e.startIndex), path: [] };
      case 'field_expression': {
        const obj = e.childForFieldName('argument');
        const field = e.childForFieldName('field')?.text ?? '?';
        const arrow = e.children.some((c) => c.type === '->');
        const base = obj ? placeOrTemp(obj) : null;
        if (!base) return null;
        return { base: base.base, path: [...base.path, ...(arrow ? [{ kind: 'deref' } as Step] : []), { kind: 'field', name: field }] };
      }
      case 'subscript_expression': {
        const arr = e.childForFieldName('argument');
        const idx = e.childForFieldName('index');
        const base = arr ? placeOrTemp(arr) : null;
        if (!base) return null;
        return { base: base.base, path: [...base.path, { kind: 'index', index: idx ? value(idx) : UNKNOWN_INDEX }] };
      }
      case 'pointer_expression': {
        const op = e.children[0]?.type;
        const arg = e.childForFieldName('argument');
        if (op !== '*' || !arg) return null;
        const v = value(arg);
        if (v.kind === 'addr') return v.place;
        const base = v.kind === 'load' ? v.place : tempPlace(v, arg);
        return { base: base.base, path: [...base.path, { kind: 'deref' }] };
      }
      default:
        return null;
    }
  };

  /** A place for an expression that is not an lvalue (`f()->x`, `(a + 1)[i]`): a temp holding its value. */
  const placeOrTemp = (n: SyntaxNode): Place | null => {
    const p = lvalue(n);
    if (p) return p;
    return tempPlace(value(n), n);
  };

  const tempPlace = (v: Value, n: SyntaxNode): Place => {
    // Pointer arithmetic keeps the object: `(buf + off)[i]` and `*(p + 1)` name memory of buf and p.
    if (v.kind === 'op' && (v.op === '+' || v.op === '-')) {
      const ptr = v.args.find((a) => a.kind === 'load' || a.kind === 'addr');
      if (ptr?.kind === 'load') return ptr.place;
      if (ptr?.kind === 'addr') return ptr.place;
    }
    const sym = newSymbol(`$t${temps++}`, 'temp', UNKNOWN_SHAPE, null, null);
    out.push({ kind: 'assign', node: n, place: { base: sym, path: [] }, op: 'init', value: v });
    return { base: sym, path: [] };
  };

  const emitCall = (e: SyntaxNode): Value => {
    const f = e.childForFieldName('function');
    const callee = f ? calleeName(f) : null;
    if (f && callee === null) value(f);
    const args = (e.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment').map((a) => {
      const v = value(a);
      argByRange.set(`${a.startIndex}:${a.endIndex}`, v);
      return v;
    });
    const call: CallInstr = { kind: 'call', node: e, id: calls.length, callee, args };
    calls.push(call);
    callByRange.set(`${e.startIndex}:${e.endIndex}`, call);
    out.push(call);
    return { kind: 'result', call: call.id };
  };

  const assign = (place: Place, op: string, v: Value, node: SyntaxNode): void => {
    out.push({ kind: 'assign', node, place, op, value: v });
  };

  /** Element-wise stores of an initializer list into `place`. */
  const initialize = (place: Place, list: SyntaxNode, typeName: string, node: SyntaxNode): void => {
    let pos = 0;
    for (const item of list.namedChildren) {
      if (item.type === 'comment') continue;
      let target: Place;
      let init = item;
      if (item.type === 'initializer_pair') {
        const designators = item.childrenForFieldName('designator');
        init = item.childForFieldName('value') ?? item;
        const path: Step[] = [];
        for (const d of designators) {
          if (d.type === 'field_designator') path.push({ kind: 'field', name: d.namedChild(0)?.text ?? d.text.replace(/^\./, '') });
          else if (d.type === 'subscript_designator') path.push({ kind: 'index', index: value(d.namedChild(0) ?? d) });
        }
        target = { base: place.base, path: [...place.path, ...path] };
        const last = designators[designators.length - 1];
        if (last?.type === 'field_designator') pos = (typeName === 'struct iovec' ? IOVEC_FIELDS.indexOf(path[path.length - 1].kind === 'field' ? (path[path.length - 1] as { name: string }).name : '') : -1) + 1;
        else pos++;
      } else {
        const isArray = place.base.shape.array && place.path.length === 0;
        const step: Step = isArray
          ? { kind: 'index', index: { kind: 'const', value: pos } }
          : { kind: 'field', name: typeName === 'struct iovec' ? IOVEC_FIELDS[pos] ?? `#${pos}` : `#${pos}` };
        target = { base: place.base, path: [...place.path, step] };
        pos++;
      }
      if (init.type === 'initializer_list') {
        const elementType = place.base.shape.array && place.path.length === 0 ? typeName : '';
        initialize(target, init, elementType, node);
      } else assign(target, 'init', value(init), node);
    }
  };

  function value(n: SyntaxNode): Value {
    const e = n;
    switch (e.type) {
      case 'parenthesized_expression': {
        // Unwrapped in a loop: generated code nests parentheses thousands deep.
        let inner: SyntaxNode | null = e.namedChildren[e.namedChildCount - 1] ?? null;
        while (inner?.type === 'parenthesized_expression') inner = inner.namedChildren[inner.namedChildCount - 1] ?? null;
        if (!inner) return UNKNOWN_INDEX;
        // `({ ... })` parses as a block in parentheses: a GNU statement expression.
        return inner.type === 'compound_statement' ? statementExpression(inner) : value(inner);
      }
      case 'cast_expression': {
        const v = e.childForFieldName('value');
        return v ? value(v) : unknown(e);
      }
      case 'number_literal': {
        const k = parseIntLiteral(e.text);
        return k === null ? unknown(e) : { kind: 'const', value: k };
      }
      case 'char_literal':
        return { kind: 'const', value: charValue(e.text) };
      case 'true':
        return { kind: 'const', value: 1 };
      case 'false':
      case 'null':
        return { kind: 'const', value: 0 };
      case 'string_literal':
      case 'concatenated_string':
        return { kind: 'string', text: e.text };
      case 'sizeof_expression':
        return sizeofValue(e);
      case 'identifier':
      case 'field_expression':
      case 'subscript_expression': {
        const p = lvalue(e);
        if (!p) return unknown(e);
        // An array used as a value decays to its address.
        if (e.type === 'identifier' && p.base.shape.array) return { kind: 'addr', place: p };
        return { kind: 'load', place: p };
      }
      case 'pointer_expression': {
        const op = e.children[0]?.type;
        const arg = e.childForFieldName('argument');
        if (!arg) return unknown(e);
        if (op === '&') {
          const p = lvalue(arg);
          if (p) return { kind: 'addr', place: p };
          // `&(struct iovec){ ... }`: the address of the literal's object.
          const v = value(arg);
          return v.kind === 'load' ? { kind: 'addr', place: v.place } : v;
        }
        const p = lvalue(e);
        return p ? { kind: 'load', place: p } : unknown(e);
      }
      case 'assignment_expression': {
        const l = e.childForFieldName('left');
        const r = e.childForFieldName('right');
        const op = e.childForFieldName('operator')?.text ?? '=';
        const rv = r ? value(r) : unknown(e);
        const place = l ? lvalue(l) : null;
        if (!place) return rv;
        if (r?.type === 'initializer_list') initialize(place, r, place.base.shape.typeName, e);
        else assign(place, op, rv, e);
        return { kind: 'load', place };
      }
      case 'update_expression': {
        const arg = e.childForFieldName('argument');
        const op = e.childForFieldName('operator')?.text ?? e.children.find((c) => c.type === '++' || c.type === '--')?.type ?? '++';
        const place = arg ? lvalue(arg) : null;
        if (!place) return arg ? value(arg) : unknown(e);
        assign(place, op, { kind: 'const', value: 1 }, e);
        return { kind: 'load', place };
      }
      case 'binary_expression': {
        const l = e.childForFieldName('left');
        const r = e.childForFieldName('right');
        return { kind: 'op', op: e.childForFieldName('operator')?.text ?? '?', args: [l ? value(l) : unknown(e), r ? value(r) : unknown(e)] };
      }
      case 'unary_expression': {
        const arg = e.childForFieldName('argument');
        return { kind: 'op', op: e.childForFieldName('operator')?.text ?? e.children[0]?.type ?? '?', args: [arg ? value(arg) : unknown(e)] };
      }
      case 'conditional_expression': {
        const parts = ['condition', 'consequence', 'alternative'].map((f) => e.childForFieldName(f));
        return { kind: 'op', op: '?:', args: parts.map((p) => (p ? value(p) : unknown(e))) };
      }
      case 'comma_expression': {
        const l = e.childForFieldName('left');
        const r = e.childForFieldName('right');
        if (l) value(l);
        return r ? value(r) : unknown(e);
      }
      case 'call_expression':
        return emitCall(e);
      case 'compound_literal_expression': {
        const type = e.childForFieldName('type');
        const list = e.childForFieldName('value');
        const typeName = type ? typeText(type) : '';
        const sym = newSymbol(`$lit${temps++}`, 'auto', { ...UNKNOWN_SHAPE, typeName, aggregate: /^(struct|union)\b/.test(typeName), array: /\[/.test(type?.text ?? '') }, e, blockExtent(e));
        if (list) initialize({ base: sym, path: [] }, list, typeName, e);
        return sym.shape.array ? { kind: 'addr', place: { base: sym, path: [] } } : { kind: 'load', place: { base: sym, path: [] } };
      }
      case 'statement_expression':
        return statementExpression(e);
      case 'initializer_list':
        return unknown(e);
      default:
        // Unknown syntax (ERROR, GNU extensions): its calls and assignments still happen.
        for (const c of e.namedChildren) if (c.type !== 'comment') value(c);
        return unknown(e);
    }
  }

  function statementExpression(e: SyntaxNode): Value {
    const block = e.type === 'compound_statement' ? e : e.namedChildren.find((c) => c.type === 'compound_statement');
    const stmts = (block?.namedChildren ?? []).filter((s) => s.type !== 'comment');
    let last: Value = unknown(e);
    stmts.forEach((s, i) => {
      // The last expression statement is the value of the whole: not discarded.
      const valueOf = i === stmts.length - 1 && s.type === 'expression_statement' ? s.namedChildren.find((c) => c.type !== 'comment') : null;
      last = valueOf ? value(valueOf) : statement(s) ?? unknown(s);
    });
    return last;
  }

  function sizeofValue(e: SyntaxNode): Value {
    const type = e.childForFieldName('type');
    if (type) {
      const t = typeText(type);
      if (/\*/.test(type.text)) return { kind: 'const', value: POINTER_SIZE };
      const k = BASIC_SIZES[t];
      return k !== undefined ? { kind: 'const', value: k } : unknown(e);
    }
    const v = e.childForFieldName('value');
    const inner = v ? strip(v) : null;
    if (inner?.type === 'identifier') {
      const sym = resolve(inner.text, inner.startIndex);
      const s = sym.shape;
      if (s.pointer > 0 && !s.array) return { kind: 'const', value: POINTER_SIZE };
      const k = BASIC_SIZES[s.typeName];
      if (k !== undefined && !s.array) return { kind: 'const', value: k };
      const len = s.array && sym.decl ? arrayLength(sym.decl) : null;
      if (k !== undefined && len !== null) return { kind: 'const', value: k * len };
    }
    if (inner?.type === 'char_literal') return { kind: 'const', value: 4 };
    return unknown(e);
  }

  /** Lowers a statement that a CFG node stands for; returns the value of an expression statement. */
  function statement(s: SyntaxNode): Value | null {
    switch (s.type) {
      case 'expression_statement': {
        const e = s.namedChildren.find((c) => c.type !== 'comment');
        if (!e) return null;
        const v = value(e);
        if (v.kind === 'result' || isVoidCast(e)) out.push({ kind: 'discard', node: s, value: v, deliberate: isVoidCast(e) });
        return v;
      }
      case 'declaration': {
        for (const c of s.namedChildren) {
          if (c.type !== 'init_declarator') continue;
          const d = c.childForFieldName('declarator');
          const init = c.childForFieldName('value');
          const name = d ? nameOf(d) : null;
          if (!name || !init) continue;
          const sym = resolve(name, d!.startIndex + 1);
          const place: Place = { base: sym, path: [] };
          if (init.type === 'initializer_list') initialize(place, init, sym.shape.typeName, c);
          else assign(place, 'init', value(init), c);
        }
        return null;
      }
      case 'return_statement': {
        const e = s.namedChildren.find((c) => c.type !== 'comment');
        out.push({ kind: 'return', node: s, value: e ? value(e) : null });
        return null;
      }
      case 'break_statement':
      case 'continue_statement':
      case 'goto_statement':
        return null;
      default:
        if (COMPOUND_STATEMENTS.has(s.type)) return null;
        return value(s);
    }
  }

  // A for loop's initializer and update are expressions standing as CFG nodes (`parent` is O(depth): not used here).
  const forParts = new Set<string>();
  for (const f of fn.descendantsOfType('for_statement')) {
    for (const part of [f.childForFieldName('initializer'), f.childForFieldName('update')]) {
      if (part && part.type !== 'declaration') forParts.add(`${part.startIndex}:${part.endIndex}`);
    }
  }

  for (const node of cfg.nodes) {
    out = code[node.id];
    const syn = node.syntax;
    if (!syn) continue;
    const before = calls.length;
    if (node.kind === 'cond') {
      if (syn.type.startsWith('preproc_')) out.push({ kind: 'branch', node: syn, cond: unknown(syn) });
      else out.push({ kind: 'branch', node: syn, cond: value(syn.type === 'condition_clause' ? syn.namedChildren[syn.namedChildCount - 1] ?? syn : syn) });
    } else if (node.kind === 'block-end') {
      const dying = symbols.filter((x) => x.storage === 'auto' && x.extent && x.extent.end === syn.endIndex);
      if (dying.length) out.push({ kind: 'scope-end', node: syn, symbols: dying });
    } else if (node.kind === 'stmt') {
      if (forParts.has(`${syn.startIndex}:${syn.endIndex}`)) value(syn);
      else statement(syn);
    }
    for (let i = before; i < calls.length; i++) blockOfCall.set(i, node.id);
  }

  return {
    name: declarator ? nameOf(declarator) ?? '' : '',
    node: fn,
    params,
    symbols,
    cfg,
    code,
    calls,
    callAt: (n) => callByRange.get(`${n.startIndex}:${n.endIndex}`),
    argAt: (n) => argByRange.get(`${n.startIndex}:${n.endIndex}`),
    blockOf: (c) => blockOfCall.get(c.id) ?? -1,
  };
}

const UNKNOWN_SHAPE: TypeShape = { pointer: 0, array: false, aggregate: false, typeName: '', constPointee: false, constObject: false };
const UNKNOWN_INDEX: Value = { kind: 'unknown', text: '' };

function unknown(n: SyntaxNode): Value {
  return { kind: 'unknown', text: n.text.length > 80 ? `${n.text.slice(0, 77)}...` : n.text };
}

function strip(n: SyntaxNode): SyntaxNode {
  let e = n;
  while ((e.type === 'parenthesized_expression' || e.type === 'cast_expression') && e.namedChildCount >= 1) {
    e = e.type === 'cast_expression' ? e.childForFieldName('value') ?? e : e.namedChildren[e.namedChildCount - 1];
    if (e === n) break;
  }
  return e;
}

function isVoidCast(e: SyntaxNode): boolean {
  let x = e;
  while (x.type === 'parenthesized_expression' && x.namedChildCount === 1) x = x.namedChild(0)!;
  return x.type === 'cast_expression' && x.childForFieldName('type')?.text.replace(/\s+/g, '') === 'void';
}

function calleeName(f: SyntaxNode): string | null {
  let x = f;
  while (x.type === 'parenthesized_expression' && x.namedChildCount === 1) x = x.namedChild(0)!;
  return x.type === 'identifier' ? x.text : null;
}

function functionDeclarator(d: SyntaxNode | null): SyntaxNode | null {
  let x = d;
  // `char *f(int n)` is a function returning a pointer: its declarator is a pointer_declarator around the function's.
  while (x?.type === 'pointer_declarator') x = x.childForFieldName('declarator');
  // `int (*fp)(void)` declares a pointer to a function, not a function.
  if (x?.type !== 'function_declarator' || x.childForFieldName('declarator')?.type === 'parenthesized_declarator') return null;
  return x;
}

function nameOf(d: SyntaxNode): string | null {
  let x: SyntaxNode | null = d;
  while (x) {
    if (x.type === 'identifier' || x.type === 'field_identifier') return x.text;
    x = x.childForFieldName('declarator') ?? x.namedChildren.find((c) => c.type.endsWith('declarator') || c.type === 'identifier') ?? null;
  }
  return null;
}

function typeText(t: SyntaxNode): string {
  return t.text.replace(/\b(const|volatile|restrict|__restrict|register)\b/g, '').replace(/[*\[\]0-9]/g, '').replace(/\s+/g, ' ').trim();
}

/** The shape of a declared object from its declaration (or parameter declaration) and declarator. */
export function shapeOf(decl: SyntaxNode, d: SyntaxNode | null): TypeShape {
  const type = decl.childForFieldName('type');
  const typeName = type ? typeText(type) : '';
  const qualifiers = decl.children.filter((c) => c.type === 'type_qualifier').map((c) => c.text);
  let pointer = 0;
  let array = false;
  let constObject = false;
  let constPointee = qualifiers.includes('const');
  for (let x = d; x; x = x.childForFieldName('declarator')) {
    if (x.type === 'pointer_declarator') {
      pointer++;
      // `char *const p`: the pointer is const, not what it points at.
      if (x.children.some((c) => c.type === 'type_qualifier' && c.text === 'const')) constObject = true;
    } else if (x.type === 'array_declarator') array = true;
    if (x.type === 'identifier') break;
  }
  if (pointer === 0) {
    constObject = constPointee;
    constPointee = false;
  }
  return { pointer, array, aggregate: pointer === 0 && /^(struct|union)\b/.test(typeName), typeName, constPointee, constObject };
}

export function arrayLength(d: SyntaxNode): number | null {
  for (let x: SyntaxNode | null = d; x; x = x.childForFieldName('declarator')) {
    if (x.type === 'array_declarator') {
      const size = x.childForFieldName('size');
      return size ? parseIntLiteral(size.text) : null;
    }
  }
  return null;
}

function blockExtent(n: SyntaxNode): { start: number; end: number } {
  let b = n.parent;
  while (b && b.type !== 'compound_statement' && b.type !== 'for_statement' && b.type !== 'function_definition') b = b.parent;
  return { start: n.startIndex, end: (b ?? n).endIndex };
}

function charValue(text: string): number {
  const m = /^'(\\?)(.*)'$/.exec(text);
  if (!m) return 0;
  if (!m[1]) return m[2].codePointAt(0) ?? 0;
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  return esc[m[2]] ?? (/^[0-7]+$/.test(m[2]) ? parseInt(m[2], 8) : /^x[0-9a-f]+$/i.test(m[2]) ? parseInt(m[2].slice(1), 16) : 0);
}
