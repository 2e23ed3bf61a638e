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
  /** Honour .gitignore files inside git work trees (false with --no-ignore). */
  useIgnoreFiles: boolean;
}

export interface Discovered {
  files: DiscoveredFile[];
  notifications: Notification[];
  /** Files with a linted extension, and directories, that ignore rules left out: said in the summary. */
  ignored: { files: number; dirs: number };
}

export interface DiscoveredFile {
  /** Real path: symlinks resolved. */
  absPath: string;
  /** Relative to the real lint root, '/'-separated; the absolute path for a file outside the root. */
  relPath: string;
  /** The bytes, for a file that is not read from disk (standard input). */
  content?: Buffer;
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
 * As in ripgrep and git, ignore files apply only inside a git work tree (a
 * directory with a `.git`, the nearest one at or above), each anchored at its
 * own directory, together with `.git/info/exclude`; a nested work tree starts
 * afresh. A tree unpacked from a tarball therefore is linted whole, whatever
 * its .gitignore says, and the verdicts do not depend on the current
 * directory: a directory named on the command line gets the ignore files of
 * its work tree above it, and one that is itself ignored yields nothing
 * (--no-ignore lifts that). The current directory and the directories above
 * it are never passed by.
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
): Promise<Discovered> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (err) {
    return { files: [], notifications: [accessProblem(root, err)], ignored: { files: 0, dirs: 0 } };
  }
  const walk = new Walk(realRoot, opts);
  await Promise.all(paths.map((p) => walk.visitArgument(p)));
  return walk.result();
}

/** A directory that a walk would enter. */
interface Dir {
  real: string;
  rel: string;
  /** Its path relative to the root of its git work tree ('' there); null outside one or with --no-ignore. */
  repoRel: string | null;
  /**
   * The patterns that apply to its entries before its own .gitignore: those of
   * the ignore files above it in its work tree, rebased onto the work tree's
   * root; null where none are honoured.
   */
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
  private readonly dirs = new Map<string, Promise<Dir | null>>();
  private readonly rulesWithinDir = new Map<string, Promise<ignore.Ignore | null>>();
  private readonly visited = new Set<string>();
  private readonly ignoredFiles = new Set<string>();
  private readonly ignoredDirs = new Set<string>();
  private readonly limit = createLimiter(MAX_IN_FLIGHT);
  private readonly isIncluded: (rel: string) => boolean;
  private readonly isExcluded: (rel: string) => boolean;
  private readonly rootPrefix: string;

  constructor(
    private readonly realRoot: string,
    private readonly opts: DiscoverOptions,
  ) {
    this.rootPrefix = childPath(realRoot, '');
    const include = picomatch(opts.include, { dot: true });
    this.isIncluded = opts.include.length === 0 ? () => true : include;
    // 'vendor' also prunes 'vendor/x.c' when that file is reached without
    // walking through 'vendor' (named explicitly, or through a symlink).
    this.isExcluded = picomatch(
      opts.exclude.flatMap((glob) => [glob, glob.replace(/\/+$/, '') + '/**']),
      { dot: true },
    );
  }

  result(): Discovered {
    const files = [...this.files].map(([absPath, relPath]) => ({ absPath, relPath }));
    files.sort((a, b) => compare(a.relPath, b.relPath));
    const notifications = [...this.notifications.values()];
    notifications.sort((a, b) => compare(a.path, b.path) || compare(a.kind, b.kind) || compare(a.message, b.message));
    return { files, notifications, ignored: { files: this.ignoredFiles.size, dirs: this.ignoredDirs.size } };
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
    const dir = await this.dir(real);
    if (dir === null || this.visited.has(real)) return;
    this.visited.add(real);
    let entries: Dirent[];
    try {
      entries = await this.limit(() => readdir(real, { withFileTypes: true }));
    } catch (err) {
      this.notify({
        level: 'warning',
        kind: 'unreadable',
        path: dir.rel || '.',
        message: `Cannot list the directory: ${describeFsError(err)}.`,
      });
      return;
    }
    // The listing says whether there is a .gitignore, which saves a failing
    // stat() in nearly every directory.
    const rules = await this.rulesWithin(dir, entries.some((entry) => entry.name === '.gitignore'));
    const pending: Promise<void>[] = [];
    for (const entry of entries) {
      const visit = this.visitEntry(dir, rules, entry);
      if (visit) pending.push(visit);
    }
    await Promise.all(pending);
  }

  /** Settles a regular file or a special one at once; returns the walk below a directory or link. */
  private visitEntry(dir: Dir, rules: ignore.Ignore | null, entry: Dirent): Promise<void> | undefined {
    const entryPath = childPath(dir.real, entry.name);
    if (entry.isDirectory()) return this.enterDirectory(entryPath);
    if (entry.isSymbolicLink()) return this.followLink(dir, rules, entry.name);
    const rel = this.relOf(entryPath);
    if (!this.selects(rules, entryPath, rel, repoChild(dir, entry.name))) return undefined;
    if (entry.isFile()) {
      this.files.set(entryPath, rel);
    } else {
      this.notify({ level: 'warning', kind: 'unreadable', path: rel, message: notRegular(entry) });
    }
    return undefined;
  }

  private async followLink(dir: Dir, rules: ignore.Ignore | null, name: string): Promise<void> {
    const link = childPath(dir.real, name);
    const linkRel = this.relOf(link);
    const linkRepoRel = repoChild(dir, name);
    // git tracks a symlink as a file, so its own name is tested as a file's.
    if (this.isExcluded(linkRel) || (linkRepoRel !== null && rules?.ignores(linkRepoRel))) return;
    let target: Stats;
    let real: string;
    try {
      target = await this.limit(() => stat(link));
      real = await this.limit(() => realpath(link));
    } catch (err) {
      if (this.selects(rules, link, linkRel, null)) {
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
    const realDir = await this.dir(path.dirname(real));
    if (realDir === null) return;
    const rel = this.relOf(real);
    if (!this.selects(await this.rulesWithin(realDir), real, rel, repoChild(realDir, path.basename(real)))) return;
    if (target.isFile()) {
      this.files.set(real, rel);
    } else {
      this.notify({ level: 'warning', kind: 'unreadable', path: rel, message: notRegular(target) });
    }
  }

  /**
   * Whether a regular file, in a directory with these rules, is linted; `repoRel` is its path in its work tree
   * (null: no ignore rule applies). A file that only an ignore rule leaves out is counted.
   */
  private selects(rules: ignore.Ignore | null, real: string, rel: string, repoRel: string | null): boolean {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const wanted = this.opts.extensions.some((ext) => name.endsWith(ext)) && this.isIncluded(rel) && !this.isExcluded(rel);
    if (!wanted) return false;
    if (repoRel === null || !rules?.ignores(repoRel)) return true;
    this.ignoredFiles.add(real);
    return false;
  }

  /**
   * A real directory, or null if a walk from the root (or from the file system
   * root, outside it) would not enter it.
   */
  private dir(real: string): Promise<Dir | null> {
    let dir = this.dirs.get(real);
    if (dir === undefined) {
      dir = this.lookUpDir(real);
      this.dirs.set(real, dir);
    }
    return dir;
  }

  private async lookUpDir(real: string): Promise<Dir | null> {
    const rel = this.relOf(real);
    const parentPath = path.dirname(real);
    const parent = parentPath === real ? null : await this.dir(parentPath);
    const passedBy = !this.rootPrefix.startsWith(childPath(real, ''));
    if (parent === null && parentPath !== real) return null;
    if (passedBy && (ALWAYS_SKIPPED.has(path.basename(real)) || this.isExcluded(rel))) return null;
    const parentRules = parent && (await this.rulesWithin(parent));
    const asChild = parent && repoChild(parent, path.basename(real));
    if (passedBy && asChild !== null && parentRules?.ignores(asChild + '/')) {
      this.ignoredDirs.add(real);
      return null;
    }
    if (!this.opts.useIgnoreFiles) return { real, rel, repoRel: null, rules: null };
    const git = await this.gitDir(real);
    if (git === undefined) return { real, rel, repoRel: asChild, rules: parentRules };
    const exclude = rel === '' ? '.git/info/exclude' : `${rel}/.git/info/exclude`;
    return { real, rel, repoRel: '', rules: git === null ? newRules() : await this.withIgnoreFile(newRules(), git, 'info/exclude', exclude) };
  }

  /**
   * Whether `real` is the root of a work tree: its `.git` directory, null for a `.git` file (a linked work tree
   * or a submodule, whose info/exclude lies elsewhere and is not read), undefined for no work tree root.
   */
  private async gitDir(real: string): Promise<string | null | undefined> {
    try {
      const st = await this.limit(() => stat(childPath(real, '.git')));
      return st.isDirectory() ? childPath(real, '.git') : st.isFile() ? null : undefined;
    } catch {
      return undefined;
    }
  }

  /** The rules for the entries of `dir`: its own plus those of its .gitignore. */
  private rulesWithin(dir: Dir, hasIgnoreFile = true): Promise<ignore.Ignore | null> {
    let rules = this.rulesWithinDir.get(dir.real);
    if (rules === undefined) {
      rules =
        dir.rules && dir.repoRel !== null && hasIgnoreFile
          ? this.withIgnoreFile(dir.rules, dir.real, '.gitignore', dir.rel === '' ? '.gitignore' : `${dir.rel}/.gitignore`, dir.repoRel)
          : Promise.resolve(dir.rules);
      this.rulesWithinDir.set(dir.real, rules);
    }
    return rules;
  }

  /** `rules` plus those of the ignore file `name` in `dir`, if it has one; `repoRel` anchors its patterns. */
  private async withIgnoreFile(rules: ignore.Ignore, dir: string, name: string, shownAs: string, repoRel = ''): Promise<ignore.Ignore> {
    const file = childPath(dir, name);
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
        path: shownAs,
        message: `Cannot read the ignore file, so its patterns are not applied: ${describeFsError(err)}.`,
      });
      return rules;
    }
    const patterns = parseIgnoreFile(text, repoRel);
    return patterns.length === 0 ? rules : newRules().add(rules).add(patterns);
  }

  private relOf(real: string): string {
    const rel = real === this.realRoot ? '' : real.startsWith(this.rootPrefix) ? real.slice(this.rootPrefix.length) : real;
    return path.sep === '/' ? rel : rel.split(path.sep).join('/');
  }

  private notify(n: Notification): void {
    this.notifications.set(`${n.kind}\0${n.path}\0${n.message}`, n);
  }
}

/** The path of an entry of `dir` in its work tree, or null outside one. */
function repoChild(dir: Dir, name: string): string | null {
  return dir.repoRel === null ? null : dir.repoRel === '' ? name : `${dir.repoRel}/${name}`;
}

/** path.join() without the normalizing, which the walk's real paths do not need. */
function childPath(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

function newRules(): ignore.Ignore {
  // git is case-sensitive on Linux. Paths are already relative to the root, and
  // this keeps the package from rejecting legal names such as '...'.
  return ignore({ ignorecase: false, allowRelativePaths: true });
}

/**
 * The patterns of the .gitignore in directory `rel`, rewritten to be relative
 * to the root. Appended to the rules of the directories above, where the last
 * match wins, they give git's precedence of deeper files over shallower ones.
 * Keeping one rule set per file instead, each tested on paths relative to its
 * own directory, would go wrong where a deeper `!dir/` re-includes a directory
 * that a shallower file excludes: the package tests a path's parents with the
 * same rule set, so the shallower set would still exclude everything below.
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
  return `It is ${describeFileType(st)}, not a regular file.`;
}

function accessProblem(arg: string, err: unknown): Notification {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    // The CLI turns this into a usage error made of the message alone.
    return { level: 'error', kind: 'not-found', path: arg, message: `'${arg}' does not exist.` };
  }
  return { level: 'error', kind: 'unreadable', path: arg, message: `Cannot access '${arg}': ${describeFsError(err)}.` };
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
