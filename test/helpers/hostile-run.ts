// Runs the real CLI for the hostile-input and fault tests (test/hostile.test.ts, test/faults.test.ts): always with a
// timeout, so that a hang fails a test instead of hanging CI, and with the checks every such run shares.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';

export interface CliRun {
  /** Exit code; null when the process was killed (timeout) or died of a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time of the run. */
  ms: number;
  timedOut: boolean;
  /** A one-line description for assertion messages. */
  label: string;
}

export interface RunOptions {
  cwd: string;
  /** Milliseconds after which the CLI is killed (SIGKILL) and the run counts as a hang. */
  timeout: number;
  env?: NodeJS.ProcessEnv;
}

// Big enough for the SARIF of a fuzz batch (a few MB) with room to spare.
const MAX_BUFFER = 512 * 1024 * 1024;

function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  // A step summary file of the outer CI must not receive our runs' summaries.
  delete env.GITHUB_STEP_SUMMARY;
  delete env.FORCE_COLOR;
  return env;
}

function describe(cli: string, args: string[], cwd: string): string {
  return `node ${path.basename(cli)} ${args.join(' ')} (cwd ${cwd})`;
}

export function runCli(cli: string, args: string[], opts: RunOptions): CliRun {
  return runCommand(process.execPath, [cli, ...args], opts, describe(cli, args, opts.cwd));
}

/** Any command (e.g. the CLI under `sh -c 'ulimit ...; exec node ...'`), with the same timeout and result. */
export function runCommand(file: string, args: string[], opts: RunOptions, label = `${file} ${args.join(' ')} (cwd ${opts.cwd})`): CliRun {
  const started = performance.now();
  const r = spawnSync(file, args, {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: baseEnv(opts.env),
    timeout: opts.timeout,
    killSignal: 'SIGKILL',
    maxBuffer: MAX_BUFFER,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - started;
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms, timedOut, label };
}

/** The same as runCli without blocking the event loop, so that several runs can share the machine's cores. */
export function runCliAsync(cli: string, args: string[], opts: RunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: opts.cwd, env: baseEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
        timedOut,
        label: describe(cli, args, opts.cwd),
      });
    });
  });
}

/** Runs `jobs` with at most `limit` of them in flight; results in input order. */
export async function inParallel<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return results;
}

const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;
const CRASH_TEXT = /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|Error \[ERR_[A-Z_]+\]|FATAL ERROR|Segmentation fault|Aborted|heap out of memory|Maximum call stack size exceeded)\b/;

/** No stack frame, no uncaught-exception or V8/native crash text on stderr. */
export function assertNoCrashText(r: CliRun): void {
  assert.doesNotMatch(r.stderr, STACK_FRAME, `${r.label}: stack trace on stderr:\n${r.stderr.slice(0, 2000)}`);
  assert.doesNotMatch(r.stderr, CRASH_TEXT, `${r.label}: crash text on stderr:\n${r.stderr.slice(0, 2000)}`);
}

/** Finished in time, not killed, exit 0 or 1 (never 2 for an input file), no crash text. */
export function assertLintCompleted(r: CliRun): void {
  assert.equal(r.timedOut, false, `${r.label}: still running after the timeout (${Math.round(r.ms)} ms): a hang`);
  assert.equal(r.signal, null, `${r.label}: died of ${r.signal}; stderr:\n${r.stderr.slice(0, 2000)}`);
  assert.ok(r.status === 0 || r.status === 1, `${r.label}: exit ${r.status}, expected 0 or 1; stderr:\n${r.stderr.slice(0, 2000)}`);
  assertNoCrashText(r);
}

/** The exit-2 contract: exactly one line on stderr, starting with 'vmsplice-lint: ', no stack trace, nothing on stdout. */
export function assertUsageError(r: CliRun, pattern?: RegExp): void {
  assert.equal(r.timedOut, false, `${r.label}: hang`);
  assert.equal(r.status, 2, `${r.label}: exit ${r.status}, expected 2; stderr:\n${r.stderr}`);
  assert.equal(r.stdout, '', `${r.label}: output on stdout with exit 2`);
  assert.match(r.stderr, /^vmsplice-lint: [^\n]+\n$/, `${r.label}: not exactly one 'vmsplice-lint: ' line on stderr:\n${r.stderr}`);
  if (pattern) assert.match(r.stderr, pattern, `${r.label}: unexpected error line`);
  assertNoCrashText(r);
}

export interface JsonNotification {
  level: string;
  kind: string;
  path: string;
  message: string;
}

export interface JsonFinding {
  ruleId: string;
  level: string;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonOutput {
  version: number;
  summary: { files: number; findings: number; skipped: number };
  findings: JsonFinding[];
  notifications: JsonNotification[];
}

export function parseJson(r: CliRun): JsonOutput {
  let out: JsonOutput;
  try {
    out = JSON.parse(r.stdout) as JsonOutput;
  } catch (err) {
    assert.fail(`${r.label}: stdout is not JSON (${(err as Error).message}); first bytes: ${JSON.stringify(r.stdout.slice(0, 200))}`);
  }
  assert.equal(out.version, 1, `${r.label}: JSON version`);
  assert.ok(Array.isArray(out.findings) && Array.isArray(out.notifications), `${r.label}: findings/notifications arrays`);
  return out;
}

/** Parses SARIF on stdout and checks the structure GitHub relies on; returns the single run. */
export function parseSarif(r: CliRun): Sarif.Run {
  let log: Sarif.Log;
  try {
    log = JSON.parse(r.stdout) as Sarif.Log;
  } catch (err) {
    assert.fail(`${r.label}: stdout is not JSON (${(err as Error).message}); first bytes: ${JSON.stringify(r.stdout.slice(0, 200))}`);
  }
  assert.equal(log.version, '2.1.0', `${r.label}: SARIF version`);
  assert.equal(log.runs?.length, 1, `${r.label}: one run`);
  const run = log.runs[0];
  assert.ok(Array.isArray(run.results), `${r.label}: results is an array`);
  assert.equal(run.columnKind, 'utf16CodeUnits', `${r.label}: columnKind`);
  for (const [i, result] of run.results!.entries()) {
    const loc = result.locations?.[0]?.physicalLocation;
    const region = loc?.region;
    assert.ok(loc?.artifactLocation?.uri, `${r.label}: results[${i}] has no artifact uri`);
    assert.ok(region, `${r.label}: results[${i}] has no region`);
    for (const key of ['startLine', 'startColumn', 'endLine', 'endColumn'] as const) {
      const v = region[key];
      assert.ok(Number.isInteger(v) && v! >= 1, `${r.label}: results[${i}].region.${key} = ${v}`);
    }
    assert.ok(
      region.endLine! > region.startLine! || (region.endLine === region.startLine && region.endColumn! >= region.startColumn!),
      `${r.label}: results[${i}] region ends before it starts: ${JSON.stringify(region)}`,
    );
  }
  return run;
}

/** toolExecutionNotifications as { kind, path, level, message }. */
export function sarifNotifications(run: Sarif.Run): JsonNotification[] {
  return (run.invocations?.[0]?.toolExecutionNotifications ?? []).map((n) => ({
    kind: n.descriptor?.id ?? '',
    level: n.level ?? '',
    message: n.message.text ?? '',
    path: decodeURIComponent(n.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? ''),
  }));
}

/** The root-relative path of a result's primary location. */
export function resultPath(result: Sarif.Result): string {
  return decodeURIComponent(result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '');
}

/** A fresh directory under os.tmpdir(); removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `vmsplice-lint-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
}

/** mulberry32: a small seeded PRNG, so every generated variant can be regenerated from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: a stable seed per fixture path. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
