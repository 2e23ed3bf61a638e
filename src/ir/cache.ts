import type { SyntaxNode, Tree } from '../parse.js';
import type { Conditions } from '../analysis/preproc.js';
import { buildCfg } from '../analysis/cfg.js';
import { lowerFunction } from './lower.js';
import type { IrFunction } from './types.js';

/** Lowered functions, once per function: keyed by the tree and the function's byte range, never by node identity. */
const cache = new WeakMap<Tree, Map<string, IrFunction | null>>();

/**
 * The IR of a function definition, or null when the function is too deeply
 * nested for the graph builder (thousands of blocks): it is then analysed
 * without control flow, and the rest of the file keeps its findings.
 */
export function irOf(fn: SyntaxNode, conditions?: Conditions): IrFunction | null {
  let perTree = cache.get(fn.tree);
  if (!perTree) {
    perTree = new Map();
    cache.set(fn.tree, perTree);
  }
  const key = `${fn.startIndex}:${fn.endIndex}`;
  if (perTree.has(key)) return perTree.get(key)!;
  let ir: IrFunction | null;
  try {
    ir = lowerFunction(fn, { conditions }, buildCfg(fn, conditions));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    ir = null;
  }
  perTree.set(key, ir);
  return ir;
}
