import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from './discover.js';
import { HEADER } from './file-kinds.js';
import { readSourceSync, type SourceRead } from './source.js';

/**
 * The read-and-prefilter pass over a whole tree: every file is read, and only
 * the few that mention a needle are decoded and kept. It is the run's floor
 * (reading a kernel tree), so it is spread over worker threads; results come
 * back in the files' order, whatever the threads' timing.
 */

export interface PrefilterJob {
  files: DiscoveredFile[];
  /** Needles by file kind: headers may need more (flag macro definitions). */
  needles: string[];
  headerNeedles: string[];
}

/** Below this many files, starting threads costs more than it saves. */
const MIN_FILES_PER_WORKER = 2000;

export function defaultJobs(): number {
  return availableParallelism();
}

export function prefilterSync(job: PrefilterJob): SourceRead[] {
  const plain = job.needles.map((n) => Buffer.from(n));
  const headers = job.headerNeedles.map((n) => Buffer.from(n));
  return job.files.map((f) => readSourceSync(f, { prefilter: HEADER.test(f.relPath) ? headers : plain }));
}

export async function prefilter(job: PrefilterJob, jobs: number): Promise<SourceRead[]> {
  const n = Math.min(jobs, Math.floor(job.files.length / MIN_FILES_PER_WORKER));
  if (n <= 1) return prefilterSync(job);
  // Interleaved shares balance directories of large and small files across threads.
  const shares = Array.from({ length: n }, (_, k) => job.files.filter((_, i) => i % n === k));
  const parts = await Promise.all(
    shares.map(
      (files) =>
        new Promise<SourceRead[]>((resolve, reject) => {
          const w = new Worker(new URL('./prefilter-worker.js', import.meta.url), { workerData: { ...job, files } });
          w.once('message', resolve);
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`prefilter worker exited with code ${code}`));
          });
        }),
    ),
  );
  const out = new Array<SourceRead>(job.files.length);
  parts.forEach((part, k) => part.forEach((r, j) => (out[j * n + k] = r)));
  return out;
}
