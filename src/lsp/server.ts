import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  FileChangeType,
  DidChangeWatchedFilesNotification,
  MarkupKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Hover,
  type InitializeResult,
  type Position,
  type Range,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findRule } from '../../rules/index.js';
import { CONFIG_NAME } from '../config.js';
import { ruleMarkdown } from '../report/ruledocs.js';
import type { LintedFile } from '../engine.js';
import type { Finding } from '../types.js';
import { fixEdit, notificationDiagnostic, ruleDocUri, suppressEdit, toDiagnostic, toRange, type UriOf } from './convert.js';
import { Workspace } from './workspace.js';

const SHOW_RULE_DOCS = 'vmsplice-lint.showRuleDocs';
const PLACE_CURSOR = 'vmsplice-lint.placeCursor';
/** Typing pauses shorter than this do not trigger an analysis. */
const DEBOUNCE_MS = 150;
const SOURCE_FILE = /\.[ch]$/;

/** `vmsplice-lint --lsp`: the language server, over stdin and stdout. */
export function startLanguageServer(): void {
  const connection = createConnection(process.stdin, process.stdout);
  new Server(connection).listen();
}

function inside(p: Position, r: Range): boolean {
  const after = (a: Position, b: Position): boolean => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(p, r.start) && after(r.end, p);
}

function overlaps(a: Range, b: Range): boolean {
  return inside(a.start, b) || inside(b.start, a);
}

class Server {
  private readonly documents = new TextDocuments(TextDocument);
  private roots: string[] = [];
  private readonly workspaces: Workspace[] = [];
  /** Resolves when the first indexing is over; analyses of buffers wait for it. */
  private ready: Promise<void> = Promise.resolve();
  /** One analysis at a time, in order of arrival: the project view is shared state. */
  private queue: Promise<void> = Promise.resolve();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** What was last published per open document, to answer hovers and code actions and to skip identical re-publishes. */
  private readonly published = new Map<string, { findings: Finding[]; key: string }>();
  private canShowDocument = false;
  private canWatchFiles = false;

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    // An analysis that throws is logged; the server keeps serving the other files.
    process.on('uncaughtException', (err) => this.logError('internal error', err));
    process.on('unhandledRejection', (err) => this.logError('internal error', err));
    c.onInitialize((params): InitializeResult => {
      const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
      this.roots = folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
      this.canShowDocument = params.capabilities.window?.showDocument?.support === true;
      this.canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
      return {
        capabilities: {
          textDocumentSync: TextDocumentSyncKind.Incremental,
          hoverProvider: true,
          codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
          executeCommandProvider: { commands: [SHOW_RULE_DOCS, PLACE_CURSOR] },
        },
        serverInfo: { name: 'vmsplice-lint' },
      };
    });
    c.onInitialized(() => {
      if (this.canWatchFiles) {
        void c.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{c,h}' }, { globPattern: `**/${CONFIG_NAME}` }],
        });
      }
      this.ready = this.indexAll();
      this.enqueue(() => this.publishOpen());
    });
    this.documents.onDidChangeContent((e) => this.schedule(e.document.uri));
    this.documents.onDidClose((e) => {
      clearTimeout(this.timers.get(e.document.uri));
      this.published.delete(e.document.uri);
      void c.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
      // The buffer is gone: the file on disk is what the other files see again.
      this.enqueue(() => this.reread(e.document.uri));
    });
    c.onDidChangeWatchedFiles((params) => {
      for (const change of params.changes) {
        const file = this.pathOf(change.uri);
        if (!file) continue;
        if (path.basename(file) === CONFIG_NAME) this.enqueue(() => this.configChanged(path.dirname(file)));
        else if (SOURCE_FILE.test(file) && !this.documents.get(change.uri)) {
          this.enqueue(() => this.reread(change.uri, change.type === FileChangeType.Deleted));
        }
      }
    });
    c.onHover((params) => this.guard(() => this.hover(params.textDocument.uri, params.position), null));
    c.onCodeAction((params) => this.guard(() => this.codeActions(params.textDocument.uri, params.range), []));
    c.onExecuteCommand((params) => this.guard(() => this.execute(params.command, params.arguments ?? []), undefined));
    this.documents.listen(c);
    c.listen();
  }

  private logError(what: string, err: unknown): void {
    this.connection.console.error(`vmsplice-lint: ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }

  private guard<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (err) {
      this.logError('request failed', err);
      return fallback;
    }
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch((err) => this.logError('analysis failed', err));
  }

  private schedule(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.enqueue(() => this.analyse(uri));
      }, DEBOUNCE_MS),
    );
  }

  private pathOf(uri: string): string | null {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  }

  /** The path of an open C buffer (by language or extension); null for anything else the client opens. */
  private sourcePath(doc: TextDocument): string | null {
    const file = this.pathOf(doc.uri);
    return file && (doc.languageId === 'c' || SOURCE_FILE.test(file)) ? file : null;
  }

  /** The workspace folder of a file; a file outside every folder is analysed on its own, in its folder's config. */
  private async workspaceFor(file: string): Promise<Workspace> {
    await this.ready;
    const found = this.workspaces.filter((w) => w.contains(file)).sort((a, b) => b.root.length - a.root.length)[0];
    if (found) return found;
    const ws = new Workspace(path.dirname(file), (m) => this.connection.console.warn(`vmsplice-lint: ${m}`), false);
    this.workspaces.push(ws);
    await ws.index(() => undefined);
    return ws;
  }

  private async indexAll(): Promise<void> {
    const progress = await this.connection.window.createWorkDoneProgress();
    progress.begin('vmsplice-lint', undefined, 'indexing the workspace');
    try {
      for (const root of this.roots) {
        const ws = new Workspace(root, (m) => this.connection.console.warn(`vmsplice-lint: ${m}`));
        this.workspaces.push(ws);
        await ws.index((_, total) => progress.report(`reading ${total} files in ${path.basename(ws.root)}`));
      }
    } catch (err) {
      this.logError('indexing failed', err);
    } finally {
      progress.done();
    }
  }

  /** Re-indexes the folders a config file governs, then puts the open buffers back on top. */
  private async configChanged(dir: string): Promise<void> {
    await this.ready;
    for (const ws of this.workspaces) {
      // The config applies below its folder: to the whole workspace when it sits at or above the root.
      const governs = ws.contains(dir) || !path.relative(dir, ws.root).startsWith('..');
      if (!governs) continue;
      await ws.index(() => undefined);
      for (const doc of this.documents.all()) {
        const file = this.sourcePath(doc);
        if (file && ws.contains(file)) await ws.update(file, doc.getText());
      }
    }
    await this.publishOpen();
  }

  private async analyse(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    const file = doc && this.sourcePath(doc);
    if (!doc || !file) return;
    await (await this.workspaceFor(file)).update(file, doc.getText());
    await this.publishOpen();
  }

  private async reread(uri: string, deleted = false): Promise<void> {
    const file = this.pathOf(uri);
    if (!file) return;
    const ws = await this.workspaceFor(file);
    const text = deleted ? null : await readFile(file, 'utf8').catch(() => null);
    await ws.update(file, text);
    await this.publishOpen();
  }

  /** Lints every open buffer against the current view; publishes those whose findings changed. */
  private async publishOpen(): Promise<void> {
    await this.ready;
    for (const doc of this.documents.all()) {
      const file = this.sourcePath(doc);
      if (!file) continue;
      const ws = await this.workspaceFor(file);
      if (!ws.has(file)) await ws.update(file, doc.getText());
      let linted: LintedFile;
      try {
        linted = ws.diagnose(file);
      } catch (err) {
        this.logError(`cannot analyse '${ws.relPath(file)}'`, err);
        continue;
      }
      const { findings } = linted;
      // Problems with a place (a directive naming an unknown rule, giving no reason, suppressing nothing) show there too.
      const located = linted.notifications.flatMap((n) => notificationDiagnostic(n) ?? []);
      const key = JSON.stringify([findings, located]);
      if (this.published.get(doc.uri)?.key === key) continue;
      this.published.set(doc.uri, { findings, key });
      const uriOf = this.uriOf(ws);
      const diagnostics = [...findings.map((f) => toDiagnostic(f, uriOf)), ...located];
      await this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    }
  }

  /** Open documents keep the URI the client gave them; other files get the file URI of their path. */
  private uriOf(ws: Workspace): UriOf {
    const open = new Map<string, string>();
    for (const doc of this.documents.all()) {
      const file = this.pathOf(doc.uri);
      if (file && ws.contains(file)) open.set(ws.relPath(file), doc.uri);
    }
    return (rel) => open.get(rel) ?? pathToFileURL(path.resolve(ws.root, rel)).href;
  }

  private findingsAt(uri: string, range: Range): Finding[] {
    return (this.published.get(uri)?.findings ?? []).filter((f) => overlaps(toRange(f.location.region), range));
  }

  private hover(uri: string, position: Position): Hover | null {
    const here = this.findingsAt(uri, { start: position, end: position });
    const rules = [...new Set(here.map((f) => f.ruleId))].map((id) => findRule(id)).filter((r) => r !== undefined);
    if (!rules.length) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: rules.map((r) => ruleMarkdown(r)).join('\n---\n\n') },
      range: toRange(here[0].location.region),
    };
  }

  private codeActions(uri: string, range: Range): CodeAction[] {
    const file = this.pathOf(uri);
    const ws = file ? this.workspaces.find((w) => w.contains(file)) : undefined;
    if (!file || !ws) return [];
    const uriOf = this.uriOf(ws);
    const actions: CodeAction[] = [];
    for (const f of this.findingsAt(uri, range)) {
      const diagnostics = [toDiagnostic(f, uriOf)];
      for (const fix of f.fixes ?? []) {
        actions.push({ title: fix.description, kind: CodeActionKind.QuickFix, diagnostics, isPreferred: true, edit: fixEdit(fix, uriOf) });
      }
      const { edit, cursor } = suppressEdit(f);
      actions.push({
        title: `Suppress ${f.ruleId} on this line (with a reason)`,
        kind: CodeActionKind.QuickFix,
        diagnostics,
        edit: { changes: { [uri]: [edit] } },
        // The reason is the user's to write: the cursor goes after `-- `.
        ...(this.canShowDocument ? { command: { title: 'Place the cursor', command: PLACE_CURSOR, arguments: [uri, cursor] } } : {}),
      });
      actions.push({
        title: `Show documentation for ${f.ruleId}`,
        kind: CodeActionKind.Empty,
        diagnostics,
        command: { title: `Show documentation for ${f.ruleId}`, command: SHOW_RULE_DOCS, arguments: [f.ruleId] },
      });
    }
    return actions;
  }

  private execute(command: string, args: unknown[]): void {
    if (command === PLACE_CURSOR) {
      const [uri, at] = args as [string, Position];
      void this.connection.window.showDocument({ uri, takeFocus: true, selection: { start: at, end: at } });
      return;
    }
    if (command === SHOW_RULE_DOCS) {
      const id = String(args[0]);
      const rule = findRule(id);
      const doc = ruleDocUri(id);
      if (this.canShowDocument && doc) void this.connection.window.showDocument({ uri: doc, takeFocus: true });
      else if (rule) void this.connection.window.showInformationMessage(ruleMarkdown(rule));
    }
  }
}
