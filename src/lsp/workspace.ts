import { realpathSync } from 'node:fs';
import path from 'node:path';
import { NO_DEFINES } from '../analysis/preproc.js';
import { Project, type IndexedFile } from '../analysis/project.js';
import { ConfigResolver, definesFor, rulesFor, type Config } from '../config.js';
import { indexFile, lintIndexed, type EngineOptions, type LintedFile } from '../engine.js';
import { indexRounds, indexTree, newNeedles, type IndexedTree, type LintOptions } from '../lint.js';

/**
 * One workspace folder as the editor sees it: the project view of the CLI
 * (same discovery, config files and index rounds), kept up to date one file
 * at a time. A change re-parses only the changed file and rebuilds the
 * merged view, which costs a merge, not a re-read of the tree.
 */
export class Workspace {
  readonly root: string;
  private resolver = new ConfigResolver();
  private tree: IndexedTree | null = null;
  /** Each problem is told once per indexing, not once per file it affects. */
  private readonly told = new Set<string>();

  constructor(
    root: string,
    /** Reports what could not be done (a bad config file); the server sends it to the client's log. */
    private readonly report: (message: string) => void,
    /** false: only the files given to update() (a file opened outside every workspace folder). */
    private readonly scan = true,
  ) {
    this.root = realOrSame(root);
  }

  private warn(message: string): void {
    if (this.told.has(message)) return;
    this.told.add(message);
    this.report(message);
  }

  /** Whether an absolute path lies under this folder. */
  contains(absPath: string): boolean {
    const rel = path.relative(this.root, realOrSame(absPath));
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  relPath(absPath: string): string {
    return path.relative(this.root, realOrSame(absPath)).split(path.sep).join('/');
  }

  /** Phase one of the CLI over the whole folder; again after a config file changed. */
  async index(onProgress: (done: number, total: number) => void): Promise<void> {
    this.resolver = new ConfigResolver();
    this.told.clear();
    this.tree = await indexTree({ ...this.lintOptions(), onProgress: (s) => onProgress(s.done, s.total) });
  }

  /**
   * Takes a file's current text (an editor buffer or the file on disk; null:
   * deleted). Names the file newly makes matter (a wrapper just written) pull
   * in the files that use them, as the CLI's later index rounds do.
   */
  async update(absPath: string, text: string | null): Promise<void> {
    const tree = this.tree;
    if (!tree) return;
    const rel = this.relPath(absPath);
    const others = tree.project.files.filter((f) => f.path !== rel);
    tree.unindexed = tree.unindexed.filter((f) => f.relPath !== rel);
    if (text === null) {
      tree.sources.delete(rel);
      tree.project = new Project(others);
      return;
    }
    let own: IndexedFile;
    try {
      own = indexFile(rel, text, this.engineOptions(absPath).defines);
    } catch (err) {
      this.warn(`cannot analyse '${rel}': ${(err as Error).message}`);
      return;
    }
    tree.sources.set(rel, { text, absPath: realOrSame(absPath) });
    tree.project = new Project([...others, own]);
    const next = newNeedles(tree);
    if (next.headerNeedles.length) await indexRounds(tree, next, this.lintOptions());
  }

  /** Whether the file is part of the project view (open buffers always are, once updated). */
  has(absPath: string): boolean {
    return this.tree?.project.file(this.relPath(absPath)) !== undefined;
  }

  /** Findings and notifications (directive problems) of one file against the current project view, as the CLI would report them. */
  diagnose(absPath: string): LintedFile {
    const tree = this.tree;
    const rel = this.relPath(absPath);
    const own = tree?.project.file(rel);
    const source = tree?.sources.get(rel);
    if (!tree || !own || !source) return { findings: [], notifications: [] };
    return lintIndexed(own, tree.project, source.text, this.engineOptions(absPath));
  }

  private config(absPath: string, isDir = false): Config | null {
    try {
      return isDir ? this.resolver.forDir(absPath) : this.resolver.forFile(absPath);
    } catch (err) {
      // A half-typed config must not stop the analysis: the defaults apply until it is valid again.
      this.warn(`${(err as Error).message}; using the default rules`);
      return null;
    }
  }

  private engineOptions(absPath: string): EngineOptions {
    const config = this.config(absPath);
    return {
      ...rulesFor(config, { only: [], disabled: [], options: new Map() }),
      defines: definesFor(config, absPath, undefined, NO_DEFINES),
      kernel: config?.kernel ?? null,
    };
  }

  private lintOptions(): LintOptions {
    const config = this.config(this.root, true);
    return {
      root: this.root,
      paths: this.scan ? [this.root] : [],
      ...this.engineOptions(this.root),
      discover: {
        extensions: config?.extensions ?? ['.c', '.h'],
        include: config?.include ?? [],
        exclude: config?.exclude ?? [],
        useIgnoreFiles: true,
      },
      optionsFor: (absPath) => this.engineOptions(absPath),
    };
  }
}

function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
