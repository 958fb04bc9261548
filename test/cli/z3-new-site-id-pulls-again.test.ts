import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { giveNewSiteIdToFile } from '../../lib/data/site-identity';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');
const SCHEMA = 'CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY NOT NULL, note TEXT)';

/**
 * docs/API.md: `new-site-id` "pulls every peer from the start again, getting back what it passed over as its
 * own under the shared id", as `giveNewSiteId` does by default ("as `new-site-id` does"). The command passed
 * `pullAgain: false`, so its pull cursors stayed where the shared id had left them, and the rows a copy had
 * passed over as its own never came back.
 */
describe('express-sqlite-sync new-site-id pulls every peer from the start again', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  /** A database that has pulled a peer's rows (its pull cursor for that peer past 0); returns the peer's site id. */
  function pulledFromPeer(file: string): string {
    const peerDb = new Database(`${file}.peer`);
    const db = new Database(file);
    try {
      peerDb.exec(SCHEMA);
      db.exec(SCHEMA);
      const peer = enableCapture(peerDb, { tables: ['items'] });
      const tracker = enableCapture(db, { tables: ['items'] });
      peerDb.prepare("INSERT INTO items VALUES ('p1', 'from the peer')").run();
      tracker.applyChangeset(peer.readChanges(0, 1000, tracker.siteId));
      expect(tracker.pullCursor(peer.siteId)).toBeGreaterThan(0);
      return peer.siteId;
    } finally {
      db.close();
      peerDb.close();
    }
  }

  function pullCursorAfter(file: string, peerSite: string): number {
    const db = new Database(file);
    try {
      return enableCapture(db, { tables: ['items'] }).pullCursor(peerSite);
    } finally {
      db.close();
    }
  }

  it('resets the pull cursors, as giveNewSiteIdToFile does', async () => {
    const viaCli = path.join(temp.dir, 'cli.db');
    const peerSite = pulledFromPeer(viaCli);
    const { stdout } = await run(process.execPath, [CLI, 'new-site-id', '--db', viaCli, '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ db: viaCli });
    expect(pullCursorAfter(viaCli, peerSite)).toBe(0);

    const viaLibrary = path.join(temp.dir, 'library.db');
    const otherPeer = pulledFromPeer(viaLibrary);
    giveNewSiteIdToFile(viaLibrary);
    expect(pullCursorAfter(viaLibrary, otherPeer)).toBe(0);
  });

  it('giveNewSiteIdToFile answers as the command does for an empty path (TARGET_INVALID) and a folder (NOT_A_DATABASE)', () => {
    expect(() => giveNewSiteIdToFile('')).toThrow(expect.objectContaining({ code: 'TARGET_INVALID', status: 400 }));
    const folder = path.join(temp.dir, 'a-folder');
    mkdirSync(folder);
    expect(() => giveNewSiteIdToFile(folder)).toThrow(expect.objectContaining({ code: 'NOT_A_DATABASE', status: 400, message: `${folder} is a folder, not a database file` }));
  });
});
