import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { repoRoot } from '../../src/docs.js';

/** Runs the built CLI in temporary trees that are removed after the test file. */
export function cliHarness(prefix: string) {
  const cli = path.join(repoRoot, 'dist/src/cli.js');
  const work = mkdtempSync(path.join(tmpdir(), `vmsplice-lint-${prefix}-`));
  after(() => rmSync(work, { recursive: true, force: true }));

  // No colour, and no step summary of a CI run that happens to run the tests.
  const cliEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '', ...env });

  function run(args: string[], cwd = work, env: NodeJS.ProcessEnv = {}, input?: string) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: cliEnv(env), input });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Starts the CLI without waiting, for tests that must act while it runs (read a FIFO, close its stdout). */
  function start(args: string[], cwd = work): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [cli, ...args], { cwd, env: cliEnv({}) });
  }

  function finished(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  }

  function tree(name: string, files: Record<string, string>): string {
    const dir = path.join(work, name);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), content);
    }
    return dir;
  }

  return { cli, run, start, finished, tree, work };
}
