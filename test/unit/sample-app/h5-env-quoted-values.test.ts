import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

const TOKEN = 'test-token-0123456789abcdef';

/**
 * An env file read by a tool that keeps quotes (`docker run --env-file`, some .env loaders)
 * gives `DATA_DIR="/srv/scouting"` with its quotes. The app took such a DATA_DIR as a folder
 * named `"` under the working directory (the event's data went there, silently), a quoted
 * SYNC_NATS_URL as a NATS server named `"nats`, a quoted SYNC_NAME with its quotes on every
 * status page; PORT or SYNC_INTERVAL_MS were refused without a word about the quotes.
 */
describe('sample app: a value wrapped in quotes, as an env file may leave it', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h5-quoted-');
  });
  afterEach(() => temp.cleanup());

  it.each<[string, string]>([
    ['DATA_DIR', '"/srv/scouting"'],
    ['DATA_DIR', "'./data'"],
    ['PORT', '"5000"'],
    ['HOST', '"127.0.0.1"'],
    ['SYNC_PEERS', '"http://10.0.0.2:5000,http://10.0.0.3:5000"'],
    ['SYNC_NAME', '"pit laptop"'],
    ['SYNC_INTERVAL_MS', "'15000'"],
    ['LOG_LEVEL', '"info"'],
    ['SYNC_PEER_CA', '"/etc/ssl/scouting-ca.pem"'],
    ['SYNC_NATS_URL', '"nats://scout:hunter2@10.0.0.1:4222"'],
    ['SYNC_NATS_STREAM', '"WORLDS"'],
    ['SYNC_NATS_DOMAIN', "'hub'"],
    ['TLS_CERT', '"cert.pem"'],
  ])('%s=%s is refused in one line naming it, before anything is written', (name, value) => {
    const dataDir = path.join(temp.dir, 'data');
    const env: Record<string, string> = { DATA_DIR: dataDir, SYNC_TOKEN: TOKEN, [name]: ` ${value}\n` };
    if (name === 'SYNC_NATS_STREAM' || name === 'SYNC_NATS_DOMAIN') env.SYNC_NATS_URL = 'nats://10.0.0.1:4222';
    if (name === 'TLS_CERT') env.TLS_KEY = 'key.pem';
    let message = '';
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      readSampleConfig(env);
    } catch (error) {
      message = (error as Error).message;
    } finally {
      process.chdir(cwd);
    }
    expect(message).toBe(`${name} is wrapped in quotes, which the tool that read the env file kept (docker --env-file does): write ${name}=value, not ${name}="value"`);
    expect(message).not.toContain('hunter2');
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(path.join(temp.dir, '"'))).toBe(false);
  });

  it('takes quotes inside a value, and a lone quote mark, as they are', () => {
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TOKEN, SYNC_NAME: 'Bob\'s "pit" laptop' });
    expect(config.name).toBe('Bob\'s "pit" laptop');
    expect(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TOKEN, SYNC_NAME: '"' }).name).toBe('"');
  });

  it('refuses SYNC_TOKEN wrapped in quotes too, with the same line (README; k5-quoted-sync-token): it started, and every peer given the token without them answered 401', () => {
    expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: `"${TOKEN}"` })).toThrow(
      'SYNC_TOKEN is wrapped in quotes, which the tool that read the env file kept (docker --env-file does): write SYNC_TOKEN=value, not SYNC_TOKEN="value"',
    );
  });

  it.each(['nats://', 'tls://', 'nats://10.0.0.1:4222,nats://'])('SYNC_NATS_URL=%j (a URL without a host) is refused naming it', (url) => {
    const dataDir = path.join(temp.dir, 'data');
    expect(() => readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN, SYNC_NATS_URL: url })).toThrow('SYNC_NATS_URL (`transport.nats.servers`): an entry has no host (write nats://host:4222)');
    expect(existsSync(dataDir)).toBe(false);
  });
});
