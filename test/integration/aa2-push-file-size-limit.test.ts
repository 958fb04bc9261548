import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import express from 'express';
import { createSyncRouter } from '../../node/create-sync-router';
import { openSampleDatabase } from '../../sample-app/database';
import { SCOUTING_TABLES } from '../../sample-app/scouting-schema';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { startLimitedSampleApp } from '../helpers/limited-sample-app';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A server whose database file meets a file size limit (`ulimit -f`, or a file
 * system's largest file: 4 GiB on FAT32) while it applies a push. write(2)
 * fails with EFBIG, which SQLite reports as SQLITE_IOERR_WRITE ("disk I/O
 * error"), not SQLITE_FULL: the push was 500 "internal error", so the pushing
 * peer's operator read only that, round after round. Now it is 507
 * INSUFFICIENT_STORAGE as for a full disk, and nothing of the page is applied.
 */
describe('a sample app whose database meets a file size limit (ulimit -f)', () => {
  let temp: ReturnType<typeof tempDir>;
  let sender: Database.Database;
  let tracker: ChangeTracker;
  beforeEach(() => {
    temp = tempDir('ess-aa2-ulimit-');
    mkdirSync(path.join(temp.dir, 'sender', 'instance'), { recursive: true });
    sender = openSampleDatabase(path.join(temp.dir, 'sender')); // the sample app's schema, so its pages fit
    tracker = enableCapture(sender, { tables: [...SCOUTING_TABLES] });
    const insert = sender.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
    sender.transaction(() => {
      for (let index = 0; index < 8000; index += 1) insert.run(randomUUID(), index + 1, `team ${index} ${'x'.repeat(600)}`);
    })();
  });
  afterEach(async () => {
    await killAppProcesses();
    try {
      sender.close();
    } finally {
      temp.cleanup(); // also when beforeEach failed before the sender was opened
    }
  });

  // The other way: the limited server pulls. Its log and /status said "disk I/O error"
  // (SQLite's words), which did not say whose disk; now they say it is this server's database.
  it('pulling into it: its status says its own database cannot grow, and names the file size limit', async () => {
    const server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, database: sender, tables: [...SCOUTING_TABLES] })));
    try {
      const { syncUrl } = await startLimitedSampleApp(path.join(temp.dir, 'data'), 6000, { SYNC_PEERS: `${server.url}/api/sync`, SYNC_INTERVAL_MS: '1000' });
      let peer: { lastErrorCode?: string | null; lastError?: string | null } | undefined;
      for (let tries = 0; tries < 300 && typeof peer?.lastErrorCode !== 'string'; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        peer = ((await (await fetch(`${syncUrl}/status`, { headers: AUTH })).json()) as { peers: (typeof peer)[] }).peers[0];
      }
      expect(peer?.lastErrorCode).toBe('SQLITE_IOERR_WRITE');
      expect(peer?.lastError).toMatch(/this server's own database cannot grow .*file size limit.*nothing of this page was applied/);
    } finally {
      await killAppProcesses();
      await server.close();
    }
  }, APP_PROCESS_TIMEOUT_MS);

  it('is 507 INSUFFICIENT_STORAGE naming the cause, and the page is applied whole or not at all', async () => {
    const { syncUrl } = await startLimitedSampleApp(path.join(temp.dir, 'data'), 6000);
    const answers: { status: number; body: { error?: { code: string; message: string }; applied?: number } }[] = [];
    let applied = 0;
    for (let since = 0, more = true; more; ) {
      const page = tracker.readCompactChanges(since, 1000);
      const response = await fetch(`${syncUrl}/data/changes`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(page) });
      const answer = { status: response.status, body: (await response.json()) as (typeof answers)[number]['body'] };
      answers.push(answer);
      if (answer.status !== 200) break;
      applied += answer.body.applied ?? 0;
      since = page.next ?? since;
      more = page.more === true;
    }
    const last = answers[answers.length - 1];
    expect(last?.status).toBe(507);
    expect(last?.body.error).toEqual({ code: 'INSUFFICIENT_STORAGE', message: expect.stringMatching(/cannot grow.*file size limit/) as unknown });
    const teams = (await (await fetch(syncUrl.replace(/\/sync$/, '/teams'))).json()) as unknown[];
    expect(teams).toHaveLength(applied); // the refused page left nothing behind
  }, APP_PROCESS_TIMEOUT_MS);
});
