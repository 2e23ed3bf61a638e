import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildFacts } from '../src/analysis/facts.js';
import { buildFileIndex } from '../src/analysis/fileindex.js';
import { SPLICE_FLAGS } from '../src/analysis/values.js';
import { parseC } from '../src/parse.js';

/** Unit tests of flag evaluation: the state of each flag bit at the (single) vmsplice call of a snippet. */

const { SPLICE_F_MOVE: MOVE, SPLICE_F_NONBLOCK: NONBLOCK, SPLICE_F_MORE: MORE, SPLICE_F_GIFT: GIFT } = SPLICE_FLAGS;

function flagsOf(src: string) {
  const facts = buildFacts('t.c', buildFileIndex(src, parseC(src)));
  assert.equal(facts.vmsplice.length, 1, `expected one vmsplice call, found ${facts.vmsplice.length}`);
  const flags = facts.vmsplice[0].flags;
  assert.ok(flags, 'the call has a flags argument');
  return flags;
}

function state(expr: string, prelude = ''): ReturnType<ReturnType<typeof flagsOf>['state']> {
  return flagsOf(`${prelude}\nvoid f(int fd, struct iovec *v, int c) { vmsplice(fd, v, 1, ${expr}); }\n`).state(GIFT);
}

test('names and literals', () => {
  assert.equal(state('SPLICE_F_GIFT'), 'must');
  assert.equal(state('8'), 'must');
  assert.equal(state('0x8'), 'must');
  assert.equal(state('010'), 'must');
  assert.equal(state('0b1000'), 'must');
  assert.equal(state('8u'), 'must');
  assert.equal(state('0'), 'never');
  assert.equal(state('SPLICE_F_NONBLOCK'), 'never');
  assert.equal(state('UNKNOWN_NAME'), 'unknown');
});

test('bit operators, shifts, casts and parentheses', () => {
  assert.equal(state('SPLICE_F_NONBLOCK | SPLICE_F_GIFT'), 'must');
  assert.equal(state('(SPLICE_F_GIFT | SPLICE_F_NONBLOCK) & ~SPLICE_F_GIFT'), 'never');
  assert.equal(state('0xff & SPLICE_F_GIFT'), 'must');
  assert.equal(state('SPLICE_F_GIFT ^ SPLICE_F_GIFT'), 'never');
  assert.equal(state('SPLICE_F_NONBLOCK ^ 10'), 'must');
  assert.equal(state('1 << 3'), 'must');
  assert.equal(state('(unsigned int)(SPLICE_F_GIFT)'), 'must');
  assert.equal(state('c | SPLICE_F_GIFT'), 'must', 'a set bit stays set whatever c is');
  assert.equal(state('c & ~SPLICE_F_GIFT'), 'never', 'a cleared bit stays clear whatever c is');
  assert.equal(state('c & SPLICE_F_GIFT'), 'unknown');
  assert.equal(state('c + SPLICE_F_GIFT'), 'unknown');
});

test('ternaries give both branches unless the condition is constant', () => {
  assert.equal(state('c ? SPLICE_F_GIFT : 0'), 'may');
  assert.equal(state('c ? SPLICE_F_GIFT : SPLICE_F_GIFT | SPLICE_F_MORE'), 'must');
  assert.equal(state('1 ? 0 : SPLICE_F_GIFT'), 'never');
});

test('macros of the file, every #if branch an alternative', () => {
  assert.equal(state('F', '#define F (SPLICE_F_GIFT | SPLICE_F_NONBLOCK)'), 'must');
  assert.equal(state('F', '#ifdef X\n#define F SPLICE_F_GIFT\n#else\n#define F 0\n#endif'), 'may');
  assert.equal(state('SPLICE_F_GIFT', '#define SPLICE_F_GIFT (0x08)'), 'must');
  assert.equal(state('SPLICE_F_GIFT', '#define SPLICE_F_GIFT 0'), 'never', 'values count, not spellings');
  assert.equal(state('ADD(SPLICE_F_MORE)', '#define ADD(x) ((x) | SPLICE_F_GIFT)'), 'must');
  assert.equal(state('DROP(SPLICE_F_GIFT)', '#define DROP(x) ((x) & ~SPLICE_F_GIFT)'), 'never');
  assert.equal(state('E_GIFT', 'enum { E_NONE, E_GIFT = 8 };'), 'must');
});

function local(body: string): string {
  return flagsOf(`void f(int fd, struct iovec *v, int c) {\n${body}\n}\n`).state(GIFT);
}

test('local variables: dominating assignments decide, conditional ones add alternatives', () => {
  assert.equal(local('unsigned fl = SPLICE_F_GIFT; vmsplice(fd, v, 1, fl);'), 'must');
  assert.equal(local('unsigned fl = 0; fl |= SPLICE_F_GIFT; vmsplice(fd, v, 1, fl);'), 'must');
  assert.equal(local('unsigned fl = 0; if (c) fl |= SPLICE_F_GIFT; vmsplice(fd, v, 1, fl);'), 'may');
  assert.equal(local('unsigned fl = SPLICE_F_GIFT; fl &= ~SPLICE_F_GIFT; vmsplice(fd, v, 1, fl);'), 'never');
  assert.equal(local('unsigned fl = SPLICE_F_GIFT; fl = 0; vmsplice(fd, v, 1, fl);'), 'never');
  assert.equal(local('unsigned fl = 0;\n#ifdef G\n fl |= SPLICE_F_GIFT;\n#endif\n vmsplice(fd, v, 1, fl);'), 'may');
  assert.equal(local('unsigned fl = 0; vmsplice(fd, v, 1, fl); fl = SPLICE_F_GIFT;'), 'never', 'a later assignment outside a loop cannot reach the call');
  assert.equal(local('unsigned fl = 0; for (;;) { vmsplice(fd, v, 1, fl); fl = SPLICE_F_GIFT; }'), 'may', 'through the loop back edge');
  assert.equal(local('unsigned fl; sscanf("8", "%u", &fl); vmsplice(fd, v, 1, fl);'), 'unknown');
  assert.equal(local('unsigned fl = c ? SPLICE_F_GIFT : 0; vmsplice(fd, v, 1, fl);'), 'may');
});

test('globals and fields assigned anywhere in the file', () => {
  const opt = 'static unsigned fl;\nvoid parse(int c) { if (c == \'g\') fl |= SPLICE_F_GIFT; }';
  assert.equal(state('fl', opt), 'may');
  assert.equal(state('fl', 'static unsigned fl;'), 'never', 'zero-initialised and never assigned');
  assert.equal(state('fl', 'static unsigned fl = SPLICE_F_GIFT;'), 'must');
  assert.equal(state('fl', 'extern unsigned fl;'), 'unknown');
  assert.equal(state('o.fl', 'struct s { unsigned fl; }; static struct s o;\nvoid set(void) { o.fl = SPLICE_F_GIFT; }'), 'may');
  assert.equal(state('x.fl', 'struct s { unsigned fl; }; extern struct s x; static struct s o;\nvoid set(void) { o.fl = SPLICE_F_GIFT; }'), 'unknown');
  assert.equal(state('p->fl', 'struct s { unsigned fl; }; extern struct s *p;'), 'unknown');
});

test('a bit a wrapper sets itself is decided inside it; a bit its callers pass, at each call', () => {
  const src = [
    'static int push(int fd, struct iovec *v, unsigned fl) { return vmsplice(fd, v, 1, fl | SPLICE_F_GIFT); }',
    'void a(int fd, struct iovec *v) { push(fd, v, SPLICE_F_MORE); }',
  ].join('\n');
  const facts = buildFacts('t.c', buildFileIndex(src, parseC(src)));
  // The call inside the wrapper on its own, and through the call of the wrapper.
  assert.deepEqual(facts.vmsplice.map((f) => f.hops[0].kind), ['direct', 'wrapper']);
  assert.equal(facts.vmsplice[0].flags!.decide(MORE).state, 'unknown', 'on its own the wrapper cannot know MORE');
  const flags = facts.vmsplice[1].flags!;
  assert.equal(flags.decide(GIFT).location.region.startLine, 1);
  assert.equal(flags.decide(MORE).location.region.startLine, 2);
  assert.deepEqual(flags.decide(MORE).hops.map((h) => h.name), ['push', 'vmsplice']);
});

test('wrapper parameters resolve per call site', () => {
  const src = [
    'static int push(int fd, struct iovec *v, unsigned fl) { return vmsplice(fd, v, 1, fl | SPLICE_F_NONBLOCK); }',
    'void a(int fd, struct iovec *v) { push(fd, v, SPLICE_F_GIFT); }',
    'void b(int fd, struct iovec *v) { push(fd, v, 0); }',
  ].join('\n');
  const facts = buildFacts('t.c', buildFileIndex(src, parseC(src)));
  assert.deepEqual(
    facts.vmsplice.filter((f) => f.hops[0].kind === 'wrapper').map((f) => [f.location.region.startLine, f.flags!.state(GIFT), f.flags!.state(NONBLOCK)]),
    [[2, 'must', 'must'], [3, 'never', 'must']],
  );
});

test('every tracked bit is evaluated independently', () => {
  const f = flagsOf('void f(int fd, struct iovec *v, int c) { vmsplice(fd, v, 1, SPLICE_F_MOVE | (c ? SPLICE_F_MORE : 0)); }');
  assert.equal(f.state(MOVE), 'must');
  assert.equal(f.state(MORE), 'may');
  assert.equal(f.state(GIFT), 'never');
});

test('origin names the variable and where the bit was set', () => {
  const f = flagsOf('void f(int fd, struct iovec *v, int c) {\n unsigned fl = 0;\n if (c)\n  fl |= SPLICE_F_GIFT;\n vmsplice(fd, v, 1, fl);\n}');
  const o = f.decide(GIFT);
  assert.equal(o.state, 'may');
  assert.deepEqual(o.via, ["variable 'fl'"]);
  assert.equal(o.setAt?.region.startLine, 4);
});
