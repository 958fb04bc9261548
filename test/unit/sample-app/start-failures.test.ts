import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { openSampleDatabase } from '../../../sample-app/database';
import { tempDir } from '../../helpers/temp';

describe('sample app starts that cannot go on say what to fix', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-start-');
  });
  afterEach(() => temp.cleanup());

  it('DATA_DIR naming a file is an error naming DATA_DIR (it was a bare ENOTDIR from mkdir)', () => {
    const file = path.join(temp.dir, 'afile');
    writeFileSync(file, 'x');
    expect(() => readSampleConfig({ DATA_DIR: file, SYNC_TOKEN: 'test-token-0123456789abcdef' })).toThrow(/^DATA_DIR=.*afile: it, or a folder the app keeps in it .* is a file, not a folder; point DATA_DIR at a folder/);
    const rootIsFile = path.join(temp.dir, 'data');
    mkdirSync(rootIsFile);
    writeFileSync(path.join(rootIsFile, 'uploads'), 'x');
    expect(() => readSampleConfig({ DATA_DIR: rootIsFile, SYNC_TOKEN: 'test-token-0123456789abcdef' })).toThrow(/^DATA_DIR=.*is a file, not a folder/);
  });

  it('an instance/app.db that is not a database names the file and the way out (it was only "file is not a database")', () => {
    mkdirSync(path.join(temp.dir, 'instance'));
    writeFileSync(path.join(temp.dir, 'instance', 'app.db'), 'this is not SQLite, but long enough to be read as a header '.repeat(20));
    expect(() => openSampleDatabase(temp.dir)).toThrow(/instance\/app\.db is not a readable SQLite database \(file is not a database\): move it aside .*`npx express-sqlite-sync restore --from <backup> --db /);
  });

  it.each(['app.db', 'app.db-wal', 'app.db-shm', 'app.db-journal'])('a folder named instance/%s names it and says to move it (it was a bare "disk I/O error" or "unable to open database file")', (name) => {
    mkdirSync(path.join(temp.dir, 'instance', name), { recursive: true });
    expect(() => openSampleDatabase(temp.dir)).toThrow(new RegExp(`instance/${name.replace(/\./g, '\\.')} is a folder, where SQLite keeps .*; move the folder out of instance/`));
  });

  it('a folder named like a side file beside an existing database names it too', () => {
    mkdirSync(path.join(temp.dir, 'instance'));
    openSampleDatabase(temp.dir).close();
    mkdirSync(path.join(temp.dir, 'instance', 'app.db-journal'));
    expect(() => openSampleDatabase(temp.dir)).toThrow(/instance\/app\.db-journal is a folder, where SQLite keeps/);
  });
});
