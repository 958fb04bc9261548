import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import type { LocalFiles } from '../../lib/files/local-files';
import { syncRoot, type PeerFileLink } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { put, SQLITE_BYTES, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN } from '../helpers/server';
import { openFileLink, type FileLink } from '../helpers/file-link';

describe('two-way file sync of a root with a live peer', () => {
  let sides: FileLink;
  let temp: FileLink['temp'];
  let here: Record<string, string>;
  let there: Record<string, string>;
  let files: LocalFiles;
  let link: PeerFileLink;

  beforeEach(async () => {
    sides = await openFileLink();
    ({ temp, here, there, files, link } = sides);
  });

  afterEach(() => sides.close());

  const read = (roots: Record<string, string>, relative: string): string => readFileSync(path.join(roots.uploads ?? '', relative), 'utf8');

  it('copies new files both ways, then changes, then deletions of unchanged files; a second sync does nothing', async () => {
    put(here.uploads ?? '', 'from-a.txt', 'A1');
    put(there.uploads ?? '', 'deep/from-b.txt', 'B1');
    put(here.uploads ?? '', 'app.db', SQLITE_BYTES); // never crosses
    const first = await syncRoot(files, link, 'uploads');
    expect(first).toMatchObject({ uploaded: 1, downloaded: 1, errors: [], conflicts: [] });
    expect(read(there, 'from-a.txt')).toBe('A1');
    expect(read(here, 'deep/from-b.txt')).toBe('B1');
    expect(existsSync(path.join(there.uploads ?? '', 'app.db'))).toBe(false);

    put(there.uploads ?? '', 'from-a.txt', 'A2 edited on B');
    rmSync(path.join(here.uploads ?? '', 'deep/from-b.txt'));
    const second = await syncRoot(files, link, 'uploads');
    expect(second).toMatchObject({ downloaded: 1, deletedThere: 1, errors: [] });
    expect(read(here, 'from-a.txt')).toBe('A2 edited on B');
    expect(existsSync(path.join(there.uploads ?? '', 'deep/from-b.txt'))).toBe(false);

    const before = [treeDigest(here.uploads ?? ''), treeDigest(there.uploads ?? '')];
    const third = await syncRoot(files, link, 'uploads');
    expect(third).toMatchObject({ uploaded: 0, downloaded: 0, deletedHere: 0, deletedThere: 0, errors: [] });
    expect([treeDigest(here.uploads ?? ''), treeDigest(there.uploads ?? '')]).toEqual(before);
  });

  it('keeps both versions of a file changed on both sides, named as Syncthing does, and reports it', async () => {
    put(here.uploads ?? '', 'notes.txt', 'v0');
    await syncRoot(files, link, 'uploads');
    put(here.uploads ?? '', 'notes.txt', 'edited on A');
    put(there.uploads ?? '', 'notes.txt', 'edited on B');
    const report = await syncRoot(files, link, 'uploads');
    const copy = 'notes.sync-conflict-20261126-100000-B0B0B0B.txt';
    expect(report.conflicts).toEqual([{ path: 'uploads/notes.txt', copyPath: `uploads/${copy}` }]);
    for (const roots of [here, there]) {
      expect(read(roots, 'notes.txt')).toBe('edited on A');
      expect(read(roots, copy)).toBe('edited on B');
    }
    expect(await syncRoot(files, link, 'uploads')).toMatchObject({ uploaded: 0, downloaded: 0, conflicts: [] });
  });

  // Found by a hostile probe (helper w1): a second clash of one path within the same second made no copy and
  // failed as LOCAL_CHANGED (the first copy held the name); the two sides kept different files until a later second.
  it('gives a second clash of the same path within the same second a copy of its own', async () => {
    put(here.uploads ?? '', 'notes.txt', 'v0');
    await syncRoot(files, link, 'uploads');
    put(here.uploads ?? '', 'notes.txt', 'edited on A');
    put(there.uploads ?? '', 'notes.txt', 'edited on B');
    await syncRoot(files, link, 'uploads'); // the first copy: notes.sync-conflict-20261126-100000-B0B0B0B.txt (this link's clock stands still)
    put(here.uploads ?? '', 'notes.txt', 'edited on A again');
    put(there.uploads ?? '', 'notes.txt', 'edited on B again');
    const report = await syncRoot(files, link, 'uploads');
    expect(report.errors).toEqual([]);
    const copy = 'notes.sync-conflict-20261126-100001-B0B0B0B.txt';
    expect(report.conflicts).toEqual([{ path: 'uploads/notes.txt', copyPath: `uploads/${copy}` }]);
    for (const roots of [here, there]) {
      expect(read(roots, 'notes.txt')).toBe('edited on A again');
      expect(read(roots, 'notes.sync-conflict-20261126-100000-B0B0B0B.txt')).toBe('edited on B');
      expect(read(roots, copy)).toBe('edited on B again');
    }
  });

  it.each([
    ['a name not in NFC (from a Mac)', 'cafe\u0301.jpg'],
    ['a tab in the name', 'tab\there.txt'],
    ['a reserved device name', 'CON'],
    ['a colon', 'a:b.txt'],
    ['a backslash', 'back\\slash.txt'],
    ['a folder with a name no route takes', 'bad\u0001dir/inner.txt'],
    ['a path longer than any route takes (1,100 characters)', `${Array.from({ length: 5 }, (_, i) => `${i}${'d'.repeat(219)}`).join('/')}/deep.txt`],
  ])('a file with %s stays where it is, unlisted, and the rest of the root still syncs both ways', async (_what, name) => {
    put(there.uploads ?? '', name, 'odd');
    put(there.uploads ?? '', 'from-b.txt', 'B1');
    put(here.uploads ?? '', 'from-a.txt', 'A1');
    const report = await syncRoot(files, link, 'uploads');
    expect(report).toMatchObject({ uploaded: 1, downloaded: 1, errors: [] });
    expect(read(here, 'from-b.txt')).toBe('B1');
    expect(read(there, 'from-a.txt')).toBe('A1');
    expect(read(there, name)).toBe('odd');
    expect(existsSync(path.join(here.uploads ?? '', name))).toBe(false);
  });

  it.each([
    ['emptied', ''],
    ['cut short', '{"version":1,"roots":{"uploads":{"a.txt":"ab'],
    ['not a state', '[1, 2, 3]'],
    ['with a digest that is not text', '{"version":1,"roots":{"uploads":{"a.txt":5}}}'],
  ])('a state file %s is a first sync again: nothing deleted, both sides kept, and a good file written', async (_how, content) => {
    put(here.uploads ?? '', 'shared.txt', 'v0');
    await syncRoot(files, link, 'uploads');
    put(here.uploads ?? '', 'shared.txt', 'edited on A');
    put(there.uploads ?? '', 'only-b.txt', 'B1');
    const stateFile = path.join(temp.dir, 'a-state', 'files-b.json');
    writeFileSync(stateFile, content);
    const report = await syncRoot(files, { ...link, state: await FileSyncState.load(stateFile) }, 'uploads');
    expect(report.errors).toEqual([]);
    expect(read(here, 'only-b.txt')).toBe('B1');
    expect(read(there, 'shared.txt')).toBe('edited on A');
    expect(readdirSync(here.uploads ?? '').filter((name) => name.includes('sync-conflict'))).toHaveLength(1);
    expect(() => JSON.parse(readFileSync(stateFile, 'utf8')) as unknown).not.toThrow();
  });

  it('lets a change win over a deletion', async () => {
    put(here.uploads ?? '', 'plan.txt', 'v0');
    await syncRoot(files, link, 'uploads');
    rmSync(path.join(here.uploads ?? '', 'plan.txt'));
    put(there.uploads ?? '', 'plan.txt', 'v1 changed on B');
    const report = await syncRoot(files, link, 'uploads');
    expect(report).toMatchObject({ downloaded: 1, deletedThere: 0 });
    expect(read(here, 'plan.txt')).toBe('v1 changed on B');
  });

  it('skips a root the peer does not have, and leaves no temp file anywhere', async () => {
    const bare = await startServer(makeApp({ roots: { uploads: there.uploads ?? '' } }));
    const barePeer = new PeerHttp({ url: `${bare.url}/api/sync`, token: TEST_TOKEN });
    try {
      const report = await syncRoot(files, { ...link, peer: barePeer }, 'config');
      expect(report.skipped).toBe(true);
    } finally {
      barePeer.close();
      await bare.close();
    }
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it('refuses a hostile peer listing with a traversal or a database name', async () => {
    for (const listed of ['../../etc/passwd', 'app.db-wal']) {
      const hostile = express();
      hostile.get('/api/sync/files/checksums', (_req, res) => {
        res.json({ root: 'uploads', path: '', files: [{ path: listed, size: 1, mtimeMs: 0, sha256: 'a'.repeat(64) }] });
      });
      const fake = await startServer(hostile);
      const fakePeer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN });
      try {
        await expect(syncRoot(files, { ...link, peer: fakePeer }, 'uploads')).rejects.toMatchObject({ status: 502 });
      } finally {
        fakePeer.close();
        await fake.close();
      }
    }
    expect(readdirSync(here.uploads ?? '')).toEqual([]);
  });

  it.each<[string, readonly string[]]>([
    ['a path listed twice', ['a.txt', 'a.txt']],
    ['a path that is a file and a folder', ['d', 'd/e.txt']],
    ['a deep path under a listed file', ['x/y', 'x/y/z/w.txt']],
  ])('refuses a peer listing no folder can hold (%s) with PEER_BAD_LISTING, and writes nothing', async (_what, paths) => {
    const hostile = express();
    hostile.get('/api/sync/files/checksums', (_req, res) => {
      res.json({ root: 'uploads', path: '', files: paths.map((listed) => ({ path: listed, size: 1, mtimeMs: 0, sha256: 'a'.repeat(64) })) });
    });
    const fake = await startServer(hostile);
    const fakePeer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN });
    try {
      await expect(syncRoot(files, { ...link, peer: fakePeer }, 'uploads')).rejects.toMatchObject({ code: 'PEER_BAD_LISTING', status: 502 });
    } finally {
      fakePeer.close();
      await fake.close();
    }
    expect(readdirSync(here.uploads ?? '')).toEqual([]);
  });

  it('never replaces or deletes a local database, whatever its name, and never accepts database bytes from a peer', async () => {
    const live = new Database(path.join(here.uploads ?? '', 'state'));
    live.exec('CREATE TABLE t (x); INSERT INTO t VALUES (42)');
    try {
      put(there.uploads ?? '', 'state', 'a text file on the peer');
      const report = await syncRoot(files, link, 'uploads');
      expect(report.errors).toEqual([expect.objectContaining({ path: 'uploads/state', code: 'DB_CONTENT_REFUSED' })]);
      expect(live.prepare('SELECT x FROM t').pluck().get()).toBe(42);
      expect(readFileSync(path.join(here.uploads ?? '', 'state')).subarray(0, 15).toString()).toBe('SQLite format 3');
    } finally {
      live.close();
    }
    const hostile = express();
    hostile.get('/api/sync/files/checksums', (_req, res) => {
      res.json({ root: 'uploads', path: '', files: [{ path: 'innocent.txt', size: SQLITE_BYTES.length, mtimeMs: 0, sha256: 'b'.repeat(64) }] });
    });
    hostile.get('/api/sync/files/download', (_req, res) => {
      res.type('application/octet-stream').send(SQLITE_BYTES);
    });
    const fake = await startServer(hostile);
    const fakePeer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN });
    try {
      const report = await syncRoot(files, { ...link, peer: fakePeer, state: await FileSyncState.load(path.join(temp.dir, 'other-state.json')) }, 'uploads');
      expect(report.errors).toEqual([expect.objectContaining({ path: 'uploads/innocent.txt', code: 'PEER_SENT_DATABASE' })]);
      expect(existsSync(path.join(here.uploads ?? '', 'innocent.txt'))).toBe(false);
      expect(tempFilesUnder(temp.dir)).toEqual([]);
    } finally {
      fakePeer.close();
      await fake.close();
    }
  });
});
