/**
 * The pre-commit hook (.pre-commit-hooks.yaml), run by the real pre-commit: `pre-commit try-repo` of this
 * repository on a throwaway git repository holding a C file with findings and one without.
 *
 * pre-commit's node language makes an environment with nodeenv around the system's node (it would download
 * Node.js only when node or npm is missing), then runs `npm install` in a clone of this repository (the prepare
 * script builds dist/), `npm pack` and `npm install -g` of the tarball. The test runs offline: npm installs from
 * the cache that the repository's own `npm ci` filled. try-repo clones the committed tree plus tracked and staged
 * changes; untracked files are not part of it. .ci/run installs pre-commit (Debian package `pre-commit`); on a
 * developer machine without it the test is skipped with the reason.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLEAN_C, GIFT_C } from './helpers/c-sources.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'vmsplice-lint-pre-commit-'));
after(() => rmSync(work, { recursive: true, force: true }));

const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
const missing =
  preCommit.error !== undefined || preCommit.status !== 0
    ? 'pre-commit is not installed (Debian: apt-get install pre-commit; .ci/run installs it)'
    : spawnSync('git', ['-C', repoRoot, 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' }).stdout.trim() !== 'true'
      ? 'this tree is not a git work tree, and try-repo clones one'
      : undefined;

function env(home: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)) out[k] = v;
  return { ...out, PRE_COMMIT_HOME: home, PRE_COMMIT_COLOR: 'never', NO_COLOR: '1', npm_config_offline: 'true', GITHUB_STEP_SUMMARY: '' };
}

/** A git repository holding `files` (name -> content), committed. */
function gitRepo(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q');
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(dir, rel), text);
  git('add', '.');
  git('commit', '-q', '-m', 'fixture');
  return dir;
}

/** What went wrong, when pre-commit could not install the hook: the cause, not a wall of log. */
function diagnosis(output: string, home: string): string {
  const logFile = path.join(home, 'pre-commit.log');
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  const text = output + log;
  if (/ENOTCACHED/.test(text)) return 'npm needed a package that is not in the local npm cache (run npm ci first; the test installs offline)';
  if (/nodeenv/.test(text) && /(urlopen|nodejs\.org|HTTPError|URLError)/.test(text)) return 'pre-commit tried to download Node.js (node or npm missing from PATH)';
  return `pre-commit failed:\n${output}\n${log.slice(-4000)}`;
}

function tryRepo(repo: string): Promise<{ status: number; output: string; home: string }> {
  const home = path.join(repo, '..', `${path.basename(repo)}-home`);
  return new Promise((resolve, reject) => {
    const child = spawn('pre-commit', ['try-repo', repoRoot, 'vmsplice-lint', '--all-files'], { cwd: repo, env: env(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? 1, output, home }));
  });
}

test('pre-commit try-repo: the hook fails on a C file with findings and passes on a clean one', { skip: missing }, async () => {
  // Each try-repo installs its own environment; the two run side by side. notes.txt holds C with findings: only
  // `types: [c]` keeps it from the hook (vmsplice-lint lints every file it is given, whatever its name).
  const [failing, passing] = await Promise.all([
    tryRepo(gitRepo('failing', { 'bad.c': GIFT_C, 'good.c': CLEAN_C })),
    tryRepo(gitRepo('passing', { 'good.c': CLEAN_C, 'notes.txt': GIFT_C })),
  ]);
  for (const run of [failing, passing]) {
    assert.doesNotMatch(run.output, /An (unexpected )?error has occurred/, diagnosis(run.output, run.home));
  }

  assert.equal(failing.status, 1, failing.output);
  assert.match(failing.output, /^vmsplice-lint\.+Failed$/m);
  assert.match(failing.output, /^bad\.c:\d+:\d+ +warning .*\[splice-f-gift\]$/m);
  assert.doesNotMatch(failing.output, /^good\.c:/m);

  assert.equal(passing.status, 0, passing.output);
  assert.match(passing.output, /^vmsplice-lint\.+Passed$/m);
  assert.doesNotMatch(passing.output, /notes\.txt/);
});
