import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

test('the same tree linted again and again in one process, with forced garbage collection, gives byte-identical SARIF', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, 'helpers/repeat-lint.js'), path.join(repo, 'fixtures'), '6'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const hashes = r.stdout.trim().split('\n');
  assert.equal(hashes.length, 6);
  assert.equal(new Set(hashes).size, 1, `runs differ: ${hashes.join(', ')}`);
});
