import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vmsplice-lint against `rg -l vmsplice` on whole trees, side by side in one
 * run, with vmsplice-lint's phase profile (VMSPLICE_LINT_PROFILE, see
 * src/profile.ts) and the plain Node read floor (read-floor.ts).
 * Usage: npm run bench:trees -- [--runs N] [--args "EXTRA ARGS"] [--cache] [DIR...]
 * --cache also times warm re-runs with --cache (after one cold run that fills it).
 * Without DIRs: every tree exported by bench/real-world under
 * ~/.cache/vmsplice-lint-real-world. Wall times are medians of N runs (default 3)
 * after one warm-up; peak RSS is the largest of them.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../src/cli.js');
const floorScript = path.resolve(here, 'read-floor.js');

const PHASES = ['startup', 'discovery', 'read', 'parse', 'index', 'analysis', 'cache', 'report'] as const;
type Profile = Partial<Record<(typeof PHASES)[number] | 'total' | 'filesRead' | 'parses', number>>;

interface Run {
  ms: number;
  rssKb: number;
  stderr: string;
}

/** One timed run of a command in `cwd`: wall time by the clock, peak RSS by /usr/bin/time when there is one. */
function timedRun(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Run {
  const gnuTime = existsSync('/usr/bin/time');
  const argv = gnuTime ? ['-f', 'peak-rss-kb %M', cmd, ...args] : args;
  const start = performance.now();
  const r = spawnSync(gnuTime ? '/usr/bin/time' : cmd, argv, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - start;
  if (r.error) throw r.error;
  const rss = /peak-rss-kb (\d+)/.exec(r.stderr ?? '');
  return { ms, rssKb: rss ? Number(rss[1]) : 0, stderr: r.stderr ?? '' };
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

function profileOf(stderr: string): Profile {
  const line = stderr.split('\n').find((l) => l.startsWith('vmsplice-lint-profile '));
  return line ? (JSON.parse(line.slice('vmsplice-lint-profile '.length)) as Profile) : {};
}

/** Medians of `runs` runs after a warm-up; the profile is the median run's. */
function measure(cmd: string, args: string[], cwd: string, runs: number, env?: NodeJS.ProcessEnv): { ms: number; rssKb: number; profile: Profile } {
  timedRun(cmd, args, cwd, env);
  const all = Array.from({ length: runs }, () => timedRun(cmd, args, cwd, env));
  const mid = median(all.map((r) => r.ms));
  const chosen = all.find((r) => r.ms === mid) ?? all[0];
  return { ms: mid, rssKb: Math.max(...all.map((r) => r.rssKb)), profile: profileOf(chosen.stderr) };
}

function readFloor(dir: string): number {
  const r = spawnSync(process.execPath, [floorScript, dir], { encoding: 'utf8' });
  const m = /read-floor (\{.*\})/.exec(r.stdout ?? '');
  return m ? (JSON.parse(m[1]) as { ms: number }).ms : NaN;
}

function lintArgs(extra: string[]): string[] {
  return [cli, '--format', 'json', '--fail-on', 'never', '--quiet', ...extra, '.'];
}

function profileLine(p: Profile): string {
  return PHASES.filter((k) => p[k]).map((k) => `${k} ${Math.round(p[k] ?? 0)}`).join(', ');
}

function parseArgs(argv: string[]): { runs: number; extra: string[]; dirs: string[]; cache: boolean } {
  let runs = 3;
  let extra: string[] = [];
  let cache = false;
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--cache') cache = true;
    else if (argv[i] === '--args') extra = (argv[++i] ?? '').split(/\s+/).filter(Boolean);
    else dirs.push(argv[i]);
  }
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write('bench/trees: --runs takes a whole number of at least 1\n');
    process.exit(2);
  }
  return { runs, extra, dirs, cache };
}

function main(): void {
  const { runs, extra, dirs: given, cache } = parseArgs(process.argv.slice(2));
  const exported = path.join(homedir(), '.cache', 'vmsplice-lint-real-world');
  const dirs = given.length ? given.map((d) => path.resolve(d)) : existsSync(exported) ? readdirSync(exported).sort().map((d) => path.join(exported, d)) : [];
  if (!dirs.length) {
    process.stderr.write('bench/trees: no trees given, and none exported by bench/real-world\n');
    process.exit(2);
  }
  if (spawnSync('rg', ['--version']).error) {
    process.stderr.write('bench/trees: ripgrep (rg) is needed: apt-get install ripgrep\n');
    process.exit(2);
  }
  const env = { ...process.env, VMSPLICE_LINT_PROFILE: '1' };
  const sums: Record<string, number> = {};
  let rgTotal = 0;
  let lintTotal = 0;
  let floorTotal = 0;
  let rssMax = 0;
  let warmTotal = 0;
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'vmsplice-lint-bench-cache-'));
  console.log(`${dirs.length} trees, ${runs} runs each after a warm-up, medians (ms):`);
  console.log('tree                                          rg    lint  x rg  read+disc  floor  parses  profile');
  for (const dir of dirs) {
    const rg = measure('rg', ['-l', 'vmsplice', '.'], dir, runs);
    const lint = measure(process.execPath, lintArgs(extra), dir, runs, env);
    const floor = readFloor(dir);
    // The warm-up run of measure() fills the cache; the timed runs find it.
    const warm = cache ? measure(process.execPath, lintArgs(['--cache', '--cache-location', path.join(cacheDir, path.basename(dir)), ...extra]), dir, runs, env) : null;
    warmTotal += warm?.ms ?? 0;
    const p = lint.profile;
    for (const k of PHASES) sums[k] = (sums[k] ?? 0) + (p[k] ?? 0);
    rgTotal += rg.ms;
    lintTotal += lint.ms;
    floorTotal += floor;
    rssMax = Math.max(rssMax, lint.rssKb);
    const reading = (p.discovery ?? 0) + (p.read ?? 0);
    console.log(
      `${path.basename(dir).slice(0, 42).padEnd(42)} ${rg.ms.toFixed(0).padStart(5)} ${lint.ms.toFixed(0).padStart(7)} ${(lint.ms / rg.ms).toFixed(1).padStart(5)} ${reading.toFixed(0).padStart(10)} ${floor.toFixed(0).padStart(6)} ${String(p.parses ?? '?').padStart(7)}  ${profileLine(p)}`,
    );
    if (warm) console.log(`${''.padEnd(42)} warm --cache: ${warm.ms.toFixed(0)} ms = ${(warm.ms / rg.ms).toFixed(1)}x rg; ${profileLine(warm.profile)}`);
  }
  console.log(`total: rg ${rgTotal.toFixed(0)} ms, vmsplice-lint ${lintTotal.toFixed(0)} ms = ${(lintTotal / rgTotal).toFixed(1)}x rg; peak RSS ${(rssMax / 1024).toFixed(0)} MB`);
  console.log(`read floor (walk + read + indexOf, 2 threads) ${floorTotal.toFixed(0)} ms; vmsplice-lint discovery + read ${((sums.discovery ?? 0) + (sums.read ?? 0)).toFixed(0)} ms`);
  console.log(`where the time went: ${profileLine(sums as Profile)}`);
  if (cache) console.log(`warm --cache total: ${warmTotal.toFixed(0)} ms = ${(warmTotal / rgTotal).toFixed(1)}x rg`);
  rmSync(cacheDir, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
