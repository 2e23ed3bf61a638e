import type { SyntaxNode } from '../parse.js';
import type { CallInstr, IrFunction, Value } from '../ir/types.js';
import { reachFrom } from './cfg.js';
import type { FdFacts, FdKind } from './fds.js';
import type { FileIndex, Scope } from './fileindex.js';
import { WRITERS } from './libc.js';
import { drainPoints, irOfScope, madeFifoHere, reachAfter, reachedAfter, spliceSites, stepsTo, valuePlace, type SpliceSite } from './splice-sites.js';
import { unparen } from './syntax.js';
import type { Evaluator } from './values.js';

/**
 * semantics.md splice-source-mutated: splice() from a file into a pipe shares the file's page-cache pages, so
 * a change to the spliced range of the file, made before the pipe is drained into a sink that copies, reaches
 * the pipe's reader. Changes are writes through any descriptor of the file (the same descriptor, a copy of it,
 * or another open() of the same path), truncation, hole punching and stores through a MAP_SHARED mapping of it,
 * in the splicing function or in a function of the project it hands the descriptor to.
 */

export interface FileChange {
  /** The call or store that changes the file. */
  node: SyntaxNode;
  /** For messages: "pwrite()", "a store through the shared mapping 'm'". */
  what: string;
  /** How the changed file is known to be the spliced one. */
  same: 'descriptor' | 'path' | 'mapping';
  /** The function of the project the descriptor is handed to, when the change happens inside it. */
  through: string | null;
  /** Statements from the splice to the change. */
  steps: SyntaxNode[];
}

export interface SplicedFile {
  site: SpliceSite;
  /** Where the spliced file was opened, when known. */
  openedAt: SyntaxNode | null;
  changes: FileChange[];
}

interface Writer {
  fd: number;
  /** Argument positions of the written range's offset and length, or the truncation length (`from`). */
  off?: number;
  len?: number;
  from?: number;
  mode?: number;
  /** Writes at the descriptor's file position. */
  positional?: boolean;
  /** Succeeds only on a regular file (a socket or pipe gets ESPIPE or EINVAL), so it proves what the descriptor is. */
  provesFile: boolean;
}

const FILE_WRITERS: Record<string, Writer> = {
  write: { fd: 0, positional: true, provesFile: false },
  writev: { fd: 0, positional: true, provesFile: false },
  sendfile: { fd: 0, positional: true, provesFile: false },
  pwrite: { fd: 0, off: 3, len: 2, provesFile: true },
  pwrite64: { fd: 0, off: 3, len: 2, provesFile: true },
  pwritev: { fd: 0, off: 3, provesFile: true },
  pwritev2: { fd: 0, off: 3, provesFile: true },
  pwritev64: { fd: 0, off: 3, provesFile: true },
  ftruncate: { fd: 0, from: 1, provesFile: true },
  ftruncate64: { fd: 0, from: 1, provesFile: true },
  fallocate: { fd: 0, mode: 1, off: 2, len: 3, provesFile: true },
  copy_file_range: { fd: 2, len: 4, provesFile: true },
  splice: { fd: 2, len: 4, provesFile: false },
};

/** fallocate() modes that change the file's data: PUNCH_HOLE, COLLAPSE_RANGE, ZERO_RANGE, INSERT_RANGE (linux/falloc.h). */
const DATA_MODES = 0x02 | 0x08 | 0x10 | 0x20;
const SHIFTING_MODES = 0x08 | 0x20;
const MODE_NAMES = /FALLOC_FL_(PUNCH_HOLE|COLLAPSE_RANGE|ZERO_RANGE|INSERT_RANGE)/;
const SHIFTING_NAMES = /FALLOC_FL_(COLLAPSE_RANGE|INSERT_RANGE)/;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const HELPER_DEPTH = 2;

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
}

/** The open() call behind a descriptor kind, with its path and flags as written. */
function opening(k: FdKind): { at: SyntaxNode; path: string | null; flags: string } | null {
  if (k.kind !== 'file') return null;
  const a = args(k.at);
  const at = /^openat/.test(k.at.childForFieldName('function')?.text ?? '') ? 1 : 0;
  const p = a[at] ? unparen(a[at]) : null;
  return { at: k.at, path: p ? p.text : null, flags: a[at + 1]?.text ?? '' };
}

/** Is the call evaluated only on some paths through its expression (right of && or ||, an arm of ?:)? */
function shortCircuited(call: SyntaxNode): boolean {
  for (let n = call; n.parent && !/statement$|declaration$/.test(n.parent.type); n = n.parent) {
    const p = n.parent;
    if (p.type === 'binary_expression' && /^(&&|\|\|)$/.test(p.childForFieldName('operator')?.text ?? '') && p.childForFieldName('right')?.id === n.id) return true;
    if (p.type === 'conditional_expression' && p.childForFieldName('condition')?.id !== n.id) return true;
  }
  return false;
}

type Range = { lo: number; hi: number } | null;

function overlaps(a: Range, b: Range): boolean {
  return a === null || b === null || (a.lo < b.hi && b.lo < a.hi);
}

export class SplicedFileAnalysis {
  private readonly helperWrites = new Map<string, { param: number; callee: string }[]>();

  constructor(
    private readonly index: FileIndex,
    private readonly fds: FdFacts,
    private readonly evaluator: Evaluator,
  ) {}

  analyze(): SplicedFile[] {
    const out: SplicedFile[] = [];
    for (const site of spliceSites(this.index, this.fds)) {
      const r = this.analyzeSite(site);
      if (r) out.push(r);
    }
    return out;
  }

  /** `anchor`: where the value is read (before the call that takes the variable's address). */
  private constant(node: SyntaxNode | null | undefined, scope: Scope, anchor: SyntaxNode | null = node ?? null): number | null {
    if (!node || !anchor) return null;
    const v = this.evaluator.eval({ node, frag: null, scope, binding: null, anchor });
    return v.length === 1 && v[0].known === 0xffffffff ? v[0].value : null;
  }

  /** The spliced byte range, when off_in is `&x` with a constant x and the length is constant. */
  private splicedRange(site: SpliceSite): Range {
    const off = site.offIn ? unparen(site.offIn) : null;
    const target = off?.type === 'pointer_expression' && off.children[0]?.type === '&' ? off.childForFieldName('argument') : null;
    const lo = target ? this.constant(target, site.scope, site.node) : null;
    const len = this.constant(site.len, site.scope);
    return lo !== null && len !== null ? { lo, hi: lo + len } : null;
  }

  private analyzeSite(site: SpliceSite): SplicedFile | null {
    // The fd analysis calls an open() of any path text some mkfifo() of the tree names a FIFO; only this file's count.
    const given = site.input.kind;
    const source: FdKind = given.kind === 'fifo' && !madeFifoHere(given.at, this.index) ? { kind: 'file', path: null, creates: false, at: given.at } : given;
    const open = opening(source);
    // Only a file gives page-cache pages; O_DIRECT and procfs/sysfs/device files are read into fresh pages (a copy).
    if (open && (/\bO_DIRECT\b/.test(open.flags) || /^"\/(proc|sys|dev)\//.test(open.path ?? ''))) return null;
    if (this.directBefore(site)) return null;
    const maybeFile = open !== null || source.kind === 'parameter' || source.kind === 'unknown' || (source.kind === 'std' && source.n === 0);
    const intoPipe = ['pipe-end', 'fifo', 'std', 'parameter', 'unknown'].includes(site.output.kind.kind) && !(site.output.pipe && site.output.pipe.end === 0);
    if (!maybeFile || !intoPipe) return null;

    const blocked = drainPoints(site, this.index, this.fds);
    const reach = reachAfter(site, blocked);
    const range = this.splicedRange(site);
    const changes: FileChange[] = [];
    const ir = site.ir;
    const after = (block: number, node: SyntaxNode): boolean => block >= 0 && reachedAfter(site, reach, blocked, block, node);
    const sameFile = (expr: SyntaxNode | undefined, value: Value | undefined): 'descriptor' | 'path' | null => {
      if (!expr) return null;
      const place = valuePlace(value);
      if (place !== null && place === site.input.place) return 'descriptor';
      const other = opening(this.fds.kindOf(expr, site.scope));
      if (!open || !other) return null;
      if (other.at.startIndex === open.at.startIndex && other.at.tree === open.at.tree) return 'descriptor';
      return other.path !== null && other.path === open.path ? 'path' : null;
    };

    for (const call of ir.calls) {
      if (!call.callee || call.node.id === site.node.id) continue;
      const block = ir.blockOf(call);
      if (!after(block, call.node)) continue;
      const a = args(call.node);
      const w = FILE_WRITERS[call.callee];
      if (w) {
        const same = sameFile(a[w.fd], call.args[w.fd]);
        if (!same || !this.changesRange(w, a, site, range, same, open !== null)) continue;
        changes.push({ node: call.node, what: `${call.callee}()`, same, through: null, steps: stepsTo(site, reach, block) });
        continue;
      }
      if ((call.callee === 'truncate' || call.callee === 'truncate64') && open?.path && a[0] && unparen(a[0]).text === open.path) {
        const from = this.constant(a[1], site.scope);
        if (range && from !== null && from >= range.hi) continue;
        changes.push({ node: call.node, what: `${call.callee}()`, same: 'path', through: null, steps: stepsTo(site, reach, block) });
        continue;
      }
      for (const h of this.helperWritesOf(call.callee, 0)) {
        const same = sameFile(a[h.param], call.args[h.param]);
        // Inside the helper, offsets are the helper's own: the range is not compared.
        if (!same || (!FILE_WRITERS[h.callee].provesFile && open === null)) continue;
        if (FILE_WRITERS[h.callee].positional && same === 'descriptor' && site.offIn === null) continue;
        changes.push({ node: call.node, what: `${h.callee}() inside '${call.callee}()'`, same, through: call.callee, steps: stepsTo(site, reach, block) });
        break;
      }
    }
    changes.push(...this.mappingStores(site, ir, sameFile, after, reach));
    return changes.length ? { site, openedAt: open?.at ?? null, changes } : null;
  }

  /** O_DIRECT set with fcntl(F_SETFL) on the spliced descriptor on every path to the splice: splice() copies too. */
  private directBefore(site: SpliceSite): boolean {
    const ir = site.ir;
    const at = ir.blockOf(site.instr);
    return site.input.place !== null && ir.calls.some((c) => {
      const a = args(c.node);
      if (c.callee !== 'fcntl' || valuePlace(c.args[0]) !== site.input.place) return false;
      if (!/\bF_SETFL\b/.test(a[1]?.text ?? '') || !/\bO_DIRECT\b/.test(a[2]?.text ?? '')) return false;
      // The CFG does not split `a && f()`: a call evaluated on one side of a condition sets nothing on every path.
      if (shortCircuited(c.node)) return false;
      const block = ir.blockOf(c);
      if (block === at) return c.node.endIndex <= site.node.startIndex;
      return !reachFrom(ir.cfg, ir.cfg.entry, (id) => id === block, () => false).reached.has(at);
    });
  }

  /** Does this call change bytes of the spliced range? */
  private changesRange(w: Writer, a: SyntaxNode[], site: SpliceSite, range: Range, same: 'descriptor' | 'path', knownFile: boolean): boolean {
    // write() to a socket is no file change: descriptors of unknown kind count only for calls that need a file.
    if (!w.provesFile && !knownFile) return false;
    if (w.positional) {
      const mine = opening(this.fds.kindOf(a[w.fd], site.scope));
      // Appending never touches existing bytes; after a splice that advanced this descriptor's position, a write
      // through it lands after the spliced bytes.
      if (mine && /\bO_APPEND\b/.test(mine.flags)) return false;
      return !(same === 'descriptor' && site.offIn === null);
    }
    if (w.mode !== undefined) {
      const mode = this.constant(a[w.mode], site.scope);
      const text = a[w.mode]?.text ?? '';
      const changes = MODE_NAMES.test(text) || (mode !== null && (mode & DATA_MODES) !== 0);
      if (!changes) return false;
      const shifts = SHIFTING_NAMES.test(text) || (mode !== null && (mode & SHIFTING_MODES) !== 0);
      const lo = this.constant(a[w.off!], site.scope);
      const len = this.constant(a[w.len!], site.scope);
      return overlaps(range, lo === null ? null : { lo, hi: shifts || len === null ? Infinity : lo + len });
    }
    if (w.from !== undefined) {
      const from = this.constant(a[w.from], site.scope);
      return overlaps(range, from === null ? null : { lo: from, hi: Infinity });
    }
    const lo = w.off !== undefined ? this.constant(a[w.off], site.scope) : null;
    const len = w.len !== undefined ? this.constant(a[w.len], site.scope) : null;
    // A write of unknown length (pwritev's iovecs, a run-time count) still starts at its offset and goes forward.
    return overlaps(range, lo === null ? null : { lo, hi: len === null ? Infinity : lo + len });
  }

  /** Stores (and libc writes) through a MAP_SHARED mapping of the spliced file, after the splice. */
  private mappingStores(
    site: SpliceSite,
    ir: IrFunction,
    sameFile: (expr: SyntaxNode | undefined, value: Value | undefined) => 'descriptor' | 'path' | null,
    after: (block: number, node: SyntaxNode) => boolean,
    reach: ReturnType<typeof reachAfter>,
  ): FileChange[] {
    const maps = new Map<number, CallInstr>();
    for (const c of ir.calls) {
      if (c.callee !== 'mmap' && c.callee !== 'mmap64') continue;
      const a = args(c.node);
      const flags = this.constant(a[3], site.scope);
      const shared = /\bMAP_SHARED/.test(a[3]?.text ?? '') || (flags !== null && (flags & MAP_SHARED) !== 0 && (flags & MAP_PRIVATE) === 0);
      if (shared && sameFile(a[4], c.args[4])) maps.set(c.id, c);
    }
    if (!maps.size) return [];
    // Pointers holding the mapping, or pointing into it, to a fixpoint over copies and pointer arithmetic.
    const holders = new Map<number, string>();
    const into = (v: Value): string | null => {
      if (v.kind === 'result' && maps.has(v.call)) return 'mmap';
      if (v.kind === 'load' && v.place.path.length === 0) return holders.get(v.place.base.id) ?? null;
      if (v.kind === 'op' && (v.op === '+' || v.op === '-')) return into(v.args[0]);
      return null;
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (const block of ir.code) for (const ins of block) {
        if (ins.kind !== 'assign' || ins.place.path.length || holders.has(ins.place.base.id)) continue;
        if ((ins.op === '=' || ins.op === 'init') && into(ins.value)) {
          holders.set(ins.place.base.id, ins.place.base.name);
          changed = true;
        }
      }
    }
    const out: FileChange[] = [];
    ir.code.forEach((block, id) => {
      for (const ins of block) {
        let name: string | null = null;
        if (ins.kind === 'assign' && ins.place.path.length > 0 && (ins.place.path[0].kind === 'deref' || ins.place.path[0].kind === 'index')) {
          name = holders.get(ins.place.base.id) ?? null;
        } else if (ins.kind === 'call' && ins.callee && WRITERS[ins.callee]) {
          name = WRITERS[ins.callee].map((k) => (ins.args[k] ? into(ins.args[k]) : null)).find((x) => x) ?? null;
          if (name === 'mmap') name = null;
        }
        if (!name || !after(id, ins.node)) continue;
        const what = ins.kind === 'call' ? `${ins.callee}() into the shared mapping '${name}'` : `a store through the shared mapping '${name}'`;
        out.push({ node: ins.node, what, same: 'mapping', through: null, steps: stepsTo(site, reach, id) });
      }
    });
    return out;
  }

  /** Parameters a function of the project passes as the descriptor of a file-changing call (its summary). */
  private helperWritesOf(name: string, depth: number): { param: number; callee: string }[] {
    const cached = this.helperWrites.get(name);
    if (cached) return cached;
    this.helperWrites.set(name, []);
    const f = this.index.functions.get(name);
    const ir = f && depth < HELPER_DEPTH ? irOfScope(f.scope, this.index) : null;
    const out: { param: number; callee: string }[] = [];
    for (const c of ir?.calls ?? []) {
      if (!c.callee) continue;
      const paramOf = (v: Value | undefined): number => (v?.kind === 'load' && v.place.path.length === 0 && v.place.base.storage === 'param' ? ir!.params.findIndex((p) => p.id === v.place.base.id) : -1);
      const w = FILE_WRITERS[c.callee];
      if (w && w.mode === undefined) {
        const k = paramOf(c.args[w.fd]);
        if (k >= 0) out.push({ param: k, callee: c.callee });
      } else if (!w) {
        for (const h of this.helperWritesOf(c.callee, depth + 1)) {
          const k = paramOf(c.args[h.param]);
          if (k >= 0) out.push({ param: k, callee: h.callee });
        }
      }
    }
    this.helperWrites.set(name, out);
    return out;
  }
}

