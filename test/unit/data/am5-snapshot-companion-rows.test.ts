import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { enableCapture } from '../../../lib/data/capture';
import { SnapshotSource } from '../../../lib/data/snapshot-source';
import { dbDigest, tableRows, tempDb, type TempDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

// An app trigger that writes a companion row (here a tag of each new note, in a tracked table
// whose key says ON CONFLICT IGNORE) runs on the rows a snapshot copies too: when the tags were
// copied, the tags the trigger had written already were skipped by their key's IGNORE, and the
// check of 3adaa9d (rows written < rows in the snapshot) took that for a RAISE(IGNORE): the
// import was refused with APPLY_REFUSED, where before it was imported whole, as page by page.
const SCHEMA = `
CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT);
CREATE TABLE note_tag (note TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (note, tag) ON CONFLICT IGNORE) WITHOUT ROWID;
CREATE TABLE note_count (note TEXT PRIMARY KEY ON CONFLICT IGNORE NOT NULL, words INTEGER);
CREATE TRIGGER note_tagged AFTER INSERT ON note BEGIN
  INSERT INTO note_tag VALUES (NEW.id, 'new');
  INSERT INTO note_count VALUES (NEW.id, 0);
END;
`;
const TABLES = ['note', 'note_tag', 'note_count'];

describe("a snapshot copied into tables an app trigger writes companion rows to", () => {
  let dbs: TempDb[] = [];
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('ess-am5-snap-');
  });
  afterEach(() => {
    for (const temp of dbs) temp.cleanup();
    dbs = [];
    dir.cleanup();
  });

  it('is imported whole, the snapshot holding the rows the trigger wrote again (its values win, as a page\'s do)', async () => {
    const source = tempDb(SCHEMA);
    // A trigger that skips writes changing nothing skips the overwrite of n2's count (0, as the trigger wrote it): nothing lost.
    const joiner = tempDb(`${SCHEMA} CREATE TRIGGER count_same BEFORE UPDATE ON note_count WHEN NEW.words IS OLD.words BEGIN SELECT RAISE(IGNORE); END;`);
    dbs = [source, joiner];
    enableCapture(source.db, { tables: TABLES });
    const to = enableCapture(joiner.db, { tables: TABLES });
    source.db.exec("INSERT INTO note VALUES ('n1', 'one two'), ('n2', 'three'); INSERT INTO note_tag VALUES ('n1', 'work'); UPDATE note_count SET words = 2 WHERE note = 'n1'");
    const lease = await new SnapshotSource(source.db, TABLES).acquire();
    const file = path.join(dir.dir, 'snapshot.sqlite3');
    writeFileSync(file, readFileSync(lease.file));
    lease.release();

    expect(to.importSnapshot(file, { site: lease.site, seq: lease.seq })).toMatchObject({ rows: 7 });
    expect(tableRows(joiner.db, 'note_count', 'note')).toEqual([['n1', 2n], ['n2', 0n]]);
    for (const table of TABLES) expect(tableRows(joiner.db, table, '1, 2')).toEqual(tableRows(source.db, table, '1, 2'));
  });

  it.each([
    ['a tag the trigger did not write', 'BEFORE INSERT ON note_tag WHEN NEW.tag = \'work\'', /copying the rows of note_tag .*\(2 of its 3 rows written\)/],
    ['the overwrite of a count the trigger wrote', 'BEFORE UPDATE ON note_count', /copying the rows of note_count .*\(0 of its 2 rows written\)/],
  ])('still refuses a RAISE(IGNORE) that skips %s: APPLY_REFUSED, nothing imported', async (_what, head, message) => {
    const source = tempDb(SCHEMA);
    const joiner = tempDb(`${SCHEMA} CREATE TRIGGER skip_it ${head} BEGIN SELECT RAISE(IGNORE); END;`);
    dbs = [source, joiner];
    enableCapture(source.db, { tables: TABLES });
    const to = enableCapture(joiner.db, { tables: TABLES });
    source.db.exec("INSERT INTO note VALUES ('n1', 'one two'), ('n2', 'three'); INSERT INTO note_tag VALUES ('n1', 'work'); UPDATE note_count SET words = 2");
    const lease = await new SnapshotSource(source.db, TABLES).acquire();
    const file = path.join(dir.dir, 'snapshot.sqlite3');
    writeFileSync(file, readFileSync(lease.file));
    lease.release();
    const before = dbDigest(joiner.db);

    expect(() => to.importSnapshot(file, { site: lease.site, seq: lease.seq })).toThrow(expect.objectContaining({ code: 'APPLY_REFUSED', status: 409, message: expect.stringMatching(message) }));
    expect(dbDigest(joiner.db)).toBe(before);
  });
});
