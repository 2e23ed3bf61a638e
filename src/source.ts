import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { getSystemErrorMap } from 'node:util';
import type { DiscoveredFile } from './discover.js';
import type { NeedleSet } from './prefilter-needles.js';
import type { Notification } from './types.js';

export type SourceRead =
  | {
      ok: true;
      /** Decoded text without a leading BOM; empty when `skipped`. */
      text: string;
      /** Size of the file on disk. */
      bytes: number;
      /** True when the prefilter found none of its needles, so the file was not decoded. */
      skipped: boolean;
    }
  | { ok: false; notification: Notification };

export interface ReadSourceOptions {
  /** Larger files are reported as 'too-large' rather than read into memory. */
  maxBytes?: number;
  /** Needles of which a file must mention one in code to be worth decoding and keeping. */
  prefilter?: NeedleSet;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

// The window git also inspects before calling a file binary; past it, a
// mostly-text file with an embedded blob is still worth scanning.
const SNIFF_BYTES = 8 * 1024;

// C sources with Latin-1 or other 8-bit comments stay far below this, since
// the code itself is ASCII; random binary data without NUL bytes lands near
// one half, as almost every byte from 0x80 up starts or ends a bad sequence.
const MAX_INVALID_SHARE = 0.3;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** One read buffer per thread, grown as files need: the files a prefilter skips cost no allocation. */
let scratch: Buffer | undefined;

/**
 * Reads one file for linting, never throwing: failures become notifications.
 * Synchronous on purpose: for a whole tree, one thread reading file after
 * file beats round trips through the thread pool (measured: 0.9 s against
 * 9 s for the 55,000 files of a Linux tree); prefilter.ts spreads the tree
 * over threads instead. Only open, read and close reach the system, unless
 * a read looks odd (nothing, or too much): then fstat says why.
 */
export function readSourceSync(file: DiscoveredFile, opts: ReadSourceOptions = {}): SourceRead {
  if (file.content) return examine(file, file.content, opts);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let length = 0;
  try {
    // O_NONBLOCK: discovery hands out regular files only, but one replaced by a FIFO since must not block open().
    const fd = openSync(file.absPath, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      scratch ??= Buffer.allocUnsafe(1 << 20);
      for (;;) {
        if (length === scratch.length) {
          // A file larger than the buffer is rare: its size says whether to read on.
          const st = fstatSync(fd);
          const odd = notRegular(file, st);
          if (odd) return odd;
          if (Math.max(st.size, length) > maxBytes) return tooLarge(file, Math.max(st.size, length + 1), maxBytes);
          const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, Math.min(st.size + 1, maxBytes + 1)));
          scratch.copy(bigger, 0, 0, length);
          scratch = bigger;
        }
        const n = readSync(fd, scratch, length, scratch.length - length, null);
        if (n === 0) break;
        length += n;
      }
      // Nothing read: an empty file, or a FIFO or device swapped in since discovery.
      const odd = length === 0 ? notRegular(file, fstatSync(fd)) : null;
      if (odd) return odd;
    } catch (err) {
      const odd = notRegular(file, fstatSync(fd));
      if (odd) return odd;
      throw err;
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return failure(file, 'unreadable', 'warning', `Cannot read the file: ${describeFsError(err)}.`);
  }
  return examine(file, scratch.subarray(0, length), opts);
}

/** The notification for a file that is not a regular one (anymore), or null. */
function notRegular(file: DiscoveredFile, st: Stats): SourceRead | null {
  if (st.isDirectory()) return failure(file, 'unreadable', 'warning', 'Cannot read the file: it is a directory.');
  if (!st.isFile()) return failure(file, 'unreadable', 'warning', `It is ${describeFileType(st)}, not a regular file.`);
  return null;
}

/** Size limit, binary check, prefilter and decoding of the bytes read (a view that may be reused after). */
function examine(file: DiscoveredFile, buf: Buffer, opts: ReadSourceOptions): SourceRead {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (buf.length > maxBytes) return tooLarge(file, buf.length, maxBytes);

  const binary = binaryReason(buf);
  if (binary !== null) return failure(file, 'binary', 'note', `The file looks binary: ${binary}.`);

  const skipped: SourceRead = { ok: true, text: '', bytes: buf.length, skipped: true };
  if (opts.prefilter && !opts.prefilter.foundIn(buf)) return skipped;
  const start = buf.subarray(0, BOM.length).equals(BOM) ? BOM.length : 0;
  // Buffer#toString replaces each invalid sequence with U+FFFD, which keeps a
  // stray Latin-1 byte in a comment from costing the whole file.
  const text = buf.toString('utf8', start);
  if (opts.prefilter && !opts.prefilter.inCode(text)) return skipped;
  return { ok: true, text, bytes: buf.length, skipped: false };
}

export function isBinary(buf: Buffer): boolean {
  return binaryReason(buf) !== null;
}

/** "permission denied (EACCES)" for an fs error; the plain message for anything else. */
export function describeFsError(err: unknown): string {
  const { errno, code } = err as NodeJS.ErrnoException;
  const text = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
  if (text !== undefined && code !== undefined) return `${text} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

/** "a FIFO", "a socket", ... for a file that is neither regular nor a directory. */
export function describeFileType(st: Pick<Stats, 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isCharacterDevice()) return 'a character device';
  return 'a special file';
}

function binaryReason(buf: Buffer): string | null {
  const sample = buf.subarray(0, SNIFF_BYTES);
  if (sample.includes(0)) return 'a NUL byte in its first 8 KiB';
  // Native check first: nearly every source file is valid UTF-8, and counting bytes in JS costs seconds per tree.
  if (isUtf8(sample)) return null;
  const invalid = invalidUtf8Bytes(sample);
  if (invalid > sample.length * MAX_INVALID_SHARE) {
    return `${Math.round((invalid / sample.length) * 100)}% of its first 8 KiB is not valid UTF-8`;
  }
  return null;
}

/**
 * Counts the bytes that do not belong to a well-formed UTF-8 sequence (RFC 3629:
 * no overlongs, surrogates or code points past U+10FFFF), the bytes that
 * Buffer#toString would replace with U+FFFD.
 */
function invalidUtf8Bytes(buf: Buffer): number {
  let invalid = 0;
  let i = 0;
  while (i < buf.length) {
    const lead = buf[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min = 0x80;
    let max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) min = 0xa0;
      if (lead === 0xed) max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) min = 0x90;
      if (lead === 0xf4) max = 0x8f;
    } else {
      invalid++;
      i++;
      continue;
    }
    // Only the first continuation byte has a lead-dependent range.
    let seen = 1;
    while (seen < length && i + seen < buf.length) {
      const next = buf[i + seen];
      if (next < (seen === 1 ? min : 0x80) || next > (seen === 1 ? max : 0xbf)) break;
      seen++;
    }
    if (seen < length) invalid += seen;
    i += seen;
  }
  return invalid;
}

function tooLarge(file: DiscoveredFile, size: number, maxBytes: number): SourceRead {
  return failure(file, 'too-large', 'warning', `The file is ${size} bytes, over the limit of ${maxBytes} bytes.`);
}

function failure(
  file: DiscoveredFile,
  kind: Notification['kind'],
  level: Notification['level'],
  message: string,
): SourceRead {
  return { ok: false, notification: { level, kind, path: file.relPath, message } };
}
