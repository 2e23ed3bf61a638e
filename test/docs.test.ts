import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { generatedDocs, repoRoot } from '../src/docs.js';

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
