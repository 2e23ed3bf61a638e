import type { Dirent, Stats } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore from 'ignore';
import picomatch from 'picomatch';
import { describeFileType, describeFsError } from './source.js';
import type { Notification } from './types.js';

export interface DiscoverOptions {
  /** File name endings such as '.c', compared case-sensitively. */
  extensions: string[];
  /** picomatch globs on relPath; empty selects everything. */
  include: string[];
  /** picomatch globs on relPath; a matching directory is not entered. */
  exclude: string[];
  /** Honour .gitignore files (false with --no-ignore). */
  useIgnoreFiles: boolean;
}

export interface DiscoveredFile {
  /** Real path: symlinks resolved. */
  absPath: string;
  /** Relative to the real lint root, '/'-separated; the absolute path for a file outside the root. */
  relPath: string;
}

/**
 * Finds the files to lint under `paths`, each reported once by its real path,
 * sorted by relPath.
 *
 * A file named on the command line is linted whatever its extension, include
 * globs and .gitignore say: naming one file leaves no doubt. Only `exclude`
 * still applies, so that configured exclusions hold however the file is named.
 *
 * Any other file is judged at its real path, as a walk from the root would
 * judge it there, whichever route led to it; a route only has to be open (a
 * symlink that is itself ignored or excluded is not followed). So the result
 * does not depend on readdir order or on which of several routes came first.
 * A directory named on the command line is likewise walked as a walk from the
 * root would walk it: the .gitignore files of the root and of the directories
 * in between apply, and one that is itself ignored yields nothing (--no-ignore
 * lifts that). Outside the root, .gitignore files are not honoured: there is
 * no anchor for their patterns short of guessing the enclosing repository.
 *
 * FIFOs, sockets and devices are never opened. One named on the command line is
 * reported; one met during a walk is reported only if it would have been linted
 * as a regular file (a FIFO named 'x.c'), since an unexpected gap in a run
 * deserves a word while a socket in a runtime directory does not.
 */
export async function discover(
  paths: string[],
  root: string,
  opts: DiscoverOptions,
): Promise<{ files: DiscoveredFile[]; notifications: Notification[] }> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (err) {
    return { files: [], notifications: [accessProblem(root, err)] };
  }
  const walk = new Walk(realRoot, opts);
  await Promise.all(paths.map((p) => walk.visitArgument(p)));
  return walk.result();
}

/** Per directory, what decides about its entries. */
interface DirState {
  real: string;
  rel: string;
  /** Patterns of every applicable .gitignore, rebased onto the root; null where none are honoured. */
  rules: ignore.Ignore | null;
}

// Never source trees, and often huge.
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

// libuv runs file system calls on four threads by default: a few more requests
// in flight keep them busy, thousands at once would only cost memory.
const MAX_IN_FLIGHT = 16;

class Walk {
  private readonly files = new Map<string, string>();
  private readonly notifications = new Map<string, Notification>();
  private readonly states = new Map<string, Promise<DirState | null>>();
  private readonly visited = new Set<string>();
  private readonly limit = createLimiter(MAX_IN_FLIGHT);
  private readonly isIncluded: (rel: string) => boolean;
  private readonly isExcluded: (rel: string) => boolean;
  private readonly rootPrefix: string;

  constructor(
    private readonly realRoot: string,
    private readonly opts: DiscoverOptions,
  ) {
    this.rootPrefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
    const include = picomatch(opts.include, { dot: true });
    this.isIncluded = opts.include.length === 0 ? () => true : include;
    // 'vendor' also prunes 'vendor/x.c' when that file is reached without
    // walking through 'vendor' (named explicitly, or through a symlink).
    this.isExcluded = picomatch(
      opts.exclude.flatMap((glob) => [glob, glob.replace(/\/+$/, '') + '/**']),
      { dot: true },
    );
  }

  result(): { files: DiscoveredFile[]; notifications: Notification[] } {
    const files = [...this.files].map(([absPath, relPath]) => ({ absPath, relPath }));
    files.sort((a, b) => compare(a.relPath, b.relPath));
    const notifications = [...this.notifications.values()];
    notifications.sort((a, b) => compare(a.path, b.path) || compare(a.message, b.message));
    return { files, notifications };
  }

  async visitArgument(arg: string): Promise<void> {
    const abs = path.resolve(arg);
    let st: Stats;
    let real: string;
    try {
      st = await this.limit(() => stat(abs));
      real = await this.limit(() => realpath(abs));
    } catch (err) {
      this.notify(accessProblem(arg, err));
      return;
    }
    if (st.isDirectory()) return this.enterDirectory(real);
    const rel = this.relOf(real);
    if (this.isExcluded(rel)) return;
    if (st.isFile()) {
      this.files.set(real, rel);
    } else {
      this.notify({ level: 'warning', kind: 'unreadable', path: rel, message: notRegular(st) });
    }
  }

  private async enterDirectory(real: string): Promise<void> {
    const state = await this.dirState(real);
    if (state === null || this.visited.has(real)) return;
    this.visited.add(real);
    let entries: Dirent[];
    try {
      entries = await this.limit(() => readdir(real, { withFileTypes: true }));
    } catch (err) {
      this.notify({
        level: 'warning',
        kind: 'unreadable',
        path: state.rel || '.',
        message: `Cannot list the directory: ${describeFsError(err)}.`,
      });
      return;
    }
    await Promise.all(entries.map((entry) => this.visitEntry(state, entry)));
  }

  private async visitEntry(dir: DirState, entry: Dirent): Promise<void> {
    const entryPath = path.join(dir.real, entry.name);
    if (entry.isDirectory()) return this.enterDirectory(entryPath);
    if (entry.isSymbolicLink()) return this.followLink(dir, entryPath);
    const rel = this.relOf(entryPath);
    if (!this.selects(dir, rel)) return;
    if (entry.isFile()) {
      this.files.set(entryPath, rel);
    } else {
      this.notify({ level: 'warning', kind: 'unreadable', path: rel, message: notRegular(entry) });
    }
  }

  private async followLink(dir: DirState, link: string): Promise<void> {
    const linkRel = this.relOf(link);
    // git tracks a symlink as a file, so its own name is tested as a file's.
    if (this.isExcluded(linkRel) || dir.rules?.ignores(linkRel)) return;
    let target: Stats;
    let real: string;
    try {
      target = await this.limit(() => stat(link));
      real = await this.limit(() => realpath(link));
    } catch (err) {
      if (this.selects(dir, linkRel)) {
        this.notify({
          level: 'warning',
          kind: 'unreadable',
          path: linkRel,
          message: `Cannot follow the symbolic link: ${describeFsError(err)}.`,
        });
      }
      return;
    }
    if (target.isDirectory()) {
      if (!ALWAYS_SKIPPED.has(path.basename(link))) await this.enterDirectory(real);
      return;
    }
    const realDir = await this.dirState(path.dirname(real));
    const rel = this.relOf(real);
    if (realDir === null || !this.selects(realDir, rel)) return;
    if (target.isFile()) {
      this.files.set(real, rel);
    } else {
      this.notify({ level: 'warning', kind: 'unreadable', path: rel, message: notRegular(target) });
    }
  }

  /** Whether a regular file at `rel` in `dir` is linted. */
  private selects(dir: DirState, rel: string): boolean {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return (
      this.opts.extensions.some((ext) => name.endsWith(ext)) &&
      this.isIncluded(rel) &&
      !this.isExcluded(rel) &&
      !dir.rules?.ignores(rel)
    );
  }

  /**
   * The state of a real directory, or null if a walk from the root (or from
   * the file system root, outside it) would not enter it.
   */
  private dirState(real: string): Promise<DirState | null> {
    let state = this.states.get(real);
    if (state === undefined) {
      state = this.computeDirState(real);
      this.states.set(real, state);
    }
    return state;
  }

  private async computeDirState(real: string): Promise<DirState | null> {
    const rel = this.relOf(real);
    if (real === this.realRoot) {
      return { real, rel, rules: this.opts.useIgnoreFiles ? await this.withIgnoreFile(newRules(), real, rel) : null };
    }
    const parentPath = path.dirname(real);
    if (parentPath === real) return { real, rel, rules: null };
    const parent = await this.dirState(parentPath);
    if (
      parent === null ||
      ALWAYS_SKIPPED.has(path.basename(real)) ||
      this.isExcluded(rel) ||
      parent.rules?.ignores(rel + '/')
    ) {
      return null;
    }
    return { real, rel, rules: parent.rules && (await this.withIgnoreFile(parent.rules, real, rel)) };
  }

  /** `rules` plus those of the .gitignore in `dir`, if it has one. */
  private async withIgnoreFile(rules: ignore.Ignore, dir: string, rel: string): Promise<ignore.Ignore> {
    const file = path.join(dir, '.gitignore');
    try {
      // A FIFO named .gitignore would block the read forever.
      if (!(await this.limit(() => stat(file))).isFile()) return rules;
    } catch {
      // Mostly ENOENT; a directory that cannot be searched is reported when
      // its listing fails.
      return rules;
    }
    let text: string;
    try {
      text = await this.limit(() => readFile(file, 'utf8'));
    } catch (err) {
      this.notify({
        level: 'warning',
        kind: 'unreadable',
        path: rel === '' ? '.gitignore' : `${rel}/.gitignore`,
        message: `Cannot read the ignore file, so its patterns are not applied: ${describeFsError(err)}.`,
      });
      return rules;
    }
    const patterns = parseIgnoreFile(text, rel);
    return patterns.length === 0 ? rules : newRules().add(rules).add(patterns);
  }

  private relOf(real: string): string {
    const rel = real.startsWith(this.rootPrefix) ? real.slice(this.rootPrefix.length) : real === this.realRoot ? '' : real;
    return path.sep === '/' ? rel : rel.split(path.sep).join('/');
  }

  private notify(n: Notification): void {
    this.notifications.set(`${n.kind}\0${n.path}\0${n.message}`, n);
  }
}

function newRules(): ignore.Ignore {
  // git is case-sensitive on Linux. Paths are already relative to the root, and
  // this keeps the package from rejecting legal names such as '...'.
  return ignore({ ignorecase: false, allowRelativePaths: true });
}

/**
 * The patterns of a .gitignore in directory `rel` (relative to the root),
 * rewritten to be relative to the root. One rule set per directory, with the
 * deeper files' patterns last so that they win, then behaves as git does; in
 * particular a deeper `!dir/` can re-include a directory that a shallower file
 * excludes, which testing each file's rules on paths relative to its own
 * directory would get wrong (the package checks parents with the same rules).
 */
function parseIgnoreFile(text: string, rel: string): ignore.PatternParams[] {
  const prefix = rel === '' ? '' : escapeGlob(rel) + '/';
  const patterns: ignore.PatternParams[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = trimTrailingSpaces(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (line === '' || line.startsWith('#')) continue;
    if (prefix === '') {
      patterns.push({ pattern: line });
      continue;
    }
    const negated = line.startsWith('!');
    const body = negated ? line.slice(1) : line;
    // Nothing is left to anchor under the directory.
    if (/^\/*$/.test(body)) continue;
    // gitignore(5): a slash at the start or in the middle anchors the pattern to
    // the file's directory; otherwise it matches at any depth below it.
    const anchored = body.slice(0, -1).includes('/');
    const rebased = prefix + (anchored ? body.replace(/^\//, '') : '**/' + body);
    // Passed one by one so that a newline in a directory name cannot split one.
    patterns.push({ pattern: negated ? '!' + rebased : rebased });
  }
  return patterns;
}

function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[]/g, '\\$&').replace(/^[!#]/, '\\$&');
}

/** git's trim_trailing_spaces(): unescaped trailing spaces are not part of a pattern. */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      if (end === line.length) end = i;
      i++;
    } else {
      end = line.length;
      i += line[i] === '\\' ? 2 : 1;
    }
  }
  return line.slice(0, end);
}

function notRegular(st: Stats | Dirent): string {
  return `Skipped: it is ${describeFileType(st)}, not a regular file.`;
}

function accessProblem(arg: string, err: unknown): Notification {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return { level: 'error', kind: 'not-found', path: arg, message: 'No such file or directory.' };
  }
  return { level: 'error', kind: 'unreadable', path: arg, message: `Cannot access the path: ${describeFsError(err)}.` };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Runs at most `max` of the given tasks at a time, the others in arrival order. */
function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < max) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next task, so that a newcomer cannot take it in between.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
