import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definesOf, mergeDefines, splitCommand } from '../src/compile-commands.js';

test('command lines split like a shell', () => {
  assert.deepEqual(splitCommand(`cc -DA='x y' "-DB=\\"q\\"" -c  f.c`), ['cc', '-DA=x y', '-DB="q"', '-c', 'f.c']);
  assert.deepEqual(splitCommand('cc -DEMPTY= ""'), ['cc', '-DEMPTY=', '']);
});

test('-D and -U in order, joined or separate', () => {
  const d = definesOf(['cc', '-DA', '-D', 'B=2', '-UC', '-DC', '-DD', '-U', 'D']);
  assert.deepEqual([...d.defined], [['A', '1'], ['B', '2'], ['C', '1']]);
  assert.deepEqual([...d.undefined], ['D']);
});

test('the command line overrides the build', () => {
  const m = mergeDefines(definesOf(['-DA=1', '-DB']), definesOf(['-UB', '-DA=2']));
  assert.deepEqual([...m.defined], [['A', '2']]);
  assert.deepEqual([...m.undefined], ['B']);
});
