import { statSync, type Stats } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Project, type IndexedFile } from '../analysis/project.js';
import { discover, type DiscoveredFile } from '../discover.js';
import { PREFILTER_NEEDLES } from '../engine.js';
import { HEADER } from '../file-kinds.js';
import { definesOf, indexOne, lint, lintTree, MAX_ROUNDS, YIELD_EVERY, newNeedles, type LintOptions, type Needles } from '../lint.js';
import { defaultJobs, prefilter } from '../prefilter.js';
import { count, timed, timedAsync } from '../profile.js';
import { readSourceSync } from '../source.js';
import type { LintResult, Notification } from '../types.js';
import { definesKey, hash, optionsKey, toolId } from './keys.js';
import { Cache, signature } from './store.js';

/**
 * lint() with a cache. The rounds are those of an uncached run (lint.ts), but
 * a file whose stat is unchanged is not read: its verdict for the round's
 * needles, and the hash of its text, come from the cache. Parsing waits until
 * it is needed: the next round's needles and the findings are reused when the
 * project state they were computed from (the matching files' paths, hashes
 * and options, the names searched so far) is unchanged. Editing a file that
 * matters changes that state, so every file of the project is analysed again
 * (each is analysed against all the others); editing one that does not is a
 * read of that file only.
 */

/** A file some needle matched: its text only if it was read (the cache may know just its hash). */
interface Selected {
  file: DiscoveredFile;
  hash: string;
  text?: string;
  indexed?: IndexedFile | null;
}

type Verdict = { kind: 'skip' } | { kind: 'fail'; notification: Notification } | { kind: 'hit'; hash: string; text?: string };

/** A matching file changed between the stat and the read: the run starts again without the cache. */
class Stale extends Error {}

export async function cachedLint(opts: LintOptions, dir: string): Promise<LintResult> {
  const cache = timed('cache', () => Cache.open(dir, toolId()));
  try {
    const result = await run(opts, cache);
    timed('cache', () => cache.save());
    return result;
  } catch (err) {
    if (!(err instanceof Stale)) throw err;
    return lint({ ...opts, cache: undefined });
  }
}

async function run(opts: LintOptions, cache: Cache): Promise<LintResult> {
  const found = await timedAsync('discovery', () => discover(opts.paths, opts.root, opts.discover));
  const notifications = [...found.notifications];
  const known = new Set(PREFILTER_NEEDLES);
  const selected: Selected[] = [];
  const indexNotes: Notification[] = [];
  let unindexed = found.files;
  let next: Needles = { needles: PREFILTER_NEEDLES, headerNeedles: PREFILTER_NEEDLES };
  for (let round = 0; round < MAX_ROUNDS && unindexed.length && next.headerNeedles.length; round++) {
    opts.onProgress?.({ phase: 'read', done: 0, total: unindexed.length, findings: 0 });
    const verdicts = await readRound(unindexed, next, opts, cache);
    const rest: DiscoveredFile[] = [];
    verdicts.forEach((v, k) => {
      if (v.kind === 'fail' && round === 0) notifications.push(v.notification);
      else if (v.kind === 'skip') rest.push(unindexed[k]);
      else if (v.kind === 'hit') selected.push({ file: unindexed[k], hash: v.hash, text: v.text });
    });
    unindexed = rest;
    const key = hash('needles', stateKey(selected, known, opts));
    const stored = cache.needles(key);
    if (stored) {
      next = stored;
      for (const n of stored.headerNeedles) known.add(n);
    } else {
      const project = new Project(await indexAll(selected, opts, indexNotes));
      next = timed('index', () => newNeedles({ project, known }));
      cache.setNeedles(key, { needles: [...next.needles], headerNeedles: [...next.headerNeedles] });
    }
  }
  const key = hash('result', stateKey(selected, known, opts), JSON.stringify(opts.shard ?? null));
  const counts = { root: opts.root, filesScanned: found.files.length, ignored: found.ignored };
  const stored = cache.result(key);
  if (stored) return { ...counts, files: stored.files, filesParsed: stored.filesParsed, notifications: [...notifications, ...stored.notifications] };
  const indexed = await indexAll(selected, opts, indexNotes);
  const sources = new Map(selected.filter((s) => s.indexed).map((s) => [s.file.relPath, { text: s.text ?? '', absPath: s.file.absPath }]));
  const result = lintTree({ ...counts, project: new Project(indexed), sources, notifications: indexNotes }, opts);
  cache.setResult(key, { files: result.files, notifications: result.notifications, filesParsed: result.filesParsed });
  return { ...result, notifications: [...notifications, ...result.notifications] };
}

/**
 * The state a round's outcome depends on: each matching file's path, text and
 * options, and the names already searched for.
 */
function stateKey(selected: Selected[], known: Set<string>, opts: LintOptions): string {
  const files = selected
    .map((s) => `${s.file.relPath}\0${s.hash}\0${definesKey(definesOf(s.file, opts))}\0${optionsKey(opts.optionsFor?.(s.file.absPath) ?? opts)}`)
    .sort();
  return hash(...files, '\0known', ...[...known].sort());
}

/** Parses and indexes the matching files not indexed yet (reading those the cache knew only by hash). */
async function indexAll(selected: Selected[], opts: LintOptions, notes: Notification[]): Promise<IndexedFile[]> {
  for (const [i, s] of selected.entries()) {
    if (s.indexed !== undefined) continue;
    // tree-sitter frees trees only when the event loop turns.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    s.text ??= textOf(s);
    s.indexed = indexOne(s.file, s.text, opts, notes);
  }
  return selected.flatMap((s) => (s.indexed ? [s.indexed] : []));
}

function textOf(s: Selected): string {
  const read = readSourceSync(s.file);
  if (!read.ok || read.skipped || hash(read.text) !== s.hash) throw new Stale();
  return read.text;
}

/** Each file's verdict for the round's needles: from the cache where its stat is unchanged, else read. */
async function readRound(files: DiscoveredFile[], needles: Needles, opts: LintOptions, cache: Cache): Promise<Verdict[]> {
  const keys = { plain: hash('plain', ...needles.needles), header: hash('header', ...needles.headerNeedles) };
  const out = new Array<Verdict>(files.length);
  const stats: (Stats | undefined)[] = [];
  const statTime = Date.now();
  const toRead: number[] = [];
  timed('cache', () => {
    files.forEach((f, i) => {
      const st = statSync(f.absPath, { throwIfNoEntry: false });
      stats.push(st);
      const v = st && cache.verdict(f.absPath, signature(st), HEADER.test(f.relPath) ? keys.header : keys.plain);
      if (v) out[i] = v.hit ? { kind: 'hit', hash: v.hash } : { kind: 'skip' };
      else toRead.push(i);
    });
  });
  const reads = await timedAsync('read', () =>
    prefilter({ files: toRead.map((i) => files[i]), needles: [...needles.needles], headerNeedles: [...needles.headerNeedles] }, opts.jobs ?? defaultJobs()),
  );
  count('filesRead', toRead.length);
  reads.forEach((read, j) => {
    const i = toRead[j];
    const f = files[i];
    const st = stats[i];
    if (!read.ok) {
      out[i] = { kind: 'fail', notification: read.notification };
      return;
    }
    const h = read.skipped ? null : hash(read.text);
    if (st) cache.record(f.absPath, st, statTime, HEADER.test(f.relPath) ? keys.header : keys.plain, h);
    out[i] = h === null ? { kind: 'skip' } : { kind: 'hit', hash: h, text: read.text };
  });
  return out;
}
