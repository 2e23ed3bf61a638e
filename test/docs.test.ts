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
