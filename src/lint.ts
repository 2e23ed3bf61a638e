import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { discover, type DiscoveredFile, type DiscoverOptions } from './discover.js';
import { NO_DEFINES, type Defines } from './analysis/preproc.js';
import { enclosingMacroNames, namesThatMatter, Project, type IndexedFile } from './analysis/project.js';
import { mergeDefines } from './compile-commands.js';
import { indexFile, lintIndexed, PREFILTER_NEEDLES, type EngineOptions } from './engine.js';
import { assignFingerprints } from './report/fingerprint.js';
import { ParseBudgetError } from './parse.js';
import { defaultJobs, prefilter } from './prefilter.js';
import { count, timed, timedAsync } from './profile.js';
import type { FileResult, LintResult, Notification } from './types.js';

export interface LintOptions extends EngineOptions {
  /** Absolute lint root: paths in results are relative to it. */
  root: string;
  paths: string[];
  discover: DiscoverOptions;
  /** Per-file -D/-U of a real build (compile_commands.json), by real absolute path; `defines` overlay them. */
  buildDefines?: ReadonlyMap<string, Defines>;
  /** Options that differ per file (the nearest config file); by default these options apply everywhere. */
  optionsFor?: (absPath: string) => EngineOptions;
  /** Threads for reading the tree (default: the number of CPUs). */
  jobs?: number;
  /**
   * Standard input, linted under its name; a file discovered at the same path is replaced by it. With
   * `reportOnly`, the discovered files are its project context (wrappers, flag macros) and are not reported.
   */
  stdin?: DiscoveredFile;
  reportOnly?: string;
  /** Report only the files of shard `index` (1-based) of `count`: CI matrices split the analysis. */
  shard?: { index: number; count: number };
  /** Directory of the cache (--cache): unchanged files are stat'ed, not read, and unchanged projects not analysed. */
  cache?: string;
  /** Called as the run advances (the CLI draws a progress line on a terminal). */
  onProgress?: (state: { phase: 'read' | 'lint'; done: number; total: number; findings: number }) => void;
}

/** A stable share for a path (FNV-1a), so shards are the same on every machine and run. */
function shardOf(path: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return (h % count) + 1;
}

/** Rounds of "names found make more files matter"; wrappers of wrappers across files rarely go deeper. */
export const MAX_ROUNDS = 4;
/** tree-sitter frees trees only when the event loop turns; yield this often. */
export const YIELD_EVERY = 64;

/** Phase one's state: what is indexed, and what was read but did not matter (yet). */
export interface IndexedTree {
  project: Project;
  /** Text and real path of every indexed file, by root-relative path. */
  sources: Map<string, { text: string; absPath: string }>;
  notifications: Notification[];
  /** Files read that mention no name that matters: a later round (new wrappers) may need them. */
  unindexed: DiscoveredFile[];
  /** Names already searched for. */
  known: Set<string>;
  filesScanned: number;
  ignored: LintResult['ignored'];
}

/**
 * Phase one for a set of paths: index every file that can matter (it
 * mentions vmsplice, a splice flag, or a wrapper or macro name found in such
 * files), and build the merged project view.
 */
export async function indexTree(opts: LintOptions): Promise<IndexedTree> {
  const found = await timedAsync('discovery', () => discover(opts.paths, opts.root, opts.discover));
  const stdin = opts.stdin;
  if (stdin) found.files = [stdin, ...found.files.filter((f) => f.absPath !== stdin.absPath)];
  const tree: IndexedTree = {
    project: new Project([]),
    sources: new Map(),
    notifications: [...found.notifications],
    unindexed: found.files,
    known: new Set(PREFILTER_NEEDLES),
    filesScanned: found.files.length,
    ignored: found.ignored,
  };
  await indexRounds(tree, { needles: PREFILTER_NEEDLES, headerNeedles: PREFILTER_NEEDLES }, opts, true);
  return tree;
}

/** Names a round searches files for; headers also for the macros vmsplice calls are written in. */
export interface Needles {
  needles: readonly string[];
  headerNeedles: readonly string[];
}

/**
 * Reads the unindexed files of `tree` for the needles, indexes those that
 * mention one, and repeats with the wrapper and macro names that makes
 * known, up to MAX_ROUNDS.
 */
export async function indexRounds(tree: IndexedTree, next: Needles, opts: LintOptions, first = false): Promise<void> {
  const indexed = [...tree.project.files];
  let { needles, headerNeedles } = next;
  for (let round = 0; round < MAX_ROUNDS && tree.unindexed.length && headerNeedles.length; round++) {
    const pending = tree.unindexed;
    opts.onProgress?.({ phase: 'read', done: 0, total: pending.length, findings: 0 });
    const rest: DiscoveredFile[] = [];
    const reads = await timedAsync('read', () => prefilter({ files: pending, needles: [...needles], headerNeedles: [...headerNeedles] }, opts.jobs ?? defaultJobs()));
    count('filesRead', pending.length);
    for (let k = 0; k < pending.length; k++) {
      const file = pending[k];
      const read = reads[k];
      if (!read.ok) {
        if (first && round === 0) tree.notifications.push(read.notification);
        continue;
      }
      if (read.skipped) {
        rest.push(file);
        continue;
      }
      if (indexed.length % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
      const own = indexOne(file, read.text, opts, tree.notifications);
      if (!own) continue;
      indexed.push(own);
      tree.sources.set(file.relPath, { text: read.text, absPath: file.absPath });
    }
    // Wrappers and macros whose names do not contain a needle make more files matter.
    tree.project = new Project(indexed);
    tree.unindexed = rest;
    ({ needles, headerNeedles } = timed('index', () => newNeedles(tree)));
  }
}

/** The defines a file is indexed under: its config's, else the build's overlaid by the command line's. */
export function definesOf(file: DiscoveredFile, opts: LintOptions): Defines {
  return opts.optionsFor?.(file.absPath)?.defines ?? mergeDefines(opts.buildDefines?.get(file.absPath), opts.defines ?? NO_DEFINES);
}

/** Parses and indexes one file that matters; one the parser gives up on becomes a notification. */
export function indexOne(file: DiscoveredFile, text: string, opts: LintOptions, notifications: Notification[]): IndexedFile | null {
  // Outside the try: a broken config file is the user's error to hear about (exit 2), not a skipped file.
  const defines = definesOf(file, opts);
  try {
    return timed('index', () => indexFile(file.relPath, text, defines));
  } catch (err) {
    notifications.push(
      err instanceof ParseBudgetError ? { level: 'warning', kind: 'too-large', path: file.relPath, message: `Skipped: ${err.message}.` } : internalError(file.relPath, err),
    );
    return null;
  }
}

/** Wrapper, macro and global names the project makes matter that no round has searched for yet (now marked known). */
export function newNeedles(tree: Pick<IndexedTree, 'project' | 'known'>): Needles {
  const names = [...namesThatMatter(tree.project)].filter((n) => !tree.known.has(n) && !PREFILTER_NEEDLES.some((k) => n.includes(k)));
  for (const n of names) tree.known.add(n);
  const macros = [...enclosingMacroNames(tree.project)].filter((n) => !tree.known.has(n));
  for (const n of macros) tree.known.add(n);
  return { needles: names, headerNeedles: [...names, ...macros] };
}

/**
 * The whole pipeline for a set of paths: index the tree, then lint each file against the merged project view.
 * With a cache (not for standard input), what an earlier run learnt is reused (see cache/run.ts).
 */
export async function lint(opts: LintOptions): Promise<LintResult> {
  if (opts.cache !== undefined && !opts.stdin) return (await import('./cache/run.js')).cachedLint(opts, opts.cache);
  return lintTree(await indexTree(opts), opts);
}

/** Phase two: each indexed file linted against the project (those of this shard, or the one reported). */
export function lintTree(tree: Omit<IndexedTree, 'unindexed' | 'known'>, opts: LintOptions): LintResult {
  const { project, sources, notifications, filesScanned, ignored } = tree;
  // Every round ends by building the project of all files indexed so far: the last one, wrappers found, is reused.
  const files: FileResult[] = [];
  let findings = 0;
  for (const [i, own] of project.files.entries()) {
    opts.onProgress?.({ phase: 'lint', done: i, total: project.files.length, findings });
    // Every shard indexes the whole project (facts cross files); each lints and reports its own share.
    if (opts.shard && shardOf(own.path, opts.shard.count) !== opts.shard.index) continue;
    if (opts.reportOnly !== undefined && own.path !== opts.reportOnly) continue;
    try {
      const source = sources.get(own.path);
      const linted = timed('analysis', () => lintIndexed(own, project, source?.text ?? '', (source && opts.optionsFor?.(source.absPath)) || opts));
      notifications.push(...linted.notifications);
      if (linted.findings.length) files.push({ path: own.path, findings: linted.findings, notifications: [] });
      findings += linted.findings.length;
    } catch (err) {
      notifications.push(internalError(own.path, err));
    }
  }
  assignFingerprints(files.flatMap((f) => f.findings));
  if (opts.reportOnly === undefined) return { root: opts.root, files, filesScanned, filesParsed: project.files.length, notifications, ignored };
  const own = notifications.filter((n) => n.path === opts.reportOnly);
  return { root: opts.root, files, filesScanned: 1, filesParsed: project.files.some((f) => f.path === opts.reportOnly) ? 1 : 0, notifications: own };
}

// One file the analysis cannot handle must not cost the user the whole run.
function internalError(path: string, err: unknown): Notification {
  return { level: 'error', kind: 'internal', path, message: `internal error while analysing the file: ${(err as Error).message}` };
}
