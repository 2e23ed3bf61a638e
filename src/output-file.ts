import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, open, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';

/** A write that failed; its message is one line naming the file. */
export class OutputError extends Error {}

/** Linux gives up on symlink chains this long (ELOOP); so do we. */
const MAX_LINKS = 40;

/**
 * Writes `content` to `file` the way a user means it:
 * - a regular file or a missing path gets a temporary file beside it, renamed over it (never half-written);
 * - a character device, FIFO or socket (`/dev/null`, `/dev/stdout`, a pipe's reader) is opened and written
 *   directly: renaming over it would destroy the device or starve the reader;
 * - a symlink is followed, and its final target is treated by the same rules.
 */
export async function writeOutput(file: string, content: string): Promise<void> {
  try {
    const target = await statOrNull(file);
    if (target === null) return await replaceAtomically(await danglingTarget(file), content, undefined);
    if (target.isFile()) return await replaceAtomically(await realpath(file), content, target.mode);
    if (target.isCharacterDevice() || target.isFIFO()) return await writeThrough(file, content);
    if (target.isSocket()) return await sendToSocket(file, content);
    throw new OutputError(cannotWrite(file, target.isDirectory() ? 'EISDIR' : 'a block device is never written'));
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw new OutputError(cannotWrite(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message));
  }
}

function cannotWrite(file: string, reason: string): string {
  return `cannot write output file '${file}': ${reason}`;
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A path that does not exist, or a symlink (chain) to one: the path the new file is created at. */
async function danglingTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let link: string;
    try {
      if (!(await lstat(current)).isSymbolicLink()) return current;
      link = await readlink(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw err;
    }
    current = path.resolve(path.dirname(current), link);
  }
  throw Object.assign(new Error(), { code: 'ELOOP' });
}

async function replaceAtomically(file: string, content: string, mode: number | undefined): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content, { flag: 'wx' });
    // The replacement keeps the permissions the user gave the old file.
    if (mode !== undefined) await chmod(tmp, mode & 0o7777);
    await rename(tmp, file);
  } catch (err) {
    // The temporary file may not exist, or its folder may not be a folder at all.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

async function writeThrough(file: string, content: string): Promise<void> {
  // No O_CREAT or O_TRUNC: the node exists, and truncating means nothing to a device or a pipe.
  const handle = await open(file, constants.O_WRONLY | constants.O_NOCTTY);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** open(2) refuses a Unix socket (ENXIO); its listener is reached by connecting. */
function sendToSocket(file: string, content: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: file });
    socket.once('error', reject);
    socket.once('connect', () => socket.end(content, () => resolve()));
  });
}
