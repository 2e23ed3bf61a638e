import type { VmspliceFact } from './analysis/facts.js';
import type { RelatedLocation } from './types.js';

/** Shared wording for findings about a vmsplice call, so all rules describe call paths alike. */

export function quoteList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "through wrapper 'push' and variable 'fl'", or '' when the value is written at the call. */
export function throughPhrase(fact: VmspliceFact, valueVia: string[]): string {
  const hops = fact.hops.slice(0, -1).map((h) => `${h.kind} '${h.name}'`);
  const last = fact.hops[fact.hops.length - 1];
  if (last.kind === 'syscall') hops.push(`${last.name}()`);
  const all = [...new Set([...hops, ...valueVia])];
  return all.length ? ` (through ${quoteList(all)})` : '';
}

/** Related locations: where a flag was set, and the real call behind a macro or wrapper. */
export function callRelated(fact: VmspliceFact, setAt: RelatedLocation['location'] | null, what: string): RelatedLocation[] {
  const related: RelatedLocation[] = [];
  const line = fact.flagsLocation.region.startLine;
  if (setAt && (setAt.region.startLine !== line || setAt.path !== fact.location.path)) {
    related.push({ location: setAt, message: `${what} is set here.` });
  }
  if (fact.innerLocation && fact.innerLocation.region.startLine !== line) {
    // The hop before the real call is the macro or wrapper whose body holds it.
    const holder = fact.hops[fact.hops.length - 2];
    related.push({ location: fact.innerLocation, message: `The vmsplice() call inside ${holder.kind} '${holder.name}'.` });
  }
  return related;
}
