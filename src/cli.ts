#!/usr/bin/env node
import { appendFileSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { allRules, expandPacks, findRule } from '../rules/index.js';
import { lint } from './lint.js';
import type { DiscoveredFile } from './discover.js';
import { lintAndFix } from './fix-files.js';
import { applyBaseline, buildBaseline, readBaseline } from './baseline.js';
import { ConfigResolver, definesFor, loadConfig, rulesFor, type Config } from './config.js';
import type { EngineOptions } from './engine.js';
import { ignoredPhrase, orderedFindings, orderedNotifications, plural, problemCounts } from './report/common.js';
import { COLOR_MODES, FAIL_LEVELS, FORMATS, OPTIONS, choiceError, usageMessage } from './cli-options.js';
import { didYouMean } from './suggest.js';
import { printConfig } from './print-config.js';
import { OutputError, writeOutput } from './output-file.js';
import { endQuietlyOnBrokenPipe } from './broken-pipe.js';
import { parseDefine, type Defines } from './analysis/preproc.js';
import { parseKernelVersion } from './analysis/kernel.js';
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

function unknownRule(id: string, where = ''): UsageError {
  return new UsageError(`unknown rule '${id}'${where}${didYouMean(id, allRules.map((r) => r.id)) || '; see --list-rules'}`);
}

function checkRuleIds(ids: string[]): void {
  for (const id of ids) {
    if (!findRule(id)) throw unknownRule(id);
  }
}

function choice<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  const v = value.toLowerCase() as T;
  if (!allowed.includes(v)) throw new UsageError(choiceError(option, value, allowed));
  return v;
}

/** Two outputs into one file would leave only the last; said before any work is done. */
function checkOutputFiles(outputs: [string, string | undefined][]): void {
  const seen = new Map<string, string>();
  for (const [option, file] of outputs) {
    if (file === undefined) continue;
    const earlier = seen.get(path.resolve(file));
    if (earlier) throw new UsageError(`${earlier} and ${option} both write '${file}'; give each its own file`);
    seen.set(path.resolve(file), option);
  }
}

/** How results are shown and judged: format, colour and exit-code policy, checked for contradictions. */
function outputSettings(args: { format: string; color?: string | boolean; 'fail-on'?: string; 'max-warnings'?: number; 'exit-zero': boolean }) {
  const format = choice('format', args.format, FORMATS);
  // --no-color arrives as false.
  const color = args.color === false ? 'never' : args.color === undefined ? 'auto' : choice('color', String(args.color), COLOR_MODES);
  const maxWarnings = args['max-warnings'];
  if (maxWarnings !== undefined && (!Number.isInteger(maxWarnings) || maxWarnings < -1)) {
    throw new UsageError(`--max-warnings takes a whole number (-1 for no limit, as in ESLint)${Number.isNaN(maxWarnings) ? '' : `, not '${maxWarnings}'`}`);
  }
  if (args['exit-zero'] && args['fail-on'] !== undefined) {
    throw new UsageError(`--exit-zero contradicts --fail-on ${args['fail-on']}: drop one (--fail-on never is --exit-zero)`);
  }
  if (args['exit-zero'] && maxWarnings !== undefined) throw new UsageError('--exit-zero contradicts --max-warnings: drop one');
  const failOn = args['exit-zero'] ? 'never' : choice('fail-on', args['fail-on'] ?? 'warning', FAIL_LEVELS);
  if (maxWarnings !== undefined && failOn !== 'warning' && failOn !== 'note') {
    throw new UsageError(`--max-warnings has no effect with --fail-on ${failOn}: warnings do not fail such a run`);
  }
  return { format, color, failOn, maxWarnings: maxWarnings ?? 0 };
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
    if (!rule) throw unknownRule(id, ' in --rule-option');
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

/** --color wins; in auto mode NO_COLOR (any value but empty) and FORCE_COLOR (but 0) decide before the terminal does. */
function useColor(mode: (typeof COLOR_MODES)[number], stream: NodeJS.WriteStream | null): boolean {
  if (mode !== 'auto') return mode === 'always';
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream?.isTTY === true;
}

// Each writer is loaded only when its format is asked for: module loading is most of a run's fixed cost.
async function render(format: string, result: LintResult, color: boolean, automationId?: string): Promise<string> {
  const rules = allRules as Rule[];
  const { version, homepage } = packageInfo();
  switch (format) {
    case 'json':
      return `${JSON.stringify((await import('./report/json.js')).toJson(result, rules, version), null, 2)}\n`;
    case 'github':
      return (await import('./report/github.js')).toGithub(result);
    case 'sarif':
      return `${JSON.stringify(
        (await import('./report/sarif.js')).toSarif(result, rules, {
          toolVersion: version,
          informationUri: homepage,
          rootUri: pathToFileURL(result.root + path.sep).href,
          automationId,
        }),
        null,
        2,
      )}\n`;
    default:
      return (await import('./report/text.js')).toText(result, { color, codeFrame: true });
  }
}

/**
 * 1 when problems at or above `failOn` remain (warnings only beyond --max-warnings; -1: no limit), counted as the summary counts
 * them: findings no directive suppresses, and problems in the directives themselves.
 */
function exitCode(result: LintResult, maxWarnings: number, failOn: string): number {
  if (failOn === 'never') return EXIT.clean;
  const count = problemCounts(orderedFindings(result), orderedNotifications(result));
  if (count.error > 0) return EXIT.findings;
  if (failOn === 'error') return EXIT.clean;
  if (maxWarnings >= 0 && count.warning > maxWarnings) return EXIT.findings;
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
      .options(OPTIONS)
      .example('$0 src/', 'lint a directory, text output')
      .example('$0 --format sarif -o vmsplice.sarif .', 'SARIF for GitHub code scanning')
      .example('$0 --sarif-output vmsplice.sarif .', 'text in the log and SARIF for the upload, from one run')
      .example('$0 --explain splice-f-gift', "show a rule's documentation")
      .example('$0 --disable ineffective-flag --max-warnings 10 .', 'turn a rule off and tolerate ten warnings')
      .epilogue('Exit codes: 0 nothing at or above --fail-on (warnings within --max-warnings), 1 problems, 2 usage, configuration or internal error.')
      // Only the spellings of the command line: a camelCase twin would show up in "unknown option" messages.
      .parserConfiguration({ 'camel-case-expansion': false })
      .strict()
      .strictOptions()
      .version(packageInfo().version)
      .help()
      .alias('help', 'h')
      .alias('version', 'v')
      .wrap(Math.min(100, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        // yargs' own complaints (YError) are usage errors, in our words; others are thrown by our code.
        if (err && err.name !== 'YError') throw err;
        throw new UsageError(usageMessage(msg ?? err?.message ?? ''));
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
      if (args.explain === '') throw new UsageError('--explain needs a rule id, e.g. --explain splice-f-gift (see --list-rules)');
      checkRuleIds([args.explain]);
      process.stdout.write((await import('./report/ruledocs.js')).ruleText(findRule(args.explain) as Rule));
      return EXIT.clean;
    }
    const settings = outputSettings(args);
    checkOutputFiles([
      ['--output', args.output],
      ['--sarif-output', args['sarif-output']],
      ['--json-output', args['json-output']],
      ['--write-baseline', args['write-baseline']],
      ['--prune-baseline', args['prune-baseline'] ? args.baseline : undefined],
    ]);
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

    const only = expandPacks(list(args.rule));
    const disabled = expandPacks(list(args.disable));
    checkRuleIds([...only, ...disabled]);
    const cliRuleOptions = parseRuleOptions(args['rule-option']);
    const defines = cliDefines(args.define, args.undefine);
    const kernel = args.kernel === undefined ? null : parseKernelVersion(String(args.kernel));
    if (args.kernel !== undefined && !kernel) throw new UsageError(`--kernel takes a version such as 6.6 or 7.1, not '${args.kernel}'`);
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
    const base = { ...rulesFor(rootConfig, { only, disabled, options: cliRuleOptions }), kernel: kernel ?? rootConfig?.kernel ?? null };
    const engineFor = (config: Config | null, absPath: string): EngineOptions => ({
      ...rulesFor(config, { only, disabled, options: cliRuleOptions }),
      defines: definesFor(config, absPath, buildDefines, defines),
      kernel: kernel ?? config?.kernel ?? null,
      includeSuppressed: args['include-suppressed'],
      reportUnusedDirectives: args['report-unused-directives'],
    });
    const discoverOptions = {
      extensions: cliExtensions.length ? cliExtensions : rootConfig?.extensions ?? ['.c', '.h'],
      include: [...(rootConfig?.include ?? []), ...list(args.include)],
      exclude: [...(rootConfig?.exclude ?? []), ...list(args.exclude)],
    };
    if (args['print-config'] !== undefined) {
      const file = path.resolve(args['print-config']);
      let config: Config | null;
      try {
        config = resolver.forFile(file);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      process.stdout.write(printConfig(args['print-config'], config, engineFor(config, file), discoverOptions));
      return EXIT.clean;
    }
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
    const result = await (args.fix ? lintAndFix : lint)({
      root,
      paths,
      ...base,
      discover: { ...discoverOptions, useIgnoreFiles: args.ignore },
      jobs: args.jobs,
      cache: args.cache ? path.resolve(args['cache-location'] ?? path.join('node_modules', '.cache', 'vmsplice-lint')) : undefined,
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
    if (result.filesScanned === 0 && !args['allow-empty']) throw new UsageError(nothingToLint(paths, discoverOptions.extensions, result));

    const say = (line: string): void => {
      if (!args.quiet) process.stderr.write(`vmsplice-lint: ${line}\n`);
    };
    if (args['write-baseline'] !== undefined) {
      const written = buildBaseline(result);
      await writeOutput(args['write-baseline'], `${JSON.stringify(written, null, 2)}\n`);
      say(`wrote ${plural(written.entries.length, 'baseline entry', 'baseline entries')} to ${args['write-baseline']}`);
    }
    if (args.baseline !== undefined) {
      let baseline;
      try {
        baseline = readBaseline(args.baseline);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const before = orderedFindings(result).length;
      const pruned = applyBaseline(result, baseline);
      const hidden = before - orderedFindings(result).length;
      if (hidden > 0) say(`${plural(hidden, 'finding')} matched the baseline and ${hidden === 1 ? 'is' : 'are'} not shown`);
      if (args['prune-baseline']) {
        await writeOutput(args.baseline, `${JSON.stringify(pruned, null, 2)}\n`);
        say(`wrote ${plural(pruned.entries.length, 'baseline entry', 'baseline entries')} to ${args.baseline}`);
      }
    }

    const category = args.category ?? (shard ? `vmsplice-lint-shard-${shard.index}-of-${shard.count}/` : undefined);
    const shown = plural(orderedFindings(result).length, 'result');
    if (args.output === undefined) {
      process.stdout.write(await render(settings.format, result, useColor(settings.color, process.stdout), category));
    } else {
      await writeOutput(args.output, await render(settings.format, result, useColor(settings.color, null), category));
      say(`wrote ${shown} to ${args.output}`);
    }
    for (const [format, file] of [['sarif', args['sarif-output']], ['json', args['json-output']]] as const) {
      if (file === undefined) continue;
      await writeOutput(file, await render(format, result, false, category));
      say(`wrote ${shown} to ${file}`);
    }
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, (await import('./report/github.js')).stepSummary(result, allRules as Rule[]));
    return exitCode(result, settings.maxWarnings, settings.failOn);
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
  const text = s.phase === 'read' ? `reading ${plural(s.total, 'file')}` : `linting ${s.done + 1}/${plural(s.total, 'file')}, ${plural(s.findings, 'finding')} so far`;
  process.stderr.write(`\r\x1b[Kvmsplice-lint: ${text}`);
}

/**
 * Spellings yargs would misread: compilers' `-DNAME` (a group of short flags to yargs), and a bare `--color` before
 * a path (its value to yargs; as in git and ESLint it means always, and takes a mode only as the next word).
 */
function normalizeArgv(argv: string[]): string[] {
  return argv.flatMap((a, i) => {
    if (/^-[DU][A-Za-z_]/.test(a)) return [a.slice(0, 2), a.slice(2)];
    if (a === '--color' && !(COLOR_MODES as readonly string[]).includes(argv[i + 1]?.toLowerCase() ?? '')) return ['--color=always'];
    return [a];
  });
}

const setExitCode = endQuietlyOnBrokenPipe();
setExitCode(await main(normalizeArgv(hideBin(process.argv))));
