import type { FlagDecision, VmspliceFact } from './analysis/facts.js';
import type { RelatedLocation } from './types.js';

/** Shared wording for findings about a vmsplice call, so all rules describe call paths alike. */

export function quoteList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "through wrapper 'push' and variable 'fl'" for a flag value, or '' when it is written at the call. */
function throughWords(decisions: FlagDecision[]): string {
  const d = decisions[0];
  const hops = d.hops.slice(0, -1).map((h) => `${h.kind} '${h.name}'`);
  const last = d.hops[d.hops.length - 1];
  if (last.kind === 'syscall') hops.push(`${last.name}()`);
  // A file's own #define of a flag name says nothing the flag's name does not.
  const via = decisions.flatMap((x) => x.via).filter((v) => !/^macro 'SPLICE_F_[A-Z]+'$/.test(v));
  const all = [...new Set([...hops, ...via])];
  return all.length ? `through ${quoteList(all)}` : '';
}

/**
 * How a flag reaches the call: "is passed SPLICE_F_GIFT (through variable 'fl')", or for a "may", the condition as
 * far as the analysis knows it: the line whose value sets the flag on some paths or #if branches, else a choice made
 * in the call itself (a '?:').
 */
export function passedPhrase(decisions: FlagDecision[], flags: string[]): string {
  const through = throughWords(decisions);
  const may = decisions.find((d) => d.state === 'may');
  if (!may) return `is passed ${quoteList(flags)}${through ? ` (${through})` : ''}`;
  const set = may.setAt;
  const here = !set || (set.path === may.location.path && set.region.startLine === may.location.region.startLine);
  const where = !set || set.path === may.location.path ? `line ${set?.region.startLine}` : `${set.path}:${set.region.startLine}`;
  const condition = here ? 'when a condition in the call selects it' : `when the value set on ${where} reaches the call`;
  return `may be passed ${quoteList(flags)} (${through ? `${through}, ` : ''}${condition})`;
}

/** Related locations: where a flag was set, and the real call behind a macro or wrapper. */
export function flagRelated(fact: VmspliceFact, d: FlagDecision, what: string): RelatedLocation[] {
  const related: RelatedLocation[] = [];
  const line = d.location.region.startLine;
  if (d.setAt && (d.setAt.region.startLine !== line || d.setAt.path !== d.location.path)) {
    related.push({ location: d.setAt, message: `${what} is set here.` });
  }
  if (d.hops.length > 1 && fact.innerLocation && fact.innerLocation.region.startLine !== line) {
    // The hop before the real call is the macro or wrapper whose body holds it.
    const holder = d.hops[d.hops.length - 2];
    related.push({ location: fact.innerLocation, message: `The vmsplice() call inside ${holder.kind} '${holder.name}'.` });
  }
  return related;
}

/** The real vmsplice() behind a macro or wrapper call, as a related location (empty for a direct call). */
export function innerCallRelated(fact: VmspliceFact): RelatedLocation[] {
  if (!fact.innerLocation || fact.hops.length < 2) return [];
  const holder = fact.hops[fact.hops.length - 2];
  return [{ location: fact.innerLocation, message: `The vmsplice() call inside ${holder.kind} '${holder.name}'.` }];
}

/** Most intermediate steps a code flow shows: long paths keep their first and last few, where a reader looks. */
const MAX_FLOW_STEPS = 12;

/** The inner steps of a path (its ends excluded) as a code flow shows them. */
export function flowMiddle<T>(path: readonly T[]): T[] {
  const middle = path.slice(1, -1);
  return middle.length > MAX_FLOW_STEPS ? [...middle.slice(0, MAX_FLOW_STEPS / 2), ...middle.slice(-MAX_FLOW_STEPS / 2)] : middle;
}
