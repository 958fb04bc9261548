import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as api from '../../../index';
import { readSampleConfig } from '../../../sample-app/config';
import { resolveNatsOptions } from '../../../lib/peers/nats/nats-options';
import { tempDir } from '../../helpers/temp';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TOKEN = 'test-token-0123456789abcdef';
const SECRET = 'hunter2-S3cret';
const SETTING = 'SYNC_NATS_URL (`transport.nats.servers`)';

/**
 * The sample app checked SYNC_NATS_URL with a partial copy of the library's check (scheme and
 * host only): a URL the library refuses (a path, a query, port 0, an entry in quotes, a blank
 * inside, a host no client can reach, two different passwords) passed the start's checks, the
 * data folders and the token file were written, and the start then failed in createSyncNode
 * with a message naming `transport.nats.servers` only. The sample app now runs the library's
 * check (`checkNatsServers`), so both refuse the same URLs, before anything is written, naming
 * SYNC_NATS_URL.
 */
describe('sample app: SYNC_NATS_URL is checked by the library', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-k5-nats-');
  });
  afterEach(() => temp.cleanup());

  function refusal(url: string): { message: string; written: boolean; type: boolean } {
    const dataDir = path.join(temp.dir, 'data');
    try {
      readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN, SYNC_NATS_URL: url });
    } catch (error) {
      return { message: (error as Error).message, written: existsSync(dataDir), type: error instanceof TypeError };
    }
    throw new Error(`the sample app took SYNC_NATS_URL=${url}`);
  }

  it.each<[string, string, RegExp]>([
    ['a path', 'nats://10.0.0.1:4222/fleet', /has a path, which the NATS client ignores/],
    ['a query with a secret', `nats://10.0.0.1:4222?token=${SECRET}`, /has a query/],
    ['a fragment', 'nats://10.0.0.1:4222#x', /has a fragment/],
    ['a scheme with one slash', 'nats:/10.0.0.1:4222', /path/],
    ['port 0', `nats://fleet:${SECRET}@10.0.0.1:0`, /port 0/],
    ['an entry in quotes', `nats://10.0.0.1:4222,"nats://fleet:${SECRET}@10.0.0.2:4222"`, /in quotes/],
    ['a blank inside an entry', 'nats://10.0.0.1:4222 nats://10.0.0.2:4222', /blank/],
    ['a host with a quote', 'nats://"hub":4222', /host/],
    ['URLs separated by ";"', `nats://fleet:${SECRET}@10.0.0.1:4222;nats://10.0.0.2:4222`, /separate URLs with commas, not ";"/],
  ])('refuses %s before anything is written, naming SYNC_NATS_URL, never the secret', (_name, url, message) => {
    const refused = refusal(url);
    expect(refused.message.startsWith(SETTING)).toBe(true);
    expect(refused.message).toMatch(message);
    expect(refused.message).not.toContain(SECRET);
    expect(refused.type).toBe(true);
    expect(refused.written).toBe(false);
  });

  it('keeps the messages tests and docs name', () => {
    expect(refusal('nats://').message).toBe(`${SETTING}: an entry has no host (write nats://host:4222)`);
    expect(refusal('nats://:4222').message).toBe(`${SETTING}: an entry has no host (write nats://host:4222)`);
    expect(refusal('http://10.0.0.1:4222').message).toBe(`${SETTING}: use nats:// or tls://, got http://`);
    expect(refusal(`ws://fleet:${SECRET}@10.0.0.1:8080`).message).toBe(`${SETTING}: use nats:// or tls://, got ws://`);
    expect(refusal('nats://u:p%zz@127.0.0.1:4222').message).toBe(`${SETTING}: an entry is not a NATS URL (write nats://user:password@host:4222, with "%" in a password as %25)`);
    expect(refusal(' , ').message).toBe(`${SETTING} holds no URL, only commas: write nats://host:4222, or leave it unset`);
  });

  it.each([
    'nats://10.0.0.1:4222',
    'nats://10.0.0.1:4222/',
    'NATS://Hub:4222',
    'tls://hub.example.org:4222',
    'hub:4222',
    'localhost',
    'nats://nats_server:4222',
    'nats://[::1]:4222',
    `nats://fleet:${SECRET}@a:4222,nats://fleet:${SECRET}@b:4222`,
    'nats://fleet:Ab3/x?y#z@hub:4222',
    'natsuser:s3cretpass@127.0.0.1:4222,',
  ])('takes %j, as the library does', (url) => {
    expect(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TOKEN, SYNC_NATS_URL: url }).nats?.servers).toBe(url.replace(/,$/, ''));
    expect(() => resolveNatsOptions({ servers: url.replace(/,$/, "") })).not.toThrow();
  });

  it('the library exports the check: the servers without their credentials, or a TypeError saying which rule refused', () => {
    expect(api.checkNatsServers(`nats://fleet:${SECRET}@10.0.0.1:4222, tls://hub:4222`)).toEqual(['nats://10.0.0.1:4222', 'tls://hub:4222']);
    expect(api.checkNatsServers(['hub:4222'])).toEqual(['hub:4222']);
    let caught: unknown;
    try {
      api.checkNatsServers('nats://10.0.0.1:0');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(caught).toBeInstanceOf(api.NatsServersError);
    expect((caught as InstanceType<typeof api.NatsServersError>).problem).toBe('port-0');
    expect((caught as Error).message).toMatch(/^express-sqlite-sync: `transport\.nats\.servers`: .*port 0/);
  });

  it('the sample app holds no URL parsing of its own for SYNC_NATS_URL', () => {
    const source = readFileSync(path.join(ROOT, 'sample-app', 'nats-config.ts'), 'utf8');
    expect(source).not.toMatch(/new URL\(|decodeURIComponent|splitUserinfo/);
    expect(source).toContain('checkNatsServers');
  });
});
