import type { Options } from 'yargs';
import { CONFIG_NAME } from './config.js';
import { didYouMean } from './suggest.js';

/**
 * The command line's options: yargs reads them for parsing and --help, and `npm run docs` writes the README's option
 * table from them (a test fails when it is stale), so the two cannot drift apart.
 */

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export const FAIL_LEVELS = ['error', 'warning', 'note', 'never'] as const;
export const COLOR_MODES = ['auto', 'always', 'never'] as const;

export const OPTIONS = {
  format: { alias: 'f', type: 'string', requiresArg: true, default: 'text', describe: 'output format on stdout: text, json, sarif or github (workflow-command annotations); any case' },
  output: {
    alias: 'o',
    type: 'string',
    requiresArg: true,
    describe: 'write the report to FILE instead of stdout (a regular file is replaced atomically; a device, FIFO or socket is written through; a symlink is followed)',
  },
  'sarif-output': { type: 'string', requiresArg: true, describe: 'also write SARIF to FILE, from the same run as the stdout format' },
  'json-output': { type: 'string', requiresArg: true, describe: 'also write the JSON report to FILE, from the same run as the stdout format' },
  color: {
    type: 'string',
    defaultDescription: 'auto',
    describe: 'colour the text output: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always or never; a bare --color is always, --no-color never',
  },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'no progress line and no notes on stderr about files written or findings a baseline hid' },
  config: { alias: 'c', type: 'string', requiresArg: true, describe: `use this config file for every file (default: the nearest ${CONFIG_NAME} upward from each file)` },
  'print-config': { type: 'string', requiresArg: true, describe: 'print, as JSON, the configuration that applies to FILE (config file, rules, levels, options, defines) and exit' },
  rule: { type: 'string', requiresArg: true, describe: 'run only these rules or packs (repeatable or comma-separated; enables rules that are off by default)' },
  disable: { type: 'string', requiresArg: true, describe: 'do not run these rules (repeatable or comma-separated)' },
  'rule-option': {
    type: 'string',
    requiresArg: true,
    describe: 'set a rule option, ID.KEY=VALUE (VALUE: true, false or a comma-separated list), e.g. non-netlink-destination.safeSinks=netlink; repeatable',
  },
  'list-rules': { type: 'boolean', describe: 'list the rules and exit' },
  explain: { type: 'string', describe: "print a rule's documentation and exit" },
  'fail-on': { type: 'string', requiresArg: true, defaultDescription: 'warning', describe: 'lowest level that makes the exit code 1: error, warning, note or never' },
  'max-warnings': { type: 'number', requiresArg: true, describe: 'with --fail-on warning, exit 1 only when there are more than N warnings (as in ESLint: -1 means no limit; default 0)' },
  'exit-zero': { type: 'boolean', default: false, describe: 'exit 0 whatever was found (an error with --fail-on or --max-warnings)' },
  baseline: { type: 'string', requiresArg: true, describe: 'report only findings beyond those recorded in this baseline FILE (SARIF results get baselineState)' },
  'write-baseline': { type: 'string', requiresArg: true, describe: 'record the current findings in a baseline FILE' },
  'prune-baseline': { type: 'boolean', default: false, describe: 'with --baseline: rewrite the baseline without the entries that no longer occur' },
  'include-suppressed': { type: 'boolean', default: false, describe: 'keep findings that directives suppress, as SARIF suppressions (shown, not counted)' },
  'report-unused-directives': { type: 'boolean', default: false, describe: 'warn about suppression directives that suppress nothing' },
  include: { type: 'string', requiresArg: true, describe: 'only lint paths matching these globs (relative to the current directory; repeatable)' },
  exclude: { type: 'string', requiresArg: true, describe: 'skip paths matching these globs (repeatable)' },
  ext: { type: 'string', requiresArg: true, describe: 'extensions linted inside directories (default: .c,.h); files named on the command line are linted whatever their extension' },
  ignore: { type: 'boolean', default: true, describe: '.gitignore files are honoured inside git work trees; --no-ignore also lints the files they exclude' },
  'allow-empty': { type: 'boolean', default: false, describe: 'exit 0 when there are no files to lint (otherwise a usage error, exit 2)' },
  'stdin-filename': {
    type: 'string',
    requiresArg: true,
    describe: "with '-': the path standard input stands for (config lookup, messages; inside the current directory, the tree is its project context)",
  },
  define: { alias: 'D', type: 'string', requiresArg: true, describe: 'NAME[=VALUE]: decide #if branches as a build with -D would (repeatable; default: every branch may be compiled)' },
  undefine: { alias: 'U', type: 'string', requiresArg: true, describe: 'NAME: treat NAME as undefined when deciding #if branches (repeatable)' },
  'compile-commands': { type: 'string', requiresArg: true, describe: "take each file's -D/-U from a compile_commands.json FILE; -D/-U on the command line override them" },
  kernel: {
    type: 'string',
    requiresArg: true,
    describe: 'the oldest kernel the program supports, e.g. 6.6 or 7.1 (config key kernel): before 7.1 AF_ALG keeps spliced pages until the result is read back, from 7.1 it copies them (default: before 7.1; messages that depend on it say which was assumed)',
  },
  jobs: { alias: 'j', type: 'number', requiresArg: true, describe: 'threads for reading the tree (default: the number of CPUs)' },
  cache: { type: 'boolean', default: false, describe: "reuse what earlier runs learnt: unchanged files are stat'ed, not read, and an unchanged project is not analysed again" },
  'cache-location': { type: 'string', requiresArg: true, describe: 'directory of the --cache (default: node_modules/.cache/vmsplice-lint)' },
  shard: { type: 'string', requiresArg: true, describe: 'K/N: report only shard K of N (for CI matrices; each shard gets its own SARIF category)' },
  category: { type: 'string', requiresArg: true, describe: 'SARIF runAutomationDetails.id, when one commit gets several vmsplice-lint analyses' },
  fix: { type: 'boolean', default: false, describe: 'apply the safe fixes in place, print each change on stderr, then report what remains' },
  lsp: { type: 'boolean', default: false, describe: 'run as a language server over stdio (for editors)' },
  debug: { type: 'boolean', default: false, describe: 'print stack traces for internal errors' },
} satisfies Record<string, Options>;

/** What the README's table shows as an option's value (options without one are flags). */
export const VALUE_NAMES: Partial<Record<keyof typeof OPTIONS, string>> = {
  format: 'FORMAT',
  output: 'FILE',
  'sarif-output': 'FILE',
  'json-output': 'FILE',
  color: 'WHEN',
  config: 'FILE',
  'print-config': 'FILE',
  rule: 'ID',
  disable: 'ID',
  'rule-option': 'ID.KEY=VALUE',
  explain: 'ID',
  'fail-on': 'LEVEL',
  'max-warnings': 'N',
  baseline: 'FILE',
  'write-baseline': 'FILE',
  include: 'GLOB',
  exclude: 'GLOB',
  ext: '.c,.h',
  'stdin-filename': 'PATH',
  define: 'NAME[=VALUE]',
  undefine: 'NAME',
  'compile-commands': 'FILE',
  kernel: 'VERSION',
  jobs: 'N',
  'cache-location': 'DIR',
  shard: 'K/N',
  category: 'ID',
};

/** Where the README says more about an option: a section link after its description. */
const README_SECTIONS: Partial<Record<keyof typeof OPTIONS, string>> = {
  fix: '[Fixes](#fixes)',
  lsp: '[In the editor](#in-the-editor)',
  config: '[Configuration](#configuration)',
  'print-config': '[Configuration](#configuration)',
  'include-suppressed': '[Suppressing a finding](#suppressing-a-finding)',
  'report-unused-directives': '[Suppressing a finding](#suppressing-a-finding)',
  'fail-on': '[Exit codes](#exit-codes)',
  'max-warnings': '[Exit codes](#exit-codes)',
};

/** Options yargs adds itself, for the table and for "did you mean". */
export const BUILT_IN_OPTIONS: { name: string; alias: string; describe: string }[] = [
  { name: 'help', alias: 'h', describe: 'show the options and exit' },
  { name: 'version', alias: 'v', describe: 'print the version and exit' },
];

/** Every spelling the command line accepts: long names, --no- forms of flags, and one-letter aliases. */
export function optionNames(): string[] {
  const names: string[] = [];
  for (const [name, o] of Object.entries(OPTIONS) as [string, Options][]) {
    names.push(name);
    if (o.type === 'boolean') names.push(`no-${name}`);
    if (typeof o.alias === 'string') names.push(o.alias);
  }
  for (const b of BUILT_IN_OPTIONS) names.push(b.name, b.alias);
  return names;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The README's option table, one row per option, in the order above. */
export function optionsTableMarkdown(): string {
  const rows = ['| Option | Meaning |', '|---|---|'];
  const spell = (name: string, alias?: string, value?: string): string =>
    [`\`--${name}${value ? ` ${value}` : ''}\``, ...(alias ? [`\`-${alias}\``] : [])].join(', ');
  for (const [name, o] of Object.entries(OPTIONS) as [keyof typeof OPTIONS, Options][]) {
    const shown = name === 'ignore' ? 'no-ignore' : name;
    const alias = typeof o.alias === 'string' ? o.alias : undefined;
    const fallback = o.defaultDescription ?? (typeof o.default === 'string' ? o.default : undefined);
    const section = README_SECTIONS[name] ? `; see ${README_SECTIONS[name]}` : '';
    const meaning = `${o.describe}${fallback && !/default/.test(o.describe ?? '') ? ` (default: ${fallback})` : ''}${section}`;
    rows.push(`| ${escapeCell(spell(shown, alias, VALUE_NAMES[name]))} | ${escapeCell(meaning)} |`);
  }
  for (const b of BUILT_IN_OPTIONS) rows.push(`| ${spell(b.name, b.alias)} | ${b.describe} |`);
  return `${rows.join('\n')}\n`;
}

function dashed(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** yargs' messages, as one line in the words of the other errors (no camelCase twins, no "Argument:" blocks). */
export function usageMessage(yargsMessage: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(yargsMessage);
  if (unknown) {
    const names = unknown[1].split(', ');
    const first = names[0];
    const others = names.slice(1).map((n) => `'${dashed(n)}'`);
    const also = others.length ? ` (also unknown: ${others.join(', ')})` : '';
    return `unknown option '${dashed(first)}'${also}${didYouMean(first, optionNames(), (n) => `'${dashed(n)}'`) || '; see --help'}`;
  }
  const bare = /^Not enough arguments following: (.*)$/.exec(yargsMessage);
  if (bare) {
    // yargs names the spelling used; a one-letter alias is shown with its long name.
    const [name] = (Object.entries(OPTIONS) as [keyof typeof OPTIONS, Options][]).find(([n, o]) => n === bare[1] || o.alias === bare[1]) ?? [];
    const spelled = name === undefined ? dashed(bare[1]) : name === bare[1] ? `--${name}` : `--${name} (-${bare[1]})`;
    const value = name === undefined ? undefined : VALUE_NAMES[name];
    return `${spelled} needs a value${value ? ` (${value})` : ''}`;
  }
  return yargsMessage.split('\n')[0];
}

/** A value from a fixed list, in any case; otherwise a usage message naming the list and the nearest value. */
export function choiceError(option: string, value: string, allowed: readonly string[]): string {
  const list = `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
  return `--${option} takes ${list}, not '${value}'${didYouMean(value, allowed)}`;
}
