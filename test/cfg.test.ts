import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCfg, reachFrom, type Cfg } from '../src/analysis/cfg.js';
import { Conditions, NO_DEFINES } from '../src/analysis/preproc.js';
import { parseC } from '../src/parse.js';

const conditions = new Conditions(new Map(), NO_DEFINES);

/** Reachability between the statements marked `A();` and `B();` in a function body. */
function reaches(body: string): boolean {
  const tree = parseC(`void f(int c, int d) {\n${body}\n}\n`);
  const fn = tree.rootNode.namedChildren.find((n) => n.type === 'function_definition')!;
  const cfg = buildCfg(fn, conditions);
  const node = (name: string) => {
    const call = fn.descendantsOfType('call_expression').find((c) => c.childForFieldName('function')?.text === name);
    assert.ok(call, `no ${name}() in the snippet`);
    return cfg.nodeOf(call);
  };
  const a = node('A');
  const b = node('B');
  assert.ok(a, 'A() is in the graph');
  // Code the compiler never sees (#if 0) has no node at all.
  return b !== undefined && reachFrom(cfg, a.id, () => false, () => false).reached.has(b.id);
}

function cfgOf(body: string): Cfg {
  const tree = parseC(`void f(int c) {\n${body}\n}\n`);
  return buildCfg(tree.rootNode.namedChildren.find((n) => n.type === 'function_definition')!, conditions);
}

test('sequence and branches', () => {
  assert.equal(reaches('A(); B();'), true);
  assert.equal(reaches('B(); A();'), false);
  assert.equal(reaches('if (c) A(); else B();'), false);
  assert.equal(reaches('if (c) A(); B();'), true);
  assert.equal(reaches('if (c) { A(); return; } B();'), false);
});

test('loops: back edges, break and continue', () => {
  assert.equal(reaches('while (c) { B(); A(); }'), true, 'next iteration');
  assert.equal(reaches('for (;;) { B(); A(); }'), true);
  assert.equal(reaches('do { B(); A(); } while (c);'), true);
  assert.equal(reaches('do { B(); A(); } while (0);'), false, 'do-while(0) runs once');
  assert.equal(reaches('while (c) { A(); break; B(); }'), false);
  assert.equal(reaches('while (c) { A(); break; } B();'), true);
  assert.equal(reaches('for (;;) { A(); return; } B();'), false, 'for(;;) exits only by return');
  assert.equal(reaches('while (c) { if (d) { B(); continue; } A(); }'), true);
});

test('switch with fallthrough and default', () => {
  assert.equal(reaches('switch (c) { case 1: A(); case 2: B(); }'), true, 'fallthrough');
  assert.equal(reaches('switch (c) { case 1: A(); break; case 2: B(); }'), false);
  assert.equal(reaches('switch (c) { case 1: A(); break; default: break; } B();'), true);
});

test('goto and labels, noreturn calls', () => {
  assert.equal(reaches('A(); goto out; B(); out: return;'), false);
  assert.equal(reaches('A(); if (c) goto out; return; out: B();'), true);
  assert.equal(reaches('A(); abort(); B();'), false);
  assert.equal(reaches('A(); exit(1); B();'), false);
  assert.equal(reaches('A(); (void)err(1, "x"); B();'), false);
  assert.equal(reaches('again: B(); A(); if (c) goto again;'), true, 'backward goto');
});

test('preprocessor branches inside a body: each may run, #if 0 never', () => {
  assert.equal(reaches('A();\n#ifdef X\nB();\n#endif\n'), true);
  assert.equal(reaches('A();\n#if 0\nB();\n#endif\n'), false);
  assert.equal(reaches('A();\n#if 0\nreturn;\n#else\nB();\n#endif\n'), true);
});

test('conditions have both outcomes recorded', () => {
  const cfg = cfgOf('if (c) return; c++;');
  const cond = cfg.nodes.find((n) => n.kind === 'cond')!;
  assert.notEqual(cond.onTrue, undefined);
  assert.notEqual(cond.onFalse, undefined);
  assert.notEqual(cond.onTrue, cond.onFalse);
});

test('size is linear in the function: one node per statement or condition, plus blocks', () => {
  const n = 300;
  const body = Array.from({ length: n }, (_, i) => `if (c == ${i}) { c++; } while (c > ${i}) c--;`).join('\n');
  const cfg = cfgOf(body);
  // Each unit: if-cond, block-end, c++, while-cond, c--: at most 5 nodes.
  assert.ok(cfg.nodes.length <= n * 5 + 10, `${cfg.nodes.length} nodes for ${n} units`);
  const edges = cfg.nodes.reduce((s, x) => s + x.succ.length, 0);
  assert.ok(edges <= cfg.nodes.length * 2, `${edges} edges`);
});
