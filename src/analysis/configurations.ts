import { parseC, type Tree } from '../parse.js';
import { Conditions, type Defines } from './preproc.js';
import type { IndexedFile } from './project.js';
import { blank, parseRepaired, type Parsed } from './repair.js';
import { conditionalGroups, isUneven, type Group } from './split-regions.js';

/**
 * Preprocessor-split regions. Where the branches of an `#if` open or close
 * braces unevenly (`#if A` / `void f(int a) {` / `#else` / `void f(long a) {`
 * / `#endif`), the parser turns the rest of the file into one ERROR node.
 * Such a file is parsed once per configuration instead: each branch of a
 * split group kept in turn, its directives and the other branches blanked
 * (characters become spaces, newlines stay, so every offset, line and column
 * is the original's), then repaired like any file (repair.ts). The baseline
 * keeps the first live branch of every split group; each other configuration
 * switches one group (groups written alike, such as a `#ifdef X` that opens
 * a brace and a later one that closes it, switch together), so the cost
 * grows with the number of branches, not their product.
 */

/** A set of groups written alike, switched together. */
export interface SplitGroup {
  key: string;
  /** Per branch: how a message names the condition it holds under. */
  labels: string[];
  /** Branches that may be compiled under the user's defines. */
  live: number[];
}

export interface Configuration {
  parsed: Parsed;
  /** The branch kept, per SplitGroup key. */
  choice: ReadonlyMap<string, number>;
}

export interface Configurations {
  /** The baseline first; the others each switch one group. */
  all: Configuration[];
  split: SplitGroup[];
}

/** A file parsed in several configurations: the baseline is the file itself, the others are its variants. */
export interface SplitFile extends IndexedFile {
  configurations: Configurations;
  /** One per configuration after the baseline, in the same order. */
  variants: IndexedFile[];
}

export function isSplit(f: IndexedFile): f is SplitFile {
  return 'variants' in f;
}

/** More configurations than this (a file of many split groups) are not parsed: the rest keep their baseline branch. */
const MAX_CONFIGURATIONS = 16;

/** `#ifdef X`, `#if X`: as preproc.ts names a condition in messages, at most 80 characters. */
function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function labelsOf(g: Group): string[] {
  const first = clip(g.branches[0].directive);
  return g.branches.map((b, i) => (i === 0 ? first : b.directive.startsWith('#elif') ? clip(b.directive) : `the #else of ${first}`));
}

/** The branches the user's -D/-U leave possible (all of them when nothing is defined). */
function liveBranches(g: Group, defines: Defines): number[] {
  const all = g.branches.map((_, i) => i);
  if (!defines.defined.size && !defines.undefined.size) return all;
  const conditions = new Conditions(new Map(), defines);
  const live: number[] = [];
  for (const [i, b] of g.branches.entries()) {
    if (!b.directive.startsWith('#if') && !b.directive.startsWith('#elif')) {
      live.push(i);
      break;
    }
    // An #elif's condition is decided like an #if's: the branches before it are decided separately.
    const asIf = b.directive.replace(/^#\s*elif/, '#if');
    const node = parseC(`${asIf}\n#endif\n`).rootNode.firstNamedChild;
    const t = node ? conditions.truth(node) : null;
    if (t === false) continue;
    live.push(i);
    if (t === true) break;
  }
  return live.length ? live : all;
}

function configurationText(text: string, groups: readonly Group[], choice: ReadonlyMap<string, number>): string {
  const chars = text.split('');
  for (const g of groups) {
    const keep = choice.get(g.key) ?? 0;
    for (const [s, e] of g.directives) blank(chars, s, e);
    for (const [i, b] of g.branches.entries()) if (i !== keep) blank(chars, b.start, b.end);
  }
  return chars.join('');
}

/** Groups that split braces and sit at or before code the parser could not structure (the tree has an error). */
function splitGroups(text: string, tree: Tree): Group[] {
  const errors = tree.rootNode.descendantsOfType('ERROR');
  // An error without an ERROR node is a MISSING one (an #endif the parser made up), wherever it is.
  const lastErrorEnd = errors.length ? Math.max(...errors.map((e) => e.endIndex)) : text.length;
  const all = conditionalGroups(text);
  const keys = new Set(all.filter((g) => isUneven(g) && g.start < lastErrorEnd).map((g) => g.key));
  // A group written like a split one switches with it, even if its own braces balance.
  return all
    .filter((g) => keys.has(g.key))
    .sort((a, b) => a.start - b.start);
}

/**
 * The file's configurations: just the (repaired) parse when no split group
 * breaks it, else one parse per configuration.
 */
export function parseConfigurations(text: string, needles: readonly string[], defines: Defines): Configurations {
  const plain = parseRepaired(text, needles);
  const groups = plain.tree.rootNode.hasError ? splitGroups(text, plain.tree) : [];
  if (!groups.length) return { all: [{ parsed: plain, choice: new Map() }], split: [] };
  const split: SplitGroup[] = [];
  for (const g of groups) {
    if (split.some((s) => s.key === g.key)) continue;
    split.push({ key: g.key, labels: labelsOf(g), live: liveBranches(g, defines) });
  }
  const base = new Map(split.map((s) => [s.key, s.live[0]]));
  const choices: Map<string, number>[] = [base];
  for (const s of split) {
    for (const b of s.live.slice(1)) if (choices.length < MAX_CONFIGURATIONS) choices.push(new Map(base).set(s.key, b));
  }
  const all = choices.map((choice) => ({ parsed: parseRepaired(configurationText(text, groups, choice), needles), choice }));
  return { all, split };
}

/**
 * The condition a finding holds under, from the configurations it was found
 * in (indices into `all`): per split group, the branches kept where it was
 * found, when not every live branch. Empty when it holds in all of them.
 */
export function conditionOf(found: readonly number[], configs: Configurations): string[] {
  const out: string[] = [];
  for (const s of configs.split) {
    const seen = new Set(found.map((i) => configs.all[i].choice.get(s.key)!));
    if (s.live.every((b) => seen.has(b))) continue;
    out.push(s.live.filter((b) => seen.has(b)).map((b) => `'${s.labels[b]}'`).join(' or '));
  }
  return out;
}
