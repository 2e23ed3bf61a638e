import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../src/docs.js';

/** A real editor: headless Neovim's built-in LSP client against `vmsplice-lint --lsp` (Debian's neovim, see .ci/run). */

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const work = mkdtempSync(path.join(tmpdir(), 'vmsplice-lint-nvim-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('Neovim shows the cross-file diagnostic and the rule documentation on hover', { skip: nvim.status !== 0 && 'nvim is not installed', timeout: 60_000 }, () => {
  cpSync(path.join(repoRoot, 'fixtures/cross-file/lsp-wrapper'), path.join(work, 'tree'), { recursive: true });
  const out = path.join(work, 'result.json');
  const r = spawnSync('nvim', ['--headless', '--clean', '-c', `luafile ${path.join(repoRoot, 'test/editors/neovim.lua')}`], {
    cwd: path.join(work, 'tree'),
    encoding: 'utf8',
    timeout: 50_000,
    env: {
      ...process.env,
      VMSPLICE_ROOT: path.join(work, 'tree'),
      VMSPLICE_OUT: out,
      VMSPLICE_NODE: process.execPath,
      VMSPLICE_CLI: path.join(repoRoot, 'dist/src/cli.js'),
    },
  });
  assert.ok(existsSync(out), `Neovim wrote no result (status ${r.status}): ${r.stderr}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as {
    diagnosed: boolean;
    stopped: boolean;
    hover?: string;
    diagnostics: { lnum: number; col: number; severity: number; source: string; message: string; code?: string }[];
  };
  assert.equal(result.diagnosed, true, 'a diagnostic arrived');
  assert.deepEqual(
    result.diagnostics.map((d) => [d.lnum, d.col, d.severity, d.source, d.code]),
    [[8, 11, 2, 'vmsplice-lint', 'splice-f-gift']],
  );
  assert.match(result.diagnostics[0]!.message, /SPLICE_F_GIFT \(through wrapper 'push_pages'/);
  assert.match(result.hover ?? '', /^# `splice-f-gift`: SPLICE_F_GIFT used/);
  assert.equal(result.stopped, true, 'the server shut down when Neovim stopped the client');
});
