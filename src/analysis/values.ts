import type { SyntaxNode } from '../parse.js';
import { memberBase, type Def, type FileIndex, type MacroDef, type Scope } from './fileindex.js';
import { ancestors, fragmentBody, isAncestor, parseIntLiteral, unparen, type Fragment, type NodeRef } from './syntax.js';

/**
 * Constant evaluation of integer expressions (vmsplice's flags) into a small
 * set of alternatives, each with partially known bits: an expression "must"
 * set a bit when every alternative has it known and set, "may" when some does.
 */

/** Known splice flag values (include/linux/splice.h); the kernel reads values, not spellings. */
export const SPLICE_FLAGS = { SPLICE_F_MOVE: 1, SPLICE_F_NONBLOCK: 2, SPLICE_F_MORE: 4, SPLICE_F_GIFT: 8 } as const;
export type SpliceFlagName = keyof typeof SPLICE_FLAGS;
const TRACKED_BITS = [1, 2, 4, 8];

export interface Alt {
  /** Bits whose value is known (uint32 mask). */
  known: number;
  value: number;
  /** Names (variables, macros, parameters, fields) the value came through, outermost first. */
  via: string[];
  /** Where each tracked flag bit was set. */
  setAt: Map<number, NodeRef>;
  /** For each tracked bit that is set: the names it came through (a subset of `via`). */
  bitVia: Map<number, string[]>;
}

export type Value = Alt[];

/** Macro parameters (macro) or a wrapper's parameters (wrapper) bound to the caller's arguments. */
export interface Binding {
  kind: 'macro' | 'wrapper';
  name: string;
  params: Map<string, ArgExpr>;
  /** For wrappers: the wrapper's scope. */
  scope: Scope | null;
  outer: Binding | null;
}

/** An expression with everything needed to evaluate it where it stands. */
export interface ArgExpr {
  node: SyntaxNode;
  frag: Fragment | null;
  scope: Scope;
  binding: Binding | null;
  /** Position in the file that orders it against assignments (the use site of a macro body). */
  anchor: SyntaxNode;
}

const MAX_ALTS = 16;
const MAX_DEPTH = 24;
const FULL = 0xffffffff;

const unknown = (): Alt => ({ known: 0, value: 0, via: [], setAt: new Map(), bitVia: new Map() });
const constant = (v: number, ref: NodeRef | null): Alt => {
  const value = v >>> 0;
  const setAt = new Map<number, NodeRef>();
  const bitVia = new Map<number, string[]>();
  for (const b of TRACKED_BITS) {
    if (!(value & b)) continue;
    if (ref) setAt.set(b, ref);
    bitVia.set(b, []);
  }
  return { known: FULL, value, via: [], setAt, bitVia };
};

/** Per-bit names of a result: from the operand that has the bit set. */
function mergeBitVia(a: Alt, b: Alt, keep: number): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const bit of TRACKED_BITS) {
    if (!(keep & bit)) continue;
    const fromA = a.known & a.value & bit ? a.bitVia.get(bit) : undefined;
    const fromB = b.known & b.value & bit ? b.bitVia.get(bit) : undefined;
    m.set(bit, fromA ?? fromB ?? mergeVia(a.via, b.via));
  }
  return m;
}

function mergeSetAt(a: Alt, b: Alt, keep: number): Map<number, NodeRef> {
  const m = new Map<number, NodeRef>();
  for (const bit of TRACKED_BITS) {
    if (!(keep & bit)) continue;
    const r = a.setAt.get(bit) ?? b.setAt.get(bit);
    if (r) m.set(bit, r);
  }
  return m;
}

function mergeVia(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

function combine(a: Alt, b: Alt, op: string): Alt {
  const via = mergeVia(a.via, b.via);
  const bothKnown = a.known === FULL && b.known === FULL;
  let known: number;
  let value: number;
  switch (op) {
    case '|':
      known = ((a.known & b.known) | (a.known & a.value) | (b.known & b.value)) >>> 0;
      value = (a.value | b.value) & known;
      break;
    case '&':
      known = ((a.known & b.known) | (a.known & ~a.value) | (b.known & ~b.value)) >>> 0;
      value = a.value & b.value & known;
      break;
    case '^':
      known = (a.known & b.known) >>> 0;
      value = (a.value ^ b.value) & known;
      break;
    default: {
      if (!bothKnown) return { ...unknown(), via };
      const r = arith(a.value, b.value, op);
      if (r === null) return { ...unknown(), via };
      return { ...constant(r, null), via, setAt: mergeSetAt(a, b, r >>> 0), bitVia: mergeBitVia(a, b, r >>> 0) };
    }
  }
  value >>>= 0;
  return { known, value, via, setAt: mergeSetAt(a, b, value & known), bitVia: mergeBitVia(a, b, value & known) };
}

function arith(x: number, y: number, op: string): number | null {
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return Math.imul(x, y);
    case '<<': return y < 32 ? x << y : 0;
    case '>>': return y < 32 ? x >>> y : 0;
    case '/': return y === 0 ? null : Math.trunc(x / y);
    case '%': return y === 0 ? null : x % y;
    default: return null;
  }
}

function cross(a: Value, b: Value, f: (x: Alt, y: Alt) => Alt): Value {
  const out: Alt[] = [];
  for (const x of a) for (const y of b) out.push(f(x, y));
  return normalize(out);
}

/** Deduplicates alternatives and caps their number by joining the surplus. */
function normalize(alts: Alt[]): Value {
  const seen = new Map<string, Alt>();
  for (const a of alts) {
    const key = `${a.known}:${a.value & a.known}`;
    const prev = seen.get(key);
    if (prev) {
      prev.via = mergeVia(prev.via, a.via);
      for (const [bit, ref] of a.setAt) if (!prev.setAt.has(bit)) prev.setAt.set(bit, ref);
      for (const [bit, names] of a.bitVia) prev.bitVia.set(bit, mergeVia(prev.bitVia.get(bit) ?? [], names));
    } else seen.set(key, { ...a, value: a.value & a.known, setAt: new Map(a.setAt), bitVia: new Map(a.bitVia) });
  }
  const list = [...seen.values()];
  if (list.length <= MAX_ALTS) return list;
  const rest = list.slice(MAX_ALTS - 1);
  let joined = rest[0];
  for (const a of rest.slice(1)) {
    const known = joined.known & a.known & ~(joined.value ^ a.value);
    joined = {
      known: known >>> 0,
      value: joined.value & known,
      via: mergeVia(joined.via, a.via),
      setAt: mergeSetAt(joined, a, joined.value & known),
      bitVia: mergeBitVia(joined, a, joined.value & known),
    };
  }
  return [...list.slice(0, MAX_ALTS - 1), joined];
}

export type BitState = 'must' | 'may' | 'unknown' | 'never';

/** What a value says about one bit. */
export function bitState(v: Value, bit: number): BitState {
  if (v.length === 0) return 'unknown';
  let set = 0;
  let unknownCount = 0;
  for (const a of v) {
    if (!(a.known & bit)) unknownCount++;
    else if (a.value & bit) set++;
  }
  if (set === v.length) return 'must';
  if (set > 0) return 'may';
  return unknownCount > 0 ? 'unknown' : 'never';
}

/** The alternatives that set a bit, for explaining where it came from. */
export function altsSetting(v: Value, bit: number): Alt[] {
  return v.filter((a) => a.known & bit && a.value & bit);
}

function withVia(v: Value, name: string): Value {
  const add = (names: string[]): string[] => (names.includes(name) ? names : [name, ...names]);
  return v.map((a) => ({ ...a, via: add(a.via), bitVia: new Map([...a.bitVia].map(([bit, names]) => [bit, add(names)])) }));
}

const CONDITIONAL_TYPES = new Set([
  'if_statement', 'for_statement', 'while_statement', 'do_statement', 'switch_statement', 'case_statement',
  'conditional_expression', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'for_range_loop',
]);
const LOOP_TYPES = new Set(['for_statement', 'while_statement', 'do_statement']);

/** Whether `def` runs on every path that reaches `use` (an approximation without a CFG: no branch or loop between them). */
function dominates(def: SyntaxNode, use: SyntaxNode): boolean {
  if (def.startIndex >= use.startIndex) return false;
  for (const n of ancestors(def)) {
    if (isAncestor(n, use)) return true;
    if (CONDITIONAL_TYPES.has(n.type)) return false;
    if (n.type === 'binary_expression') {
      const op = n.childForFieldName('operator')?.text;
      if (op === '&&' || op === '||') return false;
    }
  }
  return false;
}

/** Whether `def`, placed after `use`, can reach it through an enclosing loop. */
function reachesThroughLoop(def: SyntaxNode, use: SyntaxNode): boolean {
  for (const n of ancestors(use)) {
    if (LOOP_TYPES.has(n.type) && isAncestor(n, def)) return true;
  }
  return false;
}

export class Evaluator {
  private depth = 0;
  private active = new Set<string>();

  /** `standalone`: a wrapper's parameters are unknown, as if nobody called it (what the wrapper itself decides). */
  constructor(
    private readonly index: FileIndex,
    private readonly standalone = false,
  ) {}

  eval(e: ArgExpr): Value {
    if (this.depth > MAX_DEPTH) return [unknown()];
    this.depth++;
    try {
      return normalize(this.evalNode(e, unparen(e.node)));
    } finally {
      this.depth--;
    }
  }

  private sub(e: ArgExpr, node: SyntaxNode): Value {
    return this.eval({ ...e, node });
  }

  private evalNode(e: ArgExpr, n: SyntaxNode): Value {
    const ref: NodeRef = { node: n, frag: e.frag };
    switch (n.type) {
      case 'number_literal': {
        const v = parseIntLiteral(n.text);
        return [v === null ? unknown() : constant(v, ref)];
      }
      case 'true':
        return [constant(1, null)];
      case 'false':
      case 'null':
        return [constant(0, null)];
      case 'parenthesized_expression':
        return n.namedChildCount === 1 ? this.sub(e, n.namedChild(0)!) : [unknown()];
      case 'cast_expression': {
        const value = n.childForFieldName('value');
        return value ? this.sub(e, value) : [unknown()];
      }
      case 'comma_expression': {
        const right = n.childForFieldName('right');
        return right ? this.sub(e, right) : [unknown()];
      }
      case 'assignment_expression': {
        const right = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text;
        return right && op === '=' ? this.sub(e, right) : [unknown()];
      }
      case 'conditional_expression': {
        const cons = n.childForFieldName('consequence');
        const alt = n.childForFieldName('alternative');
        const cond = n.childForFieldName('condition');
        const c = cond ? this.sub(e, cond) : [unknown()];
        if (c.length === 1 && c[0].known === FULL) {
          const taken = c[0].value !== 0 ? cons : alt;
          return taken ? this.sub(e, taken) : [unknown()];
        }
        return [...(cons ? this.sub(e, cons) : [unknown()]), ...(alt ? this.sub(e, alt) : [unknown()])];
      }
      case 'unary_expression': {
        const op = n.childForFieldName('operator')?.text ?? n.children[0]?.text;
        const arg = n.childForFieldName('argument');
        if (!arg) return [unknown()];
        const v = this.sub(e, arg);
        return v.map((a) => {
          switch (op) {
            case '~':
              return { known: a.known, value: ~a.value & a.known, via: a.via, setAt: new Map(), bitVia: new Map() };
            case '-':
              return a.known === FULL ? { ...constant(-a.value, null), via: a.via } : { ...unknown(), via: a.via };
            case '+':
              return a;
            case '!':
              return a.known === FULL ? { ...constant(a.value ? 0 : 1, null), via: a.via } : { ...unknown(), via: a.via };
            default:
              return { ...unknown(), via: a.via };
          }
        });
      }
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text ?? '';
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left || !right) return [unknown()];
        if (['==', '!=', '<', '>', '<=', '>=', '&&', '||'].includes(op)) return [unknown()];
        return cross(this.sub(e, left), this.sub(e, right), (x, y) => combine(x, y, op));
      }
      case 'identifier':
        return this.identifier(e, n);
      case 'field_expression': {
        const field = n.childForFieldName('field')?.text;
        return field ? this.field(e, field, memberBase(n)) : [unknown()];
      }
      case 'call_expression':
        return this.macroCall(e, n);
      default:
        return [unknown()];
    }
  }

  private guarded(key: string, f: () => Value): Value {
    if (this.active.has(key)) return [unknown()];
    this.active.add(key);
    try {
      return f();
    } finally {
      this.active.delete(key);
    }
  }

  private identifier(e: ArgExpr, n: SyntaxNode): Value {
    const name = n.text;
    let b = e.binding;
    while (b && b.kind === 'macro') {
      const bound = b.params.get(name);
      if (bound) return this.eval(bound);
      b = b.outer;
    }
    const macroDefs = this.index.macros.get(name);
    if (macroDefs && macroDefs.some((m) => m.params === null)) {
      const v = this.guarded(`macro:${name}`, () => withVia(this.macroValue(macroDefs, e), `macro '${name}'`));
      // A flag's own definition (`#define SPLICE_F_GIFT 8` in a header) is not where the program sets it: its use is.
      if (!(name in SPLICE_FLAGS)) return v;
      const here: NodeRef = { node: n, frag: e.frag };
      return v.map((a) => ({ ...a, setAt: new Map([...a.setAt.keys()].map((bit) => [bit, here])) }));
    }
    const scope = e.scope;
    if (scope.kind !== 'file' && scope.locals.has(name)) {
      return this.guarded(`local:${scope.node?.id}:${name}:${e.anchor.id}`, () =>
        withVia(this.localValue(name, scope, e.anchor, b), `${scope.params.includes(name) ? 'parameter' : 'variable'} '${name}'`),
      );
    }
    if (this.index.enumerators.has(name)) {
      const value = this.index.enumerators.get(name);
      return value
        ? this.guarded(`enum:${name}`, () => withVia(this.eval({ node: value, frag: null, scope: this.index.fileScope, binding: null, anchor: value }), `enumerator '${name}'`))
        : [unknown()];
    }
    if (this.index.globals.has(name) || this.index.globalDefs.has(name)) {
      return this.guarded(`global:${name}`, () => withVia(this.globalValue(name), `variable '${name}'`));
    }
    if (name in SPLICE_FLAGS) return [constant(SPLICE_FLAGS[name as SpliceFlagName], { node: n, frag: e.frag })];
    return [unknown()];
  }

  /** Every definition of an object-like macro counts: #if branches are alternatives. */
  private macroValue(defs: MacroDef[], use: ArgExpr): Value {
    const out: Alt[] = [];
    for (const m of defs) {
      if (m.params !== null) continue;
      const frag = m.fragment();
      const expr = frag && fragmentExpression(frag);
      if (!expr) {
        out.push(unknown());
        continue;
      }
      out.push(...this.eval({ node: expr, frag, scope: use.scope, binding: use.binding, anchor: use.anchor }));
    }
    return out.length ? out : [unknown()];
  }

  private applyDef(def: Def, before: Value, binding: Binding | null): Value {
    if (def.op === 'opaque' || !def.value) return [unknown()];
    const v = this.eval({ node: def.value, frag: null, scope: def.scope, binding: def.scope.kind === 'file' ? null : binding, anchor: def.node });
    if (def.op === 'init' || def.op === '=') return v;
    const op = def.op[0];
    return cross(before, v, (x, y) => combine(x, y, op));
  }

  private localValue(name: string, scope: Scope, anchor: SyntaxNode, binding: Binding | null): Value {
    const defs = scope.defs.get(name) ?? [];
    const isStatic = scope.staticLocals.has(name);
    const before = defs.filter((d) => d.node.startIndex < anchor.startIndex);
    let start = -1;
    for (let i = before.length - 1; i >= 0; i--) {
      if (!isStatic && dominates(before[i].node, anchor)) {
        start = i;
        break;
      }
    }
    let value: Value;
    if (start >= 0) {
      const d = before[start];
      value = d.op === 'init' || d.op === '=' || d.op === 'opaque'
        ? this.applyDef(d, [], binding)
        : this.applyDef(d, this.localValue(name, scope, d.node, binding), binding);
    } else if (scope.params.includes(name)) {
      const bound = !this.standalone && binding && binding.kind === 'wrapper' && binding.scope === scope ? binding.params.get(name) : undefined;
      value = bound ? this.eval(bound) : [unknown()];
    } else {
      value = [];
    }
    const later = [
      ...before.slice(start + 1),
      ...(isStatic ? defs.filter((d) => d.node.startIndex >= anchor.startIndex) : defs.filter((d) => d.node.startIndex > anchor.startIndex && reachesThroughLoop(d.node, anchor))),
    ];
    for (const d of later) {
      const applied = d.op === 'init' || d.op === '=' ? this.applyDef(d, [], binding) : this.applyDef(d, value.length ? value : [unknown()], binding);
      value = normalize([...value, ...applied]);
    }
    return value.length ? value : [unknown()];
  }

  /** Globals are flow-insensitive: any assignment anywhere in the file may have run. */
  private globalValue(name: string): Value {
    const g = this.index.globals.get(name);
    const defs = this.index.globalDefs.get(name) ?? [];
    let value: Value = [];
    // Only a static is surely zero: another file may assign a global with external linkage.
    if (g && g.isStatic && !g.initialized) value.push(constant(0, null));
    if (g && !g.isStatic && !g.extern && !g.initialized) value.push(unknown());
    for (const d of defs) if (d.op === 'init' || d.op === '=') value.push(...this.applyDef(d, [], null));
    if (!g || g.extern) value.push(unknown());
    if (!value.length) value.push(unknown());
    value = normalize(value);
    for (const d of defs) {
      if (d.op === 'init' || d.op === '=') continue;
      value = normalize([...value, ...this.applyDef(d, value, null)]);
    }
    return value;
  }

  /**
   * Struct fields by name, flow-insensitively. A member of a named variable
   * (`opts.f`) sees writes to that variable's member and writes through
   * pointers; a member reached through a pointer sees every write of the field.
   */
  private field(e: ArgExpr, field: string, base: string | null): Value {
    return this.guarded(`field:${base}:${field}`, () => {
      const defs = (this.index.fieldDefs.get(field) ?? []).filter((d) => base === null || d.base === base || d.base === null);
      let start: Alt;
      const g = base !== null && !(e.scope.locals.has(base)) ? this.index.globals.get(base) : undefined;
      if (g && !g.extern) start = constant(0, null);
      else start = unknown();
      if (!defs.length) return [start];
      let value: Value = [start];
      for (const d of defs) if (d.op === 'init' || d.op === '=') value.push(...this.applyDef(d, [], null));
      value = normalize(value);
      for (const d of defs) {
        if (d.op === 'init' || d.op === '=') continue;
        value = normalize([...value, ...this.applyDef(d, value, null)]);
      }
      return withVia(value, `field '${field}'`);
    });
  }

  /** A function-like macro of the file used in an expression: `WITH_GIFT(x)`. */
  private macroCall(e: ArgExpr, call: SyntaxNode): Value {
    const fn = call.childForFieldName('function');
    const defs = fn?.type === 'identifier' ? this.index.macros.get(fn.text)?.filter((m) => m.params !== null) : undefined;
    if (!fn || !defs?.length) return [unknown()];
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    return this.guarded(`macro:${fn.text}`, () => {
      const out: Alt[] = [];
      for (const m of defs) {
        const frag = m.fragment();
        const expr = frag && fragmentExpression(frag);
        if (!expr) {
          out.push(unknown());
          continue;
        }
        const params = new Map<string, ArgExpr>();
        m.params!.forEach((p, i) => {
          if (args[i]) params.set(p, { ...e, node: args[i] });
        });
        const binding: Binding = { kind: 'macro', name: m.name, params, scope: null, outer: e.binding };
        out.push(...this.eval({ node: expr, frag, scope: e.scope, binding, anchor: e.anchor }));
      }
      return withVia(out, `macro '${fn.text}'`);
    });
  }
}

/** The single expression a macro body or recovered call consists of. */
export function fragmentExpression(frag: Fragment): SyntaxNode | null {
  const body = fragmentBody(frag);
  const first = body?.namedChildren.find((c) => c.type !== 'comment');
  if (first?.type !== 'expression_statement') return null;
  return first.namedChild(0);
}


/** Follows macro and wrapper bindings outward until the expression is one written in `scope` (null if it never is). */
export function expressionIn(a: ArgExpr | null, scope: Scope): SyntaxNode | null {
  let cur = a;
  for (let i = 0; cur && i < 32; i++) {
    if (cur.scope === scope && !cur.frag) return cur.node;
    const e = unparen(cur.node);
    if (e.type !== 'identifier') return null;
    let b = cur.binding;
    let next: ArgExpr | undefined;
    while (b && !next) {
      next = b.params.get(e.text);
      b = b.outer;
    }
    cur = next ?? null;
  }
  return null;
}
