import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { trackAppProcess } from './k2-app-process';
import { TEST_TOKEN } from './server';

const REPO = path.resolve(__dirname, '..', '..');

/** A sample app started under a file size limit, and its sync API's URL. */
export interface LimitedSampleApp {
  readonly child: ChildProcess;
  readonly syncUrl: string;
}

/**
 * Starts the sample app as `npm start` does, under `ulimit -f` (a file size
 * limit, in the shell's blocks: a write past it fails with EFBIG, as at a
 * file system's largest file), with `SYNC_TOKEN` {@link TEST_TOKEN} and a
 * silent log; resolves once it printed its sync API's URL. The process is
 * tracked: `killAppProcesses` (k2-app-process) stops it.
 */
export function startLimitedSampleApp(dataDir: string, blocks: number, env: Record<string, string> = {}): Promise<LimitedSampleApp> {
  const child = trackAppProcess(
    spawn('/bin/sh', ['-c', `ulimit -f ${blocks} && exec "$0" -r ts-node/register/transpile-only sample-app/server.ts`, process.execPath], {
      cwd: REPO,
      // DISABLE_V8_COMPILE_CACHE: ts-node loads TypeScript through v8-compile-cache-lib, whose cache file (~2.3 MB) is
      // written past the limit when ts-node uninstalls it; the write fails (EFBIG), the uninstall stops before it removes
      // its compile hook, and every later require goes through it: an .mjs a package exports for require ("module-sync",
      // as async-function does) is then compiled as CommonJS, and the app never starts (seen on Node 20.20).
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN, LOG_LEVEL: 'silent', DISABLE_V8_COMPILE_CACHE: '1', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  let stdout = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /^Sync API: +(http:\/\/\S+)/m.exec(stdout)?.[1];
      if (url !== undefined) resolve({ child, syncUrl: url });
    });
    child.once('exit', (code) => reject(new Error(`the sample app exited (${String(code)}) before it started: ${stdout}`)));
  });
}
