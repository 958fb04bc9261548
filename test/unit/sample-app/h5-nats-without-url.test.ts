import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { runSampleApp as runApp } from '../../helpers/k3-sample-app-process';
import { tempDir } from '../../helpers/temp';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS } from '../../helpers/k2-app-process';

const TOKEN = 'test-token-0123456789abcdef';

/**
 * SYNC_NATS_STREAM or SYNC_NATS_DOMAIN set without SYNC_NATS_URL, or a SYNC_NATS_* name the app
 * does not read (SYNC_NATS_SERVERS for SYNC_NATS_URL), was ignored without a word: the app
 * started on HTTP alone and the operator believed NATS was on.
 */
describe('sample app: SYNC_NATS_* without SYNC_NATS_URL, and SYNC_NATS_* names it does not read', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h5-nats-env-');
  });
  afterEach(() => temp.cleanup());

  it.each<[Record<string, string>, string]>([
    [{ SYNC_NATS_STREAM: 'WORLDS' }, 'SYNC_NATS_STREAM is set but SYNC_NATS_URL is not'],
    [{ SYNC_NATS_DOMAIN: 'hub' }, 'SYNC_NATS_DOMAIN is set but SYNC_NATS_URL is not'],
    [{ SYNC_NATS_STREAM: 'WORLDS', SYNC_NATS_DOMAIN: 'hub' }, 'SYNC_NATS_STREAM and SYNC_NATS_DOMAIN are set but SYNC_NATS_URL is not'],
    [{ SYNC_NATS_URL: '  ', SYNC_NATS_STREAM: 'WORLDS' }, 'SYNC_NATS_STREAM is set but SYNC_NATS_URL is not'],
  ])('%j is refused naming the variable, before anything is written', (env, start) => {
    const dataDir = path.join(temp.dir, 'data');
    expect(() => readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN, ...env })).toThrow(
      `${start}: the app uses NATS only with SYNC_NATS_URL (nats://host:4222); set it too, or unset`,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each(['SYNC_NATS_SERVERS', 'SYNC_NATS_URLS', 'SYNC_NATS_USER'])('%s (not a variable of the app) is refused naming it, with or without SYNC_NATS_URL', (name) => {
    const dataDir = path.join(temp.dir, 'data');
    for (const url of [{}, { SYNC_NATS_URL: 'nats://127.0.0.1:4222' }]) {
      expect(() => readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN, ...url, [name]: 'nats://127.0.0.1:4222' })).toThrow(
        `${name} is not a variable of the sample app: NATS is set with SYNC_NATS_URL, SYNC_NATS_STREAM and SYNC_NATS_DOMAIN; rename it or unset it`,
      );
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a blank SYNC_NATS_STREAM or SYNC_NATS_DOMAIN without SYNC_NATS_URL is unset, as blank is for every variable', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: TOKEN, SYNC_NATS_STREAM: ' ', SYNC_NATS_DOMAIN: '' }).nats).toBeUndefined();
  });

  it('npm start exits 1 with one line naming SYNC_NATS_STREAM', async () => {
    const dataDir = path.join(temp.dir, 'data');
    const result = await runApp({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN, SYNC_NATS_STREAM: 'WORLDS' }, APP_PROCESS_KILL_MS);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'sample app failed to start: SYNC_NATS_STREAM is set but SYNC_NATS_URL is not: the app uses NATS only with SYNC_NATS_URL (nats://host:4222); set it too, or unset SYNC_NATS_STREAM\n',
    });
    expect(existsSync(dataDir)).toBe(false);
  }, APP_PROCESS_TIMEOUT_MS); // ts-node alone takes 15 s on a loaded machine
});
