#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { allRules, findRule } from '../rules/index.js';
import { lint } from './lint.js';
import { toJson } from './report/json.js';
import { ruleText } from './report/ruledocs.js';
import { toSarif } from './report/sarif.js';
import { toText } from './report/text.js';
import { parseDefine, type Defines } from './analysis/preproc.js';
import { readCompileCommands } from './compile-commands.js';
import { resolveOptions, type Rule, type RuleOptionValues } from './rule.js';
import type { LintResult } from './types.js';

/** Exit codes, as ESLint and Ruff use them. */
const EXIT = { clean: 0, findings: 1, error: 2 } as const;

class UsageError extends Error {}

function packageInfo(): { version: string; homepage: string } {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; homepage: string };
}

function list(values: unknown): string[] {
  const items = Array.isArray(values) ? values : values === undefined ? [] : [values];
  return items.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
}

function selectRules(only: string[], disabled: string[]): Rule[] {
  for (const id of [...only, ...disabled]) {
    if (!findRule(id)) throw new UsageError(`unknown rule '${id}' (see --list-rules)`);
  }
  const base = only.length ? allRules.filter((r) => only.includes(r.id)) : allRules.filter((r) => r.meta.enabledByDefault);
  return base.filter((r) => !disabled.includes(r.id));
}

function cliDefines(define: unknown, undefine: unknown): Defines {
  const defined = new Map<string, string>();
  const undefined = new Set<string>();
  for (const d of list(define)) {
    const [name, value] = parseDefine(d);
    if (!/^[A-Za-z_]\w*$/.test(name)) throw new UsageError(`-D takes NAME or NAME=VALUE, not '${d}'`);
    defined.set(name, value);
  }
  for (const u of list(undefine)) {
    if (!/^[A-Za-z_]\w*$/.test(u)) throw new UsageError(`-U takes a macro name, not '${u}'`);
    undefined.add(u);
    defined.delete(u);
  }
  return { defined, undefined };
}

/** `--rule-option id.key=value` (repeatable) -> validated option values per rule. */
function parseRuleOptions(values: unknown): Map<string, RuleOptionValues> {
  const out = new Map<string, RuleOptionValues>();
  const items = Array.isArray(values) ? values : values === undefined ? [] : [values];
  for (const item of items.map(String)) {
    const m = /^([a-z0-9-]+)\.([A-Za-z]+)=(.*)$/.exec(item);
    if (!m) throw new UsageError(`--rule-option takes ID.KEY=VALUE, not '${item}'`);
    const [, id, key, raw] = m;
    const rule = findRule(id);
    if (!rule) throw new UsageError(`unknown rule '${id}' in --rule-option (see --list-rules)`);
    const type = rule.options?.[key]?.type;
    const value = type === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw.split(',').map((x) => x.trim()).filter(Boolean);
    const merged = { ...(out.get(id) ?? {}), [key]: value } as RuleOptionValues;
    try {
      resolveOptions(rule, merged);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    out.set(id, merged);
  }
  return out;
}

function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Writes the whole output to a temporary file beside the target, then renames it over: never a half-written file. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content, { flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UsageError(`cannot write output file '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function render(format: string, result: LintResult, rules: Rule[], color: boolean, automationId?: string): string {
  const { version, homepage } = packageInfo();
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(result, rules, version), null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(
        toSarif(result, allRules as Rule[], { toolVersion: version, informationUri: homepage, rootUri: pathToFileURL(result.root + path.sep).href, automationId }),
        null,
        2,
      )}\n`;
    default:
      return toText(result, { color, codeFrame: true });
  }
}

function exitCode(result: LintResult, maxWarnings: number, exitZero: boolean): number {
  if (exitZero) return EXIT.clean;
  const findings = result.files.flatMap((f) => f.findings);
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  if (errors > 0) return EXIT.findings;
  if (maxWarnings >= 0 ? warnings > maxWarnings : warnings > 0) return EXIT.findings;
  return EXIT.clean;
}

async function main(argv: string[]): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const parser = yargs(argv)
      .scriptName('vmsplice-lint')
      .usage('$0 [paths..]\n\nFinds risky uses of Linux vmsplice(2) in C source trees.')
      .command('$0 [paths..]', false, (y) =>
        y.positional('paths', { type: 'string', array: true, default: ['.'], describe: 'files and directories to lint (default: .)' }),
      )
      .option('format', { alias: 'f', choices: ['text', 'json', 'sarif'] as const, default: 'text', describe: 'output format' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the report to FILE (atomically) instead of stdout' })
      .option('rule', { type: 'string', describe: 'run only these rules (repeatable; enables rules that are off by default)' })
      .option('disable', { type: 'string', describe: 'do not run these rules (repeatable)' })
      .option('list-rules', { type: 'boolean', describe: 'list the rules and exit' })
      .option('explain', { type: 'string', describe: "print a rule's documentation and exit" })
      .option('max-warnings', { type: 'number', default: -1, describe: 'exit 1 only when there are more warnings than this (-1: any warning fails)' })
      .option('exit-zero', { type: 'boolean', default: false, describe: 'exit 0 even when there are findings' })
      .option('include', { type: 'string', describe: 'only lint paths matching these globs (relative to the current directory)' })
      .option('exclude', { type: 'string', describe: 'skip paths matching these globs' })
      .option('ext', { type: 'string', describe: 'file extensions to lint in directories', default: ['.c', '.h'] })
      .option('ignore', { type: 'boolean', default: true, describe: 'honour .gitignore files (--no-ignore to lint ignored files too)' })
      .option('rule-option', {
        type: 'string',
        describe: "set a rule option: ID.KEY=VALUE (VALUE: true, false, or a comma-separated list), e.g. non-netlink-destination.safeSinks=netlink",
      })
      .option('define', { alias: 'D', type: 'string', describe: 'NAME[=VALUE]: treat NAME as defined when deciding #if branches (repeatable)' })
      .option('undefine', { alias: 'U', type: 'string', describe: 'NAME: treat NAME as undefined (repeatable)' })
      .option('compile-commands', { type: 'string', describe: "take each file's -D/-U from a compile_commands.json" })
      .option('category', { type: 'string', describe: 'SARIF runAutomationDetails.id, for several analyses of one commit' })
      .option('debug', { type: 'boolean', default: false, describe: 'print stack traces for internal errors' })
      .example('$0 src/', 'lint a directory, text output')
      .example('$0 --format sarif -o vmsplice.sarif .', 'SARIF for GitHub code scanning')
      .example('$0 --explain splice-f-gift', "show a rule's documentation")
      .example('$0 --disable ineffective-flag --max-warnings 10 .', 'turn a rule off and tolerate ten warnings')
      .epilogue('Exit codes: 0 no errors or warnings (beyond --max-warnings), 1 findings, 2 usage, configuration or internal error.')
      .strict()
      .strictOptions()
      .version(packageInfo().version)
      .help()
      .alias('help', 'h')
      .alias('version', 'v')
      .wrap(Math.min(100, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      });
    const args = await parser.parseAsync();
    debug = args.debug;
    if (args.help || args.version) return EXIT.clean;

    if (args['list-rules']) {
      for (const r of allRules) {
        process.stdout.write(`${r.id.padEnd(32)} ${r.meta.level.padEnd(8)} ${r.meta.enabledByDefault ? 'on ' : 'off'}  ${r.meta.title}\n`);
      }
      return EXIT.clean;
    }
    if (args.explain !== undefined) {
      const rule = findRule(args.explain);
      if (!rule) throw new UsageError(`unknown rule '${args.explain}' (see --list-rules)`);
      process.stdout.write(ruleText(rule));
      return EXIT.clean;
    }
    if (!Number.isInteger(args['max-warnings']) || args['max-warnings'] < -1) {
      throw new UsageError('--max-warnings takes a whole number (-1 for no limit)');
    }
    const extensions = list(args.ext).map((e) => (e.startsWith('.') ? e : `.${e}`));
    if (!extensions.length) throw new UsageError('--ext needs at least one extension');

    const rules = selectRules(list(args.rule), list(args.disable));
    const ruleOptions = parseRuleOptions(args['rule-option']);
    const defines = cliDefines(args.define, args.undefine);
    let buildDefines: Map<string, Defines> | undefined;
    if (args['compile-commands'] !== undefined) {
      try {
        buildDefines = readCompileCommands(args['compile-commands']);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const root = process.cwd();
    const paths = (args.paths as string[] | undefined)?.length ? (args.paths as string[]) : ['.'];
    const result = await lint({
      root,
      paths,
      rules,
      ruleOptions,
      defines,
      buildDefines,
      discover: { extensions, include: list(args.include), exclude: list(args.exclude), useIgnoreFiles: args.ignore },
    });
    const missing = result.notifications.filter((n) => n.kind === 'not-found');
    if (missing.length) throw new UsageError(missing.map((n) => n.message).join('; '));

    const toStdout = args.output === undefined;
    const out = render(args.format, result, rules, toStdout && useColor(process.stdout), args.category);
    if (toStdout) process.stdout.write(out);
    else await writeAtomically(args.output as string, out);
    return exitCode(result, args['max-warnings'], args['exit-zero']);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`vmsplice-lint: ${message}\n`);
    if (debug && err instanceof Error && !(err instanceof UsageError)) process.stderr.write(`${err.stack}\n`);
    return EXIT.error;
  }
}

/** Compilers take `-DNAME`; yargs would read that as a group of short flags. */
function splitDefineFlags(argv: string[]): string[] {
  return argv.flatMap((a) => (/^-[DU][A-Za-z_]/.test(a) ? [a.slice(0, 2), a.slice(2)] : [a]));
}

const code = await main(splitDefineFlags(hideBin(process.argv)));
process.exitCode = code;
