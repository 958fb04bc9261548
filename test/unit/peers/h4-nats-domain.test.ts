import Database from 'better-sqlite3';
import path from 'node:path';
import { createSyncNode, silentLogger } from '../../../index';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

/**
 * nats-server refuses a JetStream domain with a space, ".", "*" or ">" at its
 * start ("invalid domain name"). The transport took any string and failed at
 * every round instead ("illegal subject: '$JS.a b.API…'", or no JetStream
 * answering in "hub.x"); options are checked when the node is built.
 */
describe('transport.nats.domain and SYNC_NATS_DOMAIN: one word, as nats-server takes it', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  beforeEach(() => {
    temp = tempDir('ess-h4-nats-domain-');
    db = new Database(path.join(temp.dir, 'app.db'));
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v)');
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  const node = (domain: string) =>
    createSyncNode({ token: 'test-token-0123456789abcdef', database: db, tables: ['t'], logger: silentLogger, transport: { nats: { servers: 'nats://127.0.0.1:4222', domain } } });

  it.each(['hub east', 'hub.east', 'hub*', 'hub>', ' hub'])('%j is a TypeError naming the option', (domain) => {
    expect(() => node(domain)).toThrow(new TypeError(`express-sqlite-sync: \`transport.nats.domain\` must be the hub's JetStream domain, one word without spaces, ".", "*" or ">" (as nats-server's \`jetstream { domain: hub }\`), got ${JSON.stringify(domain)}`));
  });

  it('a word is taken', async () => {
    const built = node('hub-east_1');
    await built.stop();
  });

  it.each(['hub east', 'hub.east'])('SYNC_NATS_DOMAIN=%j stops the sample app, naming it', (domain) => {
    expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: 'test-token-0123456789abcdef', SYNC_NATS_URL: 'nats://127.0.0.1:4222', SYNC_NATS_DOMAIN: domain })).toThrow(
      `SYNC_NATS_DOMAIN (\`transport.nats.domain\`) is the hub's JetStream domain, one word without spaces, ".", "*" or ">", got ${JSON.stringify(domain)}`,
    );
  });

  it('SYNC_NATS_DOMAIN=" hub " is the domain hub, as the other variables are trimmed', () => {
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: 'test-token-0123456789abcdef', SYNC_NATS_URL: 'nats://127.0.0.1:4222', SYNC_NATS_DOMAIN: ' hub ' });
    expect(config.nats?.domain).toBe('hub');
  });
});
