import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { readServedMark, rewindOf, ServedMarkFile, servedMarkPath } from '../../../lib/data/served-mark';
import { TEST_SCHEMA, trackedDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

const TABLES = { tables: ['teams', 'reports'] };

function addTeam(db: Database.Database, id: string): void {
  db.prepare('INSERT INTO teams VALUES (?, ?, ?, NULL, NULL)').run(id, `Team ${id}`, id.length);
}

/** Copies a database file (with the server stopped: its -wal checkpointed) to `to`. */
function backUp(db: Database.Database, to: string): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  copyFileSync(db.name, to);
}

/** A database file in a temp folder, closed and opened again as a server restart does (`between` runs while it is closed). */
function databaseFile(): { readonly dir: string; readonly file: string; db: Database.Database; restart(between?: () => void): void; cleanup(): void } {
  const temp = tempDir('ess-served-');
  const file = path.join(temp.dir, 'app.db');
  const server = {
    dir: temp.dir,
    file,
    db: new Database(file),
    restart(between?: () => void): void {
      server.db.close();
      between?.();
      server.db = new Database(file);
    },
    cleanup(): void {
      if (server.db.open) server.db.close();
      temp.cleanup();
    },
  };
  return server;
}

describe('served-mark file: a database put back in place is seen at its start', () => {
  it('remembers the furthest mark served, never a lower one, beside the database file', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      addTeam(a.db, 't1');
      const first = a.tracker.readChanges(0, 10, b.tracker.siteId);
      const file = servedMarkPath(a.db) ?? '';
      expect(file).toBe(`${a.file}-syncmark`);
      expect(readServedMark(file)).toEqual({ site: a.tracker.siteId, seq: first.next, mark: first.mark });
      addTeam(a.db, 't2');
      const second = a.tracker.readChanges(0, 10, b.tracker.siteId);
      expect(readServedMark(file)).toEqual({ site: a.tracker.siteId, seq: second.next, mark: second.mark });
      a.tracker.readChanges(0, 1, b.tracker.siteId); // an older page served again
      expect(readServedMark(file)?.seq).toBe(second.next);
      expect(rewindOf(a.db)).toBeUndefined();
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('takes a new site id at start when the file was put back to an older copy (cp over it, server stopped), and says so', () => {
    const server = databaseFile();
    try {
      server.db.pragma('journal_mode = WAL');
      server.db.exec(TEST_SCHEMA);
      let tracker = enableCapture(server.db, TABLES);
      addTeam(server.db, 't1');
      tracker.readChanges(0, 10);
      backUp(server.db, path.join(server.dir, 'backup.db'));
      addTeam(server.db, 't2');
      const served = tracker.readChanges(0, 10);
      const site = tracker.siteId;
      server.restart(() => {
        copyFileSync(path.join(server.dir, 'backup.db'), server.file); // the same file, older content
        for (const side of ['-wal', '-shm']) rmSync(`${server.file}${side}`, { force: true });
      });
      tracker = enableCapture(server.db, TABLES);
      expect(tracker.identityChangedAtStart).toEqual({ code: 'SITE_REWOUND', detail: expect.stringContaining(`seq ${served.next}`), previous: site, current: tracker.siteId });
      expect(tracker.siteId > site).toBe(true);
      // Nothing left to find: the next start agrees.
      server.restart();
      expect(enableCapture(server.db, TABLES).identityChangedAtStart).toBeUndefined();
    } finally {
      server.cleanup();
    }
  });

  it('sees a copy put back and written past the served seq by its history: the mark it served is not there', () => {
    const server = databaseFile();
    try {
      server.db.exec(TEST_SCHEMA);
      const tracker = enableCapture(server.db, TABLES);
      backUp(server.db, path.join(server.dir, 'backup.db'));
      addTeam(server.db, 't1');
      const served = tracker.readChanges(0, 10);
      server.restart(() => copyFileSync(path.join(server.dir, 'backup.db'), server.file));
      // Written past the served seq by a tool that does not check (the sqlite3 shell): triggers capture it.
      for (let n = 0; n < (served.next ?? 0) + 2; n += 1) addTeam(server.db, `x${n}`);
      server.restart();
      const restarted = enableCapture(server.db, TABLES);
      expect(restarted.identityChangedAtStart?.code).toBe('SITE_REWOUND');
      expect(restarted.identityChangedAtStart?.detail).toContain('not in this database');
    } finally {
      server.cleanup();
    }
  });

  it.each<[string, (file: string, site: string) => void]>([
    ['no file (a database that never served a page)', (file) => rmSync(file, { force: true })],
    ['a file naming another site id (the database took a new one since)', (file) => writeFileSync(file, JSON.stringify({ site: '0'.repeat(32), seq: 99, mark: 'ab' }))],
    ['a file that is not one (garbage)', (file) => writeFileSync(file, 'not json')],
    ['a file with a bad seq', (file, site) => writeFileSync(file, JSON.stringify({ site, seq: -1, mark: 'ab' }))],
  ])('is no evidence either way: %s', (_name, spoil) => {
    const a = trackedDb();
    try {
      addTeam(a.db, 't1');
      a.tracker.readChanges(0, 10);
      spoil(`${a.file}-syncmark`, a.tracker.siteId);
      expect(rewindOf(a.db)).toBeUndefined();
    } finally {
      a.cleanup();
    }
  });

  it('keeps the database\'s mark for a seq over one a rolled-back transaction left in the file, and never goes back to a lower seq', () => {
    const a = trackedDb();
    try {
      const file = `${a.file}-syncmark`;
      const served = new ServedMarkFile(a.db);
      served.note('s1', 5, 'aa');
      served.note('s1', 5, 'bb');
      expect(readServedMark(file)).toEqual({ site: 's1', seq: 5, mark: 'bb' });
      served.note('s1', 4, 'cc');
      expect(readServedMark(file)).toEqual({ site: 's1', seq: 5, mark: 'bb' });
      served.note('s2', 1, 'dd'); // a new site id starts over
      expect(readServedMark(file)).toEqual({ site: 's2', seq: 1, mark: 'dd' });
    } finally {
      a.cleanup();
    }
  });

  it('a page read inside the app\'s own transaction that rolls back is not noted (its mark rolled back too): no false rewind at the next start', () => {
    const server = databaseFile();
    try {
      server.db.exec(TEST_SCHEMA);
      const tracker = enableCapture(server.db, TABLES);
      addTeam(server.db, 't1');
      expect(() =>
        server.db.transaction(() => {
          tracker.readChanges(0, 1);
          throw new Error('the app changed its mind');
        })(),
      ).toThrow('the app changed its mind');
      server.restart();
      expect(enableCapture(server.db, TABLES).identityChangedAtStart).toBeUndefined();
    } finally {
      server.cleanup();
    }
  });

  it('writes nothing for a database in memory', () => {
    const memory = new Database(':memory:');
    try {
      memory.exec(TEST_SCHEMA);
      const tracker = enableCapture(memory, TABLES);
      addTeam(memory, 't1');
      expect(servedMarkPath(memory)).toBeUndefined();
      expect(tracker.readChanges(0, 10).changes).toHaveLength(1);
    } finally {
      memory.close();
    }
  });

  it('skips a file it cannot write (a folder in the way): the page is still served, and no temp file is left', () => {
    const a = trackedDb();
    try {
      const file = `${a.file}-syncmark`;
      mkdirSync(path.join(file, 'inside'), { recursive: true });
      addTeam(a.db, 't1');
      expect(a.tracker.readChanges(0, 10).changes).toHaveLength(1);
      expect(readdirSync(path.dirname(a.file)).filter((name) => name.includes('tmp'))).toEqual([]);
      expect(rewindOf(a.db)).toBeUndefined();
    } finally {
      a.cleanup();
    }
  });
});
