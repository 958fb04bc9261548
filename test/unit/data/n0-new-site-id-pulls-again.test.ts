import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { fileIdentity, recordFileIdentity } from '../../../lib/data/file-identity';
import { giveNewSiteId, giveNewSiteIdToFile } from '../../../lib/data/site-identity';
import { pullAll } from '../../helpers/data';

/**
 * A copy the start check cannot tell from its original (a block-level snapshot of a VM or a disk copies the
 * file's birth time with it) started as a new server in a chain, D – A – B – C, where no server talks to
 * both copies: the copy passes the original's rows over as its own, and its pull cursors move past them.
 * Once it takes a new site id (`express-sqlite-sync new-site-id`), it must pull them back.
 */
describe('a new site id pulls every peer from the start again', () => {
  const SCHEMA = 'CREATE TABLE items (id TEXT PRIMARY KEY NOT NULL, note TEXT)';
  let dir: string;
  const open: { db: Database.Database; tracker: ChangeTracker }[] = [];

  function start(file: string, asCopyItCannotTell = false): { db: Database.Database; tracker: ChangeTracker } {
    const db = new Database(path.join(dir, file));
    db.exec(`${SCHEMA.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS')}`);
    if (asCopyItCannotTell) recordFileIdentity(db, fileIdentity(db));
    const server = { db, tracker: enableCapture(db, { tables: ['items'] }) };
    open.push(server);
    return server;
  }

  function stop(server: { db: Database.Database }): void {
    server.db.close();
    open.splice(open.findIndex((entry) => entry.db === server.db), 1);
  }

  function rows(server: { db: Database.Database }): string[] {
    return server.db.prepare("SELECT id || ':' || note FROM items ORDER BY id").pluck().all() as string[];
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ess-n0-reid-'));
  });

  afterEach(() => {
    for (const server of open.splice(0)) server.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('so a copy that shared an id in a chain ends with its original’s rows, and the original with its', () => {
    const original = start('c.db');
    original.db.prepare("INSERT INTO items VALUES ('shared', 'before the copy')").run();
    stop(original);
    copyFileSync(path.join(dir, 'c.db'), path.join(dir, 'd.db'));
    let c = start('c.db');
    let d = start('d.db', true);
    expect(d.tracker.siteId).toBe(c.tracker.siteId); // the start check could not tell: one id, two servers
    const a = start('a.db');
    const b = start('b.db');
    c.db.prepare("INSERT INTO items VALUES ('on-c', 'written on C')").run();
    d.db.prepare("INSERT INTO items VALUES ('on-d', 'written on D')").run();
    const rounds = (): void => {
      for (let round = 0; round < 3; round += 1) {
        for (const [x, y] of [[d, a], [a, b], [b, c]] as const) {
          pullAll(x.tracker, y.tracker);
          pullAll(y.tracker, x.tracker);
        }
      }
    };
    rounds();
    // Each copy passed the other's row over as its own (the fault this test is about), and its cursor moved past it.
    expect(rows(a)).toEqual(['on-c:written on C', 'on-d:written on D', 'shared:before the copy']);
    expect(rows(d)).toEqual(['on-d:written on D', 'shared:before the copy']);
    expect(rows(c)).toEqual(['on-c:written on C', 'shared:before the copy']);

    // The documented fix: stop D, give it a new site id, start it again.
    stop(d);
    const { previous, current } = giveNewSiteIdToFile(path.join(dir, 'd.db'));
    expect(previous).toBe(c.tracker.siteId);
    d = start('d.db');
    expect(d.tracker.siteId).toBe(current);
    expect(d.tracker.pullCursor(a.tracker.siteId)).toBe(0);
    rounds();
    const everything = ['on-c:written on C', 'on-d:written on D', 'shared:before the copy'];
    for (const server of [a, b, c, d]) expect(rows(server)).toEqual(everything);

    // Restarted, nothing moves any more and nothing is lost.
    stop(c);
    c = start('c.db');
    rounds();
    for (const server of [a, b, c, d]) expect(rows(server)).toEqual(everything);
  });
  /** One round both ways on each link, as the handshake does it: the asker shows what it holds of the peer, which checks its own history, then pulls. */
  function handshakeRounds(links: readonly (readonly [{ tracker: ChangeTracker }, { tracker: ChangeTracker }])[], rounds = 3): (string | undefined)[] {
    const faults: (string | undefined)[] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const [x, y] of links) {
        for (const [asker, peer] of [[x, y], [y, x]] as const) {
          faults.push(peer.tracker.checkOwnHistory(asker.tracker.peerView(peer.tracker.siteId))?.code);
          pullAll(peer.tracker, asker.tracker);
        }
      }
    }
    return faults;
  }

  it('keeps what the cursors said as its view of each peer: a peer rewound meanwhile still finds out, and gets back what it lost', () => {
    let a = start('a.db');
    let b = start('b.db');
    b.db.prepare("INSERT INTO items VALUES ('b1', 'kept')").run();
    handshakeRounds([[a, b]], 1);
    stop(b);
    const file = path.join(dir, 'b.db');
    copyFileSync(file, path.join(dir, 'b.bak'));
    const marked = existsSync(`${file}-syncmark`);
    if (marked) copyFileSync(`${file}-syncmark`, path.join(dir, 'b.mark.bak'));
    b = start('b.db');
    b.db.prepare("INSERT INTO items VALUES ('b2', 'written after the backup')").run();
    handshakeRounds([[a, b]], 1);
    expect(rows(a)).toEqual(['b1:kept', 'b2:written after the backup']);
    // B is put back from the backup with its mark file (a VM snapshot): its start check cannot see it.
    stop(b);
    copyFileSync(path.join(dir, 'b.bak'), file);
    if (marked) copyFileSync(path.join(dir, 'b.mark.bak'), `${file}-syncmark`);
    b = start('b.db');
    expect(b.tracker.identityChangedAtStart).toBeUndefined();
    b.db.prepare("INSERT INTO items VALUES ('b3', 'written after the rewind')").run();
    // Before B is heard from again, A takes a new id (an operator's new-site-id).
    stop(a);
    giveNewSiteIdToFile(path.join(dir, 'a.db'));
    a = start('a.db');
    const faults = handshakeRounds([[a, b]]);
    expect(faults.filter((code) => code !== undefined)).toEqual(['SITE_CLONED']);
    const everything = ['b1:kept', 'b2:written after the backup', 'b3:written after the rewind'];
    expect(rows(a)).toEqual(everything);
    expect(rows(b)).toEqual(everything);
  });

  it('pulls again only when asked: a rewind or a restore (pullAgain false) keeps its cursors; an unknown option is a TypeError', () => {
    const a = start('a.db');
    const b = start('b.db');
    b.db.prepare("INSERT INTO items VALUES ('b1', 'kept')").run();
    pullAll(b.tracker, a.tracker);
    const cursor = a.tracker.pullCursor(b.tracker.siteId);
    expect(cursor).toBeGreaterThan(0);
    stop(a);
    const again = new Database(path.join(dir, 'a.db'));
    try {
      giveNewSiteId(again, { pullAgain: false });
      expect(again.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck().get(b.tracker.siteId)).toBe(cursor);
      expect(() => giveNewSiteId(again, { pullagain: true } as never)).toThrow(/unknown option\(s\) pullagain/);
      expect(() => giveNewSiteId(again, { pullAgain: 'yes' } as never)).toThrow(TypeError);
      giveNewSiteId(again);
      expect(again.prepare('SELECT count(*) FROM _sync_peers').pluck().get()).toBe(0);
      expect(again.prepare('SELECT seq FROM _sync_peer_views WHERE site = ?').pluck().get(b.tracker.siteId)).toBe(cursor);
    } finally {
      again.close();
    }
  });
});
