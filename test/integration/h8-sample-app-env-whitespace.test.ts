import { spawn } from 'node:child_process';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses, trackAppProcess } from '../helpers/k2-app-process';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const REPO = path.resolve(__dirname, '..', '..');

/** Runs the sample app as `npm start` does until its banner names its URL (then stops it), or until it exits. */
function startAndStop(env: Record<string, string>): Promise<{ started: boolean; output: string }> {
  const child = trackAppProcess(
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sample-app/server.ts'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  let started = false;
  const seen = (chunk: Buffer): void => {
    output += chunk.toString();
    if (!started && /^Sample app: http:\/\/127\.0\.0\.1:\d+$/m.test(output)) {
      started = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', seen);
  child.stderr.on('data', seen);
  return new Promise((resolve) => child.once('close', () => resolve({ started, output })));
}

/**
 * An env file (or `$(cat file)`) leaves spaces and line breaks around values.
 * HOST, SYNC_NAME and SYNC_NATS_* were trimmed, but PORT and SYNC_INTERVAL_MS
 * were refused ("PORT must be 0-65535, got \" 0\\n\""), LOG_LEVEL too, and
 * DATA_DIR made a folder whose name ends with a line break. Now every variable
 * but SYNC_TOKEN is trimmed of spaces, tabs, CR and LF.
 */
describe('the sample app trims whitespace around every variable but SYNC_TOKEN', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h8-env-ws-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it('reads padded values as the plain ones', () => {
    const dataDir = path.join(temp.dir, 'data');
    const plain = {
      PORT: '5123',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SYNC_NAME: 'pit laptop',
      SYNC_PEERS: 'http://10.0.0.2:5000,http://10.0.0.3:5000/api/sync',
      SYNC_INTERVAL_MS: '15000',
      LOG_LEVEL: 'warn',
      SYNC_NATS_URL: 'nats://10.0.0.9:4222',
      SYNC_NATS_STREAM: 'FLEET',
      SYNC_NATS_DOMAIN: 'hub',
      SYNC_TOKEN: TEST_TOKEN,
    };
    const padded: Record<string, string> = {};
    for (const [name, value] of Object.entries(plain)) padded[name] = name === 'SYNC_TOKEN' ? value : ` \t${value}\r\n`;
    readSampleConfig(plain); // makes the data folder: both reads below find it there (dataDirNew false for both)
    expect(readSampleConfig(padded)).toEqual(readSampleConfig(plain));
    expect(readSampleConfig({ ...padded, DATA_DIR: `${dataDir}\n` }).dataDir).toBe(dataDir);
  });

  it('keeps SYNC_TOKEN byte for byte: its line break is still refused, saying so', () => {
    expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: `${TEST_TOKEN}\n` })).toThrow(/^SYNC_TOKEN ends with a line break/);
  });

  it('starts with PORT, SYNC_INTERVAL_MS and LOG_LEVEL as an env file leaves them', async () => {
    const result = await startAndStop({ PORT: '0\n', HOST: ' 127.0.0.1\r\n', SYNC_INTERVAL_MS: ' 15000\n', LOG_LEVEL: 'warn\r\n', DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
    expect(result.output).not.toMatch(/failed to start/);
    expect(result.started).toBe(true);
  }, APP_PROCESS_TIMEOUT_MS);
});
