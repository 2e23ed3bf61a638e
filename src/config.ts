import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { allRules, findRule, packNames } from '../rules/index.js';
import type { Defines } from './analysis/preproc.js';
import { KERNEL_VERSION_PATTERN, parseKernelVersion, type KernelFloor } from './analysis/kernel.js';
import { mergeDefines, readCompileCommands } from './compile-commands.js';
import { resolveOptions, type Rule, type RuleOptionValues } from './rule.js';
import { didYouMean } from './suggest.js';
import type { Level } from './types.js';

/**
 * `.vmsplice-lint.json`: found from each linted file's folder upward (the
 * nearest wins, without merging, as in Ruff and clang-tidy), or given with
 * --config. Validated against schema/config.schema.json (generated from the
 * rule modules by `npm run docs`), then rule options against each rule.
 */

export const CONFIG_NAME = '.vmsplice-lint.json';

export type RuleSetting = 'off' | 'on' | Level;

export interface Config {
  /** The file it was read from. */
  file: string;
  rules: Record<string, { level: RuleSetting; options?: RuleOptionValues }>;
  /** Opt-in packs whose rules run unless `rules` turns them off. */
  packs: string[];
  include: string[];
  exclude: string[];
  extensions: string[] | null;
  defines: Defines;
  /** Per-file -D/-U of compileCommands, resolved relative to the config's folder. */
  buildDefines: Map<string, Defines> | null;
  /** `kernel`: the oldest kernel the program supports. */
  kernel: KernelFloor | null;
}

class ConfigError extends Error {}

type JsonNode = import('jsonc-parser').Node;
type ParseError = import('jsonc-parser').ParseError;

// jsonc-parser's codes, in words.
const SYNTAX_ERRORS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'a quoted key was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: "':' was expected",
  CommaExpected: "',' was expected",
  CloseBraceExpected: "'}' was expected",
  CloseBracketExpected: "']' was expected",
  EndOfFileExpected: 'text after the end of the JSON value',
  InvalidCommentToken: 'malformed comment',
  UnexpectedEndOfComment: 'the comment is not closed',
  UnexpectedEndOfString: 'the string is not closed',
  UnexpectedEndOfNumber: 'the number is cut short',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'malformed escape',
  InvalidCharacter: 'control character in a string',
};

const require = createRequire(import.meta.url);
let validator: ValidateFunction | undefined;
// jsonc-parser ships its CommonJS build as UMD, which Node's ESM named-import detection does not read.
const jsonc = require('jsonc-parser') as typeof import('jsonc-parser');

/** The schema of the config file; also written to schema/config.schema.json. */
export function configSchema(): object {
  const level = { enum: ['off', 'on', 'error', 'warning', 'note'] };
  const ruleProps: Record<string, object> = {};
  for (const r of allRules) {
    ruleProps[r.id] = {
      description: r.meta.title,
      oneOf: [level, { type: 'object', additionalProperties: false, properties: { level, options: { type: 'object' } } }],
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://www.npmjs.com/package/vmsplice-lint/config.schema.json',
    title: 'vmsplice-lint configuration (.vmsplice-lint.json)',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      rules: { type: 'object', additionalProperties: false, properties: ruleProps, description: 'Rule levels ("off", "on", "error", "warning", "note") or { level, options }.' },
      include: { type: 'array', items: { type: 'string' }, description: 'Only lint paths matching these globs (relative to the lint root; read from the config of the lint root or --config).' },
      exclude: { type: 'array', items: { type: 'string' }, description: 'Skip paths matching these globs.' },
      extensions: { type: 'array', items: { type: 'string', pattern: '^\\.?[A-Za-z0-9_+-]+$' }, minItems: 1, description: 'File extensions linted in directories.' },
      defines: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Macros taken as defined when deciding #if branches (-D).' },
      undefines: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, description: 'Macros taken as undefined (-U).' },
      compileCommands: { type: 'string', description: 'A compile_commands.json whose -D/-U apply per file.' },
      packs: { type: 'array', items: { enum: [...packNames] }, uniqueItems: true, description: 'Opt-in rule packs to enable (their rules are off by default).' },
      kernel: {
        type: 'string',
        pattern: KERNEL_VERSION_PATTERN,
        description: 'The oldest kernel the program supports (like --kernel): before 7.1 AF_ALG keeps spliced pages until the result is read, from 7.1 it copies them.',
      },
    },
  };
}

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const Ajv = require('ajv') as typeof import('ajv').default;
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(configSchema());
  }
  return validator(data) ? [] : validator.errors ?? [];
}

function quoted(values: unknown[]): string {
  return values.map((v) => `'${String(v)}'`).join(', ');
}

/** The problem in words, with the allowed keys or values: the key first, as '/rules/x'. */
function describe(e: ErrorObject): string {
  const where = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
    const what = e.instancePath === '/rules' ? 'rule' : 'key';
    const hint = didYouMean(key, allowed) || (what === 'rule' ? '; see --list-rules' : `; allowed: ${quoted(allowed)}`);
    return `${where === '(top level)' ? '' : `${where}/`}${key}: unknown ${what} '${key}'${hint}`;
  }
  if (e.keyword === 'enum') return `${where}: must be one of ${quoted((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  return `${where}: ${e.message}`;
}

/** 1-based line and column (UTF-16 units, as editors count) of an offset in the text. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = (before.match(/\n/g)?.length ?? 0) + 1;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

function nodeAt(root: JsonNode, jsonPath: (string | number)[]): JsonNode {
  return jsonc.findNodeAtLocation(root, jsonPath) ?? root;
}

/** Where the value (or, for an unknown key, the key) that an error is about starts. */
function errorOffset(root: JsonNode, e: ErrorObject): number {
  const segments = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const node = nodeAt(root, segments.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const property = node.children?.find((c) => c.children?.[0]?.value === key);
    if (property) return property.offset;
  }
  return node.offset;
}

// Rule settings are a level or an object: a string that is no level also fails the object branch, which adds nothing.
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const enums = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword !== 'oneOf' && !(e.keyword === 'type' && enums.has(e.instancePath)));
}

/**
 * Reads a config file: JSON with comments and trailing commas (as VS Code's settings and tsconfig.json allow).
 * Problems are one line: the file and line:column of the first, then line:column of each further one.
 */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config '${file}': ${(err as Error).message}`);
  }
  const syntax: ParseError[] = [];
  const root = jsonc.parseTree(text, syntax, { allowTrailingComma: true, disallowComments: false });
  if (syntax.length || !root) {
    const first = syntax[0];
    const where = first ? `${file}:${lineColumn(text, first.offset)}` : file;
    const what = first ? SYNTAX_ERRORS[jsonc.printParseErrorCode(first.error)] ?? jsonc.printParseErrorCode(first.error) : 'no JSON value';
    throw new ConfigError(`cannot read config '${where}': ${what}`);
  }
  const data: unknown = jsonc.getNodeValue(root);
  const problems = relevant(validate(data))
    .map((e) => ({ offset: errorOffset(root, e), text: describe(e) }))
    .sort((a, b) => a.offset - b.offset)
    .map((p) => ({ where: lineColumn(text, p.offset), text: p.text }));
  if (problems.length) {
    const [first, ...more] = [...new Map(problems.map((p) => [`${p.where} ${p.text}`, p])).values()];
    const rest = more.map((p) => `; ${p.where}: ${p.text}`).join('');
    throw new ConfigError(`invalid config '${file}:${first.where}': ${first.text}${rest}`);
  }
  const raw = data as {
    rules?: Record<string, RuleSetting | { level?: RuleSetting; options?: RuleOptionValues }>;
    packs?: string[];
    include?: string[];
    exclude?: string[];
    extensions?: string[];
    defines?: Record<string, string | number | boolean>;
    undefines?: string[];
    compileCommands?: string;
    kernel?: string;
  };
  const rules: Config['rules'] = {};
  for (const [id, setting] of Object.entries(raw.rules ?? {})) {
    const s = typeof setting === 'string' ? { level: setting } : { level: setting.level ?? 'on', options: setting.options };
    if (s.options) {
      try {
        resolveOptions(findRule(id) as Rule, s.options);
      } catch (err) {
        const where = lineColumn(text, nodeAt(root, ['rules', id, 'options']).offset);
        throw new ConfigError(`invalid config '${file}:${where}': /rules/${id}/options: ${(err as Error).message}`);
      }
    }
    rules[id] = s;
  }
  const defined = new Map(Object.entries(raw.defines ?? {}).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)]));
  let buildDefines: Map<string, Defines> | null = null;
  if (raw.compileCommands) {
    try {
      buildDefines = readCompileCommands(path.resolve(path.dirname(file), raw.compileCommands));
    } catch (err) {
      const where = lineColumn(text, nodeAt(root, ['compileCommands']).offset);
      throw new ConfigError(`invalid config '${file}:${where}': /compileCommands: ${(err as Error).message}`);
    }
  }
  return {
    file,
    rules,
    packs: raw.packs ?? [],
    include: raw.include ?? [],
    exclude: raw.exclude ?? [],
    extensions: raw.extensions ? raw.extensions.map((e) => (e.startsWith('.') ? e : `.${e}`)) : null,
    defines: { defined, undefined: new Set(raw.undefines ?? []) },
    buildDefines,
    kernel: raw.kernel === undefined ? null : parseKernelVersion(raw.kernel),
  };
}

/** Whether a config file is there; one that is not a regular file (a FIFO would block the read) is an error. */
function configAt(file: string): boolean {
  let st;
  try {
    st = statSync(file);
  } catch {
    return false;
  }
  if (!st.isFile()) throw new ConfigError(`config '${file}' is not a regular file`);
  return true;
}

/** Finds and caches the config that applies to each folder. */
export class ConfigResolver {
  private readonly byDir = new Map<string, Config | null>();

  /** `explicit`: --config, which applies to every file. */
  constructor(private readonly explicit: Config | null = null) {}

  forFile(absPath: string): Config | null {
    return this.explicit ?? this.forDir(path.dirname(absPath));
  }

  forDir(dir: string): Config | null {
    if (this.explicit) return this.explicit;
    const cached = this.byDir.get(dir);
    if (cached !== undefined) return cached;
    const file = path.join(dir, CONFIG_NAME);
    const parent = path.dirname(dir);
    const found = configAt(file) ? loadConfig(file) : parent === dir ? null : this.forDir(parent);
    this.byDir.set(dir, found);
    return found;
  }
}

/** Which rules run for a file, at which level and with which options: command line over config over defaults. */
export function rulesFor(
  config: Config | null,
  cli: { only: string[]; disabled: string[]; options: ReadonlyMap<string, RuleOptionValues> },
): { rules: Rule[]; levels: Map<string, Level>; ruleOptions: Map<string, RuleOptionValues> } {
  const levels = new Map<string, Level>();
  const ruleOptions = new Map<string, RuleOptionValues>();
  const rules = allRules.filter((r) => {
    if (cli.disabled.includes(r.id)) return false;
    if (cli.only.length) return cli.only.includes(r.id);
    const s = config?.rules[r.id];
    if (!s) return r.meta.enabledByDefault || (r.meta.pack !== undefined && (config?.packs.includes(r.meta.pack) ?? false));
    return s.level !== 'off';
  });
  for (const r of rules) {
    const s = config?.rules[r.id];
    if (s && s.level !== 'on' && s.level !== 'off') levels.set(r.id, s.level);
    const merged = { ...(s?.options ?? {}), ...(cli.options.get(r.id) ?? {}) };
    if (Object.keys(merged).length) ruleOptions.set(r.id, merged);
  }
  return { rules, levels, ruleOptions };
}

/** The defines for a file: its config's (and compile commands'), overlaid with the command line's. */
export function definesFor(config: Config | null, absPath: string, cliBuild: ReadonlyMap<string, Defines> | undefined, cli: Defines): Defines {
  let d = config ? mergeDefines(config.buildDefines?.get(absPath), config.defines) : undefined;
  const build = cliBuild?.get(absPath);
  if (build) d = mergeDefines(d, build);
  return mergeDefines(d, cli);
}
