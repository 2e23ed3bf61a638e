import { buildFacts } from './analysis/facts.js';
import { buildFileIndex } from './analysis/fileindex.js';
import { NO_DEFINES, type Defines } from './analysis/preproc.js';
import type { KernelFloor } from './analysis/kernel.js';
import { Project, type IndexedFile } from './analysis/project.js';
import { allRules } from '../rules/index.js';
import { applyDirectives, parseDirectives } from './suppress.js';
import { conditionOf, isSplit, parseConfigurations, type SplitFile } from './analysis/configurations.js';
import { resolveOptions, type Report, type Rule, type RuleOptionValues } from './rule.js';
import type { Finding, Level, Notification } from './types.js';

export interface EngineOptions {
  rules: readonly Rule[];
  /** Per-rule level overrides. */
  levels?: ReadonlyMap<string, Level>;
  /** Per-rule option values (validated by resolveOptions). */
  ruleOptions?: ReadonlyMap<string, RuleOptionValues>;
  /** -D/-U: decide preprocessor conditions (default: every branch may be compiled). */
  defines?: Defines;
  /** Keep findings that inline directives suppress, marked (for SARIF `suppressions`). */
  includeSuppressed?: boolean;
  /** Report directives that suppressed nothing. */
  reportUnusedDirectives?: boolean;
  /** The oldest kernel the program supports (--kernel); null or absent: older than every version-dependent change. */
  kernel?: KernelFloor | null;
}

/** Every rule id a directive may name, also those not run. */
const KNOWN_RULE_IDS = new Set(allRules.map((r) => r.id));

/**
 * Bytes whose absence proves a file has nothing to report: every recognised vmsplice form spells 'vmsplice', a
 * splice() or tee() with a flag worth reporting names a SPLICE_F_ flag or is a raw syscall, and a splice() from a
 * file (splice-source-mutated, the exploit shapes) is written 'splice('.
 */
export const PREFILTER_NEEDLES = ['vmsplice', 'SPLICE_F_', '__NR_splice', 'SYS_splice', '__NR_tee', 'SYS_tee', 'splice('];

export interface LintedFile {
  findings: Finding[];
  /** What the analysis could only do in part (calls in code the parser could not structure). */
  notifications: Notification[];
}

/**
 * Lints one file's text: a pure function of (path, text, options), so it can
 * run on any thread and in any order.
 */
export function lintText(path: string, text: string, opts: EngineOptions): LintedFile {
  if (!PREFILTER_NEEDLES.some((n) => text.includes(n))) return { findings: [], notifications: [] };
  const own = indexFile(path, text, opts.defines);
  return lintIndexed(own, new Project([own]), text, opts);
}

/**
 * Parses (repairing lost functions, and once per configuration where #if branches split braces) and indexes one
 * file: phase one, per file.
 */
export function indexFile(path: string, text: string, defines: Defines = NO_DEFINES): IndexedFile {
  // tree-sitter counts rows at '\n' only: a lone CR (old Mac line ends) becomes one, at the same offset.
  const configurations = parseConfigurations(text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text, PREFILTER_NEEDLES, defines);
  const [base, ...variants] = configurations.all.map(({ parsed }) => ({ path, index: buildFileIndex(parsed.text, parsed.tree, defines) }));
  if (!variants.length) return base;
  const split: SplitFile = { ...base, configurations, variants };
  return split;
}

/** "#ifdef X", "the #else of #if Y": the undecided preprocessor branches around a finding. */
function underConditions(own: IndexedFile, f: Finding): string[] {
  const { startLine, startColumn } = f.location.region;
  const node = own.index.tree.rootNode.descendantForPosition({ row: startLine - 1, column: startColumn - 1 });
  return own.index.conditions.describe(node).map((c) => `'${c}'`);
}

/** A finding with the undecided conditions around it (quoted), not yet in its message. */
interface Located {
  finding: Finding;
  under: string[];
}

/** One configuration's findings. */
function findingsOf(own: IndexedFile, facts: ReturnType<typeof buildFacts>, lines: readonly string[], opts: EngineOptions): Located[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const rule of opts.rules) {
    const configured = opts.levels?.get(rule.id);
    const options = resolveOptions(rule, opts.ruleOptions?.get(rule.id));
    rule.check(facts, (r: Report) => {
      const { region } = r.location;
      if (r.location.path !== own.path) return;
      // Two expansions of one site (a macro with #if variants) can say the same thing.
      const key = `${rule.id}\0${region.startLine}:${region.startColumn}\0${r.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push({
        ruleId: rule.id,
        level: configured ?? r.level ?? rule.meta.level,
        message: r.message,
        location: r.location,
        related: r.related ?? [],
        flow: r.flow ?? [],
        lineText: lines[region.startLine - 1] ?? '',
        fingerprint: '',
        ...(r.fixes?.length ? { fixes: r.fixes } : {}),
      });
    }, options);
  }
  return findings.map((finding) => ({ finding, under: underConditions(own, finding) }));
}

/**
 * The findings of every configuration of a split file, each reported once: a finding not found in all of them
 * gains the split conditions it was found under.
 */
function mergeConfigurations(own: SplitFile, project: Project, lines: readonly string[], opts: EngineOptions, base: Located[]): Located[] {
  const byKey = new Map<string, { first: Located; found: number[] }>();
  const add = (list: Located[], i: number): void => {
    for (const x of list) {
      const { region } = x.finding.location;
      const key = `${x.finding.ruleId}\0${region.startLine}:${region.startColumn}\0${x.finding.message}\0${x.under.join()}`;
      const entry = byKey.get(key);
      if (entry) entry.found.push(i);
      else byKey.set(key, { first: x, found: [i] });
    }
  };
  add(base, 0);
  for (const [k, variant] of own.variants.entries()) {
    // The variant stands in for the file in the project, so cross-file facts see this configuration of it.
    const swapped = new Project([...project.files.filter((f) => f.path !== own.path), variant]);
    add(findingsOf(variant, buildFacts(own.path, swapped.view(variant), opts.kernel ?? null), lines, opts), k + 1);
  }
  return [...byKey.values()].map(({ first, found }) => ({ finding: first.finding, under: [...first.under, ...conditionOf(found, own.configurations)] }));
}

/**
 * Lints one indexed file against the project's merged view: phase two. Only
 * findings located in this file are kept; each file reports its own.
 */
export function lintIndexed(own: IndexedFile, project: Project, text: string, opts: EngineOptions): LintedFile {
  const path = own.path;
  const facts = buildFacts(path, project.view(own), opts.kernel ?? null);
  const notifications: Notification[] = [];
  const unstructured = facts.vmsplice.filter((f) => f.lifetime.unstructured);
  if (unstructured.length) {
    const lines = [...new Set(unstructured.map((f) => f.location.region.startLine))].sort((a, b) => a - b);
    notifications.push({
      level: 'note',
      kind: 'parse-recovery',
      path,
      count: unstructured.length,
      message: `${unstructured.length} vmsplice call(s) (line ${lines.join(', ')}) sit in code the parser could not structure; only their flags and fds were checked, not the buffer's lifetime.`,
    });
  }
  const lines = text.split(/\r\n|\r|\n/);
  const baseFindings = findingsOf(own, facts, lines, opts);
  const all = isSplit(own) ? mergeConfigurations(own, project, lines, opts, baseFindings) : baseFindings;
  const findings: Finding[] = [];
  for (const { finding: f, under } of all) {
    // The condition belongs to the first sentence, which says what is wrong; later ones say what to do.
    if (under.length) f.message = f.message.replace(/\.(?=\s+[A-Z]|$)/, ` (under ${under.join(' and ')}).`);
    findings.push(f);
  }
  const { directives, problems } = parseDirectives(own.index.tree, text, path, KNOWN_RULE_IDS);
  notifications.push(...problems);
  const unused = applyDirectives(findings, directives);
  if (opts.reportUnusedDirectives) {
    for (const d of unused) {
      // A directive for a rule that did not run cannot be judged unused.
      if (!d.rules.every((r) => opts.rules.some((x) => x.id === r))) continue;
      notifications.push({ level: 'warning', kind: 'directive', path, region: d.region, message: `The directive suppresses nothing (${d.rules.join(', ')}); remove it.` });
    }
  }
  const kept = opts.includeSuppressed ? findings : findings.filter((f) => !f.suppression);
  kept.sort(
    (a, b) =>
      a.location.region.startLine - b.location.region.startLine ||
      a.location.region.startColumn - b.location.region.startColumn ||
      a.ruleId.localeCompare(b.ruleId),
  );
  return { findings: kept, notifications };
}
