import type { FlagDecision, VmspliceFact } from './analysis/facts.js';
import type { RelatedLocation } from './types.js';

/** Shared wording for findings about a vmsplice call, so all rules describe call paths alike. */

export function quoteList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "through wrapper 'push' and variable 'fl'" for a flag value, or '' when it is written at the call. */
export function throughPhrase(decisions: FlagDecision[]): string {
  const d = decisions[0];
  const hops = d.hops.slice(0, -1).map((h) => `${h.kind} '${h.name}'`);
  const last = d.hops[d.hops.length - 1];
  if (last.kind === 'syscall') hops.push(`${last.name}()`);
  // A file's own #define of a flag name says nothing the flag's name does not.
  const via = decisions.flatMap((x) => x.via).filter((v) => !/^macro 'SPLICE_F_[A-Z]+'$/.test(v));
  const all = [...new Set([...hops, ...via])];
  return all.length ? ` (through ${quoteList(all)})` : '';
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
