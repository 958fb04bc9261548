import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { silentLogger } from '../../lib/logger';
import { createSampleApp, type SampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

interface Laptop {
  readonly dataDir: string;
  readonly url: string;
  readonly app: SampleApp;
  close(): Promise<void>;
}

/** A sample app on 127.0.0.1, port 0, with its own data directory, listing `peers`. */
async function startLaptop(peers: readonly string[]): Promise<Laptop> {
  const temp = tempDir('ess-h7-laptop-');
  const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
  const db: Database.Database = openSampleDatabase(config.dataDir);
  const app = createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: silentLogger, peers });
  const server: TestServer = await startServer(app.app);
  return {
    dataDir: config.dataDir,
    url: server.url,
    app,
    close: async () => {
      await app.sync.stop();
      await server.close();
      db.close();
      temp.cleanup();
    },
  };
}

const settingsOf = (laptop: Laptop): string => readFileSync(path.join(laptop.dataDir, 'instance', 'settings.json'), 'utf8');

describe('sample app: a new laptop joining the event keeps the event’s settings.json', () => {
  const open: Laptop[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((laptop) => laptop.close()));
  });

  it('a server without peers writes the example settings.json, as the quick start shows', async () => {
    const alone = await startLaptop([]);
    open.push(alone);
    expect(JSON.parse(settingsOf(alone))).toEqual({ eventName: 'Practice day' });
  });

  it('a fresh server with peers writes no default of its own: its first sync brings the event’s edited file, on both, with no conflict copy', async () => {
    const pit = await startLaptop([]);
    open.push(pit);
    const finals = '{\n  "eventName": "Finals"\n}\n';
    writeFileSync(path.join(pit.dataDir, 'instance', 'settings.json'), finals);
    const newcomer = await startLaptop([pit.url]);
    open.push(newcomer);
    const [result] = await newcomer.app.sync.syncNow(); // the newcomer runs the round, as its first periodic sync would
    expect(result?.ok).toBe(true);
    expect(settingsOf(newcomer)).toBe(finals);
    expect(settingsOf(pit)).toBe(finals);
    for (const laptop of [pit, newcomer]) expect(readdirSync(path.join(laptop.dataDir, 'instance')).filter((name) => name.includes('sync-conflict'))).toEqual([]);
  });
});
