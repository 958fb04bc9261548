/**
 * Lets the command go on when the reader of `stream` went away (`status |
 * head -1`): Node reports the broken pipe (`EPIPE`) as an `error` event,
 * which, unheard, ended the command with a stack trace in the middle of its
 * work. Now what is written after that is dropped, and the command finishes
 * (a join its clean-up) and exits with its own code. Any other write error
 * is said in one line on stderr, with exit code 1.
 */
export function dropWritesOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return; // the stream is destroyed: later writes are dropped
    process.exitCode = 1;
    if (stream !== process.stderr) process.stderr.write(`express-sqlite-sync: cannot write the output: ${error.message}\n`);
  });
}
