// Validates a SARIF file with Microsoft's SARIF Multitool (schema, SARIF and GitHub ingestion rules) plus our own
// structural checks for what the Multitool lets through.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as Sarif from 'sarif';

// Resolved like a module, so it works from dist/test/helpers and from test/helpers alike.
const MULTITOOL = join(
  dirname(createRequire(import.meta.url).resolve('@microsoft/sarif-multitool-linux/package.json')),
  'Sarif.Multitool',
);

export interface SarifValidation {
  errors: string[];
  warnings: string[];
}

// The report stores messages as id + arguments; the rule's messageStrings hold the template.
function render(result: Sarif.Result, rules: Sarif.ReportingDescriptor[]): string {
  const rule = rules[result.ruleIndex ?? -1] ?? rules.find((r) => r.id === result.ruleId);
  const template = result.message.text ?? rule?.messageStrings?.[result.message.id ?? '']?.text;
  const args = result.message.arguments ?? [];
  const text = template?.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)] ?? '') ?? JSON.stringify(args);
  return `${result.ruleId}: ${text}`;
}

const CANARY_ID = 'validator-canary';

// The Multitool silently skips a log it cannot deserialize (an unknown enum value is enough), which would read as
// "no problems". So it validates a copy carrying a canary rule whose name equals its id, which always draws
// SARIF1001: no canary warning means the log was not analysed.
function withCanary(log: Sarif.Log): { log: Sarif.Log; canaryPath: string } | undefined {
  const driver = log.runs?.[0]?.tool?.driver;
  if (driver === undefined) return undefined;
  const rules = driver.rules ?? [];
  const canary: Sarif.ReportingDescriptor = {
    id: CANARY_ID,
    name: CANARY_ID,
    shortDescription: { text: 'Canary.' },
    fullDescription: { text: 'Canary.' },
    help: { text: 'Canary.' },
  };
  const [first, ...others] = log.runs;
  const run: Sarif.Run = { ...first!, tool: { ...first!.tool, driver: { ...driver, rules: [...rules, canary] } } };
  return { log: { ...log, runs: [run, ...others] }, canaryPath: `runs[0].tool.driver.rules[${rules.length}]` };
}

function multitool(log: Sarif.Log): SarifValidation {
  const prepared = withCanary(log);
  if (prepared === undefined) return { errors: ['runs[0].tool.driver is missing'], warnings: [] };
  const dir = mkdtempSync(join(tmpdir(), 'sarif-validate-'));
  try {
    const input = join(dir, 'input.sarif');
    const report = join(dir, 'report.sarif');
    writeFileSync(input, JSON.stringify(prepared.log));
    // No shell: the ';' in the rule kinds must reach the tool as one argument.
    const args = ['validate', input, '-o', report, '--log', 'ForceOverwrite', '--rule-kind', 'Gh;Sarif', '--max-file-size-in-kb', '512000'];
    execFileSync(MULTITOOL, args, {
      stdio: 'pipe',
      // Without ICU installed .NET aborts at start-up; invariant mode gives the same verdicts where ICU exists.
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
    });
    // The exit code is 0 even when errors are found: the verdict is in the report.
    const out: SarifValidation = { errors: [], warnings: [] };
    let canarySeen = false;
    for (const run of (JSON.parse(readFileSync(report, 'utf8')) as Sarif.Log).runs) {
      const rules = run.tool.driver.rules ?? [];
      for (const result of run.results ?? []) {
        if (result.ruleId === 'SARIF1001' && result.message.arguments?.[0] === prepared.canaryPath) {
          canarySeen = true;
          continue;
        }
        const level = result.level ?? rules[result.ruleIndex ?? -1]?.defaultConfiguration?.level ?? 'warning';
        if (level === 'error') out.errors.push(render(result, rules));
        if (level === 'warning') out.warnings.push(render(result, rules));
      }
    }
    if (!canarySeen) out.errors.push('the Multitool did not analyse the log (it skips logs it cannot deserialize)');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LEVELS = new Set(['none', 'note', 'warning', 'error']);

function checkRegion(where: string, region: Sarif.Region | undefined, errors: string[]): void {
  if (region === undefined) return;
  for (const key of ['startLine', 'startColumn', 'endLine', 'endColumn'] as const) {
    const value = region[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      errors.push(`${where}.region.${key} is ${value}, not an integer >= 1`);
    }
  }
  const { startLine, startColumn, endLine, endColumn } = region;
  if (startLine !== undefined && endLine !== undefined && endLine < startLine) {
    errors.push(`${where}.region ends before it starts`);
  }
  if (startLine === endLine && startColumn !== undefined && endColumn !== undefined && endColumn < startColumn) {
    errors.push(`${where}.region endColumn precedes startColumn`);
  }
}

function checkLocation(where: string, location: Sarif.Location, errors: string[]): void {
  const artifact = location.physicalLocation?.artifactLocation;
  if (artifact?.uri !== undefined) {
    if (artifact.uriBaseId !== undefined && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(artifact.uri)) {
      errors.push(`${where}: uriBaseId given with the absolute uri '${artifact.uri}'`);
    }
    if (artifact.uri.split('/').includes('..')) errors.push(`${where}: uri '${artifact.uri}' has a '..' segment`);
  }
  checkRegion(`${where}.physicalLocation`, location.physicalLocation?.region, errors);
}

function checkRule(where: string, rule: Sarif.ReportingDescriptor, errors: string[]): void {
  const level = rule.defaultConfiguration?.level;
  if (level !== undefined && !LEVELS.has(level)) errors.push(`${where}: invalid default level '${level}'`);
  const texts = { shortDescription: rule.shortDescription?.text, fullDescription: rule.fullDescription?.text };
  for (const [field, text] of Object.entries(texts)) {
    if (!text) errors.push(`${where}: ${field}.text is missing or empty`);
    else if (text.length > 1024) errors.push(`${where}: ${field}.text is longer than 1024 characters`);
  }
  if (!rule.help?.text) errors.push(`${where}: help.text is missing or empty`);
  const props = rule.properties ?? {};
  const severity = props['security-severity'];
  if (severity !== undefined) {
    // GitHub rejects a JSON number and a non-numeric string alike.
    const value = typeof severity === 'string' && /^\d+(\.\d+)?$/.test(severity) ? Number(severity) : NaN;
    if (!(value > 0 && value <= 10)) {
      errors.push(`${where}: security-severity ${JSON.stringify(severity)} is not a numeric string in (0, 10]`);
    }
    if (!props.tags?.includes('security')) errors.push(`${where}: security-severity without the 'security' tag`);
  }
  if ((props.tags?.length ?? 0) > 20) errors.push(`${where}: more than 20 tags`);
}

function checkResult(where: string, result: Sarif.Result, rules: Sarif.ReportingDescriptor[], errors: string[]): void {
  if (result.level !== undefined && !LEVELS.has(result.level)) errors.push(`${where}: invalid level '${result.level}'`);
  if (result.ruleIndex === undefined || rules[result.ruleIndex]?.id !== result.ruleId) {
    errors.push(`${where}: ruleIndex ${result.ruleIndex} does not point at rule '${result.ruleId}'`);
  }
  const text = result.message.text;
  if (!text?.endsWith('.')) errors.push(`${where}: message is not a sentence ending in a period`);
  if (!result.locations?.length) errors.push(`${where}: no location`);
  result.locations?.forEach((location, j) => checkLocation(`${where}.locations[${j}]`, location, errors));
  result.relatedLocations?.forEach((location, j) => checkLocation(`${where}.relatedLocations[${j}]`, location, errors));
  const ids = (result.relatedLocations ?? []).map((location) => location.id);
  for (const [, id] of text?.matchAll(/\]\((\d+)\)/g) ?? []) {
    if (ids.filter((candidate) => candidate === Number(id)).length !== 1) {
      errors.push(`${where}: embedded link to location ${id}, which is not exactly one related location`);
    }
  }
  if (result.partialFingerprints?.['primaryLocationLineHash'] !== undefined) {
    errors.push(`${where}: primaryLocationLineHash is upload-sarif's to compute`);
  }
}

// What the Multitool lets through (an invalid level is skipped silently) and the project's own requirements.
function structuralErrors(log: Sarif.Log): string[] {
  const errors: string[] = [];
  if (log.version !== '2.1.0') errors.push(`version is '${log.version}'`);
  if (!Array.isArray(log.runs) || log.runs.length !== 1) errors.push('a vmsplice-lint log has exactly one run');
  (Array.isArray(log.runs) ? log.runs : []).forEach((run, r) => {
    const rules = run.tool.driver.rules ?? [];
    if (!Array.isArray(run.results)) errors.push(`runs[${r}].results is missing`);
    for (const [id, base] of Object.entries(run.originalUriBaseIds ?? {})) {
      if (!/^file:\/\/\/.*\/$/.test(base.uri ?? '')) {
        errors.push(`originalUriBaseIds '${id}' is not a file:/// URI ending in '/'`);
      }
    }
    rules.forEach((rule, i) => checkRule(`runs[${r}].tool.driver.rules[${i}] '${rule.id}'`, rule, errors));
    run.results?.forEach((result, i) => checkResult(`runs[${r}].results[${i}]`, result, rules, errors));
    run.invocations?.forEach((invocation, k) => {
      invocation.toolExecutionNotifications?.forEach((n, j) => {
        const where = `runs[${r}].invocations[${k}].toolExecutionNotifications[${j}]`;
        if (n.level !== undefined && !LEVELS.has(n.level)) errors.push(`${where}: invalid level '${n.level}'`);
        n.locations?.forEach((location, l) => checkLocation(`${where}.locations[${l}]`, location, errors));
      });
    });
  });
  return errors;
}

/**
 * Errors and warnings for a SARIF file: the Multitool's error- and warning-level results (rule kinds Gh and Sarif),
 * plus our structural checks as errors. Notes are ignored.
 */
export function validateSarif(sarifPath: string): SarifValidation {
  const log = JSON.parse(readFileSync(sarifPath, 'utf8')) as Sarif.Log;
  const { errors, warnings } = multitool(log);
  return { errors: [...errors, ...structuralErrors(log)], warnings };
}

const homepage = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { homepage?: string }).homepage;

/**
 * validateSarif for the CLI's own SARIF, whose tool.driver.informationUri is package.json's homepage. That field
 * stays unset until the project has a public page (no invented URL); until then the Multitool's SARIF2005 about
 * the missing informationUri is expected, and no other warning.
 */
export function validateCliSarif(sarifPath: string): SarifValidation {
  const v = validateSarif(sarifPath);
  if (homepage !== undefined) return v;
  return { ...v, warnings: v.warnings.filter((w) => !/^SARIF2005: runs\[\d+\]\.tool\.driver: .*'informationUri'/.test(w)) };
}
