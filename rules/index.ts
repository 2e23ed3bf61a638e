import type { Rule } from '../src/rule.js';
import { ineffectiveFlag } from './ineffective-flag.js';
import { spliceFGift } from './splice-f-gift.js';

/** Every rule, in the order of the rules table and SARIF's tool.driver.rules. */
export const allRules: readonly Rule[] = [spliceFGift, ineffectiveFlag];

export function findRule(id: string): Rule | undefined {
  return allRules.find((r) => r.id === id);
}
