import type { Config } from './config.js';
import type { EngineOptions } from './engine.js';
import { resolveOptions } from './rule.js';

/**
 * `--print-config FILE`, as ESLint's: what applies to one file once config files and the command line are merged,
 * as JSON. Rules that do not run are left out; options are shown with their defaults filled in.
 */
export function printConfig(
  file: string,
  config: Config | null,
  engine: EngineOptions,
  discover: { extensions: string[]; include: string[]; exclude: string[] },
): string {
  const rules = Object.fromEntries(
    engine.rules.map((r) => [r.id, { level: engine.levels?.get(r.id) ?? r.meta.level, options: resolveOptions(r, engine.ruleOptions?.get(r.id)) }]),
  );
  const defines = engine.defines ?? { defined: new Map(), undefined: new Set() };
  const printed = {
    file,
    configFile: config?.file ?? null,
    rules,
    defines: Object.fromEntries([...defines.defined].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    undefines: [...defines.undefined].sort(),
    ...discover,
  };
  return `${JSON.stringify(printed, null, 2)}\n`;
}
