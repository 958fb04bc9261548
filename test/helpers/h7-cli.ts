import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The built command-line tool (`npm run build` first). */
export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** What one run of the CLI gave. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI run that outlives this is killed (a hung run must fail its test, not keep jest from exiting). */
const CLI_RUN_BOUND_MS = 120_000;

/** Runs the built CLI with `env` added to a clean `SYNC_TOKEN` and `SYNC_PEER_CA`, in `cwd` when given; never rejects (a run killed at the bound gives code -1 and says so on stderr). */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, cwd?: string): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, SYNC_TOKEN: '', SYNC_PEER_CA: '', ...env },
      timeout: CLI_RUN_BOUND_MS,
      killSignal: 'SIGKILL',
      ...(cwd === undefined ? {} : { cwd }),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number | null; killed?: boolean; stdout: string; stderr: string };
    if (failed.code === null || failed.killed === true) return { code: -1, stdout: failed.stdout, stderr: `${failed.stderr}\n[killed after ${CLI_RUN_BOUND_MS} ms]` };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A plain HTTP server on 127.0.0.1 port 0 that records the headers of every request it gets. */
export interface RecordingServer {
  readonly url: string;
  readonly requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** Starts a {@link RecordingServer} answering with `handler`. */
export async function recordingServer(handler: RequestListener): Promise<RecordingServer> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
