import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { openSampleDatabase } from '../../../sample-app/database';
import { CLI } from '../../helpers/h7-cli';
import { tempDir } from '../../helpers/temp';

const sh = promisify(execFile);

/**
 * Found by helper ag2: with a DATA_DIR whose path holds a space (`/srv/my event/data`), an unreadable
 * instance/app.db stopped the start with "put a backup in its place with `express-sqlite-sync restore
 * --from <backup> --db /srv/my event/data/instance/app.db`": pasted, the path fell apart into three
 * words, and with it fixed the restore still refused ("exists; pass --force"). The path is now one shell
 * word and `--force` is given: the pasted command, its `<backup>` filled in, puts the backup in place.
 */
describe('ag2: the restore command of an unreadable sample-app database can be pasted', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-ag2-restore-');
  });
  afterEach(() => temp.cleanup());

  it.each(['my event', "pit crew's laptop", 'plain'])('DATA_DIR in a folder named %j', async (folder) => {
    const dataDir = path.join(temp.dir, folder, 'data');
    mkdirSync(path.join(dataDir, 'instance'), { recursive: true });
    writeFileSync(path.join(dataDir, 'instance', 'app.db'), 'this is not SQLite, but long enough to be read as a header '.repeat(20));
    const backup = path.join(temp.dir, 'backup.db');
    const source = new Database(backup);
    source.exec("CREATE TABLE kept (id TEXT PRIMARY KEY NOT NULL); INSERT INTO kept VALUES ('x')");
    source.close();
    let message = '';
    try {
      openSampleDatabase(dataDir).close();
    } catch (error) {
      message = (error as Error).message;
    }
    const command = /`(npx express-sqlite-sync restore [^`]+)`/.exec(message)?.[1] ?? '';
    expect(command).toMatch(/ --force$/);
    const pasted = command.replace('npx express-sqlite-sync', `'${process.execPath}' '${CLI}'`).replace('<backup>', `'${backup}'`);
    await sh('sh', ['-c', pasted]);
    const restored = openSampleDatabase(dataDir);
    try {
      expect(restored.prepare('SELECT id FROM kept').all()).toEqual([{ id: 'x' }]);
    } finally {
      restored.close();
    }
  });
});
