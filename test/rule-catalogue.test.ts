import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../src/docs.js';
import { cliHarness } from './helpers/cli-run.js';

/**
 * The rules issue 17 added, as semantics.md section 6 catalogues them (level, GitHub security severity, on by
 * default), checked in every place a user meets them: --list-rules, --explain, SARIF rule metadata, the README's
 * rules table; and the config schema's keys for the pack and the kernel floor.
 */

const { run, tree } = cliHarness('catalogue');

const CATALOGUE: { id: string; level: 'error' | 'warning' | 'note'; sec: string | null; on: boolean }[] = [
  { id: 'file-backed-vmsplice', level: 'warning', sec: '5.5', on: true },
  { id: 'read-direction-misuse', level: 'error', sec: null, on: true },
  { id: 'gift-unaligned', level: 'note', sec: null, on: false },
  { id: 'double-buffer-relies-on-reader', level: 'note', sec: '3.0', on: true },
  { id: 'splice-source-mutated', level: 'warning', sec: '5.3', on: true },
  { id: 'exploit-dirty-pipe', level: 'error', sec: '7.8', on: false },
  { id: 'exploit-copy-fail', level: 'error', sec: '7.8', on: false },
  { id: 'exploit-cow-leak', level: 'warning', sec: '5.5', on: false },
];

test('--list-rules shows each new rule with its level and default state, and --explain documents it', () => {
  const list = run(['--list-rules']);
  assert.equal(list.code, 0, list.stderr);
  for (const r of CATALOGUE) {
    assert.match(list.stdout, new RegExp(`^${r.id} +${r.level} +${r.on ? 'on' : 'off'} +\\S`, 'm'), r.id);
    const explain = run(['--explain', r.id]);
    assert.equal(explain.code, 0, `${r.id}: ${explain.stderr}`);
    assert.match(explain.stdout, /Why is this bad\?/, r.id);
  }
});

test('SARIF rule metadata of the new rules: level, enabled state and security severity', () => {
  const r = run(['--format', 'sarif', '.'], tree('sarif', { 'a.c': 'int x;\n' }));
  assert.equal(r.code, 0, r.stderr);
  type Descriptor = { id: string; defaultConfiguration?: { level?: string; enabled?: boolean }; properties?: Record<string, unknown>; help?: { markdown?: string } };
  const rules = JSON.parse(r.stdout).runs[0].tool.driver.rules as Descriptor[];
  for (const c of CATALOGUE) {
    const d = rules.find((x) => x.id === c.id);
    assert.ok(d, `${c.id} is declared`);
    assert.equal(d.defaultConfiguration?.level, c.level, c.id);
    assert.equal(d.defaultConfiguration?.enabled ?? true, c.on, c.id);
    assert.equal(d.properties?.['security-severity'], c.sec ?? undefined, c.id);
    assert.ok(d.help?.markdown, `${c.id} has help`);
  }
});

test("the README's rules table has a row per new rule with its level, severity and default state", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const c of CATALOGUE) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${c.id}\` |`));
    assert.ok(row, `${c.id} has a row`);
    const cells = row.split('|').map((s) => s.trim());
    assert.equal(cells[3], c.level, c.id);
    assert.equal(cells[4], c.sec ?? '-', c.id);
    assert.equal(cells[6], c.on ? 'yes' : 'no', c.id);
  }
});

test('the config schema knows the exploit-shapes pack and the kernel key', () => {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schema/config.schema.json'), 'utf8'));
  assert.deepEqual(schema.properties.packs.items.enum, ['exploit-shapes']);
  const kernel = new RegExp(schema.properties.kernel.pattern);
  for (const good of ['6.6', 'v7.1-rc5', '6.8.0-45-generic']) assert.match(good, kernel);
  for (const bad of ['7', 'latest']) assert.doesNotMatch(bad, kernel);
});
