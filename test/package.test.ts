/**
 * The npm package as a user gets it: `npm pack` of this tree, `npm install -g` of the tarball into a temporary
 * prefix, then the installed `vmsplice-lint` on C files with and without findings. The install is offline, from the npm cache that the
 * repository's own `npm ci` filled (CI runs it first). `npm pack --ignore-scripts`: dist/ is already built by
 * `npm test`, and rebuilding it here would race the other test files that run it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLEAN_C, GIFT_C } from './helpers/c-sources.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string };
const work = mkdtempSync(path.join(os.tmpdir(), 'vmsplice-lint-package-'));
after(() => rmSync(work, { recursive: true, force: true }));

const tree = path.join(work, 'tree');
mkdirSync(tree);
writeFileSync(path.join(tree, 'gift.c'), GIFT_C);
writeFileSync(path.join(tree, 'clean.c'), CLEAN_C);

/** This environment without what `npm test` exports, so npm reads only the flags given here (the cache excepted). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' };
}

let files: string[] = [];
let tarball = '';
const prefix = path.join(work, 'prefix');
const installedBin = path.join(prefix, 'bin', 'vmsplice-lint');

before(() => {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path).sort();
  tarball = path.join(work, packed[0].filename);
  const install = spawnSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { encoding: 'utf8', env: npmEnv() });
  assert.equal(install.status, 0, `npm install -g of the tarball (offline, from the npm cache):\n${install.stderr}`);
});

const runInstalled = (args: string[]) => spawnSync(installedBin, args, { cwd: tree, encoding: 'utf8', env: npmEnv() });

test('the tarball holds runtime files only: compiled sources and rules, rule docs, schema, README, LICENSE', () => {
  const runtime = /^(LICENSE|README\.md|package\.json|dist\/(src|rules)\/[\w/-]+\.js|rules\/[a-z-]+\.md|schema\/[\w.-]+\.json)$/;
  assert.deepEqual(
    files.filter((f) => !runtime.test(f)),
    [],
  );
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/src/cli.js', 'dist/src/prefilter-worker.js', 'schema/config.schema.json']) assert.ok(files.includes(f), `${f} ships`);
  assert.equal(files.includes('dist/src/docs.js'), false, 'the docs generator is a development tool');
  assert.ok(files.some((f) => f.startsWith('dist/rules/')));
});

test('LICENSE is the MIT licence that package.json declares', () => {
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} /);
});

test('package.json names no unpublished npm page and invents no repository', () => {
  // The project has no public repository yet: repository, bugs and homepage come with the first public release.
  for (const field of ['homepage', 'repository', 'bugs']) {
    const value = JSON.stringify(pkg[field] ?? '');
    assert.doesNotMatch(value, /npmjs\.com|<owner>|example\.(org|com)|OWNER/i, `${field} points nowhere invented`);
  }
});

test('the installed vmsplice-lint runs from its own prefix: version, findings with exit 1, a clean file with exit 0', () => {
  assert.ok(existsSync(installedBin), 'the bin link is installed');
  const installedModules = path.join(prefix, 'lib', 'node_modules', 'vmsplice-lint', 'node_modules');
  assert.ok(existsSync(path.join(installedModules, 'tree-sitter-c')), 'runtime dependencies installed');
  assert.equal(existsSync(path.join(installedModules, 'typescript')), false, 'no development dependency installed');

  const version = runInstalled(['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);

  const failing = runInstalled(['--fail-on', 'warning', 'gift.c']);
  assert.equal(failing.status, 1, failing.stderr);
  assert.match(failing.stdout, /^gift\.c:\d+:\d+ +warning .*\[splice-f-gift\]$/m);
  // The same bytes as the repository's own build: nothing the analysis needs was left out of the tarball.
  const fromRepo = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli.js'), '--fail-on', 'warning', 'gift.c'], { cwd: tree, encoding: 'utf8', env: npmEnv() });
  assert.equal(failing.stdout, fromRepo.stdout);

  const passing = runInstalled(['clean.c']);
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);

  const explain = runInstalled(['--explain', 'splice-f-gift']);
  assert.equal(explain.status, 0, explain.stderr);
  assert.match(explain.stdout, /SPLICE_F_GIFT/);
});
