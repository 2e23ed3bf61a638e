import { parentPort, workerData } from 'node:worker_threads';
import { CHUNK, needleSets, prefilterRange, type WorkerJob, type WorkerResult } from './prefilter.js';

// A worker's share of the read-and-prefilter pass (see prefilter.ts): chunks taken from the shared counter.
const job = workerData as WorkerJob;
const files = job.absPaths.map((absPath, i) => ({ absPath, relPath: job.relPaths[i] }));
const sets = needleSets(job.needles, job.headerNeedles);
const kept: WorkerResult = [];
for (let c = Atomics.add(job.next, 0, 1); c * CHUNK < files.length; c = Atomics.add(job.next, 0, 1)) {
  prefilterRange(files, sets, c * CHUNK, Math.min(files.length, (c + 1) * CHUNK), kept);
}
parentPort?.postMessage(kept);
