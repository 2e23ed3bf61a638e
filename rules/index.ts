import type { Rule } from '../src/rule.js';
import { bufferModifiedAfterVmsplice } from './buffer-modified-after-vmsplice.js';
import { doubleBufferReliesOnReader } from './double-buffer-relies-on-reader.js';
import { exploitCopyFail } from './exploit-copy-fail.js';
import { exploitCowLeak } from './exploit-cow-leak.js';
import { exploitDirtyPipe } from './exploit-dirty-pipe.js';
import { fileBackedVmsplice } from './file-backed-vmsplice.js';
import { forkAfterVmsplice } from './fork-after-vmsplice.js';
import { giftUnaligned } from './gift-unaligned.js';
import { ineffectiveFlag } from './ineffective-flag.js';
import { nonNetlinkDestination } from './non-netlink-destination.js';
import { notAPipe } from './not-a-pipe.js';
import { readDirectionMisuse } from './read-direction-misuse.js';
import { spliceFGift } from './splice-f-gift.js';
import { spliceSourceMutated } from './splice-source-mutated.js';
import { uncheckedResult } from './unchecked-result.js';

/** Every rule, in the order of the rules table and SARIF's tool.driver.rules. */
export const allRules: readonly Rule[] = [
  spliceFGift,
  bufferModifiedAfterVmsplice,
  nonNetlinkDestination,
  notAPipe,
  uncheckedResult,
  forkAfterVmsplice,
  ineffectiveFlag,
  spliceSourceMutated,
  doubleBufferReliesOnReader,
  exploitDirtyPipe,
  exploitCopyFail,
  exploitCowLeak,
  readDirectionMisuse,
  fileBackedVmsplice,
  giftUnaligned,
];

export function findRule(id: string): Rule | undefined {
  return allRules.find((r) => r.id === id);
}

/** The names of the opt-in packs, in rule order. */
export const packNames: readonly string[] = [...new Set(allRules.flatMap((r) => (r.meta.pack ? [r.meta.pack] : [])))];

/** Rule ids with each pack name replaced by the ids of its rules (unknown names are kept, for the caller to reject). */
export function expandPacks(ids: string[]): string[] {
  return [...new Set(ids.flatMap((id) => (packNames.includes(id) ? allRules.filter((r) => r.meta.pack === id).map((r) => r.id) : [id])))];
}
