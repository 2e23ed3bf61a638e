import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiscoveredFile } from '../src/discover.js';
import { NeedleSet } from '../src/prefilter-needles.js';
import { isBinary, readSourceSync as readSource, type SourceRead } from '../src/source.js';

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'vmsplice-source-')));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function fileWith(dir: string, name: string, content: string | Buffer): Promise<DiscoveredFile> {
  const absPath = path.join(dir, name);
  await writeFile(absPath, content);
  return { absPath, relPath: name };
}

function failed(read: SourceRead): Extract<SourceRead, { ok: false }>['notification'] {
  assert.equal(read.ok, false, 'expected a notification');
  return (read as Extract<SourceRead, { ok: false }>).notification;
}

function text(read: SourceRead): Extract<SourceRead, { ok: true }> {
  assert.ok(read.ok, read.ok ? '' : read.notification.message);
  return read;
}

test('reads a text file', async (t) => {
  const dir = await scratch(t);
  const read = text(await readSource(await fileWith(dir, 'a.c', 'int x; /* é */\n')));
  assert.deepEqual(read, { ok: true, text: 'int x; /* é */\n', bytes: 16, skipped: false });
});

test('calls a file with a NUL byte binary', async (t) => {
  const dir = await scratch(t);
  const n = failed(await readSource(await fileWith(dir, 'obj.c', Buffer.from('\x7fELF\x02\x01\x01\x00rest'))));
  assert.equal(n.kind, 'binary');
  assert.equal(n.path, 'obj.c');
  assert.match(n.message, /NUL/);
});

test('decodes mostly valid UTF-8 with replacement characters, and calls mostly invalid UTF-8 binary', async (t) => {
  const dir = await scratch(t);
  // Latin-1 comment: 0xE9 ('é') cannot start a UTF-8 sequence before an ASCII byte.
  const latin1 = Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9]), Buffer.from(' */\nint vmsplice_ok;\n')]);
  assert.equal(isBinary(latin1), false);
  const read = text(await readSource(await fileWith(dir, 'latin1.c', latin1)));
  assert.equal(read.text, '/* caf\uFFFD */\nint vmsplice_ok;\n');

  const noise = Buffer.alloc(4096);
  for (let i = 0; i < noise.length; i++) noise[i] = 0x80 + ((i * 37) % 0x7f);
  assert.equal(isBinary(noise), true);
  const n = failed(await readSource(await fileWith(dir, 'noise.c', noise)));
  assert.equal(n.kind, 'binary');
  assert.match(n.message, /not valid UTF-8/);
});

test('accepts well-formed UTF-8 of every length, and nothing else', () => {
  const repeat = (bytes: number[]) => Buffer.from(Array.from({ length: 100 }, () => bytes).flat());
  assert.equal(isBinary(Buffer.from('é€😀 Ωμέγα'.repeat(1000))), false);
  assert.equal(isBinary(repeat([0xe0, 0xa0, 0x80])), false); // U+0800, the smallest 3-byte sequence
  assert.equal(isBinary(repeat([0xf4, 0x8f, 0xbf, 0xbf])), false); // U+10FFFF
  assert.equal(isBinary(repeat([0xc0, 0x80])), true); // overlong NUL
  assert.equal(isBinary(repeat([0xe0, 0x9f, 0xbf])), true); // overlong U+07FF
  assert.equal(isBinary(repeat([0xed, 0xa0, 0x80])), true); // surrogate U+D800
  assert.equal(isBinary(repeat([0xf4, 0x90, 0x80, 0x80])), true); // past U+10FFFF
  assert.equal(isBinary(repeat([0xe2, 0x82])), true); // '€' without its last byte
});

test('draws the line between text and binary at 30% invalid UTF-8', () => {
  const withInvalid = (share: number) => Buffer.from(Array.from({ length: 1000 }, (_, i) => (i < share * 1000 ? 0xff : 0x61)));
  assert.equal(isBinary(withInvalid(0.25)), false);
  assert.equal(isBinary(withInvalid(0.35)), true);
  assert.equal(isBinary(Buffer.alloc(0)), false);
});

test('removes a leading UTF-8 BOM, and only a leading one', async (t) => {
  const dir = await scratch(t);
  const read = text(await readSource(await fileWith(dir, 'bom.c', '\uFEFFint a;\uFEFF\n')));
  assert.equal(read.text, 'int a;\uFEFF\n');
  assert.equal(read.bytes, 13);
});

test('reports a file that vanished since discovery, with the OS reason', async (t) => {
  const dir = await scratch(t);
  const n = failed(await readSource({ absPath: path.join(dir, 'gone.c'), relPath: 'gone.c' }));
  assert.deepEqual([n.kind, n.path], ['unreadable', 'gone.c']);
  assert.match(n.message, /no such file or directory \(ENOENT\)/);
});

test('reports a directory passed as a file', async (t) => {
  const dir = await scratch(t);
  await mkdir(path.join(dir, 'dir.c'));
  const n = failed(await readSource({ absPath: path.join(dir, 'dir.c'), relPath: 'dir.c' }));
  assert.equal(n.kind, 'unreadable');
  assert.match(n.message, /directory/);
});

test('never waits on a FIFO', { timeout: 10_000 }, async (t) => {
  const dir = await scratch(t);
  const fifo = path.join(dir, 'pipe.c');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    t.skip('mkfifo is not available');
    return;
  }
  const n = failed(await readSource({ absPath: fifo, relPath: 'pipe.c' }));
  assert.equal(n.kind, 'unreadable');
  assert.match(n.message, /FIFO/);
});

test('reports a file it may not read', async (t) => {
  const dir = await scratch(t);
  const file = await fileWith(dir, 'secret.c', 'int x;\n');
  await chmod(file.absPath, 0o000);
  let readable = true;
  try {
    await readFile(file.absPath);
  } catch {
    readable = false;
  }
  if (readable) {
    t.skip('permission checks do not apply to this user (root?), so mode 000 cannot lock the file');
    return;
  }
  const n = failed(await readSource(file));
  assert.equal(n.kind, 'unreadable');
  assert.match(n.message, /permission denied \(EACCES\)/);
});

test('reports a file over maxBytes as too large, and reads one at the limit', async (t) => {
  const dir = await scratch(t);
  const file = await fileWith(dir, 'big.c', 'x'.repeat(101));
  const n = failed(await readSource(file, { maxBytes: 100 }));
  assert.deepEqual([n.kind, n.path], ['too-large', 'big.c']);
  assert.match(n.message, /101 bytes/);
  assert.equal(text(await readSource(file, { maxBytes: 101 })).bytes, 101);
});

test('skips decoding a file that mentions none of the prefilter needles', async (t) => {
  const dir = await scratch(t);
  const needles = new NeedleSet(['vmsplice', 'SPLICE_F_GIFT']);
  const plain = await fileWith(dir, 'plain.c', 'int main(void) { return 0; }\n');
  assert.deepEqual(await readSource(plain, { prefilter: needles }), { ok: true, text: '', bytes: 29, skipped: true });
  const gift = await fileWith(dir, 'gift.c', 'flags |= SPLICE_F_GIFT;\n');
  assert.deepEqual(await readSource(gift, { prefilter: needles }), {
    ok: true,
    text: 'flags |= SPLICE_F_GIFT;\n',
    bytes: 24,
    skipped: false,
  });
  // The binary verdict does not depend on whether a prefilter is in use.
  const binary = await fileWith(dir, 'bin.c', Buffer.from([0, 1, 2]));
  assert.equal(failed(await readSource(binary, { prefilter: needles })).kind, 'binary');
});

test('NeedleSet finds any of the needles anywhere in the bytes, through shared anchors', () => {
  const buf = Buffer.from('a\nb vmsplice(fd, iov, 1, 0);');
  assert.equal(new NeedleSet(['splice(']).foundIn(buf), true);
  assert.equal(new NeedleSet(['nope', 'iov,']).foundIn(buf), true);
  assert.equal(new NeedleSet(['VMSPLICE']).foundIn(buf), false);
  assert.equal(new NeedleSet([]).foundIn(buf), false);
  // 'plice' anchors all three; a file with the anchor but no needle does not match.
  const shared = new NeedleSet(['vmsplice', '__NR_splice', 'SYS_splice']);
  assert.equal(shared.foundIn(Buffer.from('do_splice(x);')), false);
  assert.equal(shared.foundIn(Buffer.from('syscall(SYS_splice, a);')), true);
  assert.equal(new NeedleSet(['SPLICE_F_', '__NR_tee', 'SYS_tee']).foundIn(Buffer.from('n = __NR_tee;')), true);
});

test('NeedleSet counts a needle in code only, not in comments or string and character literals', () => {
  const set = new NeedleSet(['vmsplice', 'SPLICE_F_']);
  const code = (text: string): boolean => set.inCode(text);
  assert.equal(code('n = vmsplice(fd, &iov, 1, 0);'), true);
  assert.equal(code('/* vmsplice(fd) */ int x; // SPLICE_F_GIFT\n'), false);
  assert.equal(code('puts("vmsplice failed"); char c = \'"\'; s = "SPLICE_F_\\"";'), false);
  // A // comment continued by a backslash hides the next line too; a plain newline ends it.
  assert.equal(code('// note \\\nvmsplice(fd);'), false);
  assert.equal(code('// note\nvmsplice(fd);'), true);
  assert.equal(code('s = "a\\\nvmsplice";'), false);
  // Malformed text counts as code: an unterminated comment or string, a quote that closes nothing near.
  assert.equal(code('/* never closed vmsplice(fd);'), true);
  assert.equal(code('puts("oops);\nvmsplice(fd);'), true);
  assert.equal(code("x = 1'000'000 + SPLICE_F_GIFT;"), true);
  assert.equal(code('a / b; vmsplice(fd);'), true);
  // A suppression directive makes the file worth parsing: its problems are reported.
  assert.equal(code('// vmsplice-lint-disable-next-line no-such-rule\nint x;'), true);
});
