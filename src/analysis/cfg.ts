import type { SyntaxNode } from '../parse.js';
import type { Conditions } from './preproc.js';

/**
 * Control flow of one function at statement granularity. Built backwards
 * (each statement is built knowing where control goes next), so every
 * construct costs time proportional to its size: no path enumeration.
 */

export type CfgKind = 'entry' | 'exit' | 'stmt' | 'cond' | 'block-end';

export interface CfgNode {
  id: number;
  kind: CfgKind;
  /** The statement, the condition expression, or (block-end) the compound statement. */
  syntax: SyntaxNode | null;
  succ: number[];
  /** For cond nodes: the successor taken when the condition is true / false. */
  onTrue?: number;
  onFalse?: number;
}

export interface Cfg {
  nodes: CfgNode[];
  entry: number;
  exit: number;
  /** The innermost CFG node standing for a syntax node (the statement or condition holding it). */
  nodeOf(n: SyntaxNode): CfgNode | undefined;
}

/** Calls after which control never continues. */
const NORETURN = new Set([
  'exit', '_exit', '_Exit', 'abort', 'err', 'errx', 'verr', 'verrx', 'longjmp', 'siglongjmp', '__builtin_unreachable',
  'quick_exit', 'pthread_exit', '__assert_fail', 'tst_brk', 'BUG', 'panic',
]);

interface Ctx {
  breakTo: number | null;
  continueTo: number | null;
  labels: Map<string, number>;
}

export function buildCfg(fn: SyntaxNode, conditions?: Conditions): Cfg {
  const nodes: CfgNode[] = [];
  const bySyntax = new Map<number, number>();
  const add = (kind: CfgKind, syntax: SyntaxNode | null, succ: number[]): number => {
    const id = nodes.length;
    nodes.push({ id, kind, syntax, succ });
    if (syntax && kind !== 'block-end') bySyntax.set(syntax.id, id);
    return id;
  };
  const exit = add('exit', null, []);
  const labels = new Map<string, number>();
  const body = fn.type === 'function_definition' ? fn.childForFieldName('body') : fn;

  // Labels first, so gotos can jump forward: each label is a no-op node whose successor is patched in later.
  for (const l of body?.descendantsOfType('labeled_statement') ?? []) {
    const name = l.childForFieldName('label')?.text;
    if (name && !labels.has(name)) labels.set(name, add('stmt', l, []));
  }

  const cond = (syntax: SyntaxNode, onTrue: number, onFalse: number): number => {
    const k = constantTruth(syntax);
    const succ = k === true ? [onTrue] : k === false ? [onFalse] : onTrue === onFalse ? [onTrue] : [onTrue, onFalse];
    const id = add('cond', syntax, succ);
    nodes[id].onTrue = onTrue;
    nodes[id].onFalse = onFalse;
    return id;
  };

  const seq = (stmts: SyntaxNode[], next: number, ctx: Ctx): number => {
    let cur = next;
    for (let i = stmts.length - 1; i >= 0; i--) {
      // `for_each_chunk(c, list) { ... }` with the macro undefined parses as a call missing its ';' and a block: a loop.
      if (stmts[i].type === 'compound_statement' && i > 0 && isLoopMacroHead(stmts[i - 1])) {
        const head = cond(stmts[i - 1].namedChildren[0], -1, cur);
        patchTrue(head, buildBody(stmts[i], head, cur, head, ctx));
        cur = head;
        i--;
        continue;
      }
      cur = build(stmts[i], cur, ctx);
    }
    return cur;
  };

  const statements = (n: SyntaxNode): SyntaxNode[] =>
    n.namedChildren.filter((c) => c.type !== 'comment' && c.type !== '{' && c.type !== '}');

  function build(s: SyntaxNode, next: number, ctx: Ctx): number {
    switch (s.type) {
      case 'compound_statement': {
        // Blocks that only hold a block (`{ { ... } }`, thousands deep in generated code) are unwrapped
        // in a loop rather than by recursion, which would exhaust the stack.
        let inner = s;
        let end = add('block-end', s, [next]);
        for (let only = soleBlock(inner); only; only = soleBlock(inner)) {
          inner = only;
          end = add('block-end', inner, [end]);
        }
        return seq(statements(inner), end, ctx);
      }
      case 'if_statement': {
        // An else-if chain is a list: built from its last branch back, without recursion per link.
        const chain: SyntaxNode[] = [s];
        let last: SyntaxNode | null = null;
        for (;;) {
          const alt = chain[chain.length - 1].childForFieldName('alternative');
          const body = alt?.type === 'else_clause' ? alt.namedChildren.find((c) => c.type !== 'comment') ?? null : alt;
          if (body?.type === 'if_statement') chain.push(body);
          else {
            last = body ?? null;
            break;
          }
        }
        let fEntry = last ? build(last, next, ctx) : next;
        for (let i = chain.length - 1; i >= 0; i--) {
          const c = chain[i].childForFieldName('condition');
          const cons = chain[i].childForFieldName('consequence');
          const tEntry = cons ? build(cons, next, ctx) : next;
          fEntry = c ? cond(c, tEntry, fEntry) : tEntry;
        }
        return fEntry;
      }
      case 'else_clause':
        return s.namedChildren[0] ? build(s.namedChildren[0], next, ctx) : next;
      case 'while_statement': {
        const c = s.childForFieldName('condition');
        const head = c ? cond(c, -1, next) : add('stmt', s, []);
        const bodyEntry = buildBody(s.childForFieldName('body'), head, next, head, ctx);
        patchTrue(head, bodyEntry);
        return head;
      }
      case 'do_statement': {
        const c = s.childForFieldName('condition');
        const head = c ? cond(c, -1, next) : add('stmt', s, [next]);
        const bodyEntry = buildBody(s.childForFieldName('body'), head, next, head, ctx);
        if (c) patchTrue(head, bodyEntry);
        return bodyEntry;
      }
      case 'for_statement': {
        const c = s.childForFieldName('condition');
        const update = s.childForFieldName('update');
        // The loop head: the condition, or for `for (;;)` a node that always enters the body.
        const head = c ? cond(c, -1, next) : add('stmt', s, []);
        const updateNode = update ? add('stmt', update, [head]) : head;
        const bodyEntry = buildBody(s.childForFieldName('body'), updateNode, next, updateNode, ctx);
        if (c) patchTrue(head, bodyEntry);
        else nodes[head].succ = [bodyEntry];
        const init = s.childForFieldName('initializer');
        return init ? add('stmt', init, [head]) : head;
      }
      case 'switch_statement': {
        const c = s.childForFieldName('condition');
        const body = s.childForFieldName('body');
        const inner: Ctx = { ...ctx, breakTo: next };
        const cases = body ? statements(body) : [];
        const entries: number[] = [];
        let hasDefault = false;
        let cur = next;
        for (let i = cases.length - 1; i >= 0; i--) {
          const k = cases[i];
          if (k.type === 'case_statement') {
            if (!k.childForFieldName('value')) hasDefault = true;
            const value = k.childForFieldName('value');
            cur = seq(statements(k).filter((x) => x.id !== value?.id), cur, inner);
            entries.unshift(cur);
          } else cur = build(k, cur, inner);
        }
        const succ = hasDefault ? entries : [...entries, next];
        const id = add('cond', c ?? s, [...new Set(succ)]);
        return id;
      }
      case 'case_statement': {
        const value = s.childForFieldName('value');
        return seq(statements(s).filter((x) => x.id !== value?.id), next, ctx);
      }
      case 'break_statement':
        return add('stmt', s, ctx.breakTo === null ? [] : [ctx.breakTo]);
      case 'continue_statement':
        return add('stmt', s, ctx.continueTo === null ? [] : [ctx.continueTo]);
      case 'return_statement':
        return add('stmt', s, [exit]);
      case 'goto_statement': {
        const target = ctx.labels.get(s.childForFieldName('label')?.text ?? '');
        return add('stmt', s, target === undefined ? [exit] : [target]);
      }
      case 'labeled_statement': {
        const id = ctx.labels.get(s.childForFieldName('label')?.text ?? '');
        const inner = s.namedChildren.filter((c) => c.type !== 'statement_identifier');
        const entry = seq(inner, next, ctx);
        if (id === undefined) return entry;
        nodes[id].succ = [entry];
        return id;
      }
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_else':
      case 'preproc_elif':
      case 'preproc_elifdef': {
        // Every configuration may be compiled: each branch, or none, may run; a decided one (`#if 0`, -D) only its side.
        const alt = s.childForFieldName('alternative');
        const altEntry = alt ? build(alt, next, ctx) : next;
        const truth = s.type === 'preproc_else' ? null : conditions?.truth(s) ?? null;
        if (truth === false) return altEntry;
        const skipIds = new Set([alt?.id, s.childForFieldName('condition')?.id, s.childForFieldName('name')?.id]);
        const stmts = s.namedChildren.filter((c) => !skipIds.has(c.id) && c.type !== 'comment');
        const branchEntry = seq(stmts, next, ctx);
        if (truth === true) return branchEntry;
        return add('cond', s, [...new Set([branchEntry, altEntry])]);
      }
      case 'expression_statement':
      case 'declaration':
      default: {
        if (isNoreturn(s)) return add('stmt', s, []);
        return add('stmt', s, [next]);
      }
    }
  }

  function patchTrue(head: number, bodyEntry: number): void {
    const n = nodes[head];
    n.onTrue = bodyEntry;
    const k = n.syntax ? constantTruth(n.syntax) : null;
    n.succ = k === true ? [bodyEntry] : k === false ? [n.onFalse!] : [...new Set([bodyEntry, n.onFalse!])];
  }

  function buildBody(body: SyntaxNode | null, continueTo: number, breakTo: number, next: number, ctx: Ctx): number {
    if (!body) return next;
    return build(body, next, { ...ctx, breakTo, continueTo });
  }

  // Falling off the end of the function leaves through its closing brace.
  const entry = body ? build(body, exit, { breakTo: null, continueTo: null, labels }) : exit;
  const start = add('entry', null, [entry]);

  return {
    nodes,
    entry: start,
    exit,
    nodeOf(n: SyntaxNode): CfgNode | undefined {
      for (let p: SyntaxNode | null = n; p; p = p.parent) {
        const id = bySyntax.get(p.id);
        if (id !== undefined) return nodes[id];
        if (p.id === fn.id) return undefined;
      }
      return undefined;
    },
  };
}

/** The block a block consists of, if that is all it holds. */
function soleBlock(block: SyntaxNode): SyntaxNode | null {
  const inner = block.namedChildren.filter((c) => c.type !== 'comment');
  return inner.length === 1 && inner[0].type === 'compound_statement' ? inner[0] : null;
}

/** `0`, `1`, `true`, `false` (as in `do { } while (0)` and `while (1)`); null for anything else. */
function constantTruth(cond: SyntaxNode): boolean | null {
  let e = cond;
  while ((e.type === 'parenthesized_expression' || e.type === 'condition_clause') && e.namedChildCount === 1) e = e.namedChildren[0];
  if (e.type === 'true') return true;
  if (e.type === 'false') return false;
  if (e.type === 'number_literal' && /^(0[xX])?[0-9a-fA-F]+[uUlL]*$/.test(e.text)) return !/^(0[xX])?0+[uUlL]*$/.test(e.text);
  return null;
}

/** `NAME(args)` standing as a statement without its ';', as iteration macros the parser does not know leave it. */
function isLoopMacroHead(s: SyntaxNode): boolean {
  if (s.type !== 'expression_statement' || !s.lastChild?.isMissing) return false;
  return s.namedChildren[0]?.type === 'call_expression';
}

/** A statement that is a call of a noreturn function (possibly cast to void). */
function isNoreturn(s: SyntaxNode): boolean {
  if (s.type !== 'expression_statement') return false;
  let e = s.namedChildren[0];
  while (e && (e.type === 'cast_expression' || e.type === 'parenthesized_expression')) e = e.namedChildren[e.namedChildCount - 1];
  if (e?.type !== 'call_expression') return false;
  const name = e.childForFieldName('function')?.text ?? '';
  return NORETURN.has(name);
}

export interface Reach {
  /** Nodes reachable from the start's successors without passing a blocked node (blocked nodes themselves included). */
  reached: Set<number>;
  /** For path reconstruction: the node each reached node was first reached from. */
  parent: Map<number, number>;
}

/**
 * Breadth-first search from `from`'s successors. Blocked nodes are reached
 * but not passed; `skip(node, succ)` prunes single edges (a failed call's branch).
 */
export function reachFrom(cfg: Cfg, from: number, blocked: (id: number) => boolean, skip: (node: CfgNode, succ: number) => boolean): Reach {
  const reached = new Set<number>();
  const parent = new Map<number, number>();
  const queue: number[] = [];
  const visit = (n: CfgNode): void => {
    for (const s of n.succ) {
      if (reached.has(s) || skip(n, s)) continue;
      reached.add(s);
      parent.set(s, n.id);
      if (!blocked(s)) queue.push(s);
    }
  };
  visit(cfg.nodes[from]);
  for (let i = 0; i < queue.length; i++) visit(cfg.nodes[queue[i]]);
  return { reached, parent };
}

/**
 * The path from `from` to `to` found by reachFrom, as node ids with both ends:
 * the last `limit` steps before `to`, after `from`. Bounded so that reporting
 * every event of a long function stays linear.
 */
export function pathTo(reach: Reach, from: number, to: number, limit = 12): number[] {
  const tail = [to];
  let cur = to;
  while (cur !== from && tail.length <= limit) {
    const p = reach.parent.get(cur);
    if (p === undefined) break;
    cur = p;
    if (p !== from) tail.unshift(p);
  }
  return [from, ...tail];
}
