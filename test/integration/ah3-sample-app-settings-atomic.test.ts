import { execFileSync } from 'node:child_process';
import fs, { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { createSampleApp, type SampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { captureLog } from '../helpers/log';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const EXAMPLE = '{\n  "eventName": "Practice day"\n}\n';

/** A pid no process has here (the library sweeps a temp file whose writer is gone). */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid += 1) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

// Found by an earlier careless-operator tester, fixed by helper ah3: the sample app wrote instance/settings.json in place
// (writeFileSync), so a full disk or a crash mid-write left it empty or cut short, and the file sync carried that to every
// peer; a settings file not JSON was said nowhere. It is now written whole or not at all (temp file, fsync, rename), and a
// settings file that is no JSON object is said at start (app.settings_invalid), left as it is.
describe('ah3: the sample app writes instance/settings.json atomically and says a damaged one at start', () => {
  let temp: ReturnType<typeof tempDir>;
  let dataDir: string;
  let settings: string;
  let db: Database.Database;
  const apps: SampleApp[] = [];
  beforeEach(() => {
    temp = tempDir('ess-ah3-settings-');
    dataDir = path.join(temp.dir, 'data');
    settings = path.join(dataDir, 'instance', 'settings.json');
    readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN }); // makes the data folders, as a start does
    db = openSampleDatabase(dataDir);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(apps.splice(0).map((app) => app.sync.stop()));
    db.close();
    temp.cleanup();
  });
  const start = (logger = captureLog('silent').logger, peers: string[] = []): SampleApp => {
    const app = createSampleApp({ dataDir, db, token: TEST_TOKEN, logger, peers });
    apps.push(app);
    return app;
  };
  const instanceNames = (): string[] => readdirSync(path.join(dataDir, 'instance')).filter((name) => !name.startsWith('app.db')).sort();

  it('a disk that fills mid-write leaves no settings.json (and no temp file), never a cut one', () => {
    const write = fs.writeSync;
    jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buffer: Buffer, offset = 0) => {
      if ((offset ?? 0) > 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return write(fd, buffer, offset, 10); // the first 10 bytes land, then the disk is full
    }) as typeof fs.writeSync);
    expect(() => start()).toThrow(/ENOSPC/);
    jest.restoreAllMocks();
    expect(instanceNames()).toEqual([]);
    start(); // the next start, with room, writes it whole
    expect(readFileSync(settings, 'utf8')).toBe(EXAMPLE);
  });

  it('the bytes are fsynced in a temp file of the library’s temp shape before they take the name', () => {
    const seen: string[][] = [];
    const fsync = fs.fsyncSync;
    jest.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      seen.push(instanceNames());
      fsync(fd);
    });
    start();
    expect(seen[0]).toHaveLength(1);
    expect(seen[0]?.[0]).toMatch(new RegExp(`^\\.settings\\.json\\.sync-tmp-${process.pid}-[0-9a-f]{12}$`));
    expect(instanceNames()).toEqual(['settings.json']);
    expect(readFileSync(settings, 'utf8')).toBe(EXAMPLE);
  });

  it('a temp file a crash left mid-write is removed at the next start', () => {
    const leftover = path.join(dataDir, 'instance', `.settings.json.sync-tmp-${deadPid()}-0123456789ab`);
    writeFileSync(leftover, '{\n  "eventN');
    start();
    expect(existsSync(leftover)).toBe(false);
    expect(instanceNames()).toEqual(['settings.json']);
  });

  it.each([
    ['empty (a write cut short by a full disk or a crash?)', '', /it is empty/],
    ['cut short', '{\n  "eventName": "Prac', /it is not valid JSON \(.+: cut short, or a typo\?\)/],
    ['a typo', "{ eventName: 'Finals' }\n", /it is not valid JSON/],
    ['JSON but no object', '[]\n', /it holds JSON, but not an object/],
  ])('a settings.json %s is said at start, with the fix, and left as it is', (_, text, why) => {
    writeFileSync(settings, text);
    const log = captureLog();
    expect(() => start(log.logger)).not.toThrow();
    const [line, ...more] = log.events('app.settings_invalid');
    expect(more).toEqual([]);
    expect(line?.level).toBe(40);
    expect(line?.file).toBe(settings);
    expect(line?.msg).toMatch(why);
    expect(line?.msg).toContain(`${settings}: `);
    expect(line?.msg).toContain("it syncs to every peer as it is: fix it (or copy a good one from another server's DATA_DIR/instance/settings.json)");
    expect(readFileSync(settings, 'utf8')).toBe(text);
  });

  it('a named pipe under the name is never opened: the read would block the start', () => {
    execFileSync('mkfifo', [settings]);
    const log = captureLog();
    start(log.logger);
    expect(log.events('app.settings_invalid')).toEqual([]);
    expect(statSync(settings).isFIFO()).toBe(true);
  });

  it.each([[[]], [['http://127.0.0.1:9/api/sync']]])('a good settings.json (peers %j) is left alone and not warned about', (peers) => {
    writeFileSync(settings, '{ "eventName": "Finals" }');
    const log = captureLog();
    start(log.logger, peers);
    expect(log.events('app.settings_invalid')).toEqual([]);
    expect(readFileSync(settings, 'utf8')).toBe('{ "eventName": "Finals" }');
  });
});
