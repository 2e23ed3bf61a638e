import type { SyntaxNode } from '../parse.js';
import type { Cfg } from '../analysis/cfg.js';

/**
 * The intermediate representation the dataflow analyses read (after CIL and
 * Semgrep's IL): expressions become side-effect-free values over places
 * (a base symbol plus deref, field and index steps), and every assignment,
 * call, branch and return is an instruction on a node of the function's CFG.
 * Lowering (lower.ts) is the only code that reads C syntax for the dataflow.
 */

export type Storage = 'auto' | 'static' | 'global' | 'param' | 'extern' | 'temp';

export interface TypeShape {
  /** `char **p` -> 2; arrays are not pointers (see `array`). */
  pointer: number;
  array: boolean;
  /** A struct or union object (not a pointer to one). */
  aggregate: boolean;
  /** The declared type as written, without qualifiers: `struct iovec`, `char`, `ssize_t`. */
  typeName: string;
  /** `const T *p`: the memory p points at is read-only through p. */
  constPointee: boolean;
  /** `const T x`: the object itself is read-only. */
  constObject: boolean;
}

export interface IrSymbol {
  /** Unique within the function, in declaration order. */
  id: number;
  name: string;
  storage: Storage;
  shape: TypeShape;
  /** The declarator (null for symbols the function only uses: globals, externs, temps). */
  decl: SyntaxNode | null;
  /** Where automatic storage ends: the block or statement the declaration belongs to (null: the whole function). */
  extent: { start: number; end: number } | null;
}

export type Step = { kind: 'deref' } | { kind: 'field'; name: string } | { kind: 'index'; index: Value };

export interface Place {
  base: IrSymbol;
  path: Step[];
}

export type Value =
  | { kind: 'const'; value: number }
  | { kind: 'string'; text: string }
  | { kind: 'load'; place: Place }
  | { kind: 'addr'; place: Place }
  | { kind: 'result'; call: number }
  | { kind: 'op'; op: string; args: Value[] }
  | { kind: 'unknown'; text: string };

interface InstrBase {
  /** The syntax the instruction was lowered from, for locations. */
  node: SyntaxNode;
}

export interface AssignInstr extends InstrBase {
  kind: 'assign';
  place: Place;
  /** `=`, compound operators (`+=`, `-=`, `|=`, ...), `init` for declarations and `++`/`--`. */
  op: string;
  value: Value;
}

export interface CallInstr extends InstrBase {
  kind: 'call';
  /** Index of this call within the function (what `result` values refer to). */
  id: number;
  /** The callee's name when it is written as one (also through parentheses); null for computed callees. */
  callee: string | null;
  args: Value[];
}

export interface BranchInstr extends InstrBase {
  kind: 'branch';
  cond: Value;
}

export interface ReturnInstr extends InstrBase {
  kind: 'return';
  value: Value | null;
}

/** A call's value dropped by an expression statement; `deliberate` for `(void)call(...)`. */
export interface DiscardInstr extends InstrBase {
  kind: 'discard';
  value: Value;
  deliberate: boolean;
}

/** Leaving a block: the automatic objects declared in it die. */
export interface ScopeEndInstr extends InstrBase {
  kind: 'scope-end';
  symbols: IrSymbol[];
}

export type Instr = AssignInstr | CallInstr | BranchInstr | ReturnInstr | DiscardInstr | ScopeEndInstr;

export interface IrFunction {
  name: string;
  node: SyntaxNode;
  params: IrSymbol[];
  symbols: IrSymbol[];
  cfg: Cfg;
  /** Instructions per CFG node id, in evaluation order. */
  code: Instr[][];
  calls: CallInstr[];
  /** The call instruction lowered from a call_expression, by the node's start and end offsets. */
  callAt(node: SyntaxNode): CallInstr | undefined;
  /** The value of a call argument, by the argument expression's start and end offsets. */
  argAt(node: SyntaxNode): Value | undefined;
  /** The CFG node holding a call instruction. */
  blockOf(call: CallInstr): number;
}

export function placeKey(p: Place): string {
  return `${p.base.id}${p.path.map((s) => (s.kind === 'deref' ? '*' : s.kind === 'field' ? `.${s.name}` : '[]')).join('')}`;
}

/** The places a value reads, outermost first. */
export function loadsOf(v: Value, out: Place[] = []): Place[] {
  switch (v.kind) {
    case 'load':
    case 'addr':
      out.push(v.place);
      for (const s of v.place.path) if (s.kind === 'index') loadsOf(s.index, out);
      break;
    case 'op':
      for (const a of v.args) loadsOf(a, out);
      break;
    default:
      break;
  }
  return out;
}
