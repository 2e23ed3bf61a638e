/**
 * The GitHub Action (action.yml), run locally under a simulated runner.
 *
 * action.yml is read with a small reader for the YAML subset it is written in
 * (the `yaml` package is not a dependency; the reader has its own tests
 * below). A simulated runner then walks the composite steps the way the
 * Actions runner does: it evaluates each step's `if:` (with the implicit
 * `success()`), substitutes `${{ inputs.* }}`, `${{ github.* }}` and
 * `${{ steps.*.outputs.* }}` / `steps.*.outcome` in `env:`, `with:` and
 * `working-directory:`, writes each `run:` block to a file and runs it as
 * `shell: bash` does (`bash --noprofile --norc -eo pipefail FILE`) with the
 * runner's variables (GITHUB_WORKSPACE, GITHUB_ACTION_PATH, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
 * GITHUB_REPOSITORY, GITHUB_ACTOR, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP) and
 * reads the step outputs back from GITHUB_OUTPUT.
 *
 * The action's folder is what a release tag holds at run time: the files
 * `npm pack` ships (prebuilt dist/), package-lock.json and action.yml, and no
 * node_modules. Every step runs for real, the install step too (`npm ci` of
 * the production dependencies, offline from the local npm cache that the
 * repository's own `npm ci` filled). `uses:` steps are recorded with their
 * evaluated `with:`; actions/cache/restore and actions/cache/save are
 * simulated with a folder per cache key, shared by the runs of this file
 * (a cache hit restores node_modules, as on GitHub); upload-sarif is not run.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLEAN_C, GIFT_C, REUSE_C } from './helpers/c-sources.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repoRoot, 'dist/src/cli.js');

// ---------------------------------------------------------------------------
// A reader for the YAML subset action.yml uses: block mappings, block
// sequences ("- key: value" items too), `|`/`|-`/`|+` block scalars, plain,
// single- and double-quoted scalars, whole-line comments and trailing
// " # comments" after plain scalars. Everything else (flow collections,
// anchors, tags, `>` folding, tabs) is rejected rather than misread.

type Yaml = string | Yaml[] | { [key: string]: Yaml };

class YamlSubsetError extends Error {}

function readYaml(text: string): Yaml {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  const fail = (why: string): never => {
    throw new YamlSubsetError(`line ${i + 1}: ${why}`);
  };
  const indentOf = (line: string): number => line.length - line.trimStart().length;
  const skippable = (line: string): boolean => line.trim() === '' || line.trimStart().startsWith('#');
  const skip = (): void => {
    while (i < lines.length && skippable(lines[i])) i++;
  };

  function scalar(raw: string): string {
    const s = raw.trim();
    if (s.startsWith("'")) {
      const m = /^'((?:[^']|'')*)'(\s+#.*)?$/.exec(s);
      if (!m) fail(`bad single-quoted scalar: ${s}`);
      return m![1].replace(/''/g, "'");
    }
    if (s.startsWith('"')) {
      const m = /^("(?:[^"\\]|\\.)*")(\s+#.*)?$/.exec(s);
      if (!m) fail(`bad double-quoted scalar: ${s}`);
      return JSON.parse(m![1]) as string;
    }
    if (/^[[{&*!>%@`]/.test(s)) fail(`unsupported YAML: ${s}`);
    if (/^\|/.test(s)) fail('block scalar in an unsupported position');
    const value = s.replace(/\s+#.*$/, '');
    if (/:\s/.test(value) || value.endsWith(':')) fail(`ambiguous plain scalar (quote it): ${s}`);
    return value;
  }

  function blockScalar(parentIndent: number, header: string): string {
    const chomp = header.slice(1);
    if (!['', '-', '+'].includes(chomp)) fail(`unsupported block scalar header: ${header}`);
    i++;
    const body: string[] = [];
    let blockIndent = -1;
    while (i < lines.length) {
      const line = lines[i];
      if (line.trim() === '') {
        body.push('');
        i++;
        continue;
      }
      const ind = indentOf(line);
      if (ind <= parentIndent) break;
      if (blockIndent < 0) blockIndent = ind;
      if (ind < blockIndent) fail('block scalar line indented less than its first line');
      body.push(line.slice(blockIndent));
      i++;
    }
    let trailing = 0;
    while (trailing < body.length && body[body.length - 1 - trailing] === '') trailing++;
    const content = body.slice(0, body.length - trailing).join('\n');
    if (content === '') return '';
    if (chomp === '-') return content;
    if (chomp === '+') return `${content}\n${'\n'.repeat(trailing)}`;
    return `${content}\n`;
  }

  function node(minIndent: number): Yaml {
    skip();
    if (i >= lines.length || indentOf(lines[i]) < minIndent) return '';
    const line = lines[i];
    if (line.includes('\t')) fail('tab characters are not supported');
    const content = line.trimStart();
    return content === '-' || content.startsWith('- ') ? sequence(indentOf(line)) : mapping(indentOf(line));
  }

  function value(keyIndent: number, rest: string): Yaml {
    if (rest === '') {
      i++;
      return node(keyIndent + 1);
    }
    if (rest.startsWith('|')) return blockScalar(keyIndent, rest.trim());
    const v = scalar(rest);
    i++;
    return v;
  }

  function mapping(indent: number): { [key: string]: Yaml } {
    const out: { [key: string]: Yaml } = {};
    for (;;) {
      skip();
      if (i >= lines.length) break;
      const line = lines[i];
      const ind = indentOf(line);
      if (ind < indent) break;
      if (ind > indent) fail('unexpected indentation');
      if (line.includes('\t')) fail('tab characters are not supported');
      const content = line.trimStart();
      if (content.startsWith('-')) {
        if (content === '-' || content.startsWith('- ')) break;
      }
      const m = /^([A-Za-z0-9_][A-Za-z0-9_.-]*):(?:\s+(.*))?$/.exec(content);
      if (!m) fail(`expected "key: value", got: ${content}`);
      const key = m![1];
      if (Object.hasOwn(out, key)) fail(`duplicate key: ${key}`);
      out[key] = value(ind, (m![2] ?? '').trim());
    }
    return out;
  }

  function sequence(indent: number): Yaml[] {
    const out: Yaml[] = [];
    for (;;) {
      skip();
      if (i >= lines.length) break;
      const line = lines[i];
      const ind = indentOf(line);
      if (ind < indent) break;
      if (ind > indent) fail('unexpected indentation in a sequence');
      const content = line.trimStart();
      if (!(content === '-' || content.startsWith('- '))) break;
      const rest = content.slice(1).trim();
      if (rest === '') {
        i++;
        out.push(node(indent + 1));
      } else if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*:(\s|$)/.test(rest)) {
        // "- key: value": a mapping whose first entry shares the dash's line.
        const itemIndent = indent + (content.length - content.slice(1).trimStart().length);
        lines[i] = ' '.repeat(itemIndent) + rest;
        out.push(mapping(itemIndent));
      } else {
        out.push(value(indent, rest));
      }
    }
    return out;
  }

  const doc = node(0);
  skip();
  if (i < lines.length) fail('text after the document (bad indentation?)');
  return doc;
}

type Map_ = { [key: string]: Yaml };
const asMap = (y: Yaml | undefined, what: string): Map_ => {
  assert.ok(y !== undefined && typeof y === 'object' && !Array.isArray(y), `${what} is a mapping`);
  return y as Map_;
};
const asString = (y: Yaml | undefined): string | undefined => (typeof y === 'string' ? y : undefined);

// ---------------------------------------------------------------------------
// GitHub Actions expressions: enough of the language for action.yml
// (property paths, string literals, ==, !=, &&, ||, !, parentheses and the
// status functions). String comparison ignores case, as on GitHub.

type ExprValue = string | number | boolean | null;
interface ExprContext {
  inputs: Record<string, string>;
  github: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string>; outcome?: string }>;
  failed: boolean;
}

function evaluate(expr: string, ctx: ExprContext): ExprValue {
  const tokens = expr.match(/\s+|'(?:[^']|'')*'|==|!=|&&|\|\||[!()]|[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*|\d+|./g) ?? [];
  const toks = tokens.filter((t) => !/^\s+$/.test(t));
  let k = 0;
  const peek = (): string | undefined => toks[k];
  const take = (want?: string): string => {
    const t = toks[k++];
    if (t === undefined || (want !== undefined && t !== want)) throw new Error(`expression '${expr}': expected ${want ?? 'a token'}, got ${t}`);
    return t;
  };
  const toNumber = (v: ExprValue): number => (v === null ? 0 : typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : v.trim() === '' ? 0 : Number(v));
  const truthy = (v: ExprValue): boolean => !(v === null || v === false || v === '' || v === 0 || Number.isNaN(v));
  const equals = (a: ExprValue, b: ExprValue): boolean => {
    if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
    if (typeof a === typeof b) return a === b;
    return toNumber(a) === toNumber(b);
  };
  const lookup = (p: string): ExprValue => {
    let cur: unknown = ctx;
    for (const part of p.split('.')) {
      if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return null;
      cur = (cur as Record<string, unknown>)[part];
    }
    return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean' ? cur : null;
  };
  const functions: Record<string, () => boolean> = {
    success: () => !ctx.failed,
    failure: () => ctx.failed,
    always: () => true,
    cancelled: () => false,
  };
  function primary(): ExprValue {
    const t = take();
    if (t === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d+$/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        take('(');
        take(')');
        const f = functions[t];
        if (!f) throw new Error(`expression '${expr}': unknown function ${t}()`);
        return f();
      }
      if (!['inputs', 'github', 'steps'].includes(t.split('.')[0])) throw new Error(`expression '${expr}': unknown context in ${t}`);
      return lookup(t);
    }
    throw new Error(`expression '${expr}': unexpected ${t}`);
  }
  function unary(): ExprValue {
    if (peek() === '!') {
      take('!');
      return !truthy(unary());
    }
    const left = primary();
    if (peek() === '==' || peek() === '!=') {
      const op = take();
      const right = primary();
      return op === '==' ? equals(left, right) : !equals(left, right);
    }
    return left;
  }
  function and(): ExprValue {
    let v = unary();
    while (peek() === '&&') {
      take('&&');
      const r = unary();
      v = truthy(v) ? r : v;
    }
    return v;
  }
  function or(): ExprValue {
    let v = and();
    while (peek() === '||') {
      take('||');
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  }
  const result = or();
  if (k !== toks.length) throw new Error(`expression '${expr}': trailing ${toks.slice(k).join(' ')}`);
  return result;
}

const stringOf = (v: ExprValue): string => (v === null ? '' : String(v));

/** Replaces every `${{ expr }}` in a string. */
function interpolate(text: string, ctx: ExprContext): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => stringOf(evaluate(e, ctx)));
}

/** A step's `if:`: `${{ }}` optional; `success() &&` implied without a status function. */
function condition(raw: string | undefined, ctx: ExprContext): boolean {
  let expr = (raw ?? '').trim();
  const m = /^\$\{\{(.*)\}\}$/s.exec(expr);
  if (m) expr = m[1].trim();
  if (expr === '') expr = 'success()';
  if (!/\b(success|failure|always|cancelled)\(\)/.test(expr)) expr = `success() && (${expr})`;
  const v = evaluate(expr, ctx);
  return !(v === null || v === false || v === '' || v === 0);
}

// ---------------------------------------------------------------------------
// The action and the simulated runner.

const actionText = readFileSync(path.join(repoRoot, 'action.yml'), 'utf8');
const action = asMap(readYaml(actionText), 'action.yml');
const actionInputs = asMap(action.inputs, 'inputs');
const actionOutputs = asMap(action.outputs, 'outputs');
const runs = asMap(action.runs, 'runs');
const steps = (runs.steps as Yaml[]).map((s, n) => asMap(s, `step ${n + 1}`));
const stepById = (id: string): Map_ => {
  const s = steps.find((x) => x.id === id);
  assert.ok(s, `action.yml has a step with id '${id}'`);
  return s!;
};

interface StepRecord {
  name: string;
  id?: string;
  kind: 'uses' | 'run';
  uses?: string;
  with?: Record<string, string>;
  status?: number;
  executed: boolean;
}

interface Simulation {
  outputs: Record<string, string>;
  lint: Record<string, string>;
  records: StepRecord[];
  failed: boolean;
  log: string;
  summary: string;
  sarif: { runs: { results: unknown[]; automationDetails?: { id?: string } }[] } | null;
  actionDir: string;
}

interface RunnerOptions {
  inputs?: Record<string, string>;
  eventName?: string;
  event?: unknown;
  repository?: string;
  actor?: string;
  /** The action's folder; default: a fresh copy of the release tree. */
  actionDir?: string;
  /** PATH of the runner's shell; default: this process's. */
  pathEnv?: string;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vmsplice-action-test-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A fresh workspace (the checked-out repository) holding these files. */
function workspace(files: Record<string, string>): string {
  const dir = path.join(scratch, `ws-${++counter}`, 'repo');
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

// The release tree: the files `npm pack` ships (--ignore-scripts: dist/ is already built, and a rebuild would
// race the other test files), plus the lockfile and action.yml, which a release tag holds beside them.
const packedFiles = (
  JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as {
    files: { path: string }[];
  }[]
)[0].files.map((f) => f.path);
const releaseTree = path.join(scratch, 'release');
for (const rel of [...packedFiles, 'package-lock.json', 'action.yml']) cpSync(path.join(repoRoot, rel), path.join(releaseTree, rel));

/** A copy of the release tree, as the runner downloads it for one job. */
function actionFolder(): string {
  const dir = path.join(scratch, `action-${++counter}`);
  cpSync(releaseTree, dir, { recursive: true });
  return dir;
}

// actions/cache, simulated: one folder per key; a key, once saved, is never overwritten (as on GitHub).
const cacheStore = path.join(scratch, 'cache');
const cacheEntry = (key: string): string => path.join(cacheStore, createHash('sha256').update(key).digest('hex'));

function simulateUses(uses: string, inputs: Record<string, string>): Record<string, string> {
  const action = uses.replace(/@.*$/, '');
  if (action === 'actions/cache/restore') {
    if (!existsSync(cacheEntry(inputs.key))) return {};
    cpSync(cacheEntry(inputs.key), inputs.path, { recursive: true });
    return { 'cache-hit': 'true', 'cache-primary-key': inputs.key, 'cache-matched-key': inputs.key };
  }
  if (action === 'actions/cache/save') {
    if (!existsSync(cacheEntry(inputs.key))) cpSync(inputs.path, cacheEntry(inputs.key), { recursive: true });
    return {};
  }
  return {};
}

function parseOutputFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (n++; n < lines.length && lines[n] !== heredoc[2]; n++) body.push(lines[n]);
      out[heredoc[1]] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `GITHUB_OUTPUT line is name=value: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

// By absolute path, so that a runner PATH without some tool still starts the shell.
const BASH = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, scriptFile: string): Promise<{ status: number; log: string }> {
  writeFileSync(scriptFile, script);
  return new Promise((resolve, reject) => {
    const child = spawn(BASH, ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? 1, log }));
  });
}

/** Runs the action's steps on `ws` as the runner would (see the top of the file). */
async function runAction(ws: string, opts: RunnerOptions = {}): Promise<Simulation> {
  const temp = mkdtempSync(path.join(path.dirname(ws), 'runner-'));
  const actionDir = opts.actionDir ?? actionFolder();
  for (const name of Object.keys(opts.inputs ?? {})) assert.ok(Object.hasOwn(actionInputs, name), `action.yml declares input '${name}'`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionInputs)) inputs[name] = opts.inputs?.[name] ?? asString(asMap(spec, name).default) ?? '';
  const eventPath = path.join(temp, 'event.json');
  writeFileSync(eventPath, JSON.stringify(opts.event ?? {}));
  const summaryPath = path.join(temp, 'step-summary.md');
  writeFileSync(summaryPath, '');
  const github = {
    action_path: actionDir,
    workspace: ws,
    event_name: opts.eventName ?? 'push',
    repository: opts.repository ?? 'octo-org/kernel-tools',
    actor: opts.actor ?? 'octocat',
  };
  const ctx: ExprContext = { inputs, github, steps: {}, failed: false };
  // The runner's environment, not the one this test happens to run in.
  const baseEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_|NODE_TEST_CONTEXT$|NODE_OPTIONS$|npm_)/i.test(k)) baseEnv[k] = v;
  }
  // Where this machine's npm cache is, when `npm test` says so; the runner would have its own.
  if (process.env.npm_config_cache) baseEnv.npm_config_cache = process.env.npm_config_cache;
  Object.assign(baseEnv, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ws,
    GITHUB_ACTION_PATH: actionDir,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_EVENT_NAME: github.event_name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_ACTOR: github.actor,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: temp,
    // No registry in the test: npm installs from the cache the repository's own `npm ci` filled.
    npm_config_offline: 'true',
  });
  if (opts.pathEnv !== undefined) baseEnv.PATH = opts.pathEnv;

  const records: StepRecord[] = [];
  let log = '';
  for (const [n, step] of steps.entries()) {
    const name = asString(step.name) ?? `step ${n + 1}`;
    const id = asString(step.id);
    const kind = step.uses !== undefined ? 'uses' : 'run';
    if (!condition(asString(step.if), ctx)) {
      if (id) ctx.steps[id] = { outputs: {}, outcome: 'skipped' };
      continue;
    }
    const record: StepRecord = { name, id, kind, executed: false };
    records.push(record);
    if (kind === 'uses') {
      record.uses = asString(step.uses);
      record.with = Object.fromEntries(Object.entries(asMap(step.with ?? {}, 'with')).map(([k, v]) => [k, interpolate(asString(v) ?? '', ctx)]));
      const outputs = simulateUses(record.uses!, record.with);
      if (id) ctx.steps[id] = { outputs, outcome: 'success' };
      continue;
    }
    const env: NodeJS.ProcessEnv = { ...baseEnv, GITHUB_OUTPUT: path.join(temp, `output-${n}`) };
    writeFileSync(env.GITHUB_OUTPUT!, '');
    for (const [k, v] of Object.entries(asMap(step.env ?? {}, 'env'))) env[k] = interpolate(asString(v) ?? '', ctx);
    const cwd = step['working-directory'] !== undefined ? interpolate(asString(step['working-directory'])!, ctx) : ws;
    assert.equal(asString(step.shell), 'bash', `${name} runs in bash`);
    const result = await bash(asString(step.run) ?? '', cwd, env, path.join(temp, `step-${n}.sh`));
    record.executed = true;
    record.status = result.status;
    log += result.log;
    if (id) ctx.steps[id] = { outputs: parseOutputFile(env.GITHUB_OUTPUT!), outcome: result.status === 0 ? 'success' : 'failure' };
    if (result.status !== 0) ctx.failed = true;
  }
  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionOutputs)) outputs[name] = interpolate(asString(asMap(spec, name).value) ?? '', ctx);
  const sarifPath = outputs['sarif-file'];
  const sarif = sarifPath && existsSync(sarifPath) ? (JSON.parse(readFileSync(sarifPath, 'utf8')) as Simulation['sarif']) : null;
  return { outputs, lint: ctx.steps.lint?.outputs ?? {}, records, failed: ctx.failed, log, summary: readFileSync(summaryPath, 'utf8'), sarif, actionDir };
}

const uploadOf = (sim: Simulation): StepRecord | undefined => sim.records.find((r) => r.uses?.startsWith('github/codeql-action/upload-sarif'));
const installOf = (sim: Simulation): StepRecord | undefined => sim.records.find((r) => r.id === 'install');
const failStepOf = (sim: Simulation): StepRecord | undefined => sim.records.find((r) => r.kind === 'run' && r.name === 'Fail on findings');
/** `path:line:col  level  message  [rule-id]`, the text format's finding line. */
const TEXT_FINDING = /^(\S+):(\d+):\d+ +(?:error|warning|note) +.*\[([a-z-]+)\]$/gm;
/** A workflow command that annotates a finding (`title` holds the rule id). */
const ANNOTATION = /^::(?:error|warning|notice) file=([^,]+),line=(\d+),.*title=([a-z-]+)[^:]*::/gm;

/** `uri:startLine ruleId` of every SARIF result, sorted. */
function sarifFindings(sim: Simulation): string[] {
  type Result = { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] };
  return (sim.sarif?.runs[0].results as Result[])
    .map((r) => `${r.locations[0].physicalLocation.artifactLocation.uri}:${r.locations[0].physicalLocation.region.startLine} ${r.ruleId}`)
    .sort();
}

const resultCount = (sim: Simulation): number => (sim.sarif?.runs ?? []).reduce((n, r) => n + r.results.length, 0);

const cleanTree = (): string => workspace({ 'src/clean.c': CLEAN_C, 'README': 'fixture\n' });
const failingTree = (): string => workspace({ 'src/clean.c': CLEAN_C, 'src/gift.c': GIFT_C, 'src/reuse.c': REUSE_C });

const prEvent = (headRepo: string | null) => ({
  action: 'opened',
  number: 7,
  pull_request: { number: 7, head: { ref: 'topic', sha: '0'.repeat(40), repo: headRepo === null ? null : { full_name: headRepo } } },
});

// ---------------------------------------------------------------------------
// The YAML reader.

describe('YAML subset reader', () => {
  test('reads mappings, sequences of mappings, quoted scalars and comments', () => {
    const doc = readYaml(
      [
        '# header comment',
        'name: demo',
        'inputs:',
        '  a-b:',
        "    default: '.'",
        '    description: "x \\"y\\""',
        "    other: 'it''s'",
        '  plain: value # trailing comment',
        'list:',
        '  - name: one',
        '    uses: x/y@v1',
        '    with:',
        '      k: v',
        '',
        '  # a comment between items',
        '  - name: two',
        '  - scalar item',
        "empty: ''",
      ].join('\n'),
    );
    assert.deepEqual(doc, {
      name: 'demo',
      inputs: { 'a-b': { default: '.', description: 'x "y"', other: "it's" }, plain: 'value' },
      list: [{ name: 'one', uses: 'x/y@v1', with: { k: 'v' } }, { name: 'two' }, 'scalar item'],
      empty: '',
    });
  });

  test('keeps block scalars verbatim, with comment lines, blank lines and chomping', () => {
    const doc = readYaml(
      ['a:', '  run: |', '    # not a YAML comment', '    if x; then', '      y: z', '    fi', '', '    done', '', 'b: |-', '  kept', 'c: |+', '  k', '', 'd: 1'].join('\n'),
    );
    assert.deepEqual(doc, {
      a: { run: '# not a YAML comment\nif x; then\n  y: z\nfi\n\ndone\n' },
      b: 'kept',
      c: 'k\n\n',
      d: '1',
    });
  });

  test('rejects what it does not understand instead of misreading it', () => {
    assert.throws(() => readYaml('a: [1, 2]'), YamlSubsetError);
    assert.throws(() => readYaml('a: {b: 1}'), YamlSubsetError);
    assert.throws(() => readYaml('a: &anchor x'), YamlSubsetError);
    assert.throws(() => readYaml('a: !cancelled()'), YamlSubsetError);
    assert.throws(() => readYaml('a: >\n  folded'), YamlSubsetError);
    assert.throws(() => readYaml('a: b: c'), YamlSubsetError);
    assert.throws(() => readYaml('a: 1\na: 2'), YamlSubsetError);
    assert.throws(() => readYaml('a:\n  b: 1\n    c: 2'), YamlSubsetError);
    assert.throws(() => readYaml('a:\n\tb: 1'), YamlSubsetError);
  });

  test('reads action.yml into the expected shape', () => {
    assert.equal(runs.using, 'composite');
    assert.deepEqual(Object.keys(actionInputs), ['paths', 'config', 'sarif-file', 'category', 'fail-on', 'baseline', 'upload', 'shard']);
    assert.deepEqual(Object.keys(actionOutputs), ['sarif-file', 'findings', 'exit-code']);
    const defaults = Object.fromEntries(Object.entries(actionInputs).map(([k, v]) => [k, asMap(v, k).default]));
    assert.deepEqual(defaults, {
      paths: '.',
      config: '',
      'sarif-file': 'vmsplice-lint.sarif',
      category: 'vmsplice-lint',
      'fail-on': 'error',
      baseline: '',
      upload: 'true',
      shard: '',
    });
    for (const [k, v] of Object.entries(actionInputs)) assert.ok(asString(asMap(v, k).description), `input ${k} has a description`);
    assert.deepEqual(
      steps.map((s) => s.id ?? s.name),
      ['setup', 'restore', 'install', "Save vmsplice-lint's dependencies", 'lint', 'Upload SARIF to code scanning', 'Fail on findings'],
    );
    // One analysis: the log's findings and the SARIF come from the same run.
    assert.equal([...(asString(stepById('lint').run) ?? '').matchAll(/\bnode "\$GITHUB_ACTION_PATH\/dist\/src\/cli\.js"/g)].length, 1);
  });
});

describe('expression evaluation', () => {
  const ctx = (failed = false): ExprContext => ({
    inputs: { upload: 'true' },
    github: {},
    steps: { lint: { outputs: { 'can-upload': 'true', 'exit-code': '1' } } },
    failed,
  });
  test('evaluates the operators action.yml uses', () => {
    assert.equal(evaluate("inputs.upload == 'TRUE'", ctx()), true);
    assert.equal(evaluate("steps.lint.outputs.can-upload == 'true' && inputs.upload != 'true'", ctx()), false);
    assert.equal(evaluate("!cancelled() && (steps.lint.outputs.exit-code == '1' || false)", ctx()), true);
    assert.equal(evaluate('steps.nope.outputs.x', ctx()), null);
    assert.equal(interpolate('a=${{ inputs.upload }}, b=${{ steps.lint.outputs.exit-code }}, c=${{ inputs.missing }}', ctx()), 'a=true, b=1, c=');
    assert.throws(() => evaluate('secrets.TOKEN', ctx()));
  });
  test('adds the implicit success() to conditions without a status function', () => {
    assert.equal(condition("steps.lint.outputs.exit-code == '1'", ctx(true)), false);
    assert.equal(condition("${{ !cancelled() && steps.lint.outputs.exit-code == '1' }}", ctx(true)), true);
    assert.equal(condition(undefined, ctx(false)), true);
    assert.equal(condition(undefined, ctx(true)), false);
  });
});

// ---------------------------------------------------------------------------
// action.yml's structure and its script-injection discipline.

describe('action.yml', () => {
  test('never interpolates ${{ }} into a run: script', () => {
    const scripts = steps.filter((s) => s.run !== undefined);
    assert.ok(scripts.length >= 3);
    for (const s of scripts) assert.doesNotMatch(asString(s.run)!, /\$\{\{/, `${asString(s.name)} has no \${{ }} in run:`);
  });

  test('the lint step maps every input to an INPUT_* variable and uses only those', () => {
    const lint = stepById('lint');
    const env = asMap(lint.env, 'lint env');
    const expected = Object.fromEntries(Object.keys(actionInputs).map((name) => [`INPUT_${name.toUpperCase().replace(/-/g, '_')}`, `\${{ inputs.${name} }}`]));
    assert.deepEqual(env, expected);
    const used = new Set([...(asString(lint.run) ?? '').matchAll(/\$\{?(INPUT_[A-Z_]+)/g)].map((m) => m[1]));
    for (const v of used) assert.ok(Object.hasOwn(env, v), `$${v} is set in env:`);
    assert.deepEqual([...used].sort(), Object.keys(env).sort());
  });

  test("runs on the job's Node from the prebuilt dist/: no setup-node, no dev toolchain, cached production dependencies, upload-sarif v4", () => {
    assert.equal(
      steps.find((s) => asString(s.uses)?.startsWith('actions/setup-node')),
      undefined,
      'setup-node would change Node for the rest of the caller job',
    );
    for (const s of steps.filter((x) => x.run !== undefined)) {
      assert.doesNotMatch(asString(s.run)!, /\btsc\b|sarif-multitool|npm run build|--include=dev|npm install/, `${asString(s.name)} installs or runs no dev tool`);
    }
    const install = stepById('install');
    assert.equal(install['working-directory'], '${{ github.action_path }}');
    assert.match(asString(install.run)!, /^npm ci --omit=dev --ignore-scripts --no-audit --no-fund$/m);
    assert.match(asString(install.if)!, /steps\.restore\.outputs\.cache-hit != 'true'/);
    const restore = stepById('restore');
    const save = steps[steps.indexOf(install) + 1];
    assert.match(asString(restore.uses)!, /^actions\/cache\/restore@[0-9a-f]{40}$/);
    assert.match(asString(save.uses)!, /^actions\/cache\/save@[0-9a-f]{40}$/);
    assert.equal(asString(save.uses)!.split('@')[1], asString(restore.uses)!.split('@')[1], 'restore and save come from one release of actions/cache');
    const cacheWith = { path: '${{ github.action_path }}/node_modules', key: '${{ steps.setup.outputs.cache-key }}' };
    assert.deepEqual(restore.with, cacheWith);
    assert.deepEqual(save.with, cacheWith);
    assert.match(asString(save.if)!, /steps\.install\.outcome == 'success'/);
    const upload = steps.find((s) => asString(s.uses)?.startsWith('github/codeql-action/upload-sarif@'));
    assert.ok(upload);
    assert.match(asString(upload.uses)!, /^github\/codeql-action\/upload-sarif@[0-9a-f]{40}$/);
    assert.deepEqual(upload.with, { sarif_file: '${{ steps.lint.outputs.sarif-file }}', category: '${{ inputs.category }}' });
    assert.match(asString(upload.if)!, /inputs\.upload == 'true'/);
    assert.match(asString(upload.if)!, /steps\.lint\.outputs\.can-upload == 'true'/);
    assert.ok(steps.indexOf(upload) < steps.length - 1, 'the upload comes before the step that fails the job');
    for (const [name, spec] of Object.entries(actionOutputs)) assert.equal(asMap(spec, name).value, `\${{ steps.lint.outputs.${name} }}`);
  });

  test('third-party actions are pinned by full commit SHA, with the release in a comment', () => {
    const pins = [...actionText.matchAll(/^\s*uses:\s*(.*)$/gm)].map((m) => m[1]);
    assert.equal(pins.length, steps.filter((s) => s.uses !== undefined).length, 'one uses: line per uses step');
    const majors: Record<string, string> = {};
    for (const pin of pins) {
      const m = /^([\w.-]+\/[\w./-]+)@([0-9a-f]{40}) # v(\d+)\.\d+\.\d+$/.exec(pin);
      assert.ok(m, `pinned by SHA with "# vX.Y.Z": ${pin}`);
      majors[m[1]] = m[3];
    }
    assert.deepEqual(majors, { 'actions/cache/restore': '5', 'actions/cache/save': '5', 'github/codeql-action/upload-sarif': '4' });
  });
});

// ---------------------------------------------------------------------------
// The runtime: what runs before vmsplice-lint reads a file. Sequential, and
// before the concurrent cases below, which then start from a warm cache.

const MODULES_KEY = `vmsplice-lint-modules-Linux-X64-node${process.versions.modules}-${createHash('sha256')
  .update(readFileSync(path.join(repoRoot, 'package-lock.json')))
  .digest('hex')
  .slice(0, 32)}`;

describe('the action on a fresh runner', () => {
  test('cold cache: production dependencies only, installed from the lockfile and saved; warm cache: restored, npm not run', async () => {
    const ws = cleanTree();
    const cold = await runAction(ws, { inputs: { 'sarif-file': 'cold.sarif' } });
    assert.equal(cold.failed, false, cold.log);
    assert.equal(cold.outputs['exit-code'], '0');
    assert.equal(installOf(cold)?.status, 0);
    const saved = cold.records.find((r) => r.uses?.startsWith('actions/cache/save@'));
    assert.deepEqual(saved?.with, { path: path.join(cold.actionDir, 'node_modules'), key: MODULES_KEY });
    assert.ok(existsSync(cacheEntry(MODULES_KEY)), 'node_modules saved under the key');
    const modules = path.join(cold.actionDir, 'node_modules');
    for (const dep of ['tree-sitter', 'tree-sitter-c', 'yargs', 'ajv']) assert.ok(existsSync(path.join(modules, dep)), `${dep} installed`);
    for (const dev of ['typescript', '@microsoft', 'fast-check', '@types']) assert.equal(existsSync(path.join(modules, dev)), false, `${dev} not installed`);

    const warm = await runAction(ws, { inputs: { 'sarif-file': 'warm.sarif' } });
    assert.notEqual(warm.actionDir, cold.actionDir);
    assert.equal(warm.failed, false, warm.log);
    assert.equal(warm.outputs['exit-code'], '0');
    assert.equal(installOf(warm), undefined, 'npm is not run on a cache hit');
    assert.equal(
      warm.records.find((r) => r.uses?.startsWith('actions/cache/save@')),
      undefined,
      'a restored cache is not saved again',
    );
    assert.deepEqual(warm.sarif?.runs[0].results, []);
  });

  test('a ref without the prebuilt dist/ fails at once, pointing at the release tags', async () => {
    const actionDir = actionFolder();
    rmSync(path.join(actionDir, 'dist'), { recursive: true });
    const sim = await runAction(cleanTree(), { actionDir });
    assert.equal(sim.failed, true);
    assert.deepEqual(
      sim.records.map((r) => r.id),
      ['setup'],
    );
    assert.match(sim.log, /::error title=vmsplice-lint::this ref of the action has no prebuilt dist\/: use a release tag/);
  });

  test('no node on PATH, or one older than the engines field: fails at once, saying what to add', async () => {
    const empty = mkdtempSync(path.join(scratch, 'bin-'));
    const old = mkdtempSync(path.join(scratch, 'bin-'));
    writeFileSync(path.join(old, 'old-node.cjs'), "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.18.1' } });\n");
    writeFileSync(path.join(old, 'node'), `#!${BASH}\nexec ${JSON.stringify(process.execPath)} --require ${JSON.stringify(path.join(old, 'old-node.cjs'))} "$@"\n`, { mode: 0o755 });
    const [none, tooOld] = await Promise.all([
      runAction(cleanTree(), { pathEnv: empty }),
      runAction(cleanTree(), { pathEnv: `${old}${path.delimiter}${process.env.PATH}` }),
    ]);
    for (const sim of [none, tooOld]) {
      assert.equal(sim.failed, true);
      assert.deepEqual(
        sim.records.map((r) => r.id),
        ['setup'],
      );
    }
    assert.match(none.log, /::error title=vmsplice-lint::no node on PATH: vmsplice-lint needs Node\.js 20\.19 or newer \(add actions\/setup-node/);
    assert.match(tooOld.log, /::error title=vmsplice-lint::vmsplice-lint needs Node\.js 20\.19 or newer, the job has 20\.18\.1/);
  });
});

// ---------------------------------------------------------------------------
// The action under the simulated runner. The cases are independent and each
// spends most of its time in one vmsplice-lint process, so they run
// concurrently.

describe('action under a simulated runner', { concurrency: true }, () => {
  test('clean tree: exit code 0, no findings, SARIF with results: [] uploaded', async () => {
    const ws = cleanTree();
    const sim = await runAction(ws);
    assert.equal(sim.failed, false, sim.log);
    assert.equal(sim.outputs['exit-code'], '0');
    assert.equal(sim.outputs.findings, '0');
    assert.equal(sim.lint['can-upload'], 'true');
    assert.equal(sim.outputs['sarif-file'], path.join(ws, 'vmsplice-lint.sarif'));
    assert.ok(sim.sarif, 'the SARIF file exists');
    assert.equal(sim.sarif.runs.length, 1);
    assert.deepEqual(sim.sarif.runs[0].results, []);
    assert.equal(sim.sarif.runs[0].automationDetails?.id, 'vmsplice-lint');
    assert.deepEqual(uploadOf(sim)?.with, { sarif_file: path.join(ws, 'vmsplice-lint.sarif'), category: 'vmsplice-lint' });
    assert.equal(installOf(sim), undefined, 'dependencies restored from the cache');
    assert.equal(failStepOf(sim), undefined);
  });

  test('failing tree: exit code 1, findings counted, step summary written, upload before the job fails', async () => {
    const ws = failingTree();
    const sim = await runAction(ws);
    assert.equal(sim.outputs['exit-code'], '1');
    assert.equal(Number(sim.outputs.findings), resultCount(sim));
    assert.ok(Number(sim.outputs.findings) >= 3, `findings: ${sim.outputs.findings}`);
    const ruleIds = sim.sarif!.runs[0].results.map((r) => (r as { ruleId: string }).ruleId);
    assert.ok(ruleIds.includes('buffer-modified-after-vmsplice'));
    assert.ok(ruleIds.includes('splice-f-gift'));
    assert.match(sim.summary, /^## vmsplice-lint/m);
    assert.match(sim.summary, /buffer-modified-after-vmsplice/);
    const upload = uploadOf(sim);
    const fail = failStepOf(sim);
    assert.ok(upload, 'SARIF is uploaded although the job fails');
    assert.ok(fail, 'a final step fails the job');
    assert.equal(fail.status, 1);
    assert.ok(sim.records.indexOf(upload) < sim.records.indexOf(fail));
    assert.equal(sim.failed, true);
    assert.match(sim.log, /::error title=vmsplice-lint::/);
  });

  test('warnings only: the default fail-on error passes, fail-on warning fails', async () => {
    const ws = workspace({ 'gift.c': GIFT_C });
    const [byDefault, onWarning] = await Promise.all([runAction(ws, { inputs: { 'sarif-file': 'a.sarif' } }), runAction(ws, { inputs: { 'fail-on': 'warning', 'sarif-file': 'b.sarif' } })]);
    assert.equal(byDefault.outputs['exit-code'], '0');
    assert.equal(byDefault.outputs.findings, '2');
    assert.equal(byDefault.failed, false);
    assert.equal(onWarning.outputs['exit-code'], '1');
    assert.equal(onWarning.outputs.findings, '2');
    assert.equal(onWarning.failed, true);
  });

  test('fail-on never: findings reported and uploaded, the job passes', async () => {
    const sim = await runAction(failingTree(), { inputs: { 'fail-on': 'never' } });
    assert.equal(sim.outputs['exit-code'], '0');
    assert.ok(Number(sim.outputs.findings) >= 3);
    assert.equal(sim.failed, false, sim.log);
    assert.ok(uploadOf(sim));
    assert.equal(failStepOf(sim), undefined);
  });

  test('an unknown fail-on value fails the step with exit code 2 before linting', async () => {
    const sim = await runAction(cleanTree(), { inputs: { 'fail-on': 'note' } });
    assert.equal(sim.outputs['exit-code'], '2');
    assert.equal(sim.failed, true);
    assert.equal(sim.sarif, null);
    assert.equal(uploadOf(sim), undefined);
    assert.match(sim.log, /fail-on input must be error, warning or never/);
  });

  test('findings are printed in the log as text, by the run that wrote the SARIF', async () => {
    const sim = await runAction(failingTree());
    assert.ok(uploadOf(sim));
    const logged = [...sim.log.matchAll(TEXT_FINDING)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
    assert.ok(logged.length >= 3, sim.log);
    assert.deepEqual(logged.sort(), sarifFindings(sim));
    assert.doesNotMatch(sim.log, ANNOTATION, 'no annotations beside the uploaded alerts');
  });

  test('pull request from a fork: upload skipped with a notice, findings shown as annotations', async () => {
    const sim = await runAction(failingTree(), {
      eventName: 'pull_request',
      event: prEvent('contributor/kernel-tools'),
      repository: 'octo-org/kernel-tools',
      inputs: { 'fail-on': 'never' },
    });
    assert.equal(sim.outputs['exit-code'], '0');
    assert.equal(sim.lint['can-upload'], 'false');
    assert.equal(uploadOf(sim), undefined);
    assert.match(sim.log, /::notice title=vmsplice-lint::SARIF upload skipped: pull requests from forks get a read-only token\. Findings are shown as annotations/);
    const annotated = [...sim.log.matchAll(ANNOTATION)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
    assert.deepEqual(annotated.sort(), sarifFindings(sim));
    assert.doesNotMatch(sim.log, TEXT_FINDING);
    assert.equal(sim.failed, false);
  });

  test('pull_request_target from a fork, and a fork whose repository was deleted: upload skipped', async () => {
    const ws = cleanTree();
    const [target, deleted] = await Promise.all([
      runAction(ws, { eventName: 'pull_request_target', event: prEvent('contributor/kernel-tools'), inputs: { 'sarif-file': 'a.sarif' } }),
      runAction(ws, { eventName: 'pull_request', event: prEvent(null), inputs: { 'sarif-file': 'b.sarif' } }),
    ]);
    assert.equal(target.lint['can-upload'], 'false');
    assert.equal(deleted.lint['can-upload'], 'false');
    assert.equal(uploadOf(target), undefined);
    assert.match(target.log, /SARIF upload skipped: pull_request_target from a fork would file the fork's results as alerts of the base branch/);
  });

  test('pull request from a branch of the same repository: uploaded', async () => {
    const sim = await runAction(cleanTree(), { eventName: 'pull_request', event: prEvent('octo-org/kernel-tools'), repository: 'octo-org/kernel-tools' });
    assert.equal(sim.lint['can-upload'], 'true');
    assert.ok(uploadOf(sim));
  });

  test('Dependabot: upload skipped', async () => {
    const sim = await runAction(cleanTree(), { actor: 'dependabot[bot]' });
    assert.equal(sim.lint['can-upload'], 'false');
    assert.equal(uploadOf(sim), undefined);
    assert.match(sim.log, /Dependabot/);
    assert.equal(sim.failed, false);
  });

  test('upload: false skips the upload even when it could run', async () => {
    const sim = await runAction(cleanTree(), { inputs: { upload: 'false' } });
    assert.equal(sim.lint['can-upload'], 'true');
    assert.equal(uploadOf(sim), undefined);
    assert.doesNotMatch(sim.log, /upload skipped/);
  });

  test('config input reaches --config', async () => {
    const ws = workspace({ 'reuse.c': REUSE_C, 'ci/vmsplice.json': JSON.stringify({ rules: { 'buffer-modified-after-vmsplice': 'off' } }) });
    const [without, withConfig, missing] = await Promise.all([
      runAction(ws, { inputs: { 'sarif-file': 'a.sarif' } }),
      runAction(ws, { inputs: { config: 'ci/vmsplice.json', 'sarif-file': 'b.sarif' } }),
      runAction(ws, { inputs: { config: 'ci/missing.json', 'sarif-file': 'c.sarif' } }),
    ]);
    assert.equal(without.outputs['exit-code'], '1');
    assert.equal(withConfig.outputs['exit-code'], '0', withConfig.log);
    const rules = withConfig.sarif!.runs[0].results.map((r) => (r as { ruleId: string }).ruleId);
    assert.deepEqual(rules, ['unchecked-result']);
    // A tool error (exit 2) fails the step at once: no upload, no "findings" step.
    assert.equal(missing.outputs['exit-code'], '2');
    assert.equal(missing.failed, true);
    assert.equal(uploadOf(missing), undefined);
    assert.equal(failStepOf(missing), undefined);
  });

  test('baseline input reaches --baseline: a baseline written with --write-baseline leaves only new findings', async () => {
    const ws = failingTree();
    // As the README says: exit 1 (it reports what it records), baseline written.
    const write = spawnSync(process.execPath, [cli, '--write-baseline', '.vmsplice-lint-baseline.json', '.'], { cwd: ws, env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });
    assert.equal(write.status, 1, String(write.stderr));
    assert.ok(existsSync(path.join(ws, '.vmsplice-lint-baseline.json')));
    const baselined = await runAction(ws, { inputs: { baseline: '.vmsplice-lint-baseline.json' } });
    assert.equal(baselined.outputs.findings, '0');
    assert.equal(baselined.outputs['exit-code'], '0');
    assert.deepEqual(baselined.sarif!.runs[0].results, []);
    assert.equal(baselined.failed, false, baselined.log);
    // A new finding is still reported.
    writeFileSync(path.join(ws, 'src/new.c'), REUSE_C.replace('send_and_clear', 'send_again'));
    const later = await runAction(ws, { inputs: { baseline: '.vmsplice-lint-baseline.json', 'sarif-file': 'later.sarif' } });
    assert.equal(later.outputs['exit-code'], '1');
    assert.equal(later.outputs.findings, '2');
  });

  test('shard input: each shard reports its share, under its own category; together they report every finding', async () => {
    const files: Record<string, string> = {};
    for (let k = 1; k <= 4; k++) {
      files[`src/gift-${k}.c`] = GIFT_C.replace('send_gift', `send_gift_${k}`);
      files[`src/reuse-${k}.c`] = REUSE_C.replace('send_and_clear', `send_and_clear_${k}`);
    }
    const ws = workspace(files);
    const [all, one, two] = await Promise.all([
      runAction(ws, { inputs: { 'fail-on': 'never', 'sarif-file': 'all.sarif' } }),
      runAction(ws, { inputs: { 'fail-on': 'never', shard: '1/2', category: 'vmsplice-lint-shard-1', 'sarif-file': 'one.sarif' } }),
      runAction(ws, { inputs: { 'fail-on': 'never', shard: '2/2', category: 'vmsplice-lint-shard-2', 'sarif-file': 'two.sarif' } }),
    ]);
    for (const sim of [all, one, two]) assert.equal(sim.failed, false, sim.log);
    assert.ok(sarifFindings(one).length > 0 && sarifFindings(two).length > 0, 'both shards report something');
    assert.deepEqual([...sarifFindings(one), ...sarifFindings(two)].sort(), sarifFindings(all));
    assert.equal(one.sarif!.runs[0].automationDetails?.id, 'vmsplice-lint-shard-1');
    assert.equal(uploadOf(two)?.with?.category, 'vmsplice-lint-shard-2');
  });

  test('shell metacharacters in inputs are data, never code', async () => {
    const ws = workspace({ 'src/clean.c': CLEAN_C });
    const pwned = ['pwned1', 'pwned2', 'pwned3', 'pwned4', 'pwned5'];
    const sim = await runAction(ws, {
      inputs: { paths: 'src "$(touch pwned1)" $(touch pwned2) `touch pwned3` ; touch pwned4 && touch pwned5 *' },
    });
    for (const dir of [ws, repoRoot, path.dirname(ws)]) {
      for (const f of pwned) assert.equal(existsSync(path.join(dir, f)), false, `${f} was not created in ${dir}`);
    }
    // The words are taken as paths, which do not exist: a usage error.
    assert.equal(sim.outputs['exit-code'], '2');
    assert.equal(sim.failed, true);
    assert.match(sim.log, /\$\(touch/);
  });

  test('a path that looks like an option stays a path', async () => {
    const ws = workspace({ 'src/clean.c': CLEAN_C });
    const sim = await runAction(ws, { inputs: { paths: 'src --write-baseline=evil.json' } });
    assert.equal(existsSync(path.join(ws, 'evil.json')), false);
    assert.equal(sim.outputs['exit-code'], '2');
  });

  test('category and sarif-file with spaces and metacharacters pass through literally', async () => {
    const ws = cleanTree();
    const category = 'vmsplice-lint/-x $(touch pwned6) `id`';
    const sim = await runAction(ws, { inputs: { category, 'sarif-file': 'out dir/$(touch pwned7).sarif', paths: 'src' } });
    assert.equal(sim.failed, false, sim.log);
    assert.equal(sim.outputs['sarif-file'], path.join(ws, 'out dir/$(touch pwned7).sarif'));
    assert.equal(sim.sarif!.runs[0].automationDetails?.id, category);
    assert.equal(uploadOf(sim)?.with?.category, category);
    assert.equal(existsSync(path.join(ws, 'pwned6')), false);
    assert.equal(existsSync(path.join(ws, 'pwned7')), false);
  });
});

// ---------------------------------------------------------------------------
// README's "## GitHub Action" section against action.yml.

function readmeSection(): string {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## GitHub Action\n');
  assert.ok(start >= 0, 'README has a "## GitHub Action" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The rows of the first Markdown table whose header's first cell is `first`. */
function tableRows(section: string, first: string): string[][] {
  const lines = section.split('\n');
  const head = lines.findIndex((l) => new RegExp(`^\\|\\s*${first}\\s*\\|`).test(l));
  assert.ok(head >= 0, `a table headed "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

const cellCode = (cell: string): string | undefined => /^`([^`]*)`/.exec(cell)?.[1];

describe('README', () => {
  test('documents exactly the inputs and outputs of action.yml, with their defaults', () => {
    const section = readmeSection();
    const inputs = tableRows(section, 'Input');
    assert.deepEqual(inputs.map((r) => cellCode(r[0])), Object.keys(actionInputs));
    for (const [cell, defaultCell] of inputs) {
      const name = cellCode(cell)!;
      const actual = asString(asMap(actionInputs[name], name).default) ?? '';
      const documented = cellCode(defaultCell);
      if (documented !== undefined) {
        assert.equal(documented, actual, `default of ${name}`);
      } else {
        assert.match(defaultCell, /^\(?(empty|none)\)?$/i, `default of ${name} is code or "(empty)"`);
        assert.equal(actual, '', `default of ${name} is empty`);
      }
    }
    const outputs = tableRows(section, 'Output');
    assert.deepEqual(outputs.map((r) => cellCode(r[0])), Object.keys(actionOutputs));
  });

  test('the workflow examples use only declared inputs and grant security-events: write', () => {
    const section = readmeSection();
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(blocks.length >= 2, 'at least two workflow examples');
    let uses = 0;
    for (const block of blocks) {
      const doc = readYaml(block);
      const visit = (y: Yaml): void => {
        if (Array.isArray(y)) y.forEach(visit);
        else if (typeof y === 'object') {
          if (typeof y.uses === 'string' && /\/vmsplice-lint@/.test(y.uses)) {
            uses++;
            for (const key of Object.keys(asMap(y.with ?? {}, 'with'))) assert.ok(Object.hasOwn(actionInputs, key), `input '${key}' exists`);
          }
          Object.values(y).forEach(visit);
        }
      };
      visit(doc);
    }
    assert.ok(uses >= 2);
    const first = asMap(readYaml(blocks[0]), 'workflow');
    assert.deepEqual(asMap(first.permissions, 'permissions'), { 'security-events': 'write', actions: 'read', contents: 'read' });
    assert.deepEqual(Object.keys(asMap(first.on, 'on')).sort(), ['pull_request', 'push']);
  });
});
