import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseDefine, type Defines } from './analysis/preproc.js';

/**
 * The -D and -U flags of a build, per source file, from a compile_commands.json
 * (the JSON Compilation Database: entries with `directory`, `file` and
 * `arguments` or `command`).
 */

interface Entry {
  directory?: unknown;
  file?: unknown;
  arguments?: unknown;
  command?: unknown;
}

/** Splits a shell command line the way a compiler driver would receive it (quotes and backslashes). */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const ch = cmd[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** -D/-U of one compiler command line, in order (a later -U undoes an earlier -D and vice versa). */
export function definesOf(args: string[]): Defines {
  const defined = new Map<string, string>();
  const undefined = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const flag = a.startsWith('-D') ? 'D' : a.startsWith('-U') ? 'U' : null;
    if (!flag) continue;
    const value = a.length > 2 ? a.slice(2) : args[++i];
    if (!value) continue;
    if (flag === 'D') {
      const [name, v] = parseDefine(value);
      defined.set(name, v);
      undefined.delete(name);
    } else {
      undefined.add(value);
      defined.delete(value);
    }
  }
  return { defined, undefined };
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Reads a compilation database; throws an Error with a message naming the file and what is wrong. */
export function readCompileCommands(file: string): Map<string, Defines> {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read compile commands '${file}': ${(err as Error).message}`);
  }
  if (!Array.isArray(entries)) throw new Error(`compile commands '${file}' is not a JSON array of entries`);
  const out = new Map<string, Defines>();
  entries.forEach((raw: Entry, i) => {
    const dir = typeof raw?.directory === 'string' ? raw.directory : path.dirname(path.resolve(file));
    if (typeof raw?.file !== 'string') throw new Error(`compile commands '${file}': entry ${i} has no "file"`);
    const args = Array.isArray(raw.arguments) ? raw.arguments.map(String) : typeof raw.command === 'string' ? splitCommand(raw.command) : null;
    if (!args) throw new Error(`compile commands '${file}': entry ${i} has neither "arguments" nor "command"`);
    out.set(real(path.resolve(dir, raw.file)), definesOf(args));
  });
  return out;
}

/** The build's defines for a file overlaid with the command line's. */
export function mergeDefines(build: Defines | undefined, cli: Defines): Defines {
  if (!build) return cli;
  const defined = new Map(build.defined);
  const undefined = new Set(build.undefined);
  for (const [k, v] of cli.defined) {
    defined.set(k, v);
    undefined.delete(k);
  }
  for (const k of cli.undefined) {
    undefined.add(k);
    defined.delete(k);
  }
  return { defined, undefined };
}
