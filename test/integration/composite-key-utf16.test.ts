import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE scores (event TEXT NOT NULL, team TEXT NOT NULL, points INTEGER, PRIMARY KEY (event, team));';
const TEAMS = ['red', 'red\u0000x', 'Z\u0000Z0', '\u0000', 'ZZ0'];

function open(file: string, encoding: string): Database.Database {
  const db = new Database(file);
  db.pragma(`encoding = '${encoding}'`); // before anything is written: it decides the file's text encoding
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  return db;
}

function rows(db: Database.Database): unknown[] {
  return db.prepare('SELECT event, team, points FROM scores ORDER BY team').raw(true).all();
}

/**
 * The metadata key of a composite key is built by SQL text functions, so it
 * must read the same whatever the database's text encoding: in a UTF-16
 * database every ASCII character's bytes hold a zero, which a test on the
 * bytes took for a NUL character (every row then stopped syncing).
 */
describe.each([['UTF-16le'], ['UTF-16be'], ['UTF-8']])('composite TEXT keys in a %s database', (encoding) => {
  const temp = tempDir();
  afterAll(() => temp.cleanup());

  it('are captured, served and applied as themselves, with or without a NUL character, into UTF-8 and UTF-16 peers alike', () => {
    const source = open(path.join(temp.dir, `source-${encoding}.db`), encoding);
    const tracker = enableCapture(source, { tables: ['scores'] });
    const insert = source.prepare('INSERT INTO scores VALUES (?, ?, ?)');
    TEAMS.forEach((team, i) => insert.run('e1', team, i));
    const page = tracker.readChanges(0, 100);
    expect(page.changes.map((change) => (change as { key: unknown[] }).key)).toEqual(TEAMS.map((team) => ['e1', team]));
    for (const target of ['UTF-8', 'UTF-16le']) {
      const peer = open(path.join(temp.dir, `peer-${encoding}-${target}.db`), target);
      enableCapture(peer, { tables: ['scores'] }).applyChangeset(page);
      expect(rows(peer)).toEqual(rows(source));
      peer.close();
    }
    source.prepare('DELETE FROM scores WHERE team = ?').run('red\u0000x');
    const after = tracker.readChanges(page.next, 100);
    expect(after.changes).toHaveLength(1);
    expect((after.changes[0] as { key: unknown[] }).key).toEqual(['e1', 'red\u0000x']);
    source.close();
  });
});
