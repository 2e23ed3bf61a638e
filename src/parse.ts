import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { count, timed } from './profile.js';

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

/** Thrown when one file takes longer to parse than the per-file budget. */
export class ParseBudgetError extends Error {}

/** Parse time allowed per file: a pathological generated file is reported, not waited for. */
const PARSE_BUDGET_MS = 10_000;

let parser: Parser | undefined;

// One parser per thread: tree-sitter parsers are reusable and costly to create.
export function parseC(text: string): Tree {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(C as unknown as Parser.Language);
    parser.setTimeoutMicros(PARSE_BUDGET_MS * 1000);
  }
  // The default 32 KiB buffer makes the binding call back into JS once per chunk;
  // a buffer the size of the text parses a file in one call.
  const p = parser;
  const tree = timed('parse', () => p.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 2) }));
  count('parses', 1);
  if (!tree) {
    parser.reset();
    throw new ParseBudgetError(`parsing took longer than the per-file budget of ${PARSE_BUDGET_MS / 1000} s`);
  }
  return tree;
}
