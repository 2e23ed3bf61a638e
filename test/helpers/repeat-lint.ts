/**
 * Run with `node --expose-gc`: lints a tree several times in one process,
 * forcing garbage collection between runs, and prints one SHA-256 of the
 * SARIF per run. Node objects of node-tree-sitter are created and collected
 * as the analysis walks; any result that depends on their identity shows up
 * as differing hashes.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { allRules } from '../../rules/index.js';
import { lint } from '../../src/lint.js';
import { toSarif } from '../../src/report/sarif.js';
import type { Rule } from '../../src/rule.js';

const [root, runs] = [path.resolve(process.argv[2]), Number(process.argv[3] ?? 6)];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
for (let i = 0; i < runs; i++) {
  const result = await lint({ root, paths: ['.'], rules: allRules as Rule[], discover: { extensions: ['.c', '.h'], include: [], exclude: [], useIgnoreFiles: false }, jobs: 1 });
  const sarif = JSON.stringify(toSarif(result, allRules as Rule[], { toolVersion: '0', informationUri: 'https://example.invalid/', rootUri: pathToFileURL(root + path.sep).href }));
  process.stdout.write(`${createHash('sha256').update(sarif).digest('hex')}\n`);
  gc();
  // Fresh garbage between runs so that collected node objects' memory is reused.
  for (let k = 0; k < 20000; k++) new Array(64).fill(k);
  gc();
}
