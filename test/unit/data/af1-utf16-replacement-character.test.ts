import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { nextMillisecond } from '../../helpers/clock';
import { pullAll } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT, extra, tag TEXT UNIQUE);';

/** Valid text holding U+FFFD (a replacement character pasted into a note), as better-sqlite3 reads it back. */
const TEXTS = ['x\uFFFD', '\uFFFD', 'é\uFFFD🤖', 'a\uFFFDb\uFFFD'];

interface Server {
  readonly db: Database.Database;
  readonly tracker: ChangeTracker;
}

function open(dir: string, name: string, encoding: string): Server {
  const db = new Database(path.join(dir, name));
  db.pragma(`encoding = '${encoding}'`); // before anything is written: it decides the file's text encoding
  db.exec(SCHEMA);
  return { db, tracker: enableCapture(db, { tables: ['notes'] }) };
}

function bodies(server: Server): unknown[] {
  return server.db.prepare('SELECT id, body, extra, tag FROM notes ORDER BY id').raw(true).all();
}

/**
 * better-sqlite3 reads TEXT that is not valid UTF-8 as U+FFFD, so the reader
 * reads a value holding U+FFFD again as `CAST(… AS BLOB)`, and sends it as
 * `$text` when those bytes are not the UTF-8 of the string. In a UTF-16
 * database they are its UTF-16 bytes, never the UTF-8: perfectly valid text
 * holding U+FFFD went out as `$text` of UTF-16 bytes, and every peer of
 * another encoding stored other text for good (`x�` became `x\0��` in a
 * UTF-8 one, `砀﷿` in a UTF-16be one), its conflicts list showing `$text`.
 */
describe.each([['UTF-16le'], ['UTF-16be']])('valid text holding U+FFFD in a %s database', (encoding) => {
  let temp: ReturnType<typeof tempDir>;
  const opened: Server[] = [];
  beforeEach(() => {
    temp = tempDir('ess-af1-utf16-');
  });
  afterEach(() => {
    for (const server of opened.splice(0)) server.db.close();
    temp.cleanup();
  });

  it.each([['UTF-8'], ['UTF-16le'], ['UTF-16be']])('reaches a %s peer as the same text', (peerEncoding) => {
    const source = open(temp.dir, 'source.db', encoding);
    const peer = open(temp.dir, 'peer.db', peerEncoding);
    opened.push(source, peer);
    const insert = source.db.prepare('INSERT INTO notes VALUES (?, ?, ?, ?)');
    TEXTS.forEach((text, index) => insert.run(`n${index}`, text, text, `${text}${index}`));
    const page = source.tracker.readChanges(0, 100);
    expect(JSON.stringify(page)).not.toContain('$text');
    pullAll(source.tracker, peer.tracker);
    expect(bodies(peer)).toEqual(bodies(source));
  });

  it('is listed as text in the conflicts of a parked row', () => {
    const [a, b] = [open(temp.dir, 'a.db', encoding), open(temp.dir, 'b.db', encoding)];
    opened.push(a, b);
    a.db.prepare("INSERT INTO notes VALUES ('first', 'a', NULL, 'same')").run();
    nextMillisecond(); // a later clock: the earlier claim keeps 'same', whatever the two site ids
    b.db.prepare("INSERT INTO notes VALUES ('second', ?, ?, 'same')").run('x\uFFFD', '\uFFFDy');
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
    const [parked] = b.tracker.listConflicts();
    expect(parked?.parked).toEqual({ id: 'second', body: 'x\uFFFD', extra: '\uFFFDy', tag: 'same' });
    expect(a.tracker.listConflicts()).toEqual(b.tracker.listConflicts().map((entry) => ({ ...entry, at: expect.any(String) })));
    expect(bodies(a)).toEqual(bodies(b));
  });
});
