import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Defines } from '../analysis/preproc.js';
import type { EngineOptions } from '../engine.js';

/** What cache keys are made of: hashes of the tool, options, needles and contents. */

export function hash(...parts: string[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

const distRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The tool's identity: its version, and the size and time of every built
 * module, so a rebuilt or patched tool of the same version is a new tool.
 */
export function toolId(): string {
  const version = (JSON.parse(readFileSync(path.join(distRoot, '../package.json'), 'utf8')) as { version: string }).version;
  const parts = [version];
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.js')) {
        const st = statSync(p);
        parts.push(`${path.relative(distRoot, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  for (const d of ['src', 'rules']) visit(path.join(distRoot, d));
  return hash(...parts);
}

export function definesKey(d: Defines): string {
  return JSON.stringify([[...d.defined].sort(), [...d.undefined].sort()]);
}

/** Everything in a file's options that can change its findings. */
export function optionsKey(o: EngineOptions): string {
  const sorted = <V>(m: ReadonlyMap<string, V> | undefined): [string, V][] => [...(m ?? new Map<string, V>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    o.rules.map((r) => r.id),
    sorted(o.levels),
    sorted(o.ruleOptions),
    o.defines ? definesKey(o.defines) : null,
    o.includeSuppressed === true,
    o.reportUnusedDirectives === true,
  ]);
}
