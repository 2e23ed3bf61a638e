import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discover, type DiscoverOptions } from '../src/discover.js';

const defaults: DiscoverOptions = { extensions: ['.c', '.h'], include: [], exclude: [], useIgnoreFiles: true };

/** A fresh directory holding `files` (path => content), removed after the test. */
async function tree(t: { after(fn: () => Promise<void>): void }, files: Record<string, string>): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'vmsplice-discover-')));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

async function relPaths(root: string, opts: Partial<DiscoverOptions> = {}, paths = [root]): Promise<string[]> {
  const { files } = await discover(paths, root, { ...defaults, ...opts });
  return files.map((f) => f.relPath);
}

test('walks files with a listed extension only, case-sensitively', async (t) => {
  const root = await tree(t, { 'a.c': '', 'b.h': '', 'c.txt': '', 'D.C': '', 'sub/e.c': '', 'sub/f.cc': '' });
  assert.deepEqual(await relPaths(root), ['a.c', 'b.h', 'sub/e.c']);
  assert.deepEqual(await relPaths(root, { extensions: ['.cc'] }), ['sub/f.cc']);
});

test('lints an explicitly named file whatever its extension, unless excluded', async (t) => {
  const root = await tree(t, { 'notes.txt': '', 'vendor/lib.inc': '', 'a.c': '' });
  const named = [path.join(root, 'notes.txt'), path.join(root, 'vendor/lib.inc')];
  assert.deepEqual(await relPaths(root, {}, named), ['notes.txt', 'vendor/lib.inc']);
  assert.deepEqual(await relPaths(root, { exclude: ['vendor'] }, named), ['notes.txt']);
  assert.deepEqual(await relPaths(root, { include: ['nothing/**'] }, named), ['notes.txt', 'vendor/lib.inc']);
});

test('honours nested .gitignore files with git semantics', async (t) => {
  const root = await tree(t, {
    '.git/HEAD': '',
    '.gitignore': '*.gen.c\ngen/\n# a comment\n\nUPPER.c\n',
    'sub/.gitignore': '!keep.gen.c\nlocal.c\n/only-here.c\n!gen/\n',
    'a.gen.c': '',
    'local.c': '',
    'upper.c': '', // git is case-sensitive on Linux
    'gen/x.c': '',
    'sub/keep.gen.c': '',
    'sub/drop.gen.c': '',
    'sub/local.c': '',
    'sub/deeper/local.c': '',
    'sub/only-here.c': '',
    'sub/deeper/only-here.c': '',
    'sub/gen/y.c': '',
  });
  assert.deepEqual(await relPaths(root), [
    'local.c', // sub/.gitignore does not reach above sub
    'sub/deeper/only-here.c', // '/only-here.c' is anchored to sub
    'sub/gen/y.c', // re-included by the deeper '!gen/'
    'sub/keep.gen.c',
    'upper.c',
  ]);
  assert.equal((await relPaths(root, { useIgnoreFiles: false })).length, 11);
});

test('agrees with git on which files a tree ignores', async (t) => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
  } catch {
    t.skip('git is not installed');
    return;
  }
  const root = await tree(t, {
    '.gitignore': 'build\n!build/\n*.o.c\na/**\n!a/b/\n',
    'sub/.gitignore': '\\#hash.c\nx y/\nd\\[1\\]/\n',
    'build/keep.c': '',
    'x.o.c': '',
    'a/a.c': '',
    'a/b/b.c': '',
    'a/b/c/c.c': '',
    'sub/#hash.c': '',
    'sub/x y/s.c': '',
    'sub/d[1]/d.c': '',
    'sub/d1/d.c': '',
    '.../dots.c': '',
  });
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  execFileSync('git', ['init', '-q'], { cwd: root, env });
  const listed = execFileSync('git', ['ls-files', '-z', '--others', '--exclude-standard'], { cwd: root, env });
  const expected = listed.toString().split('\0').filter((f) => f.endsWith('.c')).sort();
  assert.deepEqual(await relPaths(root), expected);
  assert.ok(expected.length > 0 && expected.length < 10);
});

test('a named directory gets the .gitignore rules of the root and the directories above it', async (t) => {
  const root = await tree(t, {
    '.git/HEAD': '',
    '.gitignore': '*.gen.c\nignored/\n',
    'a/.gitignore': 'skip.c\n',
    'a/b/ok.c': '',
    'a/b/x.gen.c': '',
    'a/b/skip.c': '',
    'ignored/c.c': '',
  });
  assert.deepEqual(await relPaths(root, {}, [path.join(root, 'a/b')]), ['a/b/ok.c']);
  // The same verdict as a walk from the root: the directory itself is ignored.
  assert.deepEqual(await relPaths(root, {}, [path.join(root, 'ignored')]), []);
  assert.deepEqual(await relPaths(root, { useIgnoreFiles: false }, [path.join(root, 'ignored')]), ['ignored/c.c']);
});

test('.gitignore files apply only inside a git work tree: a tarball tree is linted whole', async (t) => {
  const files = { '.gitignore': '/*\n', 'a.c': '', 'sub/.gitignore': '*.c\n', 'sub/b.c': '' };
  const root = await tree(t, files);
  const found = await discover([root], root, defaults);
  assert.deepEqual(found.files.map((f) => f.relPath), ['a.c', 'sub/b.c']);
  assert.deepEqual(found.ignored, { files: 0, dirs: 0 });
  // The same tree as a work tree: everything is ignored, and counted.
  const repo = await tree(t, { ...files, '.git/HEAD': '' });
  const inRepo = await discover([repo], repo, defaults);
  assert.deepEqual(inRepo.files, []);
  assert.deepEqual(inRepo.ignored, { files: 1, dirs: 1 });
});

test('a .git above the root makes its .gitignore files apply, anchored at the work tree root', async (t) => {
  const top = await tree(t, {
    '.git/HEAD': '',
    '.gitignore': '/tools/gen.c\n*.tmp.c\n',
    '.git/info/exclude': 'local.c\n',
    'tools/gen.c': '',
    'tools/x.tmp.c': '',
    'tools/local.c': '',
    'tools/keep.c': '',
    'tools/sub/gen.c': '',
  });
  const fromRoot = await relPaths(top, {}, [path.join(top, 'tools')]);
  const tools = path.join(top, 'tools');
  const fromTools = await relPaths(tools, {}, [tools]);
  assert.deepEqual(fromRoot, ['tools/keep.c', 'tools/sub/gen.c']);
  assert.deepEqual(fromTools.map((f) => `tools/${f}`), fromRoot);
});

test('a nested work tree starts afresh: the outer .gitignore files do not reach into it', async (t) => {
  const root = await tree(t, { '.git/HEAD': '', '.gitignore': '*.gen.c\n', 'a.gen.c': '', 'inner/.git': 'gitdir: elsewhere\n', 'inner/b.gen.c': '' });
  assert.deepEqual(await relPaths(root), ['inner/b.gen.c']);
});

test('always skips .git and node_modules', async (t) => {
  const root = await tree(t, {
    '.git/hook.c': '',
    'node_modules/pkg/x.c': '',
    'src/node_modules/y.c': '',
    'src/a.c': '',
    'src/node_modules.c': '',
  });
  assert.deepEqual(await relPaths(root, { useIgnoreFiles: false }), ['src/a.c', 'src/node_modules.c']);
});

test('applies include and exclude globs, however an excluded directory is reached', async (t) => {
  const root = await tree(t, {
    'src/a.c': '',
    'src/a.h': '',
    'src/.hidden/b.c': '',
    'src/vendor/v.c': '',
    'test/t.c': '',
  });
  await symlink('vendor', path.join(root, 'src/alias'));
  const opts = { include: ['src/**'], exclude: ['src/vendor', '**/*.h'] };
  assert.deepEqual(await relPaths(root, opts), ['src/.hidden/b.c', 'src/a.c']);
  assert.deepEqual(await relPaths(root, opts, [path.join(root, 'src/vendor/v.c'), path.join(root, 'src/alias')]), []);
  assert.deepEqual(await relPaths(root), ['src/.hidden/b.c', 'src/a.c', 'src/a.h', 'src/vendor/v.c', 'test/t.c']);
});

// A walk that loops, or opens a FIFO, would hang: fail instead.
const hangGuard = { timeout: 10_000 };

test('follows a symlinked directory loop without looping', hangGuard, async (t) => {
  const root = await tree(t, { 'sub/a.c': '', 'b.c': '' });
  await symlink('..', path.join(root, 'sub/up'));
  await symlink('.', path.join(root, 'sub/self'));
  const { files } = await discover([root, path.join(root, 'sub/up/sub/up')], root, defaults);
  assert.deepEqual(files, [
    { absPath: path.join(root, 'b.c'), relPath: 'b.c' },
    { absPath: path.join(root, 'sub/a.c'), relPath: 'sub/a.c' },
  ]);
});

test('reports a symlinked file once, by its real path', async (t) => {
  const root = await tree(t, { 'src/real.c': '' });
  const outside = await tree(t, { 'ext.c': '' });
  await symlink('src/real.c', path.join(root, 'link.c'));
  await symlink('../src/real.c', path.join(root, 'src/link2.c'));
  await symlink(path.join(outside, 'ext.c'), path.join(root, 'ext.c'));
  const { files } = await discover([root, path.join(root, 'link.c')], root, defaults);
  assert.deepEqual(files, [
    { absPath: path.join(outside, 'ext.c'), relPath: path.join(outside, 'ext.c') },
    { absPath: path.join(root, 'src/real.c'), relPath: 'src/real.c' },
  ]);
});

test('judges a file reached through a symlink at its real path', async (t) => {
  const root = await tree(t, { '.git/HEAD': '', '.gitignore': 'generated/\n', 'generated/g.c': '', 'src/notes.txt': '', 'src/main.c': '' });
  await symlink('../generated/g.c', path.join(root, 'src/g.c'));
  await symlink('notes.txt', path.join(root, 'src/notes.c'));
  assert.deepEqual(await relPaths(root), ['src/main.c']);
});

test('never opens a FIFO, and reports one only where a source was expected', hangGuard, async (t) => {
  const root = await tree(t, { 'a.c': '' });
  try {
    execFileSync('mkfifo', [path.join(root, 'pipe.c'), path.join(root, 'pipe')]);
  } catch {
    t.skip('mkfifo is not available');
    return;
  }
  const walked = await discover([root], root, defaults);
  assert.deepEqual(walked.files.map((f) => f.relPath), ['a.c']);
  assert.equal(walked.notifications.length, 1);
  assert.equal(walked.notifications[0].path, 'pipe.c');
  assert.equal(walked.notifications[0].kind, 'unreadable');
  assert.match(walked.notifications[0].message, /FIFO/);

  const named = await discover([path.join(root, 'pipe')], root, defaults);
  assert.deepEqual(named.files, []);
  assert.deepEqual(named.notifications.map((n) => [n.kind, n.path]), [['unreadable', 'pipe']]);
  assert.match(named.notifications[0].message, /FIFO/);
});

test('reports an unreadable directory and carries on', async (t) => {
  const root = await tree(t, { 'locked/x.c': '', 'open/y.c': '' });
  const locked = path.join(root, 'locked');
  await chmod(locked, 0o000);
  let readable = true;
  let result;
  try {
    await readdir(locked);
  } catch {
    readable = false;
  }
  try {
    result = await discover([root], root, defaults);
  } finally {
    // Before the tree is removed: as an ordinary user, rm could not list it either.
    await chmod(locked, 0o755);
  }
  if (readable) {
    t.skip('permission checks do not apply to this user (root?), so mode 000 cannot lock the directory');
    return;
  }
  const { files, notifications } = result;
  assert.deepEqual(files.map((f) => f.relPath), ['open/y.c']);
  assert.deepEqual(notifications.map((n) => [n.kind, n.path]), [['unreadable', 'locked']]);
  assert.match(notifications[0].message, /EACCES/);
});

test('reports a path that does not exist, and still walks the others', async (t) => {
  const root = await tree(t, { 'a.c': '' });
  const missing = path.join(root, 'nope');
  const belowFile = path.join(root, 'a.c/below');
  const { files, notifications } = await discover([missing, root, belowFile], root, defaults);
  assert.deepEqual(files.map((f) => f.relPath), ['a.c']);
  assert.deepEqual(
    notifications.map((n) => [n.level, n.kind, n.path]),
    [
      ['error', 'not-found', belowFile],
      ['error', 'not-found', missing],
    ],
  );
  // The CLI reports the message alone, so it must name the path.
  assert.equal(notifications[1].message, `'${missing}' does not exist.`);
});

test('orders files by relPath code units, whatever the creation order', async (t) => {
  const names = ['b.c', 'B.c', 'a/b.c', 'a-b.c', 'a.c', 'é.c', 'Z/z.c', '_.c', 'a0.c'];
  const root = await tree(t, Object.fromEntries(names.map((n) => [n, ''])));
  const expected = [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  assert.deepEqual(await relPaths(root), expected);
  assert.deepEqual(await relPaths(root, {}, [...names].reverse().map((n) => path.join(root, n))), expected);
});

test('relPath never contains .. segments', async (t) => {
  const root = await tree(t, { 'sub/a.c': '', 'other/b.c': '' });
  const viaDotDot = [`${path.relative(process.cwd(), path.join(root, 'sub'))}/../other`, `${root}/sub/../other`];
  await symlink('../other', path.join(root, 'sub/link'));
  const rels = await relPaths(root, {}, [...viaDotDot, path.join(root, 'sub')]);
  assert.deepEqual(rels, ['other/b.c', 'sub/a.c']);
  for (const rel of rels) assert.ok(!rel.split('/').includes('..'), rel);
});

test('gives a file outside the root its absolute real path', async (t) => {
  const root = await tree(t, { 'in.c': '' });
  const outside = await tree(t, { 'out.c': '', 'dir/deep.c': '', '.gitignore': '*.c\n' });
  const rootLink = path.join(outside, 'root-link');
  await symlink(root, rootLink);
  const { files } = await discover([path.join(outside, 'out.c'), path.join(outside, 'dir')], rootLink, defaults);
  assert.deepEqual(
    files.map((f) => f.relPath),
    [path.join(outside, 'dir/deep.c'), path.join(outside, 'out.c')],
  );
  // Through a symlinked root, relPath stays relative to the real root.
  assert.deepEqual(await relPaths(rootLink, {}, [rootLink]), ['in.c']);
});
