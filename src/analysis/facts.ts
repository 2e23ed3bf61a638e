import type { Location } from '../types.js';
import type { SyntaxNode } from '../parse.js';
import { CallRecognizer, type Hop, type VmspliceCall } from './calls.js';
import type { FileIndex } from './fileindex.js';
import { LifetimeAnalysis, type BufferEvent, type BufferRoot, type EventKind } from './lifetime.js';
import { analyzeResult, type ResultFacts, type ResultUse } from './results.js';
import { destinationOf, type Consumer, type ConsumerClass } from './consumers.js';
import { notAPipe, type FdKind } from './fds.js';
import { compactRegionOf, isAncestor, locateRef, refPath, unparen, type NodeRef } from './syntax.js';
import { altsSetting, bitState, Evaluator, type BitState, type Value } from './values.js';
import { spliceFacts, type SpliceFact } from './splices.js';
import { SplicedFileAnalysis, type FileChange } from './spliced-files.js';
import { ExploitShapeAnalysis, type CopyFailShape, type CowLeakShape, type DirtyPipeShape } from './exploit-shapes.js';
import { Mappings, type Backing } from './mappings.js';
import { QueuedMemory } from './queued-memory.js';
import { Alignment } from './alignment.js';
import { resultDrainedAsQueued } from './result-as-queued.js';
import { afAlgAssumption, type KernelFloor } from './kernel.js';

/** What rules read about one file. Rules never walk syntax trees themselves. */
export interface FileFacts {
  path: string;
  vmsplice: VmspliceFact[];
  /** splice() and tee() calls written in this file, for flag rules. */
  splices: SpliceFact[];
  /** splice() calls from a file into a pipe after which the file changes while the pipe may hold its pages (computed on first use). */
  readonly splicedFiles: SplicedFileFact[];
  /** The opt-in exploit shapes (computed on first use). */
  readonly exploitShapes: ExploitShapeFacts;
}

/** An exploit shape with every call of it located. */
type Located<T> = { [K in keyof T]: T[K] extends SyntaxNode ? Location : T[K] };

export interface ExploitShapeFacts {
  dirtyPipe: Located<DirtyPipeShape>[];
  copyFail: Located<CopyFailShape>[];
  cowLeak: Located<CowLeakShape>[];
}

export interface SplicedFileFact {
  /** The splice() call (or the call of the project function that splices). */
  splice: Location;
  /** The source descriptor as written, and where it was opened, when known. */
  source: string;
  openedAt: Location | null;
  changes: { location: Location; what: string; same: FileChange['same']; through: string | null; steps: Location[] }[];
}


export interface FlagDecision {
  state: BitState;
  /** Names the bit's value came through, and where it was set (null when unknown or not in this file). */
  via: string[];
  setAt: Location | null;
  /** The expression that set the bit (what a fix edits), with `setAt`. */
  setAtRef: NodeRef | null;
  /** Where a finding about the bit belongs, and the hops from there to the real call. */
  location: Location;
  hops: Hop[];
}

export interface FlagFacts {
  /** The value at the call site, with wrapper parameters bound to what the site passes. */
  value: Value;
  state(bit: number): BitState;
  /**
   * The verdict on one flag bit and where it belongs: inside the wrapper when
   * the wrapper sets the bit whatever its callers pass (reported once), else
   * at the outermost call whose arguments decide it.
   */
  decide(bit: number): FlagDecision;
}

export interface VmspliceFact {
  call: VmspliceCall;
  /** Where findings about the call are reported. */
  location: Location;
  /** The real vmsplice() or syscall() call, when it is not the reported site (macros, wrappers). */
  innerLocation: Location | null;
  /** Wrappers, macros and syscall entry points between the site and the real call. */
  hops: Hop[];
  /** null when the call has no flags argument. */
  flags: FlagFacts | null;
  /** The queued memory and what happens to it while the pipe may hold it. */
  lifetime: {
    direction: 'write' | 'read';
    /** Writes and releases of the queued memory. */
    events: BufferEventFact[];
    /** fork() (or clone without CLONE_VM) while private queued memory may still be in the pipe. */
    forks: BufferEventFact[];
    /** Refills were discharged by verified double buffering (semantics.md S4). */
    doubleBuffered: boolean;
    /** The refills S4 discharged, which buffer-modified-after-vmsplice therefore does not report, and the pipe-size check. */
    dischargedByS4: { events: BufferEventFact[]; check: Location } | null;
    /** The function could not be given a control-flow graph: no lifetime events were looked for. */
    unstructured: boolean;
    /**
     * Why the queued memory may change while a consumer still references it, or null when it provably stays as it
     * is for the rest of the process (allocated here, only read, unmapped or kept after the call).
     */
    mutable: { why: string; location: Location | null } | null;
    /** A fork that copied the address space before the call, while the queued memory already existed. */
    forkedBefore: { location: Location; callee: string } | null;
  };
  result: { use: ResultUse; location: Location; variable: string | null; deliberate: boolean; detail: ResultFacts['detail'] };
  /** Where the queued pages go: the fd written to and the consumers of its pipe. */
  destination: {
    fd: FdKind;
    /** Why the fd cannot be a pipe, when it provably is not one. */
    notAPipe: string | null;
    /** Where the fd was made (open(), socket(), ...), when known. */
    fdCreatedAt: Location | null;
    /** The fd is the write end of a pipe made in this file. */
    localPipe: boolean;
    consumers: ConsumerFact[];
    /** The kernel assumption the consumers' classes rest on (an AF_ALG consumer), for messages; null when none does. */
    assumption: string | null;
  };
  /** What the iovec points at, element by element (as far as the elements are known). */
  memory: MemoryFact[];
  /** A splice() or tee() out of the same descriptor whose length is this call's result. */
  drainedAsQueued: Location | null;
  /** iov_len values and iov_base offsets from page-aligned memory whose low bits are known (gift-unaligned). */
  alignment: AlignmentFact[];
}

export interface AlignmentFact {
  kind: 'length' | 'offset';
  text: string;
  location: Location;
  /** The value modulo 64 KiB, one per alternative. */
  residues: number[];
  /** For offsets: the alignment the memory starts on (bytes); page-aligned memory counts as 64 KiB. */
  rootAlignment: number | null;
}

export interface MemoryFact {
  /** The iov_base expression (without casts), where the outermost caller wrote it. */
  text: string;
  /** Written at the reported call site, not inside the wrapper or macro it calls. */
  atSite: boolean;
  location: Location;
  /** Why the memory cannot be written (a string literal, a const object, a PROT_READ mapping), or null. */
  readOnly: { what: string; may: boolean; location: Location } | null;
  /** The mmap() calls whose memory it may point into. */
  mappings: MappingFact[];
}

export interface MappingFact {
  location: Location;
  backing: Backing;
  /** The mapped descriptor's kind and where it was made, when known. */
  fd: FdKind;
  fdCreatedAt: Location | null;
  shared: boolean | null;
  readOnly: boolean | null;
}

export interface ConsumerFact {
  class: ConsumerClass;
  what: string;
  sink: Consumer['sink'];
  location: Location;
  createdAt: Location | null;
}

export interface BufferEventFact {
  kind: EventKind;
  callee: string;
  refill: boolean;
  location: Location;
  /** The variable naming the buffer, and its storage. */
  buffer: string;
  storage: string;
  /** The call that queued it, in the event's function (the vmsplice, or a wrapper call), and its callee. */
  queuedAt: Location;
  queuedBy: string;
  /** Statements from the queueing call to the event. */
  path: Location[];
  /** Identifies the function the buffer belongs to, so that one buffer's events can be told from a namesake's. */
  owner: string;
  /** The pipe is drained after the write, so the code relies on the reader seeing the new bytes. */
  reliance: boolean;
  /** For scope exits: by a return statement, or by leaving the block at its closing brace. */
  scopeEnd: 'return' | 'block' | null;
}

/** `kernel`: the oldest kernel the program supports (semantics.md kernel_floor), null when not given. */
export function buildFacts(path: string, index: FileIndex, kernel: KernelFloor | null = null): FileFacts {
  // Nodes may come from other files of the project (a wrapper in a header).
  const locate = (ref: NodeRef): Location => locateRef(ref, index.pathOf?.bind(index), path);
  const fileOf = (ref: NodeRef): string => refPath(ref, index.pathOf?.bind(index), path);
  const lineEnds = lineLengths(index.text);
  // Multi-line nodes shrink to their first line: PR annotations need every line of a region in the diff.
  const at = (node: SyntaxNode): Location => {
    const { region, path: file } = locate({ node, frag: null });
    if (region.endLine === region.startLine || node.tree !== index.tree) return { path: file, region };
    return { path, region: { ...region, endLine: region.startLine, endColumn: (lineEnds[region.startLine - 1] ?? 0) + 1 } };
  };
  const evaluator = new Evaluator(index);
  const standalone = new Evaluator(index, true);
  const lifetimes = new LifetimeAnalysis(index, kernel);
  const recognizer = new CallRecognizer(index);
  const mappings = new Mappings(index, lifetimes.fds);
  const queuedMemory = new QueuedMemory(index, lifetimes.buffers, mappings);
  const alignment = new Alignment(index, lifetimes.buffers, evaluator, mappings);
  const calls = recognizer.callSites();
  const flagsLocation = (n: SyntaxNode): Location => ({ path: fileOf({ node: n, frag: null }), region: compactRegionOf({ node: n, frag: null }, headOf(n)) });
  const vmsplice = calls.map((call): VmspliceFact => {
    const flagsSite = recognizer.flagsSite(call);
    const inner = call.hops[call.hops.length - 1].at;
    const flagsArg = call.args.flags;
    let flags: FlagFacts | null = null;
    if (flagsArg) {
      const value = evaluator.eval(flagsArg);
      const hasWrapper = call.hops.some((h) => h.kind === 'wrapper');
      const own = hasWrapper ? standalone.eval(flagsArg) : value;
      // The innermost call written in the file (not in a macro body): where a wrapper's own flags are.
      let innerHop = 0;
      call.hops.forEach((h, i) => {
        if (!h.at.frag) innerHop = i;
      });
      const decision = (v: Value, bit: number, node: SyntaxNode, hop: number): FlagDecision => {
        const alts = altsSetting(v, bit);
        const ref = alts.map((a) => a.setAt.get(bit)).find((r) => r !== undefined);
        return {
          state: bitState(v, bit),
          via: [...new Set(alts.flatMap((a) => a.bitVia.get(bit) ?? []))],
          setAt: ref ? locate(ref) : null,
          setAtRef: ref ?? null,
          location: flagsLocation(node),
          hops: call.hops.slice(hop),
        };
      };
      flags = {
        value,
        state: (bit) => bitState(value, bit),
        decide: (bit) => {
          const ownState = bitState(own, bit);
          if (hasWrapper && (ownState === 'must' || ownState === 'may')) return decision(own, bit, call.hops[innerHop].at.node, innerHop);
          return decision(value, bit, flagsSite.node, flagsSite.hop);
        },
      };
    }
    const siteLocation: Location = { path, region: compactRegionOf({ node: call.site, frag: null }, call.head) };
    const fact: VmspliceFact = {
      call,
      location: siteLocation,
      innerLocation: call.hops.length > 1 ? locate(inner) : null,
      hops: call.hops,
      flags,
      lifetime: lifetimeFacts(),
      result: resultFacts(),
      destination: destinationFacts(),
      memory: memoryFacts(),
      drainedAsQueued: drainFact(),
      alignment: alignment.sizes(call).map((s) => ({
        kind: s.kind,
        text: s.expr.text,
        location: s.inMacro ? siteLocation : at(s.expr),
        residues: s.residues,
        rootAlignment: s.rootAlignment,
      })),
    };
    // A call on something that is not a pipe fails with EBADF: nothing is queued, nothing else applies.
    if (fact.destination.notAPipe) fact.lifetime = { ...fact.lifetime, events: [], forks: [], dischargedByS4: null };
    return fact;

    function destinationFacts(): VmspliceFact['destination'] {
      const d = destinationOf(call, index, lifetimes.fds, kernel);
      const made = 'at' in d.fd && d.fd.at ? at(d.fd.at) : null;
      return {
        fd: d.fd,
        notAPipe: notAPipe(d.fd),
        fdCreatedAt: made,
        localPipe: d.pipe !== null,
        consumers: d.consumers.map((c) => ({
          class: c.class,
          what: c.what,
          sink: c.sink,
          location: at(c.at),
          createdAt: c.createdAt ? at(c.createdAt) : null,
        })),
        assumption: d.consumers.some((c) => c.sink === 'af-alg') ? afAlgAssumption(kernel) : null,
      };
    }

    function lifetimeFacts(): VmspliceFact['lifetime'] {
      const l = lifetimes.analyze(call);
      const eventFact = (e: BufferEvent): BufferEventFact => ({
          kind: e.kind,
          callee: e.callee,
          refill: e.refill,
          location: at(e.node),
          buffer: e.root.variable + e.root.member.replace(/^\./, '.'),
          owner: `${e.root.scope.node?.startIndex ?? -1}`,
          storage: e.root.kind,
          queuedAt: at(e.queuedAt),
          queuedBy: (e.queuedAt.type === 'call_expression' ? e.queuedAt.childForFieldName('function') : e.queuedAt)?.text ?? 'vmsplice',
          path: e.path.map(at),
          reliance: e.reliance === true,
          scopeEnd: e.kind !== 'scope-exit' ? null : e.node.type === 'return_statement' || e.node.parent?.parent?.type === 'function_definition' ? 'return' : 'block',
      });
      const all = l.events.map(eventFact);
      const events = all.filter((e) => e.kind !== 'fork');
      const discharged = l.dischargedByS4 ? l.dischargedByS4.events.map(eventFact) : [];
      return {
        direction: l.direction,
        doubleBuffered: l.doubleBuffered,
        dischargedByS4: l.dischargedByS4 ? { events: discharged, check: at(l.dischargedByS4.check) } : null,
        unstructured: call.scope.kind !== 'function' || lifetimes.unstructured.has(call.scope),
        events,
        forks: all.filter((e) => e.kind === 'fork'),
        mutable: mutability(l.roots, l.unresolved, events, discharged),
        forkedBefore: l.forkedBefore ? { location: at(l.forkedBefore.node), callee: l.forkedBefore.callee } : null,
      };
    }

    function mutability(roots: BufferRoot[], unresolved: boolean, events: BufferEventFact[], discharged: BufferEventFact[]): VmspliceFact['lifetime']['mutable'] {
      const e = events[0];
      if (e) return { why: `'${e.buffer}' changes on line ${e.location.region.startLine}`, location: e.location };
      // S4 only proves the half left the pipe; a consumer that keeps page references still sees the refill.
      const r = discharged[0];
      if (r) return { why: `'${r.buffer}' is refilled on line ${r.location.region.startLine} once the pipe-size check says it left the pipe`, location: r.location };
      const owned = roots.find((r) => r.kind === 'param');
      if (owned) return { why: `'${owned.variable}' belongs to the caller, which may reuse it`, location: null };
      // In main() nothing runs after the call but what is in view: memory of unknown origin is kept until exit.
      if ((unresolved || roots.some((r) => r.kind === 'unknown')) && call.scope.name !== 'main') return { why: 'the queued memory comes from code this analysis does not see, which may reuse it', location: null };
      return null;
    }

    function memoryFacts(): MemoryFact[] {
      return queuedMemory.bases(call).map((b) => {
        // Nodes of a macro body are not in the file's tree: such an expression is located at the call.
        const where = (n: SyntaxNode): Location => (b.inMacro && isAncestor(b.expr, n) ? siteLocation : at(n));
        return {
          text: withoutCasts(b.expr).text,
          atSite: b.atSite,
          location: where(b.expr),
          readOnly: b.readOnly ? { what: b.readOnly.what, may: b.readOnly.may, location: where(b.readOnly.at) } : null,
          mappings: b.mappings.map((m) => ({
            location: at(m.at),
            backing: m.backing,
            fd: m.fd,
            fdCreatedAt: 'at' in m.fd && m.fd.at ? at(m.fd.at) : null,
            shared: m.shared,
            readOnly: m.readOnly,
          })),
        };
      });
    }

    function drainFact(): Location | null {
      const d = resultDrainedAsQueued(call, index);
      return d ? at(d) : null;
    }

    function resultFacts(): VmspliceFact['result'] {
      const r = analyzeResult(call, index, lifetimes.buffers);
      return { use: r.use, location: locate(r.at), variable: r.variable, deliberate: r.deliberate, detail: r.detail };
    }
  });
  let splicedFiles: SplicedFileFact[] | undefined;
  let exploitShapes: ExploitShapeFacts | undefined;
  const located = <T extends object>(shape: T): Located<T> =>
    Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, typeof v === 'object' && v !== null && 'startIndex' in v ? at(v as SyntaxNode) : v])) as Located<T>;
  return {
    path,
    vmsplice,
    splices: spliceFacts(path, index, evaluator, lifetimes.fds),
    get splicedFiles(): SplicedFileFact[] {
      splicedFiles ??= new SplicedFileAnalysis(index, lifetimes.fds, evaluator).analyze().map((f) => ({
        splice: at(f.site.node),
        source: f.site.input.expr.text,
        openedAt: f.openedAt ? at(f.openedAt) : null,
        changes: f.changes.map((c) => ({ location: at(c.node), what: c.what, same: c.same, through: c.through, steps: c.steps.map(at) })),
      }));
      return splicedFiles;
    },
    get exploitShapes(): ExploitShapeFacts {
      if (!exploitShapes) {
        const s = new ExploitShapeAnalysis(index, lifetimes.fds, lifetimes).analyze(calls);
        exploitShapes = { dirtyPipe: s.dirtyPipe.map(located), copyFail: s.copyFail.map(located), cowLeak: s.cowLeak.map(located) };
      }
      return exploitShapes;
    },
  };


}


function withoutCasts(n: SyntaxNode): SyntaxNode {
  const e = unparen(n);
  return e.type === 'cast_expression' ? withoutCasts(e.childForFieldName('value') ?? e) : e;
}

function headOf(n: SyntaxNode): SyntaxNode {
  return n.type === 'call_expression' ? n.childForFieldName('function') ?? n : n;
}

function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}
