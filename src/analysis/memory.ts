import type { AssignInstr, CallInstr, Instr, IrFunction, IrSymbol, Place, Value } from '../ir/types.js';
import { COPYING_FORKS, HEAP_ALLOC, INDIRECT_WRITERS, IOV_READERS, RETURNS_FIRST, SCANF, SIMD_STORE, WRITERS } from './libc.js';

/**
 * The memory model of one function on the IR: abstract objects (a variable's
 * own storage, an allocation, the unknown target of a pointer that came from
 * outside), locations inside them (field paths; array indices collapse to
 * `[]`), and a flow-insensitive, field-sensitive points-to relation solved to a
 * fixpoint over the function's assignments (Andersen-style).
 *
 * Dereference levels are explicit: `*slot = NULL` writes the location `slot`
 * points at, not the memory that location's pointer points at; `m = slots[i]`
 * makes `m` point where the element points; a pointer that arrives from a
 * caller points at a symbolic object named after it, one per level
 * (`*iov`, `*(iov->iov_base)`), which a call site substitutes with what it
 * passes (see `Summaries`).
 */

export type RootKind = 'stack' | 'static' | 'heap' | 'mmap-anon-private' | 'mmap-anon-shared' | 'mmap-file' | 'param' | 'unknown';

export interface MemObject {
  key: string;
  kind: RootKind;
  /** For messages: the variable, or the pointer whose unknown target this is. */
  name: string;
  /** The variable whose own storage this is. */
  sym: IrSymbol | null;
  /** For the unknown target of a pointer: the location holding the pointer. */
  of: Loc | null;
  /** For allocations: the allocating call. */
  call: CallInstr | null;
}

export interface Loc {
  obj: MemObject;
  /** Field names and `[]` (any element) below the object. */
  path: string[];
}

export type EffectKind = 'store' | 'libc' | 'call' | 'free' | 'realloc' | 'fork' | 'relinquish' | 'no-fork';

/** What one instruction does to memory. */
export interface Effect {
  kind: EffectKind;
  /** The library or project function (empty for stores). */
  callee: string;
  instr: Instr;
  /** The memory written, freed or given up (empty for fork). */
  locs: Loc[];
}

const MAX_ROUNDS = 8;
const MAX_SEGMENTS = 64;

export function locKey(l: Loc): string {
  return l.path.length ? `${l.obj.key}.${l.path.join('.')}` : l.obj.key;
}

/** Do two locations share bytes: the same object, one path a prefix of the other. */
export function overlaps(a: Loc, b: Loc): boolean {
  if (a.obj.key !== b.obj.key) return false;
  const n = Math.min(a.path.length, b.path.length);
  for (let i = 0; i < n; i++) if (!sameStep(a.path[i], b.path[i])) return false;
  return true;
}

/** Path steps that may name the same bytes: equal, or an element index against any element (`[]`). */
function sameStep(x: string, y: string): boolean {
  return x === y || (x[0] === '[' && y[0] === '[' && (x === '[]' || y === '[]'));
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => sameStep(x, b[i]));
}

/** A readable name of a location: `buf`, `msg.payload`, `iov->iov_base`. */
export function locName(l: Loc): string {
  const fields = l.path.filter((s) => s !== '[]');
  if (!fields.length) return l.obj.name;
  return l.obj.sym ? `${l.obj.name}.${fields.join('.')}` : `${l.obj.name}->${fields.join('.')}`;
}

interface TypeState {
  array: boolean | null;
  pointer: number | null;
}

/** Names of the symbols a value mentions (macro constants such as MAP_ANONYMOUS are loads of unknown names). */
export function mentions(v: Value | undefined, re: RegExp): boolean {
  if (!v) return false;
  switch (v.kind) {
    case 'load':
    case 'addr':
      return re.test(v.place.base.name);
    case 'op':
      return v.args.some((a) => mentions(a, re));
    case 'unknown':
      return re.test(v.text);
    default:
      return false;
  }
}

export class MemoryModel {
  private readonly objects = new Map<string, MemObject>();
  /** Pointer contents, per object and path: the locations the pointer stored there may point at. */
  private readonly pts = new Map<string, Map<string, Cell>>();
  /** Locations assigned in the function, and those assigned a value the analysis cannot follow. */
  private readonly assigned = new Map<string, Map<string, Cell>>();
  private effectList: Effect[] | null = null;
  private readonly assigns: AssignInstr[];
  private readonly outParams: CallInstr[];

  constructor(readonly ir: IrFunction, private readonly summaries: Summaries | null = null) {
    this.assigns = [];
    this.outParams = [];
    for (const list of ir.code) {
      for (const x of list) {
        if (x.kind === 'assign') this.assigns.push(x);
        else if (x.kind === 'call' && x.callee === 'posix_memalign') this.outParams.push(x);
      }
    }
    this.solve();
  }

  varObject(sym: IrSymbol): MemObject {
    // Globals are one object across functions: a callee's write to `g` is a write to the caller's `g`.
    const global = sym.storage === 'global' || sym.storage === 'extern';
    const key = global ? `g:${sym.name}` : `v${sym.id}`;
    return this.object(key, () => ({ key, kind: sym.storage === 'auto' || sym.storage === 'param' || sym.storage === 'temp' ? 'stack' : 'static', name: sym.name, sym, of: null, call: null }));
  }

  private object(key: string, make: () => MemObject): MemObject {
    let o = this.objects.get(key);
    if (!o) {
      o = make();
      this.objects.set(key, o);
    }
    return o;
  }

  /** The unknown object a pointer stored at `l` points at, when nothing in view says what it is. */
  private targetOf(l: Loc): MemObject {
    const key = `*(${locKey(l)})`;
    return this.object(key, () => {
      const holder = l.obj;
      const fromParam = (holder.sym?.storage === 'param' && l.path.length === 0) || holder.kind === 'param';
      const fromGlobal = holder.sym !== null && holder.kind === 'static';
      return { key, kind: fromParam ? 'param' : fromGlobal ? 'static' : 'unknown', name: locName(l), sym: null, of: l, call: null };
    });
  }

  private allocation(call: CallInstr): MemObject | null {
    const name = call.callee ?? '';
    let kind: RootKind | null = null;
    if (HEAP_ALLOC.has(name)) kind = 'heap';
    else if (name === 'mmap' || name === 'mmap64') {
      const anon = mentions(call.args[3], /MAP_ANON/) || (call.args[4]?.kind === 'op' && call.args[4].op === '-') || (call.args[4]?.kind === 'const' && call.args[4].value === -1);
      kind = anon ? (mentions(call.args[3], /MAP_SHARED/) ? 'mmap-anon-shared' : 'mmap-anon-private') : 'mmap-file';
    }
    if (!kind) return null;
    const k = kind;
    return this.object(`a${call.id}`, () => ({ key: `a${call.id}`, kind: k, name: `${name}()`, sym: null, of: null, call }));
  }

  /** The locations a place names. */
  locsOf(place: Place): Loc[] {
    let locs: Loc[] = [{ obj: this.varObject(place.base), path: [] }];
    const shape = place.base.shape;
    let type: TypeState = place.base.storage === 'temp' || place.base.storage === 'extern' ? { array: null, pointer: null } : { array: shape.array, pointer: shape.pointer };
    for (const step of place.path) {
      if (step.kind === 'field') {
        locs = locs.map((l) => ({ obj: l.obj, path: [...l.path, step.name] }));
        type = { array: null, pointer: null };
      } else if (step.kind === 'deref') {
        locs = this.derefAll(locs);
        type = { array: false, pointer: type.pointer === null ? null : type.pointer - 1 };
      } else if (type.array === true || (type.array === false && type.pointer === 0)) {
        const seg = step.index.kind === 'const' ? `[${step.index.value}]` : '[]';
        locs = locs.map((l) => ({ obj: l.obj, path: [...l.path, seg] }));
        type = { array: false, pointer: type.array === true ? shape.pointer : null };
      } else if (type.pointer !== null && type.pointer > 0) {
        locs = this.derefAll(locs);
        type = { array: false, pointer: type.pointer - 1 };
      } else {
        locs = [...locs.map((l) => ({ obj: l.obj, path: [...l.path, '[]'] })), ...this.derefAll(locs)];
        type = { array: null, pointer: null };
      }
    }
    return dedupe(locs);
  }

  private derefAll(locs: Loc[]): Loc[] {
    return locs.flatMap((l) => this.pointeesAt(l).map(element));
  }

  /** What the pointer stored at `l` may point at. */
  pointeesAt(l: Loc, stored: (a: AssignInstr) => boolean = () => true): Loc[] {
    const sym = l.obj.sym;
    // A scalar holds no pointer worth following (an integer holding an address is not a buffer we can name).
    if (sym && l.path.length === 0 && sym.shape.pointer === 0 && !sym.shape.array && sym.shape.typeName !== '' && sym.storage !== 'temp') return [];
    const known = new Map<string, Loc>();
    let assigned = false;
    let opaque = false;
    for (const cell of this.pts.get(l.obj.key)?.values() ?? []) {
      if (!samePath(cell.path, l.path)) continue;
      for (const [k, v] of cell.targets) {
        const origins = cell.origins.get(k);
        if (!origins || origins.some(stored)) known.set(k, v);
      }
    }
    for (const cell of this.assigned.get(l.obj.key)?.values() ?? []) {
      if (!samePath(cell.path, l.path)) continue;
      assigned = true;
      opaque ||= cell.opaque;
    }
    const fromOutside = !sym || sym.storage === 'param' || sym.storage === 'global' || sym.storage === 'extern' || sym.storage === 'static';
    const out = [...known.values()];
    if (fromOutside || !assigned || opaque) out.push({ obj: this.targetOf(l), path: [] });
    return out;
  }

  /** What a value (used as a pointer) may point at. */
  pointees(v: Value | undefined): Loc[] {
    if (!v) return [];
    switch (v.kind) {
      case 'addr':
        return this.locsOf(v.place);
      case 'load':
        return dedupe(this.locsOf(v.place).flatMap((l) => this.pointeesAt(l)));
      case 'string':
        return [{ obj: this.object('str', () => ({ key: 'str', kind: 'static', name: '', sym: null, of: null, call: null })), path: [] }];
      case 'result': {
        const call = this.ir.calls[v.call];
        const alloc = this.allocation(call);
        if (alloc) return [{ obj: alloc, path: [] }];
        if (call.callee && RETURNS_FIRST.has(call.callee)) return this.pointees(call.args[0]);
        const key = `r${call.id}`;
        return [{ obj: this.object(key, () => ({ key, kind: 'unknown', name: `${call.callee ?? 'call'}()`, sym: null, of: null, call })), path: [] }];
      }
      case 'op':
        if (v.op === '?:') return dedupe([...this.pointees(v.args[1]), ...this.pointees(v.args[2])]);
        if (v.op === '+' || v.op === '-') return dedupe(v.args.flatMap((a) => (a.kind === 'const' ? [] : this.pointees(a))));
        return [];
      default:
        return [];
    }
  }

  private cell(cells: Map<string, Map<string, Cell>>, target: Loc): Cell {
    let map = cells.get(target.obj.key);
    if (!map) {
      map = new Map();
      cells.set(target.obj.key, map);
    }
    const key = locKey(target);
    let c = map.get(key);
    if (!c) {
      c = { obj: target.obj.key, path: target.path, targets: new Map(), origins: new Map(), opaque: false };
      map.set(key, c);
    }
    return c;
  }

  private markAssigned(target: Loc, opaque: boolean): void {
    const c = this.cell(this.assigned, target);
    c.opaque ||= opaque;
  }

  private addPointees(target: Loc, values: Loc[], origin: AssignInstr | null): boolean {
    const cell = this.cell(this.pts, target);
    const set = cell.targets;
    let changed = false;
    for (const v of values) {
      const k = locKey(v);
      const origins = cell.origins.get(k);
      if (origins && origin && !origins.includes(origin)) origins.push(origin);
      if (!set.has(k)) {
        set.set(k, v);
        cell.origins.set(k, origin ? [origin] : null);
        // The first variable an allocation is stored in names it in messages.
        if (v.obj.call && v.obj.name.endsWith('()') && target.obj.sym && target.path.length === 0 && target.obj.sym.storage !== 'temp') v.obj.name = target.obj.sym.name;
        changed = true;
      }
    }
    return changed;
  }

  private solve(): void {
    // Twice: the first pass learns which locations the function assigns, so the second does not invent unknown
    // targets for a pointer merely read before its assignment in CFG order.
    this.propagate();
    this.pts.clear();
    this.propagate();
  }

  private propagate(): void {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = false;
      for (const a of this.assigns) {
        // Pointer arithmetic in place (`p += n`, `p++`) keeps the object p points into.
        if (a.op !== '=' && a.op !== 'init') continue;
        const values = this.pointees(a.value);
        for (const t of this.locsOf(a.place)) {
          this.markAssigned(t, a.value.kind === 'unknown');
          if (this.addPointees(t, values, a)) changed = true;
          // A struct copied whole carries its pointer members along.
          if (a.value.kind === 'load') for (const src of this.locsOf(a.value.place)) if (this.copyMembers(src, t)) changed = true;
        }
      }
      for (const c of this.outParams) {
        const alloc = this.allocation({ ...c, callee: 'malloc' });
        for (const t of this.pointees(c.args[0])) {
          this.markAssigned(t, false);
          if (alloc && this.addPointees(t, [{ obj: alloc, path: [] }], null)) changed = true;
        }
      }
      if (!changed) break;
    }
  }

  private copyMembers(src: Loc, dst: Loc): boolean {
    let changed = false;
    for (const cell of [...(this.pts.get(src.obj.key)?.values() ?? [])]) {
      if (cell.path.length <= src.path.length || !samePath(cell.path.slice(0, src.path.length), src.path)) continue;
      const target = { obj: dst.obj, path: [...dst.path, ...cell.path.slice(src.path.length)] };
      this.markAssigned(target, false);
      if (this.addPointees(target, [...cell.targets.values()], null)) changed = true;
    }
    return changed;
  }

  /**
   * The buffers an iovec argument queues: the iov_base targets of its
   * elements (an array's elements collapse into one location).
   */
  iovecBuffers(iov: Value | undefined, count?: Value, at?: CallInstr): Loc[] {
    const stored = at ? this.mayRunBefore(at) : undefined;
    const n = count?.kind === 'const' && count.value > 0 && count.value <= MAX_SEGMENTS ? count.value : null;
    const elements = (l: Loc): Loc[] => {
      const last = l.path[l.path.length - 1];
      const from = l.path.length === 0 && l.obj.sym?.shape.array ? 0 : last && /^\[\d+\]$/.test(last) ? Number(last.slice(1, -1)) : null;
      if (from === null) return [l];
      const base = l.path.length === 0 ? [] : l.path.slice(0, -1);
      if (n === null) return [{ obj: l.obj, path: [...base, '[]'] }];
      return Array.from({ length: n }, (_, i) => ({ obj: l.obj, path: [...base, `[${from + i}]`] }));
    };
    return dedupe(this.pointees(iov).flatMap(elements).flatMap((el) => this.pointeesAt({ obj: el.obj, path: [...el.path, 'iov_base'] }, stored)));
  }

  private sccs: number[] | null = null;

  /**
   * Assignments that may run before `call`: earlier in the text, or in the
   * same cycle of the CFG (a loop brings later statements back round).
   * Backward gotos out of a cycle are not followed.
   */
  private mayRunBefore(call: CallInstr): (a: AssignInstr) => boolean {
    const scc = (this.sccs ??= components(this.ir));
    const blockOf = this.blockOfInstr();
    const target = scc[this.ir.blockOf(call)];
    return (a) => a.node.startIndex < call.node.startIndex || scc[blockOf.get(a) ?? -1] === target;
  }

  private blocks: Map<Instr, number> | null = null;

  /** The variable of this function a name refers to at an offset (the innermost declaration in scope). */
  private symbolAt(name: string, at: number): IrSymbol | null {
    let best: IrSymbol | null = null;
    for (const sym of this.ir.symbols) {
      if (sym.name !== name || sym.storage === 'temp' || sym.storage === 'extern') continue;
      if (sym.extent && !(sym.extent.start <= at && at < sym.extent.end)) continue;
      if (sym.decl && sym.decl.startIndex > at) continue;
      if (!best || (sym.decl?.startIndex ?? -1) >= (best.decl?.startIndex ?? -1)) best = sym;
    }
    return best;
  }

  /** The CFG node of each instruction. */
  blockOfInstr(): Map<Instr, number> {
    if (!this.blocks) {
      this.blocks = new Map();
      this.ir.code.forEach((list, id) => list.forEach((x) => this.blocks!.set(x, id)));
    }
    return this.blocks;
  }

  /** The memory effects of every instruction of the function, in CFG order. */
  effects(): Effect[] {
    if (this.effectList) return this.effectList;
    const out: Effect[] = [];
    for (const block of this.ir.code) {
      for (const instr of block) {
        if (instr.kind === 'assign') {
          // Declarations and compound literals initialise new objects; they do not change queued memory.
          if (instr.op === 'init') continue;
          out.push({ kind: 'store', callee: '', instr, locs: this.locsOf(instr.place) });
        } else if (instr.kind === 'call') out.push(...this.callEffects(instr));
      }
    }
    this.effectList = out;
    return out;
  }

  private callEffects(c: CallInstr): Effect[] {
    const name = c.callee ?? '';
    const a = c.args;
    const mk = (kind: EffectKind, locs: Loc[]): Effect => ({ kind, callee: name, instr: c, locs: dedupe(locs) });
    const at = (i: number): Loc[] => this.pointees(a[i]);
    if (name === 'free' || name === 'cfree') return [mk('free', at(0))];
    if (name === 'realloc' || name === 'reallocarray') return [mk('realloc', at(0))];
    if (COPYING_FORKS.has(name) && !a.some((x) => mentions(x, /CLONE_VM/))) return [mk('fork', [])];
    if (name === 'munmap') return [mk('relinquish', at(0))];
    if (name === 'madvise') {
      if (mentions(a[2], /MADV_(DONTFORK|WIPEONFORK)/)) return [mk('no-fork', at(0))];
      if (mentions(a[2], /MADV_(DONTNEED|REMOVE)/)) return [mk('relinquish', at(0))];
      return [];
    }
    if ((name === 'mmap' || name === 'mmap64') && mentions(a[3], /MAP_FIXED/)) return [mk('relinquish', at(0))];
    if (INDIRECT_WRITERS.has(name)) return [mk('libc', at(0).flatMap((l) => this.pointeesAt(l)))];
    if (WRITERS[name] || SIMD_STORE.test(name)) return [mk('libc', (WRITERS[name] ?? [0]).flatMap(at))];
    // vmsplice on a pipe's read end copies into the iovec's buffers.
    if ((name === 'vmsplice' || name === 'sys_vmsplice') && this.summaries?.readsIntoIovec(c)) return [mk('libc', this.iovecBuffers(a[1], a[2]))];
    if (IOV_READERS.has(name)) return [mk('libc', this.iovecBuffers(a[1]))];
    if (name === 'recvmsg') {
      const msgs = at(1).map(element);
      return [mk('libc', msgs.flatMap((m) => this.pointeesAt({ obj: m.obj, path: [...m.path, 'msg_iov'] })).map(element).flatMap((el) => this.pointeesAt({ obj: el.obj, path: [...el.path, 'iov_base'] })))];
    }
    if (name in SCANF) return [mk('libc', a.slice(SCANF[name]).flatMap((_, i) => at(i + SCANF[name])))];
    const summary = this.summaries?.of(name);
    if (!summary) return [];
    const out: Effect[] = [];
    for (const e of summary.effects) {
      const locs = e.kind === 'fork' ? [] : e.locs.flatMap((l) => this.translate(l, summary, c));
      if (!(e.kind === 'fork' || locs.length)) continue;
      // A macro expands in place: its body's own write is what happens here.
      if (summary.macro) out.push({ ...mk(e.kind, locs), callee: e.callee });
      else out.push(mk(e.kind === 'store' || e.kind === 'libc' ? 'call' : e.kind, locs));
    }
    return out;
  }

  /**
   * A callee's location in this function's terms at call `c`: the target of
   * parameter k is what argument k points at; globals are themselves; the
   * callee's own variables and allocations are not visible here.
   */
  translate(l: Loc, callee: Summary, c: CallInstr, depth = 0): Loc[] {
    if (depth > 8) return [];
    const o = l.obj;
    const append = (ls: Loc[]): Loc[] => ls.map((x) => ({ obj: x.obj, path: [...x.path, ...l.path] }));
    if (o.sym) {
      if (o.sym.storage !== 'global' && o.sym.storage !== 'extern') return [];
      // A macro's free names mean what they mean where it is used.
      const here = callee.macro ? this.symbolAt(o.sym.name, c.node.startIndex) : null;
      if (here) return append([{ obj: this.varObject(here), path: [] }]);
      return append([{ obj: this.object(o.key, () => ({ ...o })), path: [] }]);
    }
    if (!o.of) return [];
    const holder = o.of;
    const k = holder.path.length === 0 && holder.obj.sym ? callee.paramIndex(holder.obj.sym) : -1;
    if (k >= 0) return append(this.pointees(c.args[k]).map(element));
    return append(this.translate(holder, callee, c, depth + 1).flatMap((h) => this.pointeesAt(h).map(element)));
  }
}

interface Cell {
  obj: string;
  path: string[];
  targets: Map<string, Loc>;
  /** The assignments that stored each target here (null: some other way, such as a struct copy). */
  origins: Map<string, AssignInstr[] | null>;
  opaque: boolean;
}

/** Strongly connected components of the CFG (iterative Tarjan): a component id per node; -1 for none. */
function components(ir: IrFunction): number[] {
  const nodes = ir.cfg.nodes;
  const index = new Array<number>(nodes.length).fill(-1);
  const low = new Array<number>(nodes.length).fill(0);
  const comp = new Array<number>(nodes.length).fill(-1);
  const onStack = new Array<boolean>(nodes.length).fill(false);
  const stack: number[] = [];
  let counter = 0;
  let ncomp = 0;
  for (let root = 0; root < nodes.length; root++) {
    if (index[root] !== -1) continue;
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length) {
      const top = work[work.length - 1];
      const succ = nodes[top.v].succ;
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push({ v: w, i: 0 });
        } else if (onStack[w]) low[top.v] = Math.min(low[top.v], index[w]);
        continue;
      }
      work.pop();
      if (work.length) low[work[work.length - 1].v] = Math.min(low[work[work.length - 1].v], low[top.v]);
      if (low[top.v] === index[top.v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          comp[w] = ncomp;
        } while (w !== top.v);
        ncomp++;
      }
    }
  }
  return comp;
}

/** A pointer to an array's start points at its elements. */
function element(l: Loc): Loc {
  return l.path.length === 0 && l.obj.sym?.shape.array ? { obj: l.obj, path: ['[]'] } : l;
}

function dedupe(locs: Loc[]): Loc[] {
  const seen = new Map<string, Loc>();
  for (const l of locs) if (!seen.has(locKey(l))) seen.set(locKey(l), l);
  return [...seen.values()];
}

/** What a project function (or function-like macro) does to memory its caller can see. */
export interface Summary {
  effects: Effect[];
  /** A function-like macro, whose effects happen at the use as written in its body. */
  macro: boolean;
  /** The parameter position a symbol of the callee stands for, -1 if none. */
  paramIndex(sym: IrSymbol): number;
}

/**
 * Summaries of the project's functions and macros, computed on demand with
 * their own callees' summaries substituted in (a fixpoint by recursion;
 * a recursive cycle sees an empty summary for the function in progress).
 */
export class Summaries {
  private readonly done = new Map<string, Summary | null>();
  /** Keyed by the IR object, which ir/cache.ts makes once per function (never by tree-sitter node). */
  private readonly models = new WeakMap<IrFunction, MemoryModel>();

  constructor(
    private readonly lookup: (name: string) => { ir: IrFunction; paramIndex(sym: IrSymbol): number; macro: boolean } | null,
    /** Is this vmsplice call on a pipe's read end (so it copies into its iovec's buffers)? */
    readonly readsIntoIovec: (call: CallInstr) => boolean,
  ) {}

  modelOf(ir: IrFunction): MemoryModel {
    let m = this.models.get(ir);
    if (!m) {
      m = new MemoryModel(ir, this);
      this.models.set(ir, m);
    }
    return m;
  }

  of(name: string): Summary | null {
    if (this.done.has(name)) return this.done.get(name)!;
    const def = this.lookup(name);
    if (!def) {
      this.done.set(name, null);
      return null;
    }
    this.done.set(name, { effects: [], paramIndex: def.paramIndex, macro: def.macro });
    const model = this.modelOf(def.ir);
    const visible = (l: Loc): boolean => {
      let o: MemObject = l.obj;
      for (let i = 0; i < 16; i++) {
        if (o.sym) return o.sym.storage === 'global' || o.sym.storage === 'extern' || (o.sym !== l.obj.sym && def.paramIndex(o.sym) >= 0);
        if (!o.of) return false;
        if (o.of.obj.sym && o.of.path.length === 0 && def.paramIndex(o.of.obj.sym) >= 0) return true;
        o = o.of.obj;
      }
      return false;
    };
    const effects = model
      .effects()
      .filter((e) => e.kind !== 'no-fork')
      .map((e) => ({ ...e, locs: e.locs.filter(visible) }))
      .filter((e) => e.kind === 'fork' || e.locs.length);
    const s: Summary = { effects, paramIndex: def.paramIndex, macro: def.macro };
    this.done.set(name, s);
    return s;
  }
}
