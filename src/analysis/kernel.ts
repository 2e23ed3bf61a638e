/**
 * The oldest kernel the program supports (--kernel, config key `kernel`):
 * semantics.md's kernel_floor. It decides how an AF_ALG operation socket
 * treats spliced pages: before ffdd2bc37895 ("crypto: af_alg - remove
 * zero-copy support", Linux 7.1) it keeps them until the result is read back
 * (class D); from then on it copies them during the splice (class C). Without
 * a floor the older behaviour is assumed, and messages say so.
 */

export interface KernelFloor {
  major: number;
  minor: number;
  /** As given, for messages. */
  text: string;
}

/** The first mainline release whose AF_ALG copies spliced data (skcipher and aead). */
const AF_ALG_COPIES: readonly [number, number] = [7, 1];

/** What a kernel version may look like (also the config schema's pattern). */
export const KERNEL_VERSION_PATTERN = '^\\s*v?(\\d{1,3})\\.(\\d{1,3})(?:\\.\\d{1,5})?(?:[-+~][\\w.+~-]*)?\\s*$';

/** `7.1`, `6.12.30`, `v6.6`, `6.8.0-45-generic`: major and minor decide; null for anything else. */
export function parseKernelVersion(text: string): KernelFloor | null {
  const m = new RegExp(KERNEL_VERSION_PATTERN).exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), text: text.trim() } : null;
}

export function afAlgCopies(floor: KernelFloor | null): boolean {
  if (!floor) return false;
  const [major, minor] = AF_ALG_COPIES;
  return floor.major > major || (floor.major === major && floor.minor >= minor);
}

/** The assumption an AF_ALG verdict rests on, for messages. */
export function afAlgAssumption(floor: KernelFloor | null): string {
  if (!floor) return "assuming kernels before 7.1, where AF_ALG keeps spliced pages until the result is read; --kernel or the config key 'kernel' sets the oldest supported kernel";
  return afAlgCopies(floor)
    ? `the oldest supported kernel, ${floor.text}, has AF_ALG copy spliced data (since 7.1)`
    : `the oldest supported kernel, ${floor.text}, is before 7.1, where AF_ALG keeps spliced pages until the result is read`;
}
