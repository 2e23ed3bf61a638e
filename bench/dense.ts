import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { allRules } from '../rules/index.js';
import { lint } from '../src/lint.js';
import { parseC } from '../src/parse.js';

/**
 * A tree where every file uses vmsplice (copies of the fixtures), so the
 * analysis itself is measured rather than the prefilter: files per second
 * per core, against tree-sitter's raw parse of the same files.
 * Run: npm run bench:dense [-- COPIES]
 */

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const copies = Number(process.argv[2] ?? 40);

function cFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? cFiles(p) : /\.[ch]$/.test(n) ? [p] : [];
  });
}

const root = mkdtempSync(path.join(tmpdir(), 'vmsplice-lint-dense-'));
try {
  const sources = cFiles(path.join(repo, 'fixtures')).filter((f) => !f.includes(`${path.sep}cross-file${path.sep}`));
  let bytes = 0;
  for (let c = 0; c < copies; c++) {
    const dir = path.join(root, `copy${c}`);
    mkdirSync(dir);
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      bytes += text.length;
      writeFileSync(path.join(dir, path.basename(path.dirname(f)) + '-' + path.basename(f)), text);
    }
  }
  cpSync(path.join(repo, 'fixtures', 'cross-file'), path.join(root, 'cross-file'), { recursive: true });
  const files = cFiles(root);

  const texts = files.map((f) => readFileSync(f, 'utf8'));
  let t0 = performance.now();
  for (const t of texts) parseC(t);
  const parseMs = performance.now() - t0;

  t0 = performance.now();
  const result = await lint({
    root,
    paths: [root],
    rules: allRules,
    jobs: 1,
    discover: { extensions: ['.c', '.h'], include: [], exclude: [], useIgnoreFiles: false },
  });
  const lintMs = performance.now() - t0;
  const findings = result.files.reduce((n, f) => n + f.findings.length, 0);
  console.log(`dense tree: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB, every file mentions vmsplice; 1 thread, ${availableParallelism()} CPUs`);
  console.log(`tree-sitter parse only: ${(parseMs / 1000).toFixed(2)} s, ${(files.length / (parseMs / 1000)).toFixed(0)} files/s`);
  console.log(`vmsplice-lint (read, parse, index, analyse, check): ${(lintMs / 1000).toFixed(2)} s, ${(files.length / (lintMs / 1000)).toFixed(0)} files/s per core, ${findings} findings`);
  console.log(`analysis cost over the parse: ${(lintMs / parseMs).toFixed(1)}x`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
