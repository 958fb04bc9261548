import { canonicalFileName, createFilePolicy, isDatabaseHeader } from '../../../lib/files/file-policy';
import { JOURNAL_BYTES, SQLITE_BYTES, WAL_BYTES } from '../../helpers/file-roots';

describe('file policy: names', () => {
  const policy = createFilePolicy();

  it.each([
    'app.db', 'x.sqlite', 'x.sqlite3', 'x.db3', 'x.s3db', 'x.sl3',
    'x.db-wal', 'x.db-shm', 'x.db-journal', 'x.sqlite-wal', 'x.sqlite3-shm', 'x.s3db-journal', 'x.sl3-wal', 'x.db3-shm',
    'APP.DB', 'Data.SQLite', 'x.lock', 'folder/deep/x.db',
    'app.db.', 'app.db...', 'app.db ', 'app.db. .', 'app.db::$DATA', 'app.db:stream', 'x.sqlite:Zone.Identifier',
    'database.db', 'scouting.db', 'folder\\app.db', 'app.db-syncmark', 'x.sqlite-SYNCMARK',
  ])('%j is a database name', (name) => {
    expect(policy.isDatabaseName(name)).toBe(true);
  });

  it.each(['settings.json', 'photo.jpg', 'db', 'notes.dbx', 'x.db.bak', 'x.sqlite.gz', 'readme.md', 'lock', 'x.locker', 'my-wal'])(
    '%j is not a database name',
    (name) => {
      expect(policy.isDatabaseName(name)).toBe(false);
    },
  );

  it('named files replace the default list but never the built-in extension rules', () => {
    const custom = createFilePolicy({ databaseFileNames: ['events'] });
    expect(custom.isDatabaseName('events')).toBe(true);
    expect(custom.isDatabaseName('EVENTS-wal')).toBe(true);
    expect(custom.isDatabaseName('events-syncmark')).toBe(true);
    expect(custom.isDatabaseName('scouting.db')).toBe(true); // by extension still
    expect(custom.isDatabaseName('scouting.txt')).toBe(false);
  });

  it('extra picomatch patterns add to the rules, case-insensitively, by path and by base name', () => {
    const custom = createFilePolicy({ extraPatterns: ['**/*.bak', 'secrets/**'] });
    expect(custom.isDatabaseName('deep/x.BAK')).toBe(true);
    expect(custom.isDatabaseName('x.bak')).toBe(true);
    expect(custom.isDatabaseName('secrets/token.txt')).toBe(true);
    expect(custom.isDatabaseName('app.db')).toBe(true);
    expect(custom.isDatabaseName('x.txt')).toBe(false);
  });

  it.each([
    [{ databaseFileNames: 'app.db' }, /databaseFileNames/],
    [{ databaseFileNames: [''] }, /databaseFileNames/],
    [{ extraPatterns: [3] }, /extraPatterns/],
    [{ extraDatabasePatterns: ['*.bak'] }, /unknown option\(s\) extraDatabasePatterns for createFilePolicy; known options: databaseFileNames, extraPatterns/],
  ])('refuses bad options %j', (options, message) => {
    expect(() => createFilePolicy(options as never)).toThrow(message);
  });

  it('canonicalises names the way Windows and NTFS store them', () => {
    expect(canonicalFileName('dir/App.DB. ')).toBe('app.db');
    expect(canonicalFileName('App.db::$DATA')).toBe('app.db');
    expect(canonicalFileName('plain.txt')).toBe('plain.txt');
  });
});

describe('file policy: content', () => {
  it.each([
    ['SQLite header', SQLITE_BYTES],
    ['WAL magic 0x377f0682', WAL_BYTES],
    ['WAL magic 0x377f0683', Buffer.from([0x37, 0x7f, 0x06, 0x83, 0, 0, 0, 0])],
    ['rollback journal', JOURNAL_BYTES],
    ['WAL index (-shm), little-endian', Buffer.from([0x18, 0xe2, 0x2d, 0x00, 0, 0, 0, 0])],
    ['WAL index (-shm), big-endian', Buffer.from([0x00, 0x2d, 0xe2, 0x18, 0, 0, 0, 0])],
  ])('%s is database content', (_label, bytes) => {
    expect(isDatabaseHeader(bytes)).toBe(true);
    expect(isDatabaseHeader(new Uint8Array(bytes).subarray(0, 16))).toBe(true);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('hello world, this is text')],
    ['truncated SQLite header', Buffer.from('SQLite format', 'latin1')],
    ['header with wrong last byte', Buffer.from('SQLite format 3!', 'latin1')],
    ['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ])('%s is not database content', (_label, bytes) => {
    expect(isDatabaseHeader(bytes)).toBe(false);
  });
});
