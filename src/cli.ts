#!/usr/bin/env node
import { appendFileSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { allRules, findRule } from '../rules/index.js';
import { lint } from './lint.js';
import type { DiscoveredFile } from './discover.js';
import { lintAndFix } from './fix-files.js';
import { applyBaseline, buildBaseline, readBaseline } from './baseline.js';
import { CONFIG_NAME, ConfigResolver, definesFor, loadConfig, rulesFor, type Config } from './config.js';
import type { EngineOptions } from './engine.js';
import { stepSummary, toGithub } from './report/github.js';
import { toJson } from './report/json.js';
import { ruleText } from './report/ruledocs.js';
import { toSarif } from './report/sarif.js';
import { toText } from './report/text.js';
import { ignoredPhrase, orderedFindings, orderedNotifications, plural, problemCounts } from './report/common.js';
import { OutputError, writeOutput } from './output-file.js';
import { endQuietlyOnBrokenPipe } from './broken-pipe.js';
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

function checkRuleIds(ids: string[]): void {
  for (const id of ids) {
    if (!findRule(id)) throw new UsageError(`unknown rule '${id}' (see --list-rules)`);
  }
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

function render(format: string, result: LintResult, color: boolean, automationId?: string): string {
  const rules = allRules as Rule[];
  const { version, homepage } = packageInfo();
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(result, rules, version), null, 2)}\n`;
    case 'github':
      return toGithub(result);
    case 'sarif':
      return `${JSON.stringify(
        toSarif(result, rules, { toolVersion: version, informationUri: homepage, rootUri: pathToFileURL(result.root + path.sep).href, automationId }),
        null,
        2,
      )}\n`;
    default:
      return toText(result, { color, codeFrame: true });
  }
}

/**
 * 1 when problems at or above `failOn` remain (warnings only beyond --max-warnings), counted as the summary counts
 * them: findings no directive suppresses, and problems in the directives themselves.
 */
function exitCode(result: LintResult, maxWarnings: number, failOn: string): number {
  if (failOn === 'never') return EXIT.clean;
  const count = problemCounts(orderedFindings(result), orderedNotifications(result));
  if (count.error > 0) return EXIT.findings;
  if (failOn === 'error') return EXIT.clean;
  if (maxWarnings >= 0 ? count.warning > maxWarnings : count.warning > 0) return EXIT.findings;
  if (failOn === 'note' && count.note > 0) return EXIT.findings;
  return EXIT.clean;
}

async function main(argv: string[]): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const parser = yargs(argv)
      .scriptName('vmsplice-lint')
      .usage('$0 [paths..]\n\nFinds risky uses of Linux vmsplice(2) in C source trees.')
      .command('$0 [paths..]', false, (y) =>
        y.positional('paths', { type: 'string', array: true, describe: "files and directories to lint (default: .); '-' reads C from standard input" }),
      )
      .option('format', { alias: 'f', choices: ['text', 'json', 'sarif', 'github'] as const, default: 'text', describe: 'output format (github: workflow-command annotations)' })
      .option('config', { alias: 'c', type: 'string', describe: `use this config file for every file (default: the nearest ${CONFIG_NAME} upward from each file)` })
      .option('baseline', { type: 'string', describe: 'report only findings beyond those recorded in this baseline file' })
      .option('write-baseline', { type: 'string', describe: 'record the current findings in a baseline file' })
      .option('prune-baseline', { type: 'boolean', default: false, describe: 'with --baseline: drop baseline entries that no longer occur' })
      .option('include-suppressed', { type: 'boolean', default: false, describe: 'keep findings suppressed by inline directives (SARIF suppressions)' })
      .option('report-unused-directives', { type: 'boolean', default: false, describe: 'warn about suppression directives that suppress nothing' })
      .option('fail-on', { choices: ['error', 'warning', 'note', 'never'] as const, default: 'warning', describe: 'lowest level that makes the exit code 1' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the report to FILE instead of stdout (a regular file is replaced atomically; a device, FIFO or socket is written through)' })
      .option('sarif-output', { type: 'string', describe: 'also write SARIF to FILE' })
      .option('rule', { type: 'string', describe: 'run only these rules (repeatable; enables rules that are off by default)' })
      .option('disable', { type: 'string', describe: 'do not run these rules (repeatable)' })
      .option('list-rules', { type: 'boolean', describe: 'list the rules and exit' })
      .option('explain', { type: 'string', describe: "print a rule's documentation and exit" })
      .option('max-warnings', { type: 'number', default: -1, describe: 'exit 1 only when there are more warnings than this (-1: any warning fails)' })
      .option('exit-zero', { type: 'boolean', default: false, describe: 'exit 0 even when there are findings' })
      .option('include', { type: 'string', describe: 'only lint paths matching these globs (relative to the current directory)' })
      .option('exclude', { type: 'string', describe: 'skip paths matching these globs' })
      .option('ext', { type: 'string', describe: 'file extensions to lint in directories (default: .c and .h)' })
      .option('ignore', { type: 'boolean', default: true, describe: 'honour .gitignore files inside git work trees (--no-ignore to lint ignored files too)' })
      .option('stdin-filename', { type: 'string', describe: "with '-': the path standard input stands for (config lookup, messages; inside the current directory, the tree is its project context)" })
      .option('allow-empty', { type: 'boolean', default: false, describe: 'exit 0 when there are no files to lint (otherwise a usage error, exit 2)' })
      .option('rule-option', {
        type: 'string',
        describe: "set a rule option: ID.KEY=VALUE (VALUE: true, false, or a comma-separated list), e.g. non-netlink-destination.safeSinks=netlink",
      })
      .option('define', { alias: 'D', type: 'string', describe: 'NAME[=VALUE]: treat NAME as defined when deciding #if branches (repeatable)' })
      .option('undefine', { alias: 'U', type: 'string', describe: 'NAME: treat NAME as undefined (repeatable)' })
      .option('compile-commands', { type: 'string', describe: "take each file's -D/-U from a compile_commands.json" })
      .option('shard', { type: 'string', describe: 'K/N: report only shard K of N (for CI matrices; each shard gets its own SARIF category)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on a terminal' })
      .option('jobs', { alias: 'j', type: 'number', describe: 'threads for reading the tree (default: the number of CPUs)' })
      .option('category', { type: 'string', describe: 'SARIF runAutomationDetails.id, for several analyses of one commit' })
      .option('fix', { type: 'boolean', default: false, describe: 'apply the safe fixes (rewrites files in place), then report what remains' })
      .option('lsp', { type: 'boolean', default: false, describe: 'run as a language server over stdio (for editors)' })
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

    if (args.lsp) {
      (await import('./lsp/server.js')).startLanguageServer();
      return EXIT.clean;
    }
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
    const cliExtensions = list(args.ext).map((e) => (e.startsWith('.') ? e : `.${e}`));
    if (args.ext !== undefined && !cliExtensions.length) throw new UsageError('--ext needs at least one extension');
    if (args['prune-baseline'] && args.baseline === undefined) throw new UsageError('--prune-baseline goes with --baseline FILE');
    if (args.jobs !== undefined && !(Number.isInteger(args.jobs) && args.jobs >= 1)) throw new UsageError('--jobs takes a whole number of at least 1');
    let shard: { index: number; count: number } | undefined;
    if (args.shard !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(args.shard);
      shard = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
      if (!shard || shard.count < 1 || shard.index < 1 || shard.index > shard.count) throw new UsageError(`--shard takes K/N with 1 <= K <= N, not '${args.shard}'`);
    }

    const only = list(args.rule);
    const disabled = list(args.disable);
    checkRuleIds([...only, ...disabled]);
    const cliRuleOptions = parseRuleOptions(args['rule-option']);
    const defines = cliDefines(args.define, args.undefine);
    const root = process.cwd();
    let buildDefines: Map<string, Defines> | undefined;
    let resolver: ConfigResolver;
    let rootConfig: Config | null;
    try {
      if (args['compile-commands'] !== undefined) buildDefines = readCompileCommands(args['compile-commands']);
      resolver = new ConfigResolver(args.config !== undefined ? loadConfig(path.resolve(args.config)) : null);
      rootConfig = resolver.forDir(root);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const base = rulesFor(rootConfig, { only, disabled, options: cliRuleOptions });
    const engineFor = (config: Config | null, absPath: string): EngineOptions => ({
      ...rulesFor(config, { only, disabled, options: cliRuleOptions }),
      defines: definesFor(config, absPath, buildDefines, defines),
      includeSuppressed: args['include-suppressed'],
      reportUnusedDirectives: args['report-unused-directives'],
    });
    // Paths after `--` (which may start with '-') arrive in `_`.
    const given = [...((args.paths as string[] | undefined) ?? []), ...args._.map(String)];
    // yargs drops a lone '-' from the positionals.
    const readsStdin = given.includes('-') || argv.includes('-');
    if (args['stdin-filename'] !== undefined && !readsStdin) throw new UsageError("--stdin-filename goes with '-' (standard input) among the paths");
    const stdin = readsStdin ? stdinFile(root, args['stdin-filename']) : undefined;
    const others = given.filter((p) => p !== '-');
    // Alone, standard input named inside the tree is linted with the tree as its project context, and reported alone.
    const asContext = stdin !== undefined && others.length === 0 && !path.isAbsolute(stdin.relPath);
    const paths = others.length ? others : stdin && !asContext ? [] : ['.'];
    const extensions = cliExtensions.length ? cliExtensions : rootConfig?.extensions ?? ['.c', '.h'];
    const result = await (args.fix ? lintAndFix : lint)({
      root,
      paths,
      ...base,
      discover: {
        extensions,
        include: [...(rootConfig?.include ?? []), ...list(args.include)],
        exclude: [...(rootConfig?.exclude ?? []), ...list(args.exclude)],
        useIgnoreFiles: args.ignore,
      },
      jobs: args.jobs,
      shard,
      stdin,
      reportOnly: asContext ? stdin?.relPath : undefined,
      onProgress: !args.quiet && process.stderr.isTTY ? progressLine : undefined,
      optionsFor: (absPath) => {
        try {
          return engineFor(resolver.forFile(absPath), absPath);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      },
    });
    if (!args.quiet && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    const missing = result.notifications.filter((n) => n.kind === 'not-found');
    if (missing.length) throw new UsageError(missing.map((n) => n.message).join('; '));
    if (result.filesScanned === 0 && !args['allow-empty']) throw new UsageError(nothingToLint(paths, extensions, result));

    if (args['write-baseline'] !== undefined) {
      await writeOutput(args['write-baseline'], `${JSON.stringify(buildBaseline(result), null, 2)}\n`);
    }
    if (args.baseline !== undefined) {
      let baseline;
      try {
        baseline = readBaseline(args.baseline);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const pruned = applyBaseline(result, baseline);
      if (args['prune-baseline']) await writeOutput(args.baseline, `${JSON.stringify(pruned, null, 2)}\n`);
    }

    const toStdout = args.output === undefined;
    const category = args.category ?? (shard ? `vmsplice-lint-shard-${shard.index}-of-${shard.count}/` : undefined);
    const out = render(args.format, result, toStdout && useColor(process.stdout), category);
    if (toStdout) process.stdout.write(out);
    else await writeOutput(args.output as string, out);
    if (args['sarif-output'] !== undefined) await writeOutput(args['sarif-output'], render('sarif', result, false, category));
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, stepSummary(result, allRules as Rule[]));
    return exitCode(result, args['max-warnings'], args['exit-zero'] ? 'never' : args['fail-on']);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`vmsplice-lint: ${message}\n`);
    if (debug && err instanceof Error && !(err instanceof UsageError) && !(err instanceof OutputError)) process.stderr.write(`${err.stack}\n`);
    return EXIT.error;
  }
}

/**
 * Standard input as a file named by --stdin-filename (by default '<stdin>' in the current directory): its
 * path picks the config file and appears in messages.
 */
function stdinFile(root: string, name: string | undefined): DiscoveredFile {
  // Discovery names files by real paths; a file on disk at this path is replaced, not linted twice.
  const realRoot = realpathSync(root);
  const absPath = path.resolve(realRoot, name ?? '<stdin>');
  const rel = path.relative(realRoot, absPath);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  return { absPath, relPath: inside ? rel.split(path.sep).join('/') : absPath, content: readFileSync(0) };
}

/** ESLint's "No files matching the pattern": a run that checked nothing must not pass as clean. */
function nothingToLint(paths: string[], extensions: string[], result: LintResult): string {
  const ignored = ignoredPhrase(result.ignored);
  return (
    `no files to lint in ${paths.map((p) => `'${p}'`).join(', ')} with extensions ${extensions.join(', ')}` +
    `${ignored ? ` (${ignored} left out by .gitignore; --no-ignore lints them)` : ''}; --allow-empty accepts an empty run`
  );
}

/** One line on a terminal's stderr, rewritten in place; stdout stays clean for SARIF and JSON. */
function progressLine(s: { phase: 'read' | 'lint'; done: number; total: number; findings: number }): void {
  const text = s.phase === 'read' ? `reading ${plural(s.total, 'file')}` : `linting ${s.done + 1}/${s.total} files, ${s.findings} findings so far`;
  process.stderr.write(`\r\x1b[Kvmsplice-lint: ${text}`);
}

/** Compilers take `-DNAME`; yargs would read that as a group of short flags. */
function splitDefineFlags(argv: string[]): string[] {
  return argv.flatMap((a) => (/^-[DU][A-Za-z_]/.test(a) ? [a.slice(0, 2), a.slice(2)] : [a]));
}

const setExitCode = endQuietlyOnBrokenPipe();
setExitCode(await main(splitDefineFlags(hideBin(process.argv))));
