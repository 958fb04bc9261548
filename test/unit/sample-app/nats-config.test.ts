import { readSampleConfig } from '../../../sample-app/config';
import { startSampleApp } from '../../../sample-app/server';
import { silentLogger } from '../../../lib/logger';
import { tempDir } from '../../helpers/temp';

describe('sample app: SYNC_NATS_URL, SYNC_NATS_STREAM, SYNC_NATS_DOMAIN', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it('has no NATS transport without SYNC_NATS_URL (or with a blank one)', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir }).nats).toBeUndefined();
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_NATS_URL: '  ' }).nats).toBeUndefined();
  });

  it('reads the servers, the stream and the domain', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_NATS_URL: ' nats://10.0.0.1:4222,nats://10.0.0.2:4222 ', SYNC_NATS_STREAM: 'WORLDS', SYNC_NATS_DOMAIN: 'hub' }).nats).toEqual({
      servers: 'nats://10.0.0.1:4222,nats://10.0.0.2:4222',
      stream: 'WORLDS',
      domain: 'hub',
    });
  });

  it('refuses a bad SYNC_NATS_URL at start, before writing anything, naming the variable and the option', () => {
    expect(() => readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: 'a-long-enough-token-123', SYNC_NATS_URL: 'http://10.0.0.1:4222', PORT: '0', HOST: '127.0.0.1' })).toThrow(
      /SYNC_NATS_URL \(`transport.nats.servers`\): use nats:\/\/ or tls:\/\//,
    );
  });

  it('starts syncing through NATS alone (no SYNC_PEERS): the status names the transport', async () => {
    const config = readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: 'a-long-enough-token-123', SYNC_NATS_URL: 'nats://127.0.0.1:1', SYNC_NATS_STREAM: 'SAMPLE', PORT: '0', HOST: '127.0.0.1' });
    const running = await startSampleApp(config, silentLogger);
    try {
      expect(running.sync.client?.transports).toEqual(['nats:SAMPLE']);
      expect(running.sync.client?.transportStatuses()[0]).toMatchObject({ kind: 'nats', name: 'nats:SAMPLE' });
    } finally {
      await running.close();
    }
  });
});
