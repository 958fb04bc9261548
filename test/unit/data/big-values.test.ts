import { randomBytes } from 'node:crypto';
import { pullAll, trackedDb } from '../../helpers/data';

const FOUR_MIB = 4 * 1024 * 1024;

describe('values of several MiB travel byte for byte', () => {
  it.each([1, 2])('a 4 MiB BLOB and 5 MiB of TEXT that is not UTF-8 (protocol %i)', (protocol) => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      const blob = randomBytes(FOUR_MIB);
      a.db.prepare('INSERT INTO teams (id, name, logo) VALUES (?, ?, ?)').run('big', 'Big', blob);
      a.db.exec("INSERT INTO teams (id, name) VALUES ('odd', CAST(x'ff' || randomblob(5242880) AS TEXT))");
      const page = protocol === 1 ? a.tracker.readChanges(0, 10, b.tracker.siteId) : a.tracker.readCompactChanges(0, 10, b.tracker.siteId);
      b.tracker.applyChangeset(JSON.parse(JSON.stringify(page)));
      const logo = b.db.prepare("SELECT logo FROM teams WHERE id = 'big'").pluck().get() as Buffer;
      expect(logo.equals(blob)).toBe(true);
      const hex = (db: typeof a.db): unknown => db.prepare("SELECT hex(name) FROM teams WHERE id = 'odd'").pluck().get();
      expect(hex(b.db)).toBe(hex(a.db));
      pullAll(b.tracker, a.tracker); // nothing stuck the other way
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a malformed base64 of several MiB is refused cleanly (INVALID_CHANGESET), not with a stack overflow', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.prepare('INSERT INTO teams (id, name, logo) VALUES (?, ?, ?)').run('big', 'Big', randomBytes(FOUR_MIB));
      const page = JSON.parse(JSON.stringify(a.tracker.readChanges(0, 10))) as { changes: { cells: Record<string, { $blob: string }> }[] };
      const cell = page.changes[0]?.cells.logo;
      if (cell === undefined) throw new Error('no logo cell');
      cell.$blob = `${cell.$blob.slice(0, -4)}=abc`;
      expect(() => b.tracker.applyChangeset(page)).toThrow(expect.objectContaining({ code: 'INVALID_CHANGESET' }));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
