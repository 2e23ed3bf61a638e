import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { allRules } from '../rules/index.js';
import { generatedDocs, repoRoot } from '../src/docs.js';
import { cliHarness } from './helpers/cli-run.js';

test('generated rule docs and README rules table are up to date (npm run docs)', () => {
  for (const [file, content] of generatedDocs()) {
    const p = path.join(repoRoot, file);
    assert.ok(existsSync(p), `${file} is missing; run npm run docs`);
    assert.equal(readFileSync(p, 'utf8'), content, `${file} is stale; run npm run docs`);
  }
});

test('README starts with the two set-up commands', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const firstBlock = /```(?:sh|bash|console)?\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(firstBlock, /npm ci && npx vmsplice-lint fixtures\//);
  assert.match(firstBlock, /^npm test$/m);
});

test("the README's configuration example is a valid config", async () => {
  const { loadConfig } = await import('../src/config.js');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const example = /### Configuration[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'README has a JSON example under ### Configuration');
  const dir = mkdtempSync(path.join(tmpdir(), 'vmsplice-lint-readme-'));
  writeFileSync(path.join(dir, 'compile_commands.json'), '[]');
  writeFileSync(path.join(dir, '.vmsplice-lint.json'), example);
  const config = loadConfig(path.join(dir, '.vmsplice-lint.json'));
  assert.equal(config.rules['ineffective-flag'].level, 'off');
});

const docsCli = cliHarness('docs');

test('the README documents every option --help shows, in its generated table', () => {
  const help = docsCli.run(['--help']);
  assert.equal(help.code, 0, help.stderr);
  const shown = [...help.stdout.matchAll(/^ {2}(?:-\w, | {4})--([a-z][a-z-]*)/gm)].map((m) => m[1]);
  assert.ok(shown.length > 30, `only ${shown.length} options in --help`);
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const table = /<!-- options-table:start[^>]*-->\n([\s\S]*?)<!-- options-table:end -->/.exec(readme)?.[1] ?? '';
  const rows = new Set([...table.matchAll(/^\| `--(?:no-)?([a-z][a-z-]*)/gm)].map((m) => m[1]));
  for (const name of shown) assert.ok(rows.has(name), `--${name} is in --help but not in the README's option table`);
  for (const name of ['jobs', 'shard', 'quiet', 'color', 'json-output', 'print-config']) assert.ok(rows.has(name), `--${name} row`);
});

/** The indented code blocks of one section of `--explain` output ("Example:", "Use instead:"). */
function explainedCode(text: string, heading: string): string[] {
  const section = new RegExp(`^${heading}\\n([\\s\\S]*?)(?=^\\S[^\\n]*:\\n|(?![\\s\\S]))`, 'm').exec(text)?.[1] ?? '';
  const blocks: string[] = [];
  let current: string[] = [];
  for (const line of [...section.split('\n'), '']) {
    if (line.startsWith('    ')) current.push(line.slice(4));
    else if (current.length) {
      blocks.push(`${current.join('\n')}\n`);
      current = [];
    }
  }
  return blocks;
}

for (const rule of allRules) {
  test(`${rule.id}: the example --explain prints is reported by the rule; its "use instead" code is not`, () => {
    const explain = docsCli.run(['--explain', rule.id]);
    assert.equal(explain.code, 0, explain.stderr);
    const [example, ...more] = explainedCode(explain.stdout, 'Example:');
    assert.ok(example && more.length === 0, `one example block:\n${explain.stdout}`);
    const lint = (code: string) => {
      const r = docsCli.run(['--format', 'json', '--rule', rule.id, '--stdin-filename', 'example.c', '-'], docsCli.work, {}, code);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      return (JSON.parse(r.stdout).findings as { ruleId: string }[]).filter((f) => f.ruleId === rule.id);
    };
    assert.ok(lint(example).length > 0, `${rule.id} reports nothing on its example:\n${example}`);
    for (const instead of explainedCode(explain.stdout, 'Use instead:')) {
      assert.deepEqual(lint(instead), [], `${rule.id} reports its "use instead" code:\n${instead}`);
    }
  });
}

/** Markdown files of the repository (not of dependencies or build output). */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (['node_modules', 'dist', '.git'].includes(name)) return [];
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

test('documentation links and paths stay inside the repository and exist', () => {
  const files = markdownFiles(repoRoot);
  assert.ok(files.some((f) => f.endsWith('README.md')) && files.some((f) => f.includes(`${path.sep}rules${path.sep}`)));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const local = (t: string): boolean => !/^[a-z][a-z+.-]*:/i.test(t) && !t.startsWith('#');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter(local);
    // Relative paths quoted as code count too: `../shared/docs/semantics.md` sends a reader out of the repository.
    const quoted = [...text.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1]);
    for (const target of [...links, ...quoted]) {
      const where = `${path.relative(repoRoot, file)} -> ${target}`;
      assert.ok(!target.startsWith('/'), `absolute path: ${where}`);
      const resolved = path.resolve(path.dirname(file), target.split('#')[0]);
      const rel = path.relative(repoRoot, resolved);
      assert.ok(!rel.startsWith('..') && !path.isAbsolute(rel), `outside the repository: ${where}`);
      if (links.includes(target)) assert.ok(existsSync(resolved), `missing: ${where}`);
    }
  }
  assert.doesNotMatch(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'), /shared\/docs/);
});
