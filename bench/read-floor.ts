import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * The plain Node floor of the read pass (issue 14): walk the tree for .c/.h
 * files, then on 2 worker threads open each, readSync it into one reused
 * Buffer, indexOf('vmsplice'), close. No decoding, no per-file allocation.
 * Prints `read-floor {"ms":..,"files":..,"hits":..}`; bench/trees and
 * bench/kernel compare vmsplice-lint's discovery + read phases with it.
 * Usage: node dist/bench/read-floor.js DIR [THREADS]
 */

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && (e.name.endsWith('.c') || e.name.endsWith('.h'))) out.push(p);
  }
}

function scan(files: string[]): number {
  const needle = Buffer.from('vmsplice');
  let buf = Buffer.allocUnsafe(1 << 20);
  let hits = 0;
  for (const f of files) {
    const fd = openSync(f, 'r');
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    closeSync(fd);
    if (buf.subarray(0, len).indexOf(needle) >= 0) hits++;
  }
  return hits;
}

if (isMainThread) {
  const [dir, threadsArg] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: read-floor DIR [THREADS]\n');
    process.exit(2);
  }
  const threads = Number(threadsArg ?? 2);
  const start = performance.now();
  const files: string[] = [];
  walk(path.resolve(dir), files);
  const walked = performance.now();
  const shares = Array.from({ length: threads }, (_, k) => files.filter((_, i) => i % threads === k));
  const hits = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(new URL(import.meta.url), { workerData: share });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  const end = performance.now();
  const out = { ms: Math.round(end - start), walkMs: Math.round(walked - start), files: files.length, hits: hits.reduce((a, b) => a + b, 0) };
  process.stdout.write(`read-floor ${JSON.stringify(out)}\n`);
} else {
  parentPort?.postMessage(scan(workerData as string[]));
}
