import type { SyntaxNode } from '../parse.js';

/** The C library functions the analyses know, in one place. */

/** Functions that write through a pointer argument, with the argument positions. */
export const WRITERS: Record<string, number[]> = {
  memcpy: [0], memmove: [0], memset: [0], bzero: [0], explicit_bzero: [0], memccpy: [0], mempcpy: [0],
  strcpy: [0], strncpy: [0], stpcpy: [0], stpncpy: [0], strcat: [0], strncat: [0], strlcpy: [0], strlcat: [0],
  sprintf: [0], snprintf: [0], vsprintf: [0], vsnprintf: [0], fgets: [0], fread: [0], gets: [0],
  read: [1], pread: [1], pread64: [1], recv: [1], recvfrom: [1], getline: [0], getdelim: [0], readlink: [1],
  getrandom: [0], wmemcpy: [0], wmemset: [0],
};

/** Allocators: the pointer they return names fresh heap memory. */
export const HEAP_ALLOC = new Set(['malloc', 'calloc', 'realloc', 'reallocarray', 'strdup', 'strndup', 'aligned_alloc', 'memalign', 'valloc', 'pvalloc']);
/** Library functions returning their first argument. */
export const RETURNS_FIRST = new Set(['memcpy', 'memmove', 'memset', 'strcpy', 'strncpy', 'strcat', 'strncat', 'mempcpy']);
/** Library functions that store a pointer to the buffer they fill through their first argument (and may realloc it). */
export const INDIRECT_WRITERS = new Set(['getline', 'getdelim']);
/** x86 SIMD intrinsics that store a vector through their first argument (`_mm_store_si128(dst, v)`). */
export const SIMD_STORE = /^_mm(256|512)?_(mask_)?(store|storeu|stream|maskstore)[a-z0-9_]*$/;

/** scanf-family: every argument from this position on may be written. */
export const SCANF: Record<string, number> = { scanf: 1, sscanf: 2, fscanf: 2, vscanf: 1, vsscanf: 2, vfscanf: 2 };

/** Functions that fill the buffers of the iovec in their second argument. */
export const IOV_READERS = new Set(['readv', 'preadv', 'preadv2', 'preadv64', 'process_vm_readv']);

/** Functions that duplicate a descriptor given as an argument. */
export const DUPS = new Set(['dup', 'dup2', 'dup3', 'fcntl', 'posix_spawn_file_actions_adddup2']);

/** Functions that start another process, which inherits the open descriptors. */
export const SPAWNS = new Set(['fork', 'vfork', 'clone', 'clone3', 'posix_spawn', 'posix_spawnp', 'execl', 'execlp', 'execle', 'execv', 'execvp', 'execvpe', 'execve', 'fexecve', 'system', 'popen', 'daemon']);

/** Calls that copy the address space into a child (vfork and posix_spawn share it instead). */
export const COPYING_FORKS = new Set(['fork', '__fork', 'clone', 'clone3', 'daemon']);

interface Definitions {
  functions: ReadonlyMap<string, { node: SyntaxNode }>;
  macros: ReadonlyMap<string, { body: string }[]>;
}

/**
 * Does calling `name` start another process (one of `kinds`: by default any spawn): a library call, or a
 * function or macro of the project whose body calls one (a fork wrapper such as `retry_fork()` or `SAFE_FORK()`),
 * followed a few levels deep.
 */
export function spawns(name: string, defs: Definitions, kinds: ReadonlySet<string> = SPAWNS, depth = 0): boolean {
  if (kinds.has(name)) return true;
  if (depth >= 3) return false;
  const callees = new Set<string>();
  for (const c of defs.functions.get(name)?.node.descendantsOfType('call_expression') ?? []) callees.add(c.childForFieldName('function')?.text ?? '');
  for (const m of defs.macros.get(name) ?? []) for (const x of m.body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) callees.add(x[1]);
  callees.delete(name);
  return [...callees].some((c) => spawns(c, defs, kinds, depth + 1));
}

/** Descriptor calls of the library: never helpers of the project. */
const FD_CALLS = [
  'read', 'write', 'readv', 'writev', 'pread', 'pwrite', 'close', 'splice', 'tee', 'vmsplice', 'dup', 'dup2', 'dup3', 'fcntl',
  'ioctl', 'poll', 'select', 'pipe', 'pipe2', 'socket', 'socketpair', 'accept', 'accept4', 'open', 'openat', 'creat', 'send',
  'recv', 'sendmsg', 'recvmsg', 'sendto', 'recvfrom', 'shutdown', 'fstat', 'fsync', 'lseek', 'mmap', 'sendfile', 'bind',
  'connect', 'listen', 'setsockopt', 'getsockopt', 'ftruncate', 'fallocate', 'eventfd', 'memfd_create', 'epoll_ctl',
];

/**
 * Library names a definition in the project never stands for: a half-edited
 * `int into pipe(...)` the parser reads as a function `pipe` must not turn
 * every pipe() call of the project into a wrapper call.
 */
export const LIBRARY_NAMES = new Set([
  ...FD_CALLS, ...Object.keys(WRITERS), ...SPAWNS,
  'malloc', 'calloc', 'realloc', 'free', 'strlen', 'printf', 'munmap', 'madvise', 'exit', 'abort', 'main',
]);
