import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Per-rule precision and recall of vmsplice-lint against hand-judged call sites of public C trees
 * (bench/real-world/README.md). Runs by hand, offline, from local mirrors; it is not a test.
 * Run: npm run bench:real-world [-- --mirrors DIR] [--set dev|holdout] [--project owner/name] [--json]
 */

const RULES = [
  'splice-f-gift',
  'ineffective-flag',
  'buffer-modified-after-vmsplice',
  'non-netlink-destination',
  'not-a-pipe',
  'unchecked-result',
  'fork-after-vmsplice',
  'read-direction-misuse',
  'file-backed-vmsplice',
  'gift-unaligned',
] as const;
const SETS = ['dev', 'holdout'] as const;
type SetName = (typeof SETS)[number];
type Expectation = boolean | 'unclear';

interface Project {
  repo: string;
  commit: string;
  set: SetName;
  kind: string;
  paths?: string[];
  defines?: string[];
}

interface Site {
  repo: string;
  commit: string;
  path: string;
  line: number;
  modification_line: number | null;
  /** Other lines of the same call's path that the judge found also change the queued memory harmfully. */
  also_modified_lines: number[];
  call: 'vmsplice' | 'splice';
  expected: Record<string, Expectation>;
  reason: string;
}

interface Finding {
  ruleId: string;
  message: string;
  path: string;
  line: number;
  related: { path: string; line: number }[];
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  unclear: number;
}

interface Listed {
  set: SetName;
  repo: string;
  path: string;
  line: number;
  rule: string;
  text: string;
}

class UsageError extends Error {}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const benchDir = path.join(repoRoot, 'bench', 'real-world');

function parseArgs(argv: string[]) {
  const opts = {
    mirrors: '/work/.mirror',
    cache: path.join(homedir(), '.cache', 'vmsplice-lint-real-world'),
    json: false,
    set: undefined as SetName | undefined,
    project: undefined as string | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json') opts.json = true;
    else if (a === '--mirrors') opts.mirrors = path.resolve(value());
    else if (a === '--cache') opts.cache = path.resolve(value());
    else if (a === '--project') opts.project = value();
    else if (a === '--set') {
      const s = value();
      if (!(SETS as readonly string[]).includes(s)) throw new UsageError(`--set must be dev or holdout, not '${s}'`);
      opts.set = s as SetName;
    } else throw new UsageError(`unknown argument '${a}' (options: --mirrors DIR, --cache DIR, --set dev|holdout, --project owner/name, --json)`);
  }
  return opts;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path.relative(repoRoot, file)}: ${(e as Error).message}`);
  }
}

function loadProjects(): Project[] {
  const file = path.join(benchDir, 'projects.json');
  const data = readJson(file);
  if (!Array.isArray(data)) throw new UsageError('projects.json: expected an array');
  return data.map((p, i) => {
    const where = `projects.json[${i}]`;
    if (typeof p?.repo !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(p.repo)) throw new UsageError(`${where}: "repo" must be owner/name`);
    if (typeof p.commit !== 'string' || !/^[0-9a-f]{40}$/.test(p.commit)) throw new UsageError(`${where}: "commit" must be 40 hex digits`);
    if (!(SETS as readonly string[]).includes(p.set)) throw new UsageError(`${where}: "set" must be dev or holdout`);
    if (p.paths !== undefined && !(Array.isArray(p.paths) && p.paths.every((x: unknown) => typeof x === 'string')))
      throw new UsageError(`${where}: "paths" must be an array of strings`);
    if (p.defines !== undefined && !(Array.isArray(p.defines) && p.defines.every((x: unknown) => typeof x === 'string')))
      throw new UsageError(`${where}: "defines" must be an array of strings`);
    return p as Project;
  });
}

function loadSites(): Site[] {
  const dir = path.join(benchDir, 'judgements');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  return files.flatMap((f) => {
    const data = readJson(path.join(dir, f));
    if (!Array.isArray(data)) throw new UsageError(`judgements/${f}: expected an array`);
    return data.map((s, i) => {
      const where = `judgements/${f}[${i}]`;
      if (typeof s?.path !== 'string' || !Number.isInteger(s.line)) throw new UsageError(`${where}: needs "path" and an integer "line"`);
      if (typeof s.repo !== 'string' || typeof s.commit !== 'string') throw new UsageError(`${where}: needs "repo" and "commit"`);
      if (s.modification_line !== null && s.modification_line !== undefined && !Number.isInteger(s.modification_line))
        throw new UsageError(`${where}: "modification_line" must be an integer or null`);
      if (typeof s.expected !== 'object' || s.expected === null) throw new UsageError(`${where}: needs "expected"`);
      for (const rule of RULES) {
        const e = s.expected[rule];
        if (e !== true && e !== false && e !== 'unclear') throw new UsageError(`${where}: expected["${rule}"] must be true, false or "unclear"`);
      }
      const call = s.call ?? 'vmsplice';
      if (call !== 'vmsplice' && call !== 'splice') throw new UsageError(`${where}: "call" must be "vmsplice" or "splice"`);
      if (s.also_modified_lines !== undefined && !(Array.isArray(s.also_modified_lines) && s.also_modified_lines.every(Number.isInteger)))
        throw new UsageError(`${where}: "also_modified_lines" must be an array of integers`);
      return { ...s, call, modification_line: s.modification_line ?? null, also_modified_lines: s.also_modified_lines ?? [], reason: String(s.reason ?? '') } as Site;
    });
  });
}

/** The pinned commit's tree, exported once into the cache (atomically: a half-written tree is never reused). */
type Outcome<T> = { ok: T } | { skip: string };

function exportTree(project: Project, mirrors: string, cache: string): Outcome<string> {
  const name = project.repo.replace('/', '+');
  const gitDir = [path.join(mirrors, name, 'repo'), path.join(mirrors, name)].find((d) => existsSync(path.join(d, 'HEAD')));
  const tree = path.join(cache, `${name}@${project.commit.slice(0, 12)}`);
  if (existsSync(tree)) return { ok: tree };
  if (!gitDir) return { skip: `no mirror at ${path.join(mirrors, name)} (fetch github:${project.repo})` };
  const part = `${tree}.part`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  // read-tree + checkout-index instead of git archive: archive drops export-ignore'd paths (strace ignores everything)
  const env = { ...process.env, GIT_INDEX_FILE: `${part}.index` };
  const git = (...args: string[]) => spawnSync('git', [`--git-dir=${gitDir}`, `--work-tree=${part}`, ...args], { encoding: 'utf8', env });
  let r = git('read-tree', project.commit);
  if (r.status === 0) r = git('checkout-index', '--all', '--force');
  rmSync(`${part}.index`, { force: true });
  if (r.status !== 0) {
    rmSync(part, { recursive: true, force: true });
    return { skip: `cannot export ${project.commit.slice(0, 12)} from ${gitDir}: ${firstLine(r.stderr)}` };
  }
  renameSync(part, tree);
  return { ok: tree };
}

function firstLine(text: string | null): string {
  return (text ?? '').trim().split('\n')[0];
}

function runLinter(tree: string, project: Project): Outcome<Finding[]> {
  const cli = path.join(repoRoot, 'dist', 'src', 'cli.js');
  const defines = (project.defines ?? []).flatMap((d) => ['-D', d]);
  // Every scored rule runs, also those off by default (--rule enables them).
  const rules = RULES.flatMap((r) => ['--rule', r]);
  const args = [cli, '--format', 'json', '--no-ignore', '--fail-on', 'never', '--quiet', ...rules, ...defines, '--', ...(project.paths ?? ['.'])];
  const r = spawnSync(process.execPath, args, { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return { skip: `vmsplice-lint exited ${r.status ?? r.signal}: ${firstLine(r.stderr)}` };
  try {
    const report = JSON.parse(r.stdout) as { findings: (Finding & { related?: Finding['related'] })[] };
    return { ok: report.findings.map((f) => ({ ...f, related: f.related ?? [] })) };
  } catch (e) {
    return { skip: `vmsplice-lint printed no JSON report: ${(e as Error).message}` };
  }
}

/** A splice()/tee() entry judges only the flags it carries; the vmsplice rules belong to the vmsplice entries. */
function scored(s: Site): readonly string[] {
  return s.call === 'splice' ? ['ineffective-flag'] : RULES;
}

/**
 * Judged sites a finding belongs to: its own line or the site's modification line in the site's file, or a related
 * location on the site's line (a wrapper judged at a caller in another file).
 */
function attribute(f: Finding, sites: Site[]): Site[] {
  return sites.filter(
    (s) =>
      scored(s).includes(f.ruleId) &&
      ((s.path === f.path && (f.line === s.line || f.line === s.modification_line || s.also_modified_lines.includes(f.line))) ||
        f.related.some((r) => r.path === s.path && r.line === s.line)),
  );
}

/** A site judged to have one harmful modification: a finding for another event of the same call is a false alarm. */
function otherEvent(f: Finding, s: Site): boolean {
  return (
    f.ruleId === 'buffer-modified-after-vmsplice' &&
    s.expected[f.ruleId] === true &&
    s.modification_line !== null &&
    !(f.path === s.path && (f.line === s.modification_line || s.also_modified_lines.includes(f.line)))
  );
}

function emptyCounts(): Record<string, Counts> {
  return Object.fromEntries(RULES.map((r) => [r, { tp: 0, fp: 0, fn: 0, unclear: 0 }]));
}

function score(project: Project, sites: Site[], findings: Finding[], counts: Record<string, Counts>) {
  const misses: Listed[] = [];
  const falseAlarms: Listed[] = [];
  const unjudged: Listed[] = [];
  const found = new Map<Site, Set<string>>(sites.map((s) => [s, new Set()]));
  for (const f of findings) {
    const owners = attribute(f, sites);
    for (const s of owners) {
      if (!otherEvent(f, s)) found.get(s)!.add(f.ruleId);
      else {
        counts[f.ruleId].fp++;
        const text = `other event at ${f.path}:${f.line} (${f.message}); judged: ${s.reason}`;
        falseAlarms.push({ set: project.set, repo: project.repo, path: s.path, line: s.line, rule: f.ruleId, text });
      }
    }
    if (owners.length === 0) unjudged.push({ set: project.set, repo: project.repo, path: f.path, line: f.line, rule: f.ruleId, text: f.message });
  }
  for (const [s, rules] of found) {
    for (const rule of scored(s)) {
      const e = s.expected[rule];
      const hit = rules.has(rule);
      const c = counts[rule];
      const item = { set: project.set, repo: project.repo, path: s.path, line: s.line, rule, text: s.reason };
      if (e === 'unclear') c.unclear++;
      else if (e && hit) c.tp++;
      else if (e) {
        c.fn++;
        misses.push(item);
      } else if (hit) {
        c.fp++;
        falseAlarms.push(item);
      }
    }
  }
  return { misses, falseAlarms, unjudged };
}

function ratio(a: number, b: number): string {
  return b === 0 ? '-' : (a / b).toFixed(2);
}

function table(title: string, counts: Record<string, Counts>): string {
  const rows = [['rule', 'TP', 'FP', 'FN', 'unclear', 'precision', 'recall']];
  const total: Counts = { tp: 0, fp: 0, fn: 0, unclear: 0 };
  for (const rule of RULES) {
    const c = counts[rule];
    for (const k of ['tp', 'fp', 'fn', 'unclear'] as const) total[k] += c[k];
    rows.push([rule, String(c.tp), String(c.fp), String(c.fn), String(c.unclear), ratio(c.tp, c.tp + c.fp), ratio(c.tp, c.tp + c.fn)]);
  }
  rows.push(['all rules', String(total.tp), String(total.fp), String(total.fn), String(total.unclear), ratio(total.tp, total.tp + total.fp), ratio(total.tp, total.tp + total.fn)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  return [`== ${title}`, ...lines].join('\n');
}

function listing(title: string, items: Listed[]): string {
  if (items.length === 0) return `== ${title}: none`;
  return [`== ${title} (${items.length})`, ...items.map((x) => `${x.repo} ${x.path}:${x.line} [${x.rule}] ${x.text}`)].join('\n');
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  const projects = loadProjects().filter((p) => (!opts.set || p.set === opts.set) && (!opts.project || p.repo === opts.project));
  if (opts.project && projects.length === 0) throw new UsageError(`no project '${opts.project}' in projects.json${opts.set ? ` (set ${opts.set})` : ''}`);
  const sites = loadSites();
  const perSet: Record<SetName, Record<string, Counts>> = { dev: emptyCounts(), holdout: emptyCounts() };
  const all = { misses: [] as Listed[], falseAlarms: [] as Listed[], unjudged: [] as Listed[] };
  const perProject: { repo: string; set: SetName; sites: number; findings: number; skipped?: string }[] = [];
  for (const project of projects) {
    const own = sites.filter((s) => s.repo === project.repo);
    const stale = own.filter((s) => s.commit !== project.commit);
    if (stale.length > 0) console.error(`${project.repo}: ${stale.length} judgement(s) for another commit ignored`);
    const judged = own.filter((s) => s.commit === project.commit);
    const tree = exportTree(project, opts.mirrors, opts.cache);
    const linted = 'ok' in tree ? runLinter(tree.ok, project) : tree;
    if ('skip' in linted) {
      console.error(`${project.repo}: skipped: ${linted.skip}`);
      perProject.push({ repo: project.repo, set: project.set, sites: judged.length, findings: 0, skipped: linted.skip });
      continue;
    }
    const findings = linted.ok;
    const r = score(project, judged, findings, perSet[project.set]);
    all.misses.push(...r.misses);
    all.falseAlarms.push(...r.falseAlarms);
    all.unjudged.push(...r.unjudged);
    perProject.push({ repo: project.repo, set: project.set, sites: judged.length, findings: findings.length });
    console.error(`${project.repo}: ${judged.length} judged sites, ${findings.length} findings`);
  }
  const combined = emptyCounts();
  for (const set of SETS) for (const rule of RULES) for (const k of ['tp', 'fp', 'fn', 'unclear'] as const) combined[rule][k] += perSet[set][rule][k];
  const sets = (opts.set ? [opts.set] : SETS) as SetName[];
  if (opts.json) {
    const result = { projects: perProject, counts: { ...Object.fromEntries(sets.map((s) => [s, perSet[s]])), all: combined }, ...all };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } else {
    const parts = [...sets.map((s) => table(s, perSet[s])), ...(opts.set ? [] : [table('all', combined)])];
    parts.push(listing('misses (expected, not found)', all.misses));
    parts.push(listing('false alarms (found, judged false)', all.falseAlarms));
    parts.push(listing('unjudged findings', all.unjudged));
    process.stdout.write(parts.join('\n\n') + '\n');
  }
  return perProject.some((p) => p.skipped) ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`bench:real-world: ${e.message}`);
  process.exitCode = 2;
}
