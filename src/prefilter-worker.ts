import { parentPort, workerData } from 'node:worker_threads';
import { prefilterSync, type PrefilterJob } from './prefilter.js';

// A worker's share of the read-and-prefilter pass (see prefilter.ts).
parentPort?.postMessage(prefilterSync(workerData as PrefilterJob));
