import type { Location } from '../types.js';
import { CallRecognizer, type Hop, type VmspliceCall } from './calls.js';
import type { FileIndex } from './fileindex.js';
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
  /** The real vmsplice() or syscall() call, when it is not the reported site (macros, wrappers). */
  innerLocation: Location | null;
  /** Wrappers, macros and syscall entry points between the site and the real call. */
  hops: Hop[];
  /** null when the call has no flags argument. */
  flags: FlagFacts | null;
}

export function buildFacts(path: string, index: FileIndex): FileFacts {
  const locate = (ref: NodeRef): Location => ({ path, region: regionOf(ref) });
  const evaluator = new Evaluator(index);
  const calls = new CallRecognizer(index).callSites();
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
      innerLocation: call.hops.length > 1 ? locate(inner) : null,
      hops: call.hops,
      flags,
    };
  });
  return { path, vmsplice };
}
