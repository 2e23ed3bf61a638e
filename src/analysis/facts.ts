import type { Location } from '../types.js';
import type { SyntaxNode } from '../parse.js';
import { CallRecognizer, type Hop, type VmspliceCall } from './calls.js';
import type { FileIndex } from './fileindex.js';
import { LifetimeAnalysis, type EventKind } from './lifetime.js';
import { analyzeResult, type ResultUse } from './results.js';
import { compactRegionOf, regionOf, type NodeRef } from './syntax.js';
import { altsSetting, bitState, Evaluator, type BitState, type Value } from './values.js';

/** What rules read about one file. Rules never walk syntax trees themselves. */
export interface FileFacts {
  path: string;
  vmsplice: VmspliceFact[];
}

export interface FlagFacts {
  value: Value;
  state(bit: number): BitState;
  /** Names the bit's value came through, and where it was set (null when unknown or not in this file). */
  origin(bit: number): { via: string[]; setAt: Location | null };
}

export interface VmspliceFact {
  call: VmspliceCall;
  /** Where findings about the call are reported. */
  location: Location;
  /** Where findings about its flags are reported: the site, or inside the wrapper that fixes them. */
  flagsLocation: Location;
  /** The real vmsplice() or syscall() call, when it is not the reported site (macros, wrappers). */
  innerLocation: Location | null;
  /** Wrappers, macros and syscall entry points between the site and the real call. */
  hops: Hop[];
  /** null when the call has no flags argument. */
  flags: FlagFacts | null;
  /** The queued memory and what happens to it while the pipe may hold it. */
  lifetime: {
    direction: 'write' | 'read';
    events: BufferEventFact[];
    /** Refills were discharged by verified double buffering (semantics.md S4). */
    doubleBuffered: boolean;
  };
  result: { use: ResultUse; location: Location; variable: string | null };
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
  /** For scope exits: by a return statement, or by leaving the block at its closing brace. */
  scopeEnd: 'return' | 'block' | null;
}

export function buildFacts(path: string, index: FileIndex): FileFacts {
  const locate = (ref: NodeRef): Location => ({ path, region: regionOf(ref) });
  const lineEnds = lineLengths(index.text);
  // Multi-line nodes shrink to their first line: PR annotations need every line of a region in the diff.
  const at = (node: SyntaxNode): Location => {
    const { region } = locate({ node, frag: null });
    if (region.endLine === region.startLine) return { path, region };
    return { path, region: { ...region, endLine: region.startLine, endColumn: (lineEnds[region.startLine - 1] ?? 0) + 1 } };
  };
  const evaluator = new Evaluator(index);
  const lifetimes = new LifetimeAnalysis(index);
  const recognizer = new CallRecognizer(index);
  const calls = recognizer.callSites();
  const flagsLocation = (n: SyntaxNode): Location => ({ path, region: compactRegionOf({ node: n, frag: null }, headOf(n)) });
  const vmsplice = calls.map((call): VmspliceFact => {
    const inner = call.hops[call.hops.length - 1].at;
    const flagsArg = call.args.flags;
    let flags: FlagFacts | null = null;
    if (flagsArg) {
      const value = evaluator.eval(flagsArg);
      flags = {
        value,
        state: (bit) => bitState(value, bit),
        origin: (bit) => {
          const alts = altsSetting(value, bit);
          const via = [...new Set(alts.flatMap((a) => a.via))];
          const ref = alts.map((a) => a.setAt.get(bit)).find((r) => r !== undefined);
          return { via, setAt: ref ? locate(ref) : null };
        },
      };
    }
    return {
      call,
      location: { path, region: compactRegionOf({ node: call.site, frag: null }, call.head) },
      flagsLocation: flagsLocation(recognizer.flagsSite(call)),
      innerLocation: call.hops.length > 1 ? locate(inner) : null,
      hops: call.hops,
      flags,
      lifetime: lifetimeFacts(),
      result: resultFacts(),
    };

    function lifetimeFacts(): VmspliceFact['lifetime'] {
      const l = lifetimes.analyze(call);
      return {
        direction: l.direction,
        doubleBuffered: l.doubleBuffered,
        events: l.events.map((e) => ({
          kind: e.kind,
          callee: e.callee,
          refill: e.refill,
          location: at(e.node),
          buffer: e.root.variable + e.root.member.replace(/^\./, '.'),
          storage: e.root.kind,
          queuedAt: at(e.queuedAt),
          queuedBy: (e.queuedAt.type === 'call_expression' ? e.queuedAt.childForFieldName('function') : e.queuedAt)?.text ?? 'vmsplice',
          path: e.path.map(at),
          scopeEnd: e.kind !== 'scope-exit' ? null : e.node.type === 'return_statement' || e.node.parent?.parent?.type === 'function_definition' ? 'return' : 'block',
        })),
      };
    }

    function resultFacts(): VmspliceFact['result'] {
      const r = analyzeResult(call, index, lifetimes.buffers);
      return { use: r.use, location: locate(r.at), variable: r.variable };
    }
  });
  return { path, vmsplice };
}

function headOf(n: SyntaxNode): SyntaxNode {
  return n.type === 'call_expression' ? n.childForFieldName('function') ?? n : n;
}

function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}
