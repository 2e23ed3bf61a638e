import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyReplacements } from './fix.js';
import { lint, type LintOptions } from './lint.js';
import type { Finding, LintResult, Replacement } from './types.js';

/** Fixes can uncover or unblock others (two flags removed from one `|`): lint again, this many times at most. */
const MAX_PASSES = 10;

interface Planned {
  finding: Finding;
  description: string;
  replacements: Replacement[];
}

/**
 * `--fix`: lints, applies every fix of every unsuppressed finding (per file,
 * written atomically), and lints again until nothing is left to fix. Each
 * change is announced on `log`; the result is the last lint, what remains.
 */
export async function lintAndFix(opts: LintOptions, log: (line: string) => void = (l) => process.stderr.write(`vmsplice-lint: ${l}\n`)): Promise<LintResult> {
  let result = await lint(opts);
  let total = 0;
  const touched = new Set<string>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const byFile = new Map<string, Planned[]>();
    for (const f of result.files.flatMap((x) => x.findings)) {
      if (f.suppression) continue;
      for (const fix of f.fixes ?? []) {
        for (const change of fix.changes) {
          const list = byFile.get(change.path) ?? [];
          list.push({ finding: f, description: fix.description, replacements: change.replacements });
          byFile.set(change.path, list);
        }
      }
    }
    let applied = 0;
    for (const [rel, planned] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const file = path.resolve(opts.root, rel);
      const text = readFileSync(file, 'utf8');
      // A fix is applied whole or not at all: its replacements go in together.
      const out = applyReplacements(text, planned.flatMap((p) => p.replacements));
      const done = planned.filter((p) => p.replacements.every((r) => out.applied.includes(r)));
      if (!done.length) continue;
      const kept = applyReplacements(text, done.flatMap((p) => p.replacements));
      await writeAtomically(file, kept.text);
      touched.add(rel);
      for (const p of done) {
        const { startLine, startColumn } = p.replacements[0].region;
        log(`fixed ${rel}:${startLine}:${startColumn}: ${p.description} (${p.finding.ruleId})`);
      }
      applied += done.length;
    }
    if (!applied) break;
    total += applied;
    result = await lint(opts);
  }
  log(`${total} fix(es) applied in ${touched.size} file(s)`);
  return result;
}

/** A temporary file beside the target, renamed over it: the file is either as it was or fully fixed, with its mode kept. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.fix`);
  try {
    const { mode } = await stat(file);
    await writeFile(tmp, content, { flag: 'wx', mode });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`cannot write fixed file '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
