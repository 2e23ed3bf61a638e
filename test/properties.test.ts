import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { allRules } from '../rules/index.js';
import { lintText } from '../src/engine.js';

/**
 * Property tests: random functions with a vmsplice call in random control flow,
 * with random iovec and alias forms. Invariants: the analysis never throws;
 * findings do not change under whitespace and comment edits or consistent
 * renaming; a write placed before the call is never reported.
 */

interface Shape {
  iov: 'init' | 'designated' | 'fields' | 'array' | 'compound';
  alias: 'none' | 'offset' | 'cast' | 'iov-base';
  storage: 'stack' | 'heap' | 'param' | 'static';
  wrap: 'none' | 'if' | 'loop' | 'switch' | 'do-while';
  check: 'discard' | 'compare' | 'errors' | 'return-result';
  write: 'none' | 'store' | 'memset' | 'free';
  flags: 'zero' | 'gift' | 'var-gift' | 'more';
}

const shape: fc.Arbitrary<Shape> = fc.record({
  iov: fc.constantFrom('init', 'designated', 'fields', 'array', 'compound'),
  alias: fc.constantFrom('none', 'offset', 'cast', 'iov-base'),
  storage: fc.constantFrom('stack', 'heap', 'param', 'static'),
  wrap: fc.constantFrom('none', 'if', 'loop', 'switch', 'do-while'),
  check: fc.constantFrom('discard', 'compare', 'errors', 'return-result'),
  write: fc.constantFrom('none', 'store', 'memset', 'free'),
  flags: fc.constantFrom('zero', 'gift', 'var-gift', 'more'),
});

/** A C function for a shape; `names` renames the identifiers; `writeBefore` moves the write before the call. */
function render(s: Shape, names: Record<string, string>, writeBefore = false): string {
  const n = (k: string): string => names[k] ?? k;
  const [buf, v, fl, p, r, fd, len, c] = ['buf', 'v', 'fl', 'p', 'r', 'fd', 'len', 'c'].map(n);
  const lines: string[] = [];
  const decl =
    s.storage === 'stack' ? `char ${buf}[64];` : s.storage === 'heap' ? `char *${buf} = malloc(64);` : s.storage === 'static' ? `static char ${buf}[64];` : '';
  if (decl) lines.push(decl);
  const base = s.alias === 'offset' ? `${buf} + 1` : s.alias === 'cast' ? `(void *)${buf}` : buf;
  let iovArg = `&${v}`;
  if (s.iov === 'init') lines.push(`struct iovec ${v} = { ${base}, ${len} };`);
  else if (s.iov === 'designated') lines.push(`struct iovec ${v} = { .iov_len = ${len}, .iov_base = ${base} };`);
  else if (s.iov === 'fields') lines.push(`struct iovec ${v};`, `${v}.iov_base = ${base};`, `${v}.iov_len = ${len};`);
  else if (s.iov === 'array') {
    lines.push(`struct iovec ${v}[1] = { { ${base}, ${len} } };`);
    iovArg = v;
  } else iovArg = `&(struct iovec){ ${base}, ${len} }`;
  const flags = s.flags === 'zero' ? '0' : s.flags === 'gift' ? 'SPLICE_F_GIFT' : s.flags === 'more' ? 'SPLICE_F_MORE' : fl;
  if (s.flags === 'var-gift') lines.push(`unsigned ${fl} = 0;`, `if (${c}) ${fl} |= SPLICE_F_GIFT;`);
  const target = s.alias === 'iov-base' && s.iov !== 'compound' ? `${p}` : buf;
  if (s.alias === 'iov-base' && s.iov !== 'compound') lines.push(`char *${p} = ${s.iov === 'array' ? `${v}[0]` : v}.iov_base;`);
  const write =
    s.write === 'store' ? `${target}[0] = 'x';` : s.write === 'memset' ? `memset(${target}, 0, ${len});` : s.write === 'free' && s.storage === 'heap' ? `free(${buf});` : '';
  if (writeBefore && write) lines.push(write);
  const call = `vmsplice(${fd}, ${iovArg}, 1, ${flags})`;
  const stmt =
    s.check === 'discard'
      ? `${call};`
      : s.check === 'compare'
        ? `if (${call} != (ssize_t)${len}) return -1;`
        : s.check === 'errors'
          ? `if (${call} < 0) return -1;`
          : `ssize_t ${r} = ${call};\nif (${r} != (ssize_t)${len}) return -1;`;
  const body =
    s.wrap === 'if'
      ? `if (${c} > 0) {\n${stmt}\n}`
      : s.wrap === 'loop'
        ? `for (int i = 0; i < ${c}; i++) {\n${stmt}\n}`
        : s.wrap === 'switch'
          ? `switch (${c}) {\ncase 1:\n${stmt}\nbreak;\ndefault:\nbreak;\n}`
          : s.wrap === 'do-while'
            ? `do {\n${stmt}\n} while (0);`
            : stmt;
  lines.push(body);
  if (!writeBefore && write) lines.push(write);
  lines.push('return 0;');
  const params = `int ${fd}, size_t ${len}, int ${c}${s.storage === 'param' ? `, char *${buf}` : ''}`;
  return `#include <sys/uio.h>\nint ${n('send')}(${params})\n{\n${lines.join('\n')}\n}\n`;
}

const summary = (text: string): string[] =>
  lintText('t.c', text, { rules: allRules })
    .findings.map((f) => `${f.location.region.startLine} ${f.ruleId}`)
    .sort();

const RENAMES = { buf: 'payload', v: 'vec', fl: 'opts', p: 'cursor', r: 'sent', fd: 'out', len: 'count', c: 'mode', send: 'emit' };

test('the analysis never throws on random shapes', () => {
  fc.assert(fc.property(shape, (s) => {
    lintText('t.c', render(s, {}), { rules: allRules });
  }), { numRuns: 300 });
});

test('findings do not change under whitespace and comment edits', () => {
  fc.assert(
    fc.property(shape, fc.constantFrom('  ', '\t', ' /* note */ '), (s, pad) => {
      const plain = render(s, {});
      // Same lines, so the same line numbers: pad the start of every line and add trailing comments.
      const padded = plain
        .split('\n')
        .map((l) => (l.startsWith('#') || l === '' ? l : `${pad}${l} // trailing`))
        .join('\n');
      assert.deepEqual(summary(padded), summary(plain));
    }),
    { numRuns: 150 },
  );
});

test('findings do not change under consistent renaming', () => {
  fc.assert(fc.property(shape, (s) => assert.deepEqual(summary(render(s, RENAMES)), summary(render(s, {})))), { numRuns: 150 });
});

test('a write placed before the call is never reported', () => {
  fc.assert(
    fc.property(
      shape.filter((s) => s.write === 'store' || s.write === 'memset'),
      (s) => {
        const before = lintText('t.c', render(s, {}, true), { rules: allRules }).findings;
        assert.ok(!before.some((f) => f.ruleId === 'buffer-modified-after-vmsplice' && /written|overwritten/.test(f.message)), render(s, {}, true));
      },
    ),
    { numRuns: 150 },
  );
});

test('the generator covers reported writes: a store after the call is reported when nothing drains the pipe', () => {
  const s: Shape = { iov: 'init', alias: 'none', storage: 'param', wrap: 'none', check: 'compare', write: 'store', flags: 'zero' };
  assert.ok(summary(render(s, {})).some((x) => x.endsWith('buffer-modified-after-vmsplice')));
});
