import Parser from 'tree-sitter';
import C from 'tree-sitter-c';

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

let parser: Parser | undefined;

// One parser per thread: tree-sitter parsers are reusable and costly to create.
export function parseC(text: string): Tree {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(C as unknown as Parser.Language);
  }
  // The default 32 KiB buffer makes the binding call back into JS once per chunk;
  // a buffer the size of the text parses a file in one call.
  return parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 2) });
}
