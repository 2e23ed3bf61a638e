import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { discover, type DiscoverOptions } from './discover.js';
import { lintText, PREFILTER_NEEDLES, type EngineOptions } from './engine.js';
import { assignFingerprints } from './report/fingerprint.js';
import { readSource } from './source.js';
import type { FileResult, LintResult, Notification } from './types.js';

export interface LintOptions extends EngineOptions {
  /** Absolute lint root: paths in results are relative to it. */
  root: string;
  paths: string[];
  discover: DiscoverOptions;
}

const NEEDLES = PREFILTER_NEEDLES.map((n) => Buffer.from(n));
/** tree-sitter frees trees only when the event loop turns; yield this often. */
const YIELD_EVERY = 64;

/** The whole pipeline for a set of paths: discover, read, prefilter, analyze, check. */
export async function lint(opts: LintOptions): Promise<LintResult> {
  const found = await discover(opts.paths, opts.root, opts.discover);
  const notifications: Notification[] = [...found.notifications];
  const files: FileResult[] = [];
  let filesParsed = 0;
  for (const file of found.files) {
    const read = await readSource(file, { prefilter: NEEDLES });
    if (!read.ok) {
      notifications.push(read.notification);
      continue;
    }
    if (read.skipped) continue;
    filesParsed++;
    if (filesParsed % YIELD_EVERY === 0) await yieldToEventLoop();
    try {
      const linted = lintText(file.relPath, read.text, opts);
      notifications.push(...linted.notifications);
      if (linted.findings.length) files.push({ path: file.relPath, findings: linted.findings, notifications: [] });
    } catch (err) {
      // One file the analysis cannot handle must not cost the user the whole run.
      notifications.push({
        level: 'error',
        kind: 'internal',
        path: file.relPath,
        message: `internal error while analysing the file: ${(err as Error).message}`,
      });
    }
  }
  assignFingerprints(files.flatMap((f) => f.findings));
  return { root: opts.root, files, filesScanned: found.files.length, filesParsed, notifications };
}
