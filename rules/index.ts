import type { Rule } from '../src/rule.js';
import { bufferModifiedAfterVmsplice } from './buffer-modified-after-vmsplice.js';
import { doubleBufferReliesOnReader } from './double-buffer-relies-on-reader.js';
import { forkAfterVmsplice } from './fork-after-vmsplice.js';
import { ineffectiveFlag } from './ineffective-flag.js';
import { nonNetlinkDestination } from './non-netlink-destination.js';
import { notAPipe } from './not-a-pipe.js';
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
];

export function findRule(id: string): Rule | undefined {
  return allRules.find((r) => r.id === id);
}
