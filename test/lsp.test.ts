import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  FileChangeType,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowDocumentRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgressCreateRequest,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
  type ProtocolConnection,
  type ShowDocumentParams,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { repoRoot } from '../src/docs.js';

/**
 * Drives `vmsplice-lint --lsp` over stdio with the protocol library editors'
 * clients are built on, through one editing session of a two-file project
 * (a wrapper in one file, its caller in another).
 */

const fixture = path.join(repoRoot, 'fixtures/cross-file/lsp-wrapper');
const work = mkdtempSync(path.join(tmpdir(), 'vmsplice-lint-lsp-'));
after(() => rmSync(work, { recursive: true, force: true }));
cpSync(fixture, work, { recursive: true });
const producer = path.join(work, 'src/producer.c');
const pages = path.join(work, 'src/pages.c');
const uri = (file: string): string => pathToFileURL(file).href;

interface Session {
  conn: ProtocolConnection;
  diagnostics: Map<string, Diagnostic[]>;
  logs: string[];
  progress: unknown[];
  shown: ShowDocumentParams[];
  errors: unknown[];
  /** Resolves with the process's exit code. */
  exited: Promise<number | null>;
  /** Waits until the latest diagnostics of `file` satisfy `ok`. */
  until(file: string, ok: (d: Diagnostic[]) => boolean, what: string): Promise<Diagnostic[]>;
}

function startServer(): Session {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/src/cli.js'), '--lsp'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics = new Map<string, Diagnostic[]>();
  const logs: string[] = [];
  const progress: unknown[] = [];
  const errors: unknown[] = [];
  const shown: ShowDocumentParams[] = [];
  const waiters = new Set<() => void>();
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.set(p.uri, p.diagnostics);
    for (const w of waiters) w();
  });
  conn.onNotification(LogMessageNotification.type, (p) => {
    logs.push(p.message);
  });
  conn.onNotification('$/progress', (p) => {
    progress.push(p);
  });
  conn.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  conn.onRequest(RegistrationRequest.type, () => undefined);
  conn.onRequest(ShowDocumentRequest.type, (p) => {
    shown.push(p);
    return { success: true };
  });
  conn.onError((e) => {
    errors.push(e);
  });
  conn.listen();
  const until = (file: string, ok: (d: Diagnostic[]) => boolean, what: string): Promise<Diagnostic[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const d = diagnostics.get(uri(file));
        if (d && ok(d)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(d);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; last: ${JSON.stringify(diagnostics.get(uri(file)))}; log: ${logs.join(' | ')}`));
      }, 20_000);
      waiters.add(check);
      check();
    });
  return { conn, diagnostics, logs, progress, shown, errors, exited, until };
}

const gift = (d: Diagnostic[]): Diagnostic | undefined => d.find((x) => x.code === 'splice-f-gift');

test('an editing session: cross-file diagnostics, hover, quick fix, suppression, config changes, clean exit', { timeout: 90_000 }, async () => {
  const s = startServer();
  const { conn } = s;
  const init = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: uri(work),
    workspaceFolders: [{ uri: uri(work), name: 'lsp-wrapper' }],
    capabilities: {
      window: { workDoneProgress: true, showDocument: { support: true } },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
      textDocument: { publishDiagnostics: { relatedInformation: true } },
    },
  });
  assert.equal(init.serverInfo?.name, 'vmsplice-lint');
  assert.equal(init.capabilities.hoverProvider, true);
  await conn.sendNotification(InitializedNotification.type, {});

  const original = readFileSync(producer, 'utf8');
  await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri(producer), languageId: 'c', version: 1, text: original } });
  const first = gift(await s.until(producer, (d) => gift(d) !== undefined, 'the splice-f-gift diagnostic'))!;
  // The wrapper is defined in pages.c, which was never opened: the index of the workspace supplied it.
  assert.equal(first.range.start.line, 8);
  assert.equal(first.severity, 2);
  assert.equal(first.source, 'vmsplice-lint');
  assert.match(String(first.message), /wrapper 'push_pages'/);
  assert.deepEqual(first.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [[uri(pages), 7]]);
  assert.equal(first.codeDescription?.href, pathToFileURL(path.join(repoRoot, 'rules/splice-f-gift.md')).href);
  const kinds = s.progress.map((p) => (p as { value: { kind: string } }).value.kind);
  assert.deepEqual([kinds[0], kinds[kinds.length - 1]], ['begin', 'end'], 'indexing reports work-done progress');

  const hover = await conn.sendRequest(HoverRequest.type, { textDocument: { uri: uri(producer) }, position: { line: 8, character: 14 } });
  const hoverText = (hover?.contents as MarkupContent).value;
  assert.match(hoverText, /^# `splice-f-gift`: SPLICE_F_GIFT used/);
  assert.match(hoverText, /## Fixes/);

  const actions = (await conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: uri(producer) },
    range: first.range,
    context: { diagnostics: [first] },
  })) as CodeAction[];
  const titles = actions.map((a) => a.title);
  assert.deepEqual(titles, [
    "Remove 'SPLICE_F_GIFT' from the flags.",
    'Suppress splice-f-gift on this line (with a reason)',
    'Show documentation for splice-f-gift',
  ]);
  const doc = TextDocument.create(uri(producer), 'c', 1, original);
  const fixed = TextDocument.applyEdits(doc, actions[0].edit!.changes![uri(producer)]!);
  assert.ok(fixed.includes('    return push_pages(fd, v, SPLICE_F_NONBLOCK);  // expect:'), fixed);
  const suppressed = TextDocument.applyEdits(doc, actions[1].edit!.changes![uri(producer)]!).split('\n');
  assert.equal(suppressed[8], '    // vmsplice-lint-disable-next-line splice-f-gift -- ');
  const cursor = { line: 8, character: suppressed[8].length };
  assert.deepEqual(actions[1].command?.arguments, [uri(producer), cursor]);
  // The commands: the cursor goes after `-- `, the documentation opens as the rule's page.
  for (const a of actions.slice(1)) await conn.sendRequest(ExecuteCommandRequest.type, { command: a.command!.command, arguments: a.command!.arguments });
  assert.deepEqual(s.shown, [
    { uri: uri(producer), takeFocus: true, selection: { start: cursor, end: cursor } },
    { uri: first.codeDescription?.href, takeFocus: true },
  ]);

  // Editing the buffer: the fix applied, the finding goes away.
  await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri(producer), version: 2 }, contentChanges: [{ text: fixed }] });
  await s.until(producer, (d) => d.length === 0, 'the diagnostic to disappear after the fix');

  // A directive problem is a diagnostic at the directive, where the CLI's text output points (path:line:col).
  const directive = '    // vmsplice-lint-disable-next-line splice-f-gif -- reviewed';
  const misspelt = original.replace('    return push_pages(', `${directive}\n    return push_pages(`);
  await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri(producer), version: 3 }, contentChanges: [{ text: misspelt }] });
  const withDirective = await s.until(producer, (d) => d.some((x) => x.code === 'directive'), 'the directive problem');
  const problem = withDirective.find((x) => x.code === 'directive')!;
  assert.deepEqual(problem.range, { start: { line: 8, character: 7 }, end: { line: 8, character: directive.length } });
  assert.equal(problem.severity, 1);
  assert.match(String(problem.message), /unknown rule 'splice-f-gif' and is ignored.*splice-f-gift/);
  assert.equal(gift(withDirective)?.range.start.line, 9, 'the misspelt directive silences nothing');

  // The flag back, then the config raises the rule to an error: picked up from the watched file.
  await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri(producer), version: 4 }, contentChanges: [{ text: original }] });
  await s.until(producer, (d) => gift(d)?.severity === 2, 'the diagnostic to come back');
  writeFileSync(path.join(work, '.vmsplice-lint.json'), JSON.stringify({ rules: { 'splice-f-gift': 'error' } }));
  await conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(path.join(work, '.vmsplice-lint.json')), type: FileChangeType.Created }] });
  await s.until(producer, (d) => gift(d)?.severity === 1, 'the error level from the config');
  // A broken config (half typed) is reported to the client's log, once, and the defaults apply meanwhile.
  writeFileSync(path.join(work, '.vmsplice-lint.json'), '{ "rules": { "splice-f-gift": "err');
  await conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(path.join(work, '.vmsplice-lint.json')), type: FileChangeType.Changed }] });
  await s.until(producer, (d) => gift(d)?.severity === 2, 'the default level while the config is broken');
  assert.equal(s.logs.filter((l) => l.includes("cannot read config '") && l.includes('using the default rules')).length, 1, s.logs.join('\n'));

  // The wrapper's file changes (it stops passing its flags on): the caller's diagnostic goes, without touching the caller.
  const wrapper = readFileSync(pages, 'utf8');
  await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri(pages), languageId: 'c', version: 1, text: wrapper } });
  await conn.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri: uri(pages), version: 2 },
    contentChanges: [{ text: wrapper.replace('vmsplice(fd, v, 1, flags)', 'vmsplice(fd, v, 1, 0)') }],
  });
  await s.until(producer, (d) => d.length === 0, "the caller's diagnostic to go when the wrapper changes");
  // Closing the wrapper's buffer: the file on disk counts again, and so does a change to it on disk.
  await conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uri(pages) } });
  await s.until(producer, (d) => gift(d) !== undefined, 'the diagnostic back once the edited wrapper buffer is closed');
  writeFileSync(pages, wrapper.replace('vmsplice(fd, v, 1, flags)', 'vmsplice(fd, v, 1, flags & ~SPLICE_F_GIFT)'));
  await conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(pages), type: FileChangeType.Changed }] });
  await s.until(producer, (d) => d.length === 0, 'the diagnostic to go after the wrapper changed on disk');

  await conn.sendRequest(ShutdownRequest.type);
  await conn.sendNotification(ExitNotification.type);
  assert.equal(await s.exited, 0);
  assert.deepEqual(s.errors, [], 'nothing but protocol messages on stdout');
  conn.dispose();
});
