// SARIF 2.1.0 for GitHub code scanning. The choices follow the project's SARIF/GitHub checklist (sarif-github.md);
// R-numbers refer to the requirements in its section 11.

import type * as Sarif from 'sarif';
import type { Rule } from '../rule.js';
import type { Finding, Fix, Level, LintResult, Location, Notification } from '../types.js';
import { orderedFindings, orderedNotifications, sentence } from './common.js';
import { FINGERPRINT_KEY } from './fingerprint.js';
import { formatSecuritySeverity, ruleMarkdown, ruleText } from './ruledocs.js';

export interface SarifOptions {
  toolVersion: string;
  /** Absolute `file:///…/` URI of the lint root; relative result URIs resolve against it through %SRCROOT%. */
  rootUri: string;
  /** `category/run-id` as GitHub reads it; give each matrix entry or subproject its own category (R9). */
  automationId?: string;
  /** The tool's home page; validators warn without it (SARIF2005), GitHub does not use it. */
  informationUri?: string;
}

const SRCROOT = '%SRCROOT%';
// GitHub's limit for shortDescription and fullDescription.
const MAX_DESCRIPTION = 1024;

const PROBLEM_SEVERITY: Record<Level, string> = { error: 'error', warning: 'warning', note: 'recommendation' };

// GitHub rejects longer descriptions; cut at a word boundary when one is near, never inside a surrogate pair.
function clip(text: string): string {
  if (text.length <= MAX_DESCRIPTION) return text;
  let cut = text.slice(0, MAX_DESCRIPTION - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.search(/\s\S*$/);
  if (space > MAX_DESCRIPTION - 80) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}

// Rule ids are kebab-case and SARIF1001 wants a name that differs from the id: splice-f-gift -> SpliceFGift.
function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function descriptor(rule: Rule): Sarif.ReportingDescriptor {
  const { meta, docs } = rule;
  const name = pascalCase(rule.id);
  // GitHub treats security-severity as a security rating only on rules tagged `security`. It must be a string:
  // GitHub rejects a JSON number.
  const severity: Sarif.PropertyBag =
    meta.securitySeverity === undefined
      ? { 'problem.severity': PROBLEM_SEVERITY[meta.level], tags: meta.tags }
      : {
          'security-severity': formatSecuritySeverity(meta.securitySeverity),
          tags: meta.tags.includes('security') ? meta.tags : ['security', ...meta.tags],
        };
  return {
    id: rule.id,
    ...(name === rule.id ? {} : { name }),
    shortDescription: { text: clip(meta.title) },
    fullDescription: { text: clip(docs.summary) },
    help: { text: ruleText(rule), markdown: ruleMarkdown(rule) },
    defaultConfiguration: { level: meta.level, ...(meta.enabledByDefault ? {} : { enabled: false }) },
    properties: { precision: meta.precision, ...severity },
  };
}

// RFC 3986 path segments: encodeURIComponent escapes space, '#', '%', '?', ':' and non-ASCII (as UTF-8), and
// keeps only unreserved characters and a few sub-delims, all valid in a segment.
function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Root-relative paths resolve through %SRCROOT% (R2); absolute ones are outside the root and stay absolute. */
function artifactLocation(path: string): Sarif.ArtifactLocation {
  if (path.startsWith('/')) return { uri: `file://${encodeSegments(path)}` };
  const drive = /^[A-Za-z]:\//.exec(path);
  if (drive) return { uri: `file:///${drive[0]}${encodeSegments(path.slice(drive[0].length))}` };
  return { uri: encodeSegments(path), uriBaseId: SRCROOT };
}

/** SARIF §3.55: each replacement deletes a region and inserts text in its place (nothing, for a pure deletion). */
function sarifFix(fix: Fix): Sarif.Fix {
  return {
    description: { text: fix.description },
    artifactChanges: fix.changes.map((c) => ({
      artifactLocation: artifactLocation(c.path),
      replacements: c.replacements.map((r) => ({
        deletedRegion: { ...r.region },
        ...(r.text === '' ? {} : { insertedContent: { text: r.text } }),
      })),
    })),
  };
}

function physicalLocation(location: Location): Sarif.PhysicalLocation {
  const { startLine, startColumn, endLine, endColumn } = location.region;
  return {
    artifactLocation: artifactLocation(location.path),
    region: { startLine, startColumn, endLine, endColumn },
  };
}

// Link text of an embedded link must escape '\', '[' and ']' (SARIF 2.1.0 §3.11.6).
function linkText(text: string): string {
  return text.replace(/[\\[\]]/g, '\\$&');
}

/**
 * GitHub shows related locations only when the message links to them, so each one gets a trailing sentence
 * "<its message> ([path:line](id))."; the first sentence, which GitHub uses as the alert title, stays the engine's.
 */
function resultMessage(finding: Finding): string {
  const links = finding.related.map(({ location, message }, i) => {
    const line = location.region.startLine;
    const where = location.path === finding.location.path ? `line ${line}` : `${location.path}:${line}`;
    return `${sentence(message).slice(0, -1)} ([${linkText(where)}](${i + 1})).`;
  });
  return [sentence(finding.message), ...links].join(' ');
}

function toResult(finding: Finding, ruleIndex: number, withSuppressions: boolean): Sarif.Result {
  return {
    ...(withSuppressions
      ? { suppressions: finding.suppression ? [{ kind: 'inSource' as const, justification: finding.suppression.justification || undefined }] : [] }
      : {}),
    ...(finding.baselineState ? { baselineState: finding.baselineState } : {}),
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.level,
    message: { text: resultMessage(finding) },
    locations: [{ physicalLocation: physicalLocation(finding.location) }],
    ...(finding.related.length === 0
      ? {}
      : {
          relatedLocations: finding.related.map(({ location, message }, i) => ({
            id: i + 1,
            physicalLocation: physicalLocation(location),
            message: { text: sentence(message) },
          })),
        }),
    ...(finding.flow.length === 0
      ? {}
      : {
          // Thread-flow locations are inlined: GitHub rejects references to run.threadFlowLocations (GH1002).
          codeFlows: [
            {
              threadFlows: [
                {
                  locations: finding.flow.map(({ location, message }) => ({
                    location: { physicalLocation: physicalLocation(location), message: { text: sentence(message) } },
                  })),
                },
              ],
            },
          ],
        }),
    ...(finding.fixes?.length ? { fixes: finding.fixes.map(sarifFix) } : {}),
    // upload-sarif computes primaryLocationLineHash from the checked-out file; ours is for local baselines (R4).
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
  };
}

function notification(n: Notification): Sarif.Notification {
  return {
    level: n.level,
    message: { text: sentence(n.message) },
    descriptor: { id: n.kind },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(n.path), ...(n.region ? { region: { ...n.region } } : {}) } }],
  };
}

/** One complete SARIF log with one run (R9), deterministic: no timestamps, no absolute paths but the root's. */
export function toSarif(result: LintResult, rules: Rule[], opts: SarifOptions): Sarif.Log {
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  // SARIF §3.27.23: `suppressions` is present on every result of a run or on none.
  const anySuppressed = result.files.some((f) => f.findings.some((x) => x.suppression));
  const results = orderedFindings(result).map((finding) => {
    const index = ruleIndex.get(finding.ruleId);
    if (index === undefined) {
      throw new Error(`finding for rule '${finding.ruleId}', which is not among the rules given to the SARIF reporter`);
    }
    return toResult(finding, index, anySuppressed);
  });
  const notifications = orderedNotifications(result);
  const run: Sarif.Run = {
    tool: {
      driver: {
        name: 'vmsplice-lint',
        semanticVersion: opts.toolVersion,
        ...(opts.informationUri === undefined ? {} : { informationUri: opts.informationUri }),
        // Every rule, fired or not, so alerts of a rule that stopped firing close (R1).
        rules: rules.map(descriptor),
      },
    },
    ...(opts.automationId === undefined ? {} : { automationDetails: { id: opts.automationId } }),
    invocations: [
      {
        executionSuccessful: !notifications.some((n) => n.level === 'error'),
        toolExecutionNotifications: notifications.map(notification),
      },
    ],
    originalUriBaseIds: { [SRCROOT]: { uri: opts.rootUri.endsWith('/') ? opts.rootUri : `${opts.rootUri}/` } },
    columnKind: 'utf16CodeUnits',
    results,
  };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}
