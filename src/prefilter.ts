import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from './discover.js';
import { HEADER } from './file-kinds.js';
import { NeedleSet } from './prefilter-needles.js';
import { readSourceSync, type SourceRead } from './source.js';

/**
 * The read-and-prefilter pass over a whole tree: every file is read, and only
 * the few that mention a needle are decoded and kept. It is the run's floor
 * (reading a kernel tree), so it is spread over worker threads that take
 * chunks of the file list from a shared counter until none is left (a
 * directory of large files slows one thread, not the run); results come back
 * in the files' order, whatever the threads' timing.
 */

export interface PrefilterJob {
  files: DiscoveredFile[];
  /** Needles by file kind: headers may need more (flag macro definitions). */
  needles: string[];
  headerNeedles: string[];
}

/** What a worker is given: paths only, and the index of the shared chunk counter. */
export interface WorkerJob {
  absPaths: string[];
  relPaths: string[];
  needles: string[];
  headerNeedles: string[];
  next: Int32Array;
}

/** A worker's answer: the files that were not skipped, by index in the job. */
export type WorkerResult = [number, SourceRead][];

/** Below this many files, starting threads costs more than it saves. */
const MIN_FILES_PER_WORKER = 2000;

/** Files a worker takes at a time. */
export const CHUNK = 256;

const SKIPPED: SourceRead = { ok: true, text: '', bytes: 0, skipped: true };

export function defaultJobs(): number {
  return availableParallelism();
}

/** The needles of a job, ready to search: plain files', headers' (where a mention in a comment counts). */
export function needleSets(needles: string[], headerNeedles: string[]): [NeedleSet, NeedleSet] {
  return [new NeedleSet(needles), new NeedleSet(headerNeedles, false)];
}

/** Reads files[from, to) of a job; only what was not skipped is kept. */
export function prefilterRange(files: DiscoveredFile[], [plain, headers]: [NeedleSet, NeedleSet], from: number, to: number, out: WorkerResult): void {
  for (let i = from; i < to; i++) {
    const f = files[i];
    const read = readSourceSync(f, { prefilter: HEADER.test(f.relPath) ? headers : plain });
    if (!read.ok || !read.skipped) out.push([i, read]);
  }
}

export async function prefilter(job: PrefilterJob, jobs: number): Promise<SourceRead[]> {
  const out = new Array<SourceRead>(job.files.length).fill(SKIPPED);
  const n = Math.min(jobs, Math.floor(job.files.length / MIN_FILES_PER_WORKER));
  const kept: WorkerResult = [];
  if (n <= 1) {
    prefilterRange(job.files, needleSets(job.needles, job.headerNeedles), 0, job.files.length, kept);
  } else {
    const workerJob: WorkerJob = {
      absPaths: job.files.map((f) => f.absPath),
      relPaths: job.files.map((f) => f.relPath),
      needles: job.needles,
      headerNeedles: job.headerNeedles,
      next: new Int32Array(new SharedArrayBuffer(4)),
    };
    const parts = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<WorkerResult>((resolve, reject) => {
            const w = new Worker(new URL('./prefilter-worker.js', import.meta.url), { workerData: workerJob });
            w.once('message', resolve);
            w.once('error', reject);
            w.once('exit', (code) => {
              if (code !== 0) reject(new Error(`prefilter worker exited with code ${code}`));
            });
          }),
      ),
    );
    for (const part of parts) kept.push(...part);
  }
  for (const [i, read] of kept) out[i] = read;
  return out;
}
