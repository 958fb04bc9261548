import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Runs `join --json` under `ulimit -f blocks` (512-byte blocks: a write past it fails with EFBIG, as on a full disk); never rejects. */
async function joinUnderLimit(blocks: number, url: string, db: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `ulimit -f ${blocks} && exec "$0" "$@"`;
  try {
    const { stdout, stderr } = await run('/bin/sh', ['-c', script, process.execPath, CLI, 'join', '--from', url, '--db', db, '--token', TEST_TOKEN, '--json'], { env: { ...process.env, SYNC_TOKEN: '' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * A join whose disk fills up (here: a file size limit, `ulimit -f`, which SQLite meets as it
 * meets a full disk) after the free space was checked. During the download, the last write
 * wrote only its first bytes and succeeded: the file was shorter than the bytes hashed, passed
 * the SHA-256 check and integrity_check, and failed later as SQLite's SQLITE_IOERR_WRITE (see
 * `writeAll`). Once downloaded, giving the copy its new site id grows the file: the CLI printed
 * SQLite's bare words, "disk I/O error" ("database or disk is full" on a full disk), naming
 * neither the file nor what to do. Both are now SNAPSHOT_NO_SPACE (507), naming the folder and
 * the fix, with exit code 1, and nothing is left: no temp snapshot, no half database, no
 * folder the join made.
 */
describe('join on a disk that fills up', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let server: TestServer;
  let url: string;
  beforeEach(async () => {
    temp = tempDir('ess-ah4-join-full-');
    data = tempDb(TEST_SCHEMA);
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots: makeRoots(path.join(temp.dir, 'roots')) });
    // Rows of a third server too: the sender's own then move to site number 2, one byte more per clock row, so the copy grows.
    const third = tempDb(TEST_SCHEMA);
    try {
      const tracker = enableCapture(third.db, { tables: TABLES });
      addTeams(third.db, 2000, 'c');
      for (let since = 0; ; ) {
        const page = tracker.readChanges(since, 500);
        node.tracker?.applyChangeset(page);
        if (page.more !== true || page.next === undefined) break;
        since = page.next;
      }
    } finally {
      third.cleanup();
    }
    addTeams(data.db, 3000, 'a');
    server = await startServer(express().use('/api/sync', node.router));
    url = `${server.url}/api/sync`;
  });
  afterEach(async () => {
    await server.close();
    data.cleanup();
    temp.cleanup();
  });

  async function snapshotBytes(): Promise<number> {
    const answer = await fetch(`${url}/data/snapshot`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    await answer.arrayBuffer();
    expect(answer.status).toBe(200);
    return Number(answer.headers.get('x-snapshot-bytes'));
  }

  it.each([
    // The limit falls in the last write: its first bytes are written, the last 512 are not, and no write comes after it.
    ['during the download, in its last write', (bytes: number) => bytes / 512 - 1],
    ['during the download, half-way', (bytes: number) => Math.floor(bytes / 1024)],
    ['after the download, as the copy takes its new site id', (bytes: number) => bytes / 512],
  ])('%s: SNAPSHOT_NO_SPACE naming the folder and the fix, and nothing left', async (_when, blocksFor) => {
    const bytes = await snapshotBytes();
    expect(bytes % 4096).toBe(0); // whole pages: the download alone fits a limit of bytes / 512 blocks, and its last write brings a page
    const folder = path.join(temp.dir, 'new');
    const joined = await joinUnderLimit(blocksFor(bytes), url, path.join(folder, 'app.db'));
    expect(joined.code).toBe(1);
    const failure = (JSON.parse(joined.stdout) as { error: { code: string; message: string } }).error;
    expect(failure.code).toBe('SNAPSHOT_NO_SPACE');
    expect(failure.message).toContain(`the disk of ${folder} is full`);
    expect(failure.message).toMatch(/free space there \(df -h .*\), raise the file size limit \(ulimit -f\)/);
    expect(failure.message).toMatch(/nothing was kept$/);
    expect(existsSync(folder)).toBe(false);
    expect(readdirSync(temp.dir).sort()).toEqual(['roots']);
  });
});
