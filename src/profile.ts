import { performance } from 'node:perf_hooks';

/**
 * Where a run's wall time goes, for bench/ (never for tests: timings are not
 * results). With VMSPLICE_LINT_PROFILE set, the phases are summed as the run
 * goes and printed on stderr at exit as one line, `vmsplice-lint-profile
 * {...}` in milliseconds, which the bench scripts read. Startup is the time
 * from the process's start to the first phase; report is the time from the
 * last phase to exit.
 */

export type Phase = 'discovery' | 'read' | 'parse' | 'index' | 'analysis' | 'cache';

const enabled = process.env.VMSPLICE_LINT_PROFILE !== undefined && process.env.VMSPLICE_LINT_PROFILE !== '';
const totals: Record<string, number> = {};
/** Time spent in phases nested in each running phase (a parse inside indexing is charged to parsing only). */
const nested: number[] = [];
let firstStart: number | undefined;
let lastEnd = 0;

function settle(phase: Phase, start: number): void {
  const now = performance.now();
  const elapsed = now - start;
  totals[phase] = (totals[phase] ?? 0) + elapsed - (nested.pop() ?? 0);
  if (nested.length) nested[nested.length - 1] += elapsed;
  lastEnd = now;
}

function begin(): number {
  const now = performance.now();
  firstStart ??= now;
  nested.push(0);
  return now;
}

/** Runs `f`, charging its time, less that of nested phases, to `phase`. */
export function timed<T>(phase: Phase, f: () => T): T {
  if (!enabled) return f();
  const start = begin();
  try {
    return f();
  } finally {
    settle(phase, start);
  }
}

/** timed() for asynchronous work that runs alone (discovery, the read pass). */
export async function timedAsync<T>(phase: Phase, f: () => Promise<T>): Promise<T> {
  if (!enabled) return f();
  const start = begin();
  try {
    return await f();
  } finally {
    settle(phase, start);
  }
}

/** Adds a count (files read, parsed) to the profile line. */
export function count(name: string, n: number): void {
  if (enabled) totals[name] = (totals[name] ?? 0) + n;
}

if (enabled) {
  process.once('exit', () => {
    const total = performance.now();
    const round = (x: number): number => Math.round(x * 10) / 10;
    const out: Record<string, number> = { startup: round(firstStart ?? total) };
    for (const p of ['discovery', 'read', 'parse', 'index', 'analysis', 'cache']) if (totals[p] !== undefined) out[p] = round(totals[p]);
    out.report = round(firstStart === undefined ? 0 : total - lastEnd);
    out.total = round(total);
    for (const [k, v] of Object.entries(totals)) if (!(k in out)) out[k] = v;
    process.stderr.write(`vmsplice-lint-profile ${JSON.stringify(out)}\n`);
  });
}
