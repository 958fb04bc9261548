import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { fileIdentity } from '../../../lib/data/file-identity';
import { databaseFileOf } from '../../../lib/data/new-site-id-fix';
import { servedMarkPath } from '../../../lib/data/served-mark';
import { isLiveDatabaseFileSync } from '../../../lib/files/live-databases';
import { TEST_SCHEMA } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

const TABLES = { tables: ['teams', 'reports'] };

/**
 * better-sqlite3 trims the blanks off a file name (`new Database('app.db ')` opens `app.db`) while `db.name`
 * keeps them: every path derived from the database must name the file SQLite opened.
 */
describe('a database opened under a name with blanks around it', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  const open: Database.Database[] = [];
  const openDb = (name: string): Database.Database => {
    const db = new Database(name);
    open.push(db);
    return db;
  };

  beforeEach(() => {
    dir = tempDir('ess-blank-name-');
    file = path.join(dir.dir, 'app.db');
  });
  afterEach(() => {
    for (const db of open.splice(0)) if (db.open) db.close();
    dir.cleanup();
  });

  it('names the file SQLite opened: its path, its file identity, its served-mark file', () => {
    const plain = openDb(file);
    plain.exec(TEST_SCHEMA);
    const blanks = openDb(` ${file}\t `);
    expect(blanks.name).not.toBe(file); // better-sqlite3 keeps the name as given
    expect(databaseFileOf(blanks)).toBe(file);
    expect(servedMarkPath(blanks)).toBe(`${file}-syncmark`);
    expect(fileIdentity(blanks)).toBe(fileIdentity(plain));
    if (fileIdentity(plain) !== undefined) expect(fileIdentity(blanks)).toBeDefined();
  });

  it('writes the served mark beside the file and never opens it through the file routes', () => {
    const db = openDb(`${file} `);
    db.exec(TEST_SCHEMA);
    const tracker = enableCapture(db, TABLES);
    db.prepare("INSERT INTO teams VALUES ('t1', 'One', 1, NULL, NULL)").run();
    tracker.readChanges(0, 10);
    expect(existsSync(`${file}-syncmark`)).toBe(true);
    expect(existsSync(`${file} -syncmark`)).toBe(false);
    expect(isLiveDatabaseFileSync(file)).toBe(true);
  });

  it('takes a new site id when the file is a copy (a new file), as under its plain name', () => {
    const db = openDb(file);
    db.exec(TEST_SCHEMA);
    const site = enableCapture(db, TABLES).siteId;
    db.close();
    const copy = path.join(dir.dir, 'copy.db');
    copyFileSync(file, copy);
    const copied = openDb(`${copy} `);
    if (fileIdentity(openDb(copy)) === undefined) return; // no birth times on this filesystem: nothing to tell a copy by
    const tracker = enableCapture(copied, TABLES);
    expect(tracker.identityChangedAtStart?.previous).toBe(site);
    expect(tracker.siteId).not.toBe(site);
  });
});
