import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { hash } from './keys.js';
import type { FileResult, Notification } from '../types.js';

/**
 * The cache file (--cache): what one run learnt that the next can reuse.
 * - Per file, by real path: a signature of its stat (size, times, inode), the
 *   prefilter's verdict for each needle set, and a hash of the text of files
 *   that matched. A file whose signature is unchanged is stat'ed, not read.
 * - Per project state (the matching files' paths, hashes and options): the
 *   needles of the next round, and the findings of the run.
 * The file is a header line (format, the tool's build, a checksum of the
 * rest) and the body. A file that is not this tool's cache, or damaged, is
 * ignored with a notice on stderr; one of another build of the tool, silently
 * (a new version simply starts afresh). Only what this run used is written back, so
 * deleted files and old project states drop out.
 */

const FORMAT = 'vmsplice-lint-cache';
const FORMAT_VERSION = 1;
const FILE_NAME = 'cache.json';

/**
 * A file modified this close to when it was stat'ed could change again within
 * the same timestamp tick, unseen: its verdict is not kept (git's "racily clean").
 */
const RACY_MS = 2000;

interface FileEntry {
  /** stat signature. */
  s: string;
  /** Hash of the decoded text, for files some needle set matched. */
  h?: string;
  /** Verdict (1: matched) by needle-set key. */
  v: Record<string, 0 | 1>;
}

export interface StoredNeedles {
  needles: string[];
  headerNeedles: string[];
}

export interface StoredResult {
  files: FileResult[];
  /** Notifications of indexing and analysis (those of reading are not stored: reading is redone or replayed). */
  notifications: Notification[];
  filesParsed: number;
}

interface Header {
  format: string;
  formatVersion: number;
  tool: string;
  sum: string;
}

interface CacheData {
  files: Record<string, FileEntry>;
  needles: Record<string, StoredNeedles>;
  results: Record<string, StoredResult>;
}

export function signature(st: Stats): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

export class Cache {
  private readonly old: CacheData;
  private readonly next: CacheData;
  private changed = false;

  private constructor(
    readonly file: string,
    private readonly tool: string,
    old: CacheData | null,
  ) {
    this.old = old ?? { files: {}, needles: {}, results: {} };
    this.next = { files: {}, needles: {}, results: {} };
    this.changed = old === null;
  }

  /** The cache in directory `dir` for this build of the tool; an unusable file is reported on stderr and ignored. */
  static open(dir: string, tool: string): Cache {
    const file = path.join(dir, FILE_NAME);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return new Cache(file, tool, null);
    }
    const nl = text.indexOf('\n');
    let header: unknown;
    try {
      header = JSON.parse(nl < 0 ? text : text.slice(0, nl));
    } catch {
      header = null;
    }
    if (!isRecord(header) || header.format !== FORMAT || header.formatVersion !== FORMAT_VERSION || typeof header.tool !== 'string') {
      notice(`${file} is not a vmsplice-lint cache of this format; it is ignored and will be rewritten`);
      return new Cache(file, tool, null);
    }
    if (header.tool !== tool) return new Cache(file, tool, null);
    const body = text.slice(nl + 1);
    let data: unknown = null;
    if (header.sum === hash(body)) {
      try {
        data = JSON.parse(body);
      } catch {
        data = null;
      }
    }
    if (!isCacheData(data)) {
      notice(`the cache file ${file} is damaged; it is ignored and will be rewritten`);
      return new Cache(file, tool, null);
    }
    return new Cache(file, tool, data);
  }

  /** The cached verdict of a file for a needle set, if its signature is unchanged: matched (with its text's hash) or not. */
  verdict(absPath: string, sig: string, key: string): { hit: false } | { hit: true; hash: string } | undefined {
    const e = this.entry(absPath, sig);
    const v = e?.v[key];
    if (v === undefined) return undefined;
    if (v === 0) return { hit: false };
    return e?.h === undefined ? undefined : { hit: true, hash: e.h };
  }

  /** Records what reading a file showed, unless it was modified too recently to trust its signature. */
  record(absPath: string, st: Stats, statTime: number, key: string, hash: string | null): void {
    if (st.mtimeMs >= statTime - RACY_MS || st.ctimeMs >= statTime - RACY_MS) return;
    const sig = signature(st);
    let e = this.entry(absPath, sig);
    if (!e) {
      e = { s: sig, v: {} };
      this.next.files[absPath] = e;
    }
    e.v[key] = hash === null ? 0 : 1;
    if (hash !== null) e.h = hash;
    this.changed = true;
  }

  needles(key: string): StoredNeedles | undefined {
    return this.reuse('needles', key);
  }

  setNeedles(key: string, value: StoredNeedles): void {
    this.next.needles[key] = value;
    this.changed = true;
  }

  result(key: string): StoredResult | undefined {
    return this.reuse('results', key);
  }

  setResult(key: string, value: StoredResult): void {
    this.next.results[key] = value;
    this.changed = true;
  }

  /** Writes what this run used, atomically; a cache that cannot be written costs only speed. */
  save(): void {
    const dropped = Object.keys(this.old.files).some((k) => !(k in this.next.files));
    if (!this.changed && !dropped) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const body = JSON.stringify(this.next);
      const header: Header = { format: FORMAT, formatVersion: FORMAT_VERSION, tool: this.tool, sum: hash(body) };
      writeFileSync(tmp, `${JSON.stringify(header)}\n${body}`);
      renameSync(tmp, this.file);
    } catch (err) {
      rmSync(tmp, { force: true });
      notice(`cannot write the cache file ${this.file}: ${(err as Error).message}`);
    }
  }

  /** A file's entry, carried into the next cache, if its signature is unchanged. */
  private entry(absPath: string, sig: string): FileEntry | undefined {
    const fresh = this.next.files[absPath];
    if (fresh) return fresh.s === sig ? fresh : undefined;
    const e = this.old.files[absPath];
    if (e?.s !== sig) return undefined;
    this.next.files[absPath] = e;
    return e;
  }

  private reuse<K extends 'needles' | 'results'>(kind: K, key: string): CacheData[K][string] | undefined {
    const v = (this.next[kind][key] ?? this.old[kind][key]) as CacheData[K][string] | undefined;
    if (v !== undefined && !(key in this.next[kind])) {
      (this.next[kind] as Record<string, unknown>)[key] = v;
      this.changed ||= !(key in this.old[kind]);
    }
    return v;
  }
}

function notice(message: string): void {
  process.stderr.write(`vmsplice-lint: ${message}\n`);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Shape check of a parsed cache file: a foreign or damaged one must not reach the lookups. */
function isCacheData(x: unknown): x is CacheData {
  if (!isRecord(x) || !isRecord(x.files) || !isRecord(x.needles) || !isRecord(x.results)) return false;
  for (const e of Object.values(x.files)) {
    if (!isRecord(e) || typeof e.s !== 'string' || !isRecord(e.v) || (e.h !== undefined && typeof e.h !== 'string')) return false;
    if (!Object.values(e.v).every((v) => v === 0 || v === 1)) return false;
  }
  for (const n of Object.values(x.needles)) {
    if (!isRecord(n) || !isStrings(n.needles) || !isStrings(n.headerNeedles)) return false;
  }
  for (const r of Object.values(x.results)) {
    if (!isRecord(r) || !Array.isArray(r.files) || !Array.isArray(r.notifications) || typeof r.filesParsed !== 'number') return false;
  }
  return true;
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}
