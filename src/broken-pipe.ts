/**
 * A reader that goes away (`vmsplice-lint src | head -1`) is not a failure of the run: like grep and ESLint,
 * the run ends quietly with the exit code it computed. Without a listener, Node turns the EPIPE into an
 * uncaught exception with a stack trace.
 * Returns the function that sets the final exit code; a write that failed otherwise makes it 2 whenever
 * the (asynchronous) error arrives.
 */
export function endQuietlyOnBrokenPipe(): (code: number) => void {
  let failed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return;
      // A full disk behind a redirect: the report is incomplete, so the run failed; said once.
      failed = true;
      process.exitCode = 2;
      if (stream !== process.stderr && process.stderr.writable) process.stderr.write(`vmsplice-lint: cannot write to stdout: ${err.code ?? err.message}\n`);
    });
  }
  return (code) => {
    process.exitCode = failed ? 2 : code;
  };
}
