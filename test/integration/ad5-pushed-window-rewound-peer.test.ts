import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { createSyncNode } from '../../index';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { tableRows } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { joinServersPerTest } from '../helpers/join-servers';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/**
 * C's database put back from an older copy (`cp backup.db app.db` with C stopped, taken after
 * B's pull of a round and before its push: no served mark or peer view passed that point, so
 * nothing tells it went back, and it keeps its id) holds a pull cursor of B from before the
 * push, and none of its rows: its next pull from that cursor must bring them. Found by review
 * ad5 of e558a39 (reverted), which counted the seqs of a page pushed to C and applied as held
 * by C for as long as B ran, and left them out of C's pulls: 0 rows pulled, 10 missing for good.
 */
describe('ad5: windows of pages pushed to a peer whose database went back', () => {
  const servers = joinServersPerTest('ess-ad5-rewound-');

  it('a peer put back from an older copy still receives what the pushes it lost carried', async () => {
    const temp = tempDir('ess-ad5-backup-');
    servers.beforeClose(() => temp.cleanup());
    const backup = path.join(temp.dir, 'backup.db');
    let backUp = false;
    /** C's operator takes a backup just as B's second push reaches C: after B's pull of that round, before the push. */
    const backupBeforePush: express.RequestHandler = (req, _res, next) => {
      if (req.method !== 'POST' || !backUp) return next();
      backUp = false;
      c.data.db.backup(backup).then(() => next(), next);
    };
    const c = await servers.start('c', { before: [['/data/changes', backupBeforePush]] });
    const b = await servers.start('b');
    const bClient = new SyncClient({ logger: silentLogger, peers: [c.syncUrl], token: TEST_TOKEN, data: b.node.tracker, joinBySnapshot: false });
    servers.beforeClose(() => bClient.stop());

    addTeams(b.data.db, 10, 'first');
    expect(await bClient.syncPeer(c.syncUrl)).toMatchObject({ ok: true, rowsPushed: 10 });

    addTeams(b.data.db, 10, 'second');
    backUp = true;
    expect(await bClient.syncPeer(c.syncUrl)).toMatchObject({ ok: true, rowsPushed: 10 });
    expect(tableRows(c.data.db, 'teams')).toHaveLength(20);

    // C stops, and its file is put back from the backup (the same file: `cp backup.db app.db`).
    await c.node.stop();
    c.data.db.close();
    copyFileSync(backup, c.data.file);
    rmSync(`${c.data.file}-wal`, { force: true });
    rmSync(`${c.data.file}-shm`, { force: true });
    const db = new Database(c.data.file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    servers.beforeClose(() => db.close());
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: TABLES, roots: makeRoots(path.join(temp.dir, 'roots')) });
    servers.beforeClose(() => node.stop());
    const http = await startServer(express().use('/api/sync', node.router));
    servers.beforeClose(() => http.close());
    expect(tableRows(db, 'teams')).toHaveLength(10);
    expect(node.tracker?.siteId).toMatch(/^[0-9a-f]{32}$/);
    expect(node.tracker?.siteId).toBe(c.node.tracker?.siteId); // nothing told it went back: it kept its id

    const cClient = new SyncClient({ logger: silentLogger, peers: [b.syncUrl], token: TEST_TOKEN, data: node.tracker, joinBySnapshot: false });
    servers.beforeClose(() => cClient.stop());
    // C's round: its pull starts at its cursor of B, from before B's second push.
    expect(await cClient.syncPeer(b.syncUrl)).toMatchObject({ ok: true, rowsPulled: 10 }); // before the fix: 0
    expect(await cClient.syncPeer(b.syncUrl)).toMatchObject({ ok: true, rowsPulled: 0 });
    expect(tableRows(db, 'teams')).toEqual(tableRows(b.data.db, 'teams'));
  });
});
